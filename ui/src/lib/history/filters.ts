// The History screen's filters as Rust's query, and the page cache's rules
// (plain functions, so they are tested without a window).
import type { ChargeRow, UsageQuery } from '../backend';
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

/** The cache with page `p` added, far pages dropped (a new Map: Svelte sees it). */
export function withPage(
  pages: Map<number, ChargeRow[]>,
  p: number,
  rows: ChargeRow[],
  inView: number[],
  keep: number = KEEP_PAGES,
): Map<number, ChargeRow[]> {
  const next = new Map(pages);
  next.set(p, rows);
  for (const d of pagesToDrop([...next.keys()], inView, keep)) next.delete(d);
  return next;
}

/** The cache holding only the first page. */
export function firstPage(rows: ChargeRow[]): Map<number, ChargeRow[]> {
  return new Map([[0, rows]]);
}
