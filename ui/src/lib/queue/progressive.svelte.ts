// Drawing a Queue row in full (its actions, figures, notes) costs far more
// than its plain line, and one keystroke in the filter can bring 200 rows
// the page did not show. So the rows already drawn in full stay so, the
// first FIRST new rows in list order (those in view) are drawn in full at
// once, the others as a plain line (JobLine) that becomes a full row CHUNK
// at a time, one chunk after each painted frame (so a chunk never holds up
// the frame that shows the rows in view). Every row is in the page at once,
// as a line or in full.
import { fullRows, NONE } from './progressive';

export const FIRST = 16;
export const CHUNK = 20;

export class Progressive {
  /** The ids drawn in full in the last pass. */
  #full: ReadonlySet<number> = NONE;
  #list: readonly { id: number }[] | null = null;
  #frame = $state(0);
  #asked = false;

  /**
   * The ids of `list` to draw in full now (call it from one `$derived`).
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
