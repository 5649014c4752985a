import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { BatchRow } from '../backend';

const row = (i: number): BatchRow =>
  ({
    line: i + 2,
    name: `row ${i}`,
    spec: { model: 'seedance_2_0', duration: 5 },
    estimate: null,
    errors: [],
  }) as unknown as BatchRow;
const page = (from: number) => Array.from({ length: 200 }, (_, k) => row(from + k));

vi.mock('../backend', () => ({
  commands: { batchRows: vi.fn(async (_p: string, offset: number) => ({ status: 'ok', data: page(offset) })) },
}));

import { commands } from '../backend';
import RowsTable from './RowsTable.svelte';

describe('RowsTable', () => {
  it('shows the first page it was given and fetches only the page scrolled to', async () => {
    render(RowsTable, { path: '/shots.csv', total: 100_000, first: page(0) });
    expect(screen.getByTestId('batch-row-2')).toBeTruthy();
    expect(commands.batchRows).not.toHaveBeenCalled();
    const viewport = screen.getByTestId('batch-rows');
    viewport.scrollTop = 50_000 * 34;
    await fireEvent.scroll(viewport);
    await vi.waitFor(() => expect(screen.getByTestId('batch-row-50002')).toBeTruthy());
    expect(vi.mocked(commands.batchRows).mock.calls.map((c) => c[1])).toEqual([49_800, 50_000]);
  });
});
