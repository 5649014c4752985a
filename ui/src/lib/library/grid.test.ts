import { describe, expect, it } from 'vitest';
import { CARD_MIN_WIDTH, GAP, layout, OVERSCAN_ROWS, pagesFor, visible } from './grid';

describe('the virtual grid', () => {
  it('fits as many cards as their minimum width allows', () => {
    expect(layout(CARD_MIN_WIDTH).columns).toBe(1);
    expect(layout(100).columns).toBe(1);
    expect(layout(4 * CARD_MIN_WIDTH + 3 * GAP).columns).toBe(4);
    expect(layout(4 * CARD_MIN_WIDTH + 3 * GAP - 1).columns).toBe(3);
  });

  it('draws only the rows in view of 10,000 videos', () => {
    const l = layout(1000);
    const view = 700;
    const w = visible(500_000, view, 10_000, l);
    const rowsInView = Math.ceil(view / l.rowHeight) + 1 + 2 * OVERSCAN_ROWS;
    expect(w.end - w.first).toBeLessThanOrEqual(rowsInView * l.columns);
    expect(w.height).toBe(Math.ceil(10_000 / l.columns) * l.rowHeight);
    expect(w.first % l.columns).toBe(0);
    expect(w.top).toBe((w.first / l.columns) * l.rowHeight);
    // The top of the view is among the drawn rows.
    expect(w.top).toBeLessThanOrEqual(500_000);
  });

  it('stops at the last video and handles an empty library', () => {
    const l = layout(1000);
    const w = visible(1e9, 700, 10, l);
    expect(w.end).toBe(10);
    expect(visible(0, 700, 0, l)).toEqual({ first: 0, end: 0, top: 0, height: 0 });
  });

  it('asks for the pages a window covers', () => {
    expect(pagesFor({ first: 50, end: 130, top: 0, height: 0 }, 60)).toEqual([0, 1, 2]);
    expect(pagesFor({ first: 0, end: 60, top: 0, height: 0 }, 60)).toEqual([0]);
    expect(pagesFor({ first: 0, end: 0, top: 0, height: 0 }, 60)).toEqual([]);
  });
});
