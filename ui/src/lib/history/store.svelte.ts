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
  type UsageReport,
} from '../backend';
import { firstPage, PAGE_SIZE, toQuery, withPage, defaultFilters, type Filters } from './filters';

export { defaultFilters, PAGE_SIZE, toQuery, type Filters, type Period, type StackBy } from './filters';

class HistoryStore {
  filters = $state<Filters>(defaultFilters());
  report = $state<UsageReport | null>(null);
  balances = $state.raw<BalanceRead[]>([]);
  /** How many charges match the filters. */
  count = $state(0);
  pages = $state.raw<Map<number, ChargeRow[]>>(firstPage([]));
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
      this.pages = firstPage(first.data.rows);
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
        this.pages = withPage(this.pages, p, r.data.rows, inView);
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
