// The Library grid's geometry. Only the rows in view (plus a few above and
// below) are drawn, so 10,000 videos cost as much as the 20 on screen.

export const CARD_MIN_WIDTH = 220;
export const GAP = 14;
/** The text under a poster: name, details, date and cost. */
export const CARD_TEXT_HEIGHT = 78;
/** Rows drawn beyond the visible ones, so a quick scroll shows no gap. */
export const OVERSCAN_ROWS = 2;

export type Layout = { columns: number; cardWidth: number; rowHeight: number };

/** How many cards fit across `width`, how wide each is and how tall a row is. */
export function layout(width: number): Layout {
  const columns = Math.max(1, Math.floor((width + GAP) / (CARD_MIN_WIDTH + GAP)));
  const cardWidth = Math.max(0, (width - GAP * (columns - 1)) / columns);
  const rowHeight = Math.round((cardWidth * 9) / 16) + CARD_TEXT_HEIGHT + GAP;
  return { columns, cardWidth, rowHeight };
}

export type Window = {
  /** Index of the first and one past the last item to draw. */
  first: number;
  end: number;
  /** Offset of the first drawn row from the top of the grid. */
  top: number;
  /** Height of the whole grid (every row, drawn or not). */
  height: number;
};

/** The items to draw for a viewport `viewHeight` tall scrolled to `scrollTop`. */
export function visible(scrollTop: number, viewHeight: number, total: number, l: Layout): Window {
  const rows = Math.ceil(total / l.columns);
  const height = rows * l.rowHeight;
  if (total === 0) return { first: 0, end: 0, top: 0, height: 0 };
  const firstRow = Math.max(0, Math.floor(scrollTop / l.rowHeight) - OVERSCAN_ROWS);
  const lastRow = Math.min(rows, Math.ceil((scrollTop + viewHeight) / l.rowHeight) + OVERSCAN_ROWS);
  return {
    first: firstRow * l.columns,
    end: Math.min(total, lastRow * l.columns),
    top: firstRow * l.rowHeight,
    height,
  };
}

/** The pages (of `size` items) a window needs. */
export function pagesFor(w: Window, size: number): number[] {
  if (w.end <= w.first) return [];
  const pages: number[] = [];
  for (let p = Math.floor(w.first / size); p <= Math.floor((w.end - 1) / size); p++) pages.push(p);
  return pages;
}
