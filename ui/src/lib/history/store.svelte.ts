// The History screen's state: the filters, Rust's usage report and balance
// history for them, and the charges table as pages fetched on demand.
// Answers to an older filter are dropped, so a quick change of filter never
// shows the previous range's figures.
import {
  commands,
  type BalanceRead,
  type ChargeRow,
  type ChargesExport,
  type CommandError,
  type UsageQuery,
  type UsageReport,
} from '../backend';
import { localDay } from '../time';

export type Period = 'day' | 'week' | 'month';
export type StackBy = 'model' | 'account' | 'none';

export interface Filters {
  /** '' means all. */
  account: string;
  batch: string;
  model: string;
  /** First and last local day, YYYY-MM-DD, both included ('' = open). */
  since: string;
  until: string;
  by: Period;
  stack: StackBy;
}

/** Rows per `charges_page` call. */
export const PAGE_SIZE = 200;
/** Pages kept while scrolling: enough for a screenful and back. */
export const KEEP_PAGES = 40;

/** The last 30 days, today included, stacked by model. */
export function defaultFilters(now: Date = new Date()): Filters {
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 29);
  return { account: '', batch: '', model: '', since: localDay(start), until: localDay(now), by: 'day', stack: 'model' };
}

export function toQuery(f: Filters): UsageQuery {
  const opt = (s: string) => (s.trim() === '' ? null : s.trim());
  return {
    account_id: opt(f.account),
    batch_id: opt(f.batch),
    model: opt(f.model),
    since: opt(f.since),
    until: opt(f.until),
    by: f.by,
    stack: f.stack === 'none' ? null : f.stack,
  };
}

/** Which cached pages to drop: the farthest from the ones in view. */
export function pagesToDrop(cached: number[], inView: number[], keep: number): number[] {
  if (cached.length <= keep || inView.length === 0) return [];
  const mid = (inView[0] + inView[inView.length - 1]) / 2;
  return [...cached].sort((a, b) => Math.abs(b - mid) - Math.abs(a - mid)).slice(0, cached.length - keep);
}

class HistoryStore {
  filters = $state<Filters>(defaultFilters());
  report = $state<UsageReport | null>(null);
  balances = $state.raw<BalanceRead[]>([]);
  /** How many charges match the filters. */
  count = $state(0);
  pages = $state.raw<Map<number, ChargeRow[]>>(new Map());
  problem = $state<CommandError | null>(null);
  loading = $state(false);
  exporting = $state(false);
  exported = $state<ChargesExport | null>(null);
  private generation = 0;
  private pending = new Set<number>();

  /** Everything for the current filters, from the first page of charges. */
  async load() {
    const gen = ++this.generation;
    const q = toQuery(this.filters);
    this.loading = true;
    this.pending.clear();
    const [report, balances, first] = await Promise.all([
      commands.usageReport(q),
      commands.balanceHistory(q),
      commands.chargesPage(q, 0, PAGE_SIZE),
    ]);
    if (gen !== this.generation) return;
    this.loading = false;
    for (const r of [report, balances, first]) {
      if (r.status === 'error') {
        this.problem = r.error;
        return;
      }
    }
    this.problem = null;
    if (report.status === 'ok') this.report = report.data;
    if (balances.status === 'ok') this.balances = balances.data;
    if (first.status === 'ok') {
      this.count = first.data.total;
      this.pages = new Map([[0, first.data.rows]]);
    }
  }

  /** Fetches the pages in view that are not here yet; forgets far ones. */
  async ensure(inView: number[]) {
    const gen = this.generation;
    const q = toQuery(this.filters);
    const missing = inView.filter((p) => !this.pages.has(p) && !this.pending.has(p));
    await Promise.all(
      missing.map(async (p) => {
        this.pending.add(p);
        const r = await commands.chargesPage(q, p * PAGE_SIZE, PAGE_SIZE);
        this.pending.delete(p);
        if (gen !== this.generation || r.status !== 'ok') return;
        const next = new Map(this.pages);
        next.set(p, r.data.rows);
        for (const d of pagesToDrop([...next.keys()], inView, KEEP_PAGES)) next.delete(d);
        this.pages = next;
      }),
    );
  }

  row(i: number): ChargeRow | undefined {
    return this.pages.get(Math.floor(i / PAGE_SIZE))?.[i % PAGE_SIZE];
  }

  /** Rust writes every charge the filters match into the data folder's exports/. */
  async exportCsv() {
    this.exporting = true;
    const r = await commands.exportCharges(toQuery(this.filters));
    this.exporting = false;
    if (r.status === 'ok') {
      this.exported = r.data;
      this.problem = null;
    } else {
      this.problem = r.error;
    }
  }
}

export const history = new HistoryStore();
