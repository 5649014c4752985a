import { describe, expect, it, vi } from 'vitest';
import type { ChargeRow, ChargesPage, UsageQuery, UsageReport } from '../backend';

const pageAnswers: ((q: UsageQuery, offset: number, limit: number) => ChargesPage)[] = [];
const report: UsageReport = {
  groups: [
    {
      key: '2026-12-01',
      credits: 150,
      estimate_credits: 150,
      jobs: 2,
      refunded_credits: 0,
      differing: 0,
      stacks: [{ key: 'seedance_2_0', credits: 150 }],
    },
    {
      key: '2026-12-02',
      credits: 315,
      estimate_credits: 300,
      jobs: 3,
      refunded_credits: 0,
      differing: 1,
      stacks: [
        { key: 'seedance_2_0_fast', credits: 90 },
        { key: 'seedance_2_0', credits: 225 },
      ],
    },
  ],
  total: { credits: 465, estimate_credits: 450, jobs: 5, refunded_credits: 0, differing: 1 },
};
vi.mock('../backend', () => ({
  commands: {
    usageReport: vi.fn(async () => ({ status: 'ok', data: report })),
    balanceHistory: vi.fn(async () => ({ status: 'ok', data: [] })),
    chargesPage: vi.fn(async (q: UsageQuery, offset: number, limit: number) => ({
      status: 'ok',
      data: pageAnswers.shift()!(q, offset, limit),
    })),
  },
  events: {},
}));

import { commands } from '../backend';
import { defaultFilters, pagesToDrop, PAGE_SIZE, toQuery, withPage } from './filters';
import { balanceLines, groupLabel, spendingSeries, spendingSummary } from './series';
import { history } from './store.svelte';
import { pagesFor, visibleRows } from './virtual';

function charge(id: number): ChargeRow {
  return {
    id,
    job_id: id,
    account_id: 'a',
    account_name: 'Sandbox',
    batch_id: null,
    task_id: `t${id}`,
    model: 'seedance_2_0',
    seconds: 5,
    video_reference: false,
    estimate_credits: 75,
    price_list_date: '2026-11-01',
    first_credits: 75,
    final_credits: 75,
    charged_at: id,
    updated_at: id,
    failed_at: null,
    refund: null,
    differs: false,
  };
}
const rows = (from: number, n: number) => Array.from({ length: n }, (_, k) => charge(from + k));

describe('the History filters', () => {
  it('default to the last 30 local days, today included, stacked by model', () => {
    const f = defaultFilters(new Date(2026, 2, 10, 23, 30));
    expect([f.since, f.until, f.by, f.stack]).toEqual(['2026-02-09', '2026-03-10', 'day', 'model']);
  });

  it('become Rust query fields, empty ones as null and "Total only" as no stack', () => {
    const q = toQuery({ ...defaultFilters(), account: 'acc-1', model: ' ', since: '', by: 'week', stack: 'none' });
    expect(q.account_id).toBe('acc-1');
    expect(q.model).toBeNull();
    expect(q.batch_id).toBeNull();
    expect(q.since).toBeNull();
    expect(q.by).toBe('week');
    expect(q.stack).toBeNull();
  });
});

describe('the spending chart data', () => {
  it('has one series per stack with 0 where a group has none, and the group totals from Rust', () => {
    const s = spendingSeries(report, true);
    expect(s.keys).toEqual(['2026-12-01', '2026-12-02']);
    expect(s.series).toEqual([
      { key: 'seedance_2_0', values: [150, 225] },
      { key: 'seedance_2_0_fast', values: [0, 90] },
    ]);
    expect(s.totals).toEqual([150, 315]);
    expect(spendingSeries(report, false).series).toEqual([{ key: 'Charged', values: [150, 315] }]);
  });

  it('names periods as the person reads them and says what the chart shows', () => {
    expect(groupLabel('2026-12', 'month')).toMatch(/Dec/);
    expect(groupLabel('2026-11-30', 'week')).toMatch(/^Week of Nov 30/);
    expect(groupLabel('', 'batch')).toBe('(none)');
    const summary = spendingSummary(spendingSeries(report, true), 'day', 465, String);
    expect(summary).toMatch(/per day, .*Dec 1, 2026 to Dec 2, 2026: 465 credits/);
  });

  it('draws one balance line per account from its API reads only', () => {
    const lines = balanceLines(
      [
        { account_id: 'a', read_at: 1, api_available: 100, api_total: 100, app_credits: null },
        { account_id: 'a', read_at: 2, api_available: null, api_total: null, app_credits: 40 },
        { account_id: 'b', read_at: 3, api_available: 7, api_total: 9, app_credits: null },
        { account_id: 'a', read_at: 4, api_available: 25, api_total: 100, app_credits: null },
      ],
      { a: 'Studio' },
    );
    expect(lines.map((l) => [l.name, l.points])).toEqual([
      [
        'Studio',
        [
          { x: 1, y: 100 },
          { x: 4, y: 25 },
        ],
      ],
      ['b', [{ x: 3, y: 7 }]],
    ]);
  });
});

describe('the virtualized charges table', () => {
  it('renders only the rows in view plus a margin, out of 100,000', () => {
    const w = visibleRows(36 * 50_000, 360, 36, 100_000, 5);
    expect(w).toEqual({ first: 49_995, last: 50_015 });
    expect(pagesFor(w, 200)).toEqual([249, 250]);
    expect(visibleRows(0, 360, 36, 0)).toEqual({ first: 0, last: -1 });
    expect(visibleRows(36 * 99_999, 360, 36, 100_000).last).toBe(99_999);
  });

  it('keeps a bounded cache, dropping the pages farthest from view', () => {
    expect(pagesToDrop([0, 1, 2, 3, 10, 11], [10, 11], 4)).toEqual([0, 1]);
    let cache = withPage(new Map(), 0, rows(0, 2), [0], 2);
    cache = withPage(cache, 5, rows(10, 2), [5], 2);
    cache = withPage(cache, 6, rows(20, 2), [6], 2);
    expect([...cache.keys()].sort()).toEqual([5, 6]);
  });

  it('asks Rust for the pages in view once each and drops answers to an older filter', async () => {
    pageAnswers.push((_q, offset) => ({ rows: rows(offset, PAGE_SIZE), total: 1000 }));
    await history.load();
    expect(history.count).toBe(1000);
    expect(history.report?.total.credits).toBe(465);
    expect(history.row(3)?.id).toBe(3);
    pageAnswers.push((_q, offset) => ({ rows: rows(offset, PAGE_SIZE), total: 1000 }));
    await Promise.all([history.ensure([0, 1]), history.ensure([1])]);
    expect(vi.mocked(commands.chargesPage)).toHaveBeenCalledTimes(2);
    expect(history.row(PAGE_SIZE + 7)?.id).toBe(PAGE_SIZE + 7);
    // A page asked for under the old filter arrives after a new load: dropped.
    let release: () => void = () => {};
    const late = new Promise<void>((r) => (release = r));
    vi.mocked(commands.chargesPage).mockImplementationOnce(async (_q, offset) => {
      await late;
      return { status: 'ok', data: { rows: rows(offset, PAGE_SIZE), total: 1000 } };
    });
    const stale = history.ensure([3]);
    pageAnswers.push(() => ({ rows: rows(0, 1), total: 1 }));
    history.filters.model = 'seedance_2_0_fast';
    await history.load();
    release();
    await stale;
    expect(history.count).toBe(1);
    expect(history.pages.has(3)).toBe(false);
  });
});
