import { describe, expect, it, vi } from 'vitest';
import type { LibraryItem, LibraryPage, LibraryQuery } from '../backend';

const answers: ((q: LibraryQuery) => LibraryPage)[] = [];
vi.mock('../backend', () => ({
  commands: {
    libraryPage: vi.fn(async (q: LibraryQuery) => ({ status: 'ok', data: answers.shift()!(q) })),
  },
  events: {},
}));

import { commands } from '../backend';
import { dayEnd, dayStart } from './dates';
import { emptyFilters, library, PAGE_SIZE, toQuery } from './store.svelte';

function item(id: number): LibraryItem {
  return {
    id,
    name: `Take ${id}`,
    prompt: 'A fox',
    model: 'seedance_2_0',
    duration: 5,
    ratio: '16:9',
    downloaded_at: 0,
    credits_cost: 75,
    account: 'Sandbox',
    batch: null,
    path: `/v/${id}.mp4`,
    on_disk: 'present',
    pick: false,
    rating: null,
    video_url: `http://127.0.0.1:9/token/video/${id}`,
    poster_url: null,
  };
}
const choices = { accounts: [], batches: [], models: [], ratios: [] };
const page = (total: number, ids: number[]) => (q: LibraryQuery) => ({
  total,
  offset: q.offset,
  items: ids.map(item),
  choices,
});

describe('the library store', () => {
  it('turns the filters into Rust query fields, empty ones as null', () => {
    const q = toQuery(
      { ...emptyFilters(), search: ' fox ', ratio: '9:16', from: '2026-11-03', to: '2026-11-03', sort: 'cost_high' },
      2,
    );
    expect(q.search).toBe('fox');
    expect(q.account).toBeNull();
    expect(q.ratio).toBe('9:16');
    expect(q.sort).toBe('cost_high');
    expect(q.picks_only).toBe(false);
    expect(q.min_rating).toBeNull();
    expect(toQuery({ ...emptyFilters(), picks: true, minRating: '4' }, 0)).toMatchObject({
      picks_only: true,
      min_rating: 4,
    });
    expect(q.offset).toBe(2 * PAGE_SIZE);
    expect(q.limit).toBe(PAGE_SIZE);
    // "To" includes the whole day, in the person's own time zone.
    expect(q.until_ms! - q.from_ms!).toBe(dayEnd('2026-11-03')! - dayStart('2026-11-03')!);
    expect(new Date(q.from_ms!).getHours()).toBe(0);
    expect(dayStart('yesterday')).toBeNull();
  });

  it('keeps pages by number and drops answers to an older query', async () => {
    let release: () => void = () => {};
    const slow = new Promise<void>((r) => (release = r));
    vi.mocked(commands.libraryPage).mockImplementationOnce(async (q) => {
      await slow;
      return { status: 'ok', data: page(999, [666])(q) };
    });
    const stale = library.reload();
    answers.push(page(61, [1, 2]));
    await library.reload();
    release();
    await stale;
    expect(library.total).toBe(61);
    expect(library.item(0)?.id).toBe(1);
    expect(library.item(PAGE_SIZE)).toBeUndefined();

    answers.push(page(61, [7]));
    await library.ensure([0, 1]);
    expect(library.item(PAGE_SIZE)?.id).toBe(7);
    library.patch(7, { poster_url: 'p' });
    expect(library.find(7)?.poster_url).toBe('p');
  });
});
