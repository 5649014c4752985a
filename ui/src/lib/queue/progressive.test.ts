import { describe, expect, it } from 'vitest';
import { fullRows, segments } from './progressive';

const rows = (...ids: number[]) => ids.map((id) => ({ id }));

describe('fullRows', () => {
  it('keeps every row drawn in full and adds new rows in list order up to the budget', () => {
    const { full, waiting } = fullRows(rows(1, 2, 3, 4, 5), new Set([4]), 2);
    expect([...full].sort()).toEqual([1, 2, 4]);
    expect(waiting).toBe(true);
  });

  it('has nothing waiting once every row fits', () => {
    const { full, waiting } = fullRows(rows(1, 2), new Set([9]), 2);
    expect([...full]).toEqual([1, 2]);
    expect(waiting).toBe(false);
  });
});

describe('segments', () => {
  it('keeps drawn rows in place and folds each run of the others into one gap', () => {
    const list = rows(1, 2, 3, 4, 5, 6);
    expect(segments(list, new Set([1, 4]))).toEqual([
      { key: 1, row: { id: 1 } },
      { key: 'gap-2', gap: 2 },
      { key: 4, row: { id: 4 } },
      { key: 'gap-5', gap: 2 },
    ]);
    expect(segments(list, new Set(list.map((r) => r.id))).every((s) => 'row' in s)).toBe(true);
    expect(segments([], new Set())).toEqual([]);
    // The same row gives the same segment (Svelte then redraws nothing).
    expect(segments(list, new Set([1]))[0]).toBe(segments(list, new Set([1, 2]))[0]);
  });
});
