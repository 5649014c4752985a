// Which rows of a list to draw in full (see progressive.svelte.ts): every
// row already drawn in full, then at most `budget` new ones in list order.

export const NONE: ReadonlySet<number> = new Set<number>();

/** The ids to draw in full, and whether some row still waits for its turn. */
export function fullRows(
  list: readonly { id: number }[],
  drawn: ReadonlySet<number>,
  budget: number,
): { full: ReadonlySet<number>; waiting: boolean } {
  const full = new Set<number>();
  let fresh = 0;
  let waiting = false;
  for (const { id } of list) {
    if (drawn.has(id)) full.add(id);
    else if (fresh < budget) {
      fresh++;
      full.add(id);
    } else waiting = true;
  }
  return { full, waiting };
}
