// Which rows of a list to draw (see progressive.svelte.ts): every row
// already drawn, then at most `budget` new ones in list order; the others
// wait in gaps that hold their place.

export const NONE: ReadonlySet<number> = new Set<number>();

/** The ids to draw, and whether some row still waits for its turn. */
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

/** A list as drawn: a row, or a run of rows not drawn yet (their count). */
export type Segment<T> = { key: number; row: T } | { key: string; gap: number };

// One segment object per row object, for as long as the row lives: a
// list drawn again with the same rows gives the same segments, so Svelte
// finds nothing changed in them (a new object would update every row).
const rowSegments = new WeakMap<object, { key: number; row: unknown }>();

function rowSegment<T extends { id: number }>(row: T): { key: number; row: T } {
  let s = rowSegments.get(row) as { key: number; row: T } | undefined;
  if (!s) {
    s = { key: row.id, row };
    rowSegments.set(row, s);
  }
  return s;
}

/**
 * `list` in order, each row in `drawn` as itself and each run of the others
 * as one gap (keyed by its first row, so a gap that shrinks stays the same
 * element).
 */
export function segments<T extends { id: number }>(list: readonly T[], drawn: ReadonlySet<number>): Segment<T>[] {
  const out: Segment<T>[] = [];
  let gap = 0;
  let first = 0;
  for (const row of list) {
    if (drawn.has(row.id)) {
      if (gap > 0) out.push({ key: `gap-${first}`, gap });
      gap = 0;
      out.push(rowSegment(row));
    } else if (gap++ === 0) first = row.id;
  }
  if (gap > 0) out.push({ key: `gap-${first}`, gap });
  return out;
}
