// Local reference files chosen in the Composer, in the order they are sent
// (so @image1, @video1… refer to what the person sees).
import { commands, type MediaInfo } from '../backend';

class LocalMedia {
  files = $state<MediaInfo[]>([]);
  refused = $state<MediaInfo[]>([]);

  async add(paths: string[]) {
    const fresh = paths.filter((p) => !this.files.some((f) => f.path === p));
    if (fresh.length === 0) return;
    const infos = await commands.inspectMedia(fresh);
    this.files = [...this.files, ...infos.filter((i) => !i.error)];
    this.refused = infos.filter((i) => i.error);
  }

  remove(path: string) {
    this.files = this.files.filter((f) => f.path !== path);
  }

  move(path: string, by: -1 | 1) {
    const i = this.files.findIndex((f) => f.path === path);
    const j = i + by;
    if (i < 0 || j < 0 || j >= this.files.length) return;
    const next = [...this.files];
    [next[i], next[j]] = [next[j], next[i]];
    this.files = next;
  }

  of(kind: 'image' | 'video' | 'audio'): string[] {
    return this.files.filter((f) => f.kind === kind).map((f) => f.path);
  }

  clear() {
    this.files = [];
    this.refused = [];
  }
}

export const localMedia = new LocalMedia();
