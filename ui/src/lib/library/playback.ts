// What the player does with a key, what it says when a video cannot play,
// and how compare keeps its videos together.

import { os, type Os } from '../platform';

export type KeyAction = 'toggle' | 'back' | 'forward' | 'fullscreen' | 'close' | 'pick' | Rate;
/** 1–5: rate the take. */
export type Rate = 'rate1' | 'rate2' | 'rate3' | 'rate4' | 'rate5';

/** Seconds ← and → move. */
export const SEEK_STEP = 5;

/** The player's keys: space, ←/→, F, Escape, P (pick) and 1–5 (rate), not while typing in a field. */
export function keyAction(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>,
  typing: boolean,
): KeyAction | null {
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (e.key) {
    case ' ':
    case 'Spacebar':
      return 'toggle';
    case 'ArrowLeft':
      return 'back';
    case 'ArrowRight':
      return 'forward';
    case 'f':
    case 'F':
      return 'fullscreen';
    case 'Escape':
      return 'close';
    case 'p':
    case 'P':
      return 'pick';
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
      return `rate${e.key}` as Rate;
    default:
      return null;
  }
}

/** Is the focus in a field where keys are text? */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** What to do when the system's player has no way to decode the video. */
const NO_DECODER: Record<Os, string> = {
  // WebKitGTK plays through GStreamer, whose H.264 decoder is a separate package.
  linux: 'This video cannot be played: install gstreamer1.0-libav (H.264 decoder).',
  // WebView2 uses Windows' own decoders, which "N" editions leave out.
  windows:
    'This video cannot be played: Windows has no H.264 decoder here (on Windows "N" editions, install the Media Feature Pack from Microsoft). Use "Reveal in folder" to open it in another player.',
  // WebKit on macOS always decodes H.264: the file itself is the problem.
  mac: 'This video cannot be played: macOS could not decode it (the file may be damaged). Use "Reveal in folder" and try QuickTime Player.',
};

/** The sentence for a `<video>` error (MediaError codes). */
export function mediaErrorMessage(code: number | null | undefined, on: Os = os): string {
  switch (code) {
    // 3: MEDIA_ERR_DECODE, 4: MEDIA_ERR_SRC_NOT_SUPPORTED: no decoder for
    // the video's format; a black box would say nothing.
    case 3:
    case 4:
      return NO_DECODER[on];
    case 2:
      return 'The video could not be read from disk. It may have been moved: close this and check the Library.';
    case 1:
      return 'Playback was stopped.';
    default:
      return 'This video cannot be played.';
  }
}

/** Followers further than this from the leader (seconds) are moved back in step. */
export const DRIFT_TOLERANCE = 0.15;

/** Should a follower at `t` jump to the leader's `leader` time? */
export function drifted(leader: number, t: number, tolerance = DRIFT_TOLERANCE): boolean {
  return Math.abs(leader - t) > tolerance;
}

/** Where a seek of `delta` seconds lands in a video `duration` long. */
export function seekTo(current: number, delta: number, duration: number): number {
  const end = Number.isFinite(duration) ? duration : current + Math.max(delta, 0);
  return Math.min(Math.max(0, current + delta), end);
}

/** Compare takes 2 to 4 videos. */
export const COMPARE_MIN = 2;
export const COMPARE_MAX = 4;

/** The selection after a click on `id`: added, or removed; never more than the maximum. */
export function toggleSelected(selected: number[], id: number): number[] {
  if (selected.includes(id)) return selected.filter((s) => s !== id);
  if (selected.length >= COMPARE_MAX) return selected;
  return [...selected, id];
}

/** `seconds` as m:ss. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
