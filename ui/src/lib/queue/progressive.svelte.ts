// A Queue row costs far more to build than to keep, and one keystroke in
// the filter can bring 200 rows the page did not show (and take away as
// many). So the rows already drawn stay, the first FIRST new rows in list
// order (those in view) are drawn at once, and the others wait in a gap of
// their height (GAP_ROW_PX each, so the page's length and its scroll bar
// are right at once), CHUNK at a time, one chunk after each painted frame
// (so a chunk never holds up the frame that shows the rows in view).
import { fullRows, NONE } from './progressive';

export const FIRST = 16;
export const CHUNK = 20;
/** A row's height before it is drawn: a one-line row (the CSS's too). */
export const GAP_ROW_PX = 61;

export class Progressive {
  /** The ids drawn in the last pass. */
  #full: ReadonlySet<number> = NONE;
  #list: readonly { id: number }[] | null = null;
  #frame = $state(0);
  #asked = false;

  /**
   * The ids of `list` to draw now (call it from one `$derived`).
   * A new list grants FIRST new rows; each later frame CHUNK more.
   */
  full(list: readonly { id: number }[]): ReadonlySet<number> {
    void this.#frame;
    const budget = list === this.#list ? CHUNK : FIRST;
    this.#list = list;
    const { full, waiting } = fullRows(list, this.#full, budget);
    this.#full = full;
    if (waiting && !this.#asked) {
      this.#asked = true;
      requestAnimationFrame(() =>
        setTimeout(() => {
          this.#asked = false;
          this.#frame++;
        }, 0),
      );
    }
    return full;
  }
}
