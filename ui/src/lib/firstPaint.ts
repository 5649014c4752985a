import { commands } from './backend';

// scripts/bench's start-up figure: once `selector` (the Composer's
// form) is in the page, the next animation frame comes after the one that
// painted it, and tells Rust — which writes the time only when the benchmark
// asked for it (LOOVA_DESK_BENCH_READY_FILE) and does nothing otherwise. It
// gives up after `maxFrames` so a start on another screen costs nothing.
export function reportFirstPaint(selector: string, maxFrames = 600) {
  let frames = 0;
  const check = () => {
    if (document.querySelector(selector)) {
      requestAnimationFrame(() => {
        void commands.firstPaint();
        donePainting();
      });
    } else if (++frames < maxFrames) {
      requestAnimationFrame(check);
    } else donePainting();
  };
  requestAnimationFrame(check);
}

let donePainting: () => void = () => {};
/**
 * Resolves once the first screen is painted (or the wait gave up): what the
 * first screen does not show (the Queue's rows) loads after it, so parsing
 * it never holds up the first paint.
 */
export const painted = new Promise<void>((resolve) => (donePainting = resolve));
