// Local reference files chosen in the Composer, in the order they are sent
// (so @image1, @video1… refer to what the person sees). Each is held by the
// handle Rust gave it when it was picked or dropped, never by its path.
import { commands, type MediaFile } from '../backend';

class LocalMedia {
  files = $state<MediaFile[]>([]);
  refused = $state<MediaFile[]>([]);
  /** Why the files could not be checked at all (rare: Rust did not answer). */
  problem = $state<string | null>(null);

  async add(handles: string[]) {
    const fresh = handles.filter((h) => !this.files.some((f) => f.handle === h));
    if (fresh.length === 0) return;
    const r = await commands.inspectMedia(fresh);
    if (r.status === 'error') {
      this.problem = r.error.message;
      return;
    }
    this.problem = null;
    this.files = [...this.files, ...r.data.filter((i) => !i.error)];
    this.refused = r.data.filter((i) => i.error);
  }

  remove(handle: string) {
    this.files = this.files.filter((f) => f.handle !== handle);
  }

  move(handle: string, by: -1 | 1) {
    const i = this.files.findIndex((f) => f.handle === handle);
    const j = i + by;
    if (i < 0 || j < 0 || j >= this.files.length) return;
    const next = [...this.files];
    [next[i], next[j]] = [next[j], next[i]];
    this.files = next;
  }

  /** The handles of one kind, for the job's `image_files`… */
  of(kind: 'image' | 'video' | 'audio'): string[] {
    return this.files.filter((f) => f.kind === kind).map((f) => f.handle);
  }

  clear() {
    this.files = [];
    this.refused = [];
    this.problem = null;
  }
}

export const localMedia = new LocalMedia();
