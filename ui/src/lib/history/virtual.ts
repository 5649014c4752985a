// The charges table renders only the rows in view (plus a margin) and asks
// Rust for them a page at a time, so 100,000 charges scroll like 100.

export interface Window {
  /** First and last row index to render (inclusive); last < first when empty. */
  first: number;
  last: number;
}

export function visibleRows(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  total: number,
  overscan = 10,
): Window {
  if (total <= 0 || rowHeight <= 0) return { first: 0, last: -1 };
  const top = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const bottom = Math.min(total - 1, Math.ceil((scrollTop + Math.max(viewport, 0)) / rowHeight) + overscan);
  return { first: Math.min(top, total - 1), last: bottom };
}

/** The page numbers that hold rows `first..=last`. */
export function pagesFor(w: Window, pageSize: number): number[] {
  if (w.last < w.first) return [];
  const pages = [];
  for (let p = Math.floor(w.first / pageSize); p <= Math.floor(w.last / pageSize); p++) pages.push(p);
  return pages;
}
