import { describe, expect, it } from 'vitest';
import { fullRows } from './progressive';

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
