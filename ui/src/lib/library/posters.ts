// Poster frames: the webview has the video decoders (GStreamer on Linux),
// so a hidden <video> seeks to about 10 % of a video, draws that frame on a
// canvas and hands the JPEG to Rust, which caches it in the data folder and
// serves it from then on. One video at a time, newest request first.
import { commands } from '../backend';

/** The poster's width; its height follows the video's shape. */
const WIDTH = 480;
/** A video that does not give a frame within this long is skipped for now. */
const GIVE_UP_MS = 15000;

type Wanted = { id: number; url: string; done: (posterUrl: string) => void };

const waiting: Wanted[] = [];
/** Videos already asked for, by id and path (a located video gets a fresh poster). */
const tried = new Set<string>();
let busy = false;

/** Asks for a poster of video `id` at `path` (once per session). */
export function wantPoster(id: number, path: string, videoUrl: string, done: (posterUrl: string) => void) {
  const key = `${id}\n${path}`;
  if (tried.has(key)) return;
  tried.add(key);
  waiting.push({ id, url: videoUrl, done });
  void next();
}

async function next() {
  if (busy) return;
  const job = waiting.pop();
  if (!job) return;
  busy = true;
  try {
    const image = await grab(job.url);
    if (image) {
      const r = await commands.savePoster(job.id, image);
      if (r.status === 'ok') job.done(r.data);
    }
  } finally {
    busy = false;
    void next();
  }
}

function once(v: HTMLVideoElement, event: string): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(false), GIVE_UP_MS);
    const ok = () => finish(true);
    const fail = () => finish(false);
    function finish(result: boolean) {
      clearTimeout(timer);
      v.removeEventListener(event, ok);
      v.removeEventListener('error', fail);
      resolve(result);
    }
    v.addEventListener(event, ok);
    v.addEventListener('error', fail);
  });
}

/** A JPEG data URL of the frame at ~10 % of the video, or null. */
async function grab(url: string): Promise<string | null> {
  const v = document.createElement('video');
  // Read across origins (the page is not the media protocol): without this
  // the canvas is tainted and cannot be read back.
  v.crossOrigin = 'anonymous';
  v.muted = true;
  v.preload = 'auto';
  v.playsInline = true;
  // In the document (off screen): WebKitGTK decodes frames for attached videos.
  v.style.cssText = 'position:fixed;left:-10000px;top:0;width:64px;height:36px;opacity:0;pointer-events:none';
  document.body.appendChild(v);
  try {
    const loaded = once(v, 'loadeddata');
    v.src = url;
    if (!(await loaded)) return null;
    const at =
      Number.isFinite(v.duration) && v.duration > 0 ? Math.min(v.duration * 0.1, Math.max(0, v.duration - 0.05)) : 0;
    if (at > 0) {
      const seeked = once(v, 'seeked');
      v.currentTime = at;
      if (!(await seeked)) return null;
    }
    if (!v.videoWidth || !v.videoHeight) return null;
    const canvas = document.createElement('canvas');
    canvas.width = WIDTH;
    canvas.height = Math.round((WIDTH * v.videoHeight) / v.videoWidth);
    const ctx = canvas.getContext('2d');
    if (!ctx) return null;
    ctx.drawImage(v, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL('image/jpeg', 0.82);
  } catch {
    return null;
  } finally {
    v.removeAttribute('src');
    v.load();
    v.remove();
  }
}
