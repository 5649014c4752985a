// The Library as the grid shows it: the query (search, filters, sort) and
// the pages of videos Rust answered for it. Rust does the searching,
// filtering, sorting and counting; this asks only for the pages in view
// and forgets them all when the query changes.
import { dayEnd, dayStart } from './dates';
import { commands, type LibraryChoices, type LibraryItem, type LibraryQuery, type LibrarySort } from '../backend';

export const PAGE_SIZE = 60;

export type Filters = {
  search: string;
  account: string;
  batch: string;
  model: string;
  ratio: string;
  from: string;
  to: string;
  /** Only picked takes (★). */
  picks: boolean;
  /** Only takes rated at least this ('' = any; '1'…'5'). */
  minRating: string;
  sort: LibrarySort;
};

export function emptyFilters(): Filters {
  return {
    search: '',
    account: '',
    batch: '',
    model: '',
    ratio: '',
    from: '',
    to: '',
    picks: false,
    minRating: '',
    sort: 'newest',
  };
}

/** The filters as Rust's query for one page. Empty fields filter nothing. */
export function toQuery(f: Filters, page: number): LibraryQuery {
  const opt = (s: string) => (s.trim() === '' ? null : s.trim());
  return {
    search: opt(f.search),
    account: opt(f.account),
    batch: opt(f.batch),
    model: opt(f.model),
    ratio: opt(f.ratio),
    from_ms: dayStart(f.from),
    until_ms: dayEnd(f.to),
    picks_only: f.picks,
    min_rating: f.minRating === '' ? null : Number(f.minRating),
    sort: f.sort,
    offset: page * PAGE_SIZE,
    limit: PAGE_SIZE,
  };
}

class LibraryStore {
  filters = $state<Filters>(emptyFilters());
  /** How many videos match; null until the first answer. */
  total = $state<number | null>(null);
  /** The pages answered so far, by page number. */
  pages = $state<Record<number, LibraryItem[]>>({});
  choices = $state<LibraryChoices>({ accounts: [], batches: [], models: [], ratios: [] });
  problem = $state<string | null>(null);
  /** Answers to an older query are dropped. */
  private generation = 0;
  private asked = new Set<number>();

  /** The item at `index`, if its page has arrived. */
  item(index: number): LibraryItem | undefined {
    return this.pages[Math.floor(index / PAGE_SIZE)]?.[index % PAGE_SIZE];
  }

  /** Starts over: the query changed (or the library did). */
  async reload() {
    this.generation += 1;
    this.asked.clear();
    this.pages = {};
    await this.ensure([0]);
  }

  /** Asks for the pages not yet asked for. */
  async ensure(pages: number[]) {
    const gen = this.generation;
    await Promise.all(
      pages
        .filter((p) => !this.asked.has(p))
        .map(async (p) => {
          this.asked.add(p);
          const r = await commands.libraryPage(toQuery(this.filters, p));
          if (gen !== this.generation) return;
          if (r.status === 'error') {
            this.asked.delete(p);
            this.problem = r.error.message;
            return;
          }
          this.problem = null;
          this.total = r.data.total;
          this.choices = r.data.choices;
          this.pages[p] = r.data.items;
        }),
    );
  }

  /** Replaces one video's entry wherever it is shown (e.g. a fresh poster). */
  patch(id: number, change: Partial<LibraryItem>) {
    for (const items of Object.values(this.pages)) {
      const i = items.findIndex((x) => x.id === id);
      if (i >= 0) items[i] = { ...items[i], ...change };
    }
  }

  find(id: number): LibraryItem | undefined {
    for (const items of Object.values(this.pages)) {
      const hit = items.find((x) => x.id === id);
      if (hit) return hit;
    }
    return undefined;
  }
}

export const library = new LibraryStore();
