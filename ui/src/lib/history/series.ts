// What the History charts and their tables show, shaped from Rust's usage
// report and balance reads. Presentation only: every figure is one Rust
// summed; nothing here adds credits together.
import type { BalanceRead, GroupBy, UsageReport } from '../backend';
import { locale } from '../format';

export interface Series {
  key: string;
  values: number[];
}

export interface SpendingSeries {
  /** The groups' keys as Rust sent them ("2026-12-02", "2026-11-30", "2026-12"). */
  keys: string[];
  /** One series per stack (model or account), or one "Charged" series. */
  series: Series[];
  /** Each group's total, as Rust summed it. */
  totals: number[];
}

export const UNSTACKED = 'Charged';

/** Bars per group, split by the stacks Rust sent (0 where a stack has none). */
export function spendingSeries(report: UsageReport, stacked: boolean): SpendingSeries {
  const keys = report.groups.map((g) => g.key);
  const totals = report.groups.map((g) => g.credits);
  if (!stacked) return { keys, series: [{ key: UNSTACKED, values: totals }], totals };
  const stackKeys: string[] = [];
  for (const g of report.groups) for (const s of g.stacks) if (!stackKeys.includes(s.key)) stackKeys.push(s.key);
  stackKeys.sort();
  const series = stackKeys.map((key) => ({
    key,
    values: report.groups.map((g) => g.stacks.find((s) => s.key === key)?.credits ?? 0),
  }));
  return { keys, series, totals };
}

/** A group key as the person reads it, in their locale. */
export function groupLabel(key: string, by: GroupBy): string {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(key);
  if (!m) return key === '' ? '(none)' : key;
  const date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3] ?? '1'));
  if (by === 'month') return new Intl.DateTimeFormat(locale(), { month: 'short', year: 'numeric' }).format(date);
  const d = new Intl.DateTimeFormat(locale(), { month: 'short', day: 'numeric', year: 'numeric' }).format(date);
  return by === 'week' ? `Week of ${d}` : d;
}

export interface BalanceLine {
  accountId: string;
  name: string;
  /** API Credits available at each read, oldest first (ms, credits). */
  points: { x: number; y: number }[];
}

/** One line per account: its API Credits available at each read. */
export function balanceLines(reads: BalanceRead[], names: Record<string, string>): BalanceLine[] {
  const lines = new Map<string, BalanceLine>();
  for (const r of reads) {
    if (r.api_available === null) continue;
    let line = lines.get(r.account_id);
    if (!line) {
      line = { accountId: r.account_id, name: names[r.account_id] ?? r.account_id, points: [] };
      lines.set(r.account_id, line);
    }
    line.points.push({ x: r.read_at, y: r.api_available });
  }
  return [...lines.values()];
}

/** ms → the person's local date and time. */
export function when(ms: number): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
}

/** A sentence for screen readers that says what the spending chart shows. */
export function spendingSummary(s: SpendingSeries, by: GroupBy, total: number, fmt: (n: number) => string): string {
  if (s.keys.length === 0) return 'Spending chart: nothing was charged in this range.';
  const first = groupLabel(s.keys[0], by);
  const last = groupLabel(s.keys[s.keys.length - 1], by);
  const range = s.keys.length === 1 ? first : `${first} to ${last}`;
  const unit = { day: 'day', week: 'week', month: 'month', model: 'model', account: 'account', batch: 'batch' }[by];
  return `Spending chart per ${unit}, ${range}: ${fmt(total)} credits charged in total. The Table view lists the same numbers.`;
}
