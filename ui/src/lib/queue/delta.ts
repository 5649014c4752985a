// Applies a queue delta (Rust's `QueueDelta`: only the jobs that changed,
// with fresh account counts and batches) to the overview the window shows.
// Rows are replaced by id or inserted at their place in queue order (a
// binary search: the list is kept in Rust's order, position then id); the
// other rows keep their objects, so Svelte redraws only what changed.
import type { JobView, QueueDelta, QueueOverview } from '../backend';

const before = (a: JobView, b: JobView) => a.position < b.position || (a.position === b.position && a.id < b.id);

function insertAt(jobs: JobView[], job: JobView): number {
  let lo = 0;
  let hi = jobs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(jobs[mid], job)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function applyDelta(overview: QueueOverview, delta: QueueDelta): QueueOverview {
  const changed = new Map(delta.jobs.map((j) => [j.id, j]));
  const removed = new Set(delta.removed);
  const jobs: JobView[] = [];
  const moved: JobView[] = [];
  for (const j of overview.jobs) {
    if (removed.has(j.id)) continue;
    const now = changed.get(j.id);
    if (now === undefined) {
      jobs.push(j);
      continue;
    }
    changed.delete(j.id);
    // Same place in the queue: replaced where it is; else moved below.
    if (now.position === j.position) jobs.push(now);
    else moved.push(now);
  }
  // Moved rows, and rows the window did not list yet, go to their place.
  for (const j of [...moved, ...changed.values()]) jobs.splice(insertAt(jobs, j), 0, j);
  const listed = new Map<string, number>();
  for (const j of jobs) listed.set(j.account_id, (listed.get(j.account_id) ?? 0) + 1);
  const accounts = delta.accounts.map((a) => ({
    ...a,
    not_listed: Math.max(0, a.total - (listed.get(a.account_id) ?? 0)),
  }));
  return { ...overview, engine_status: delta.engine_status, accounts, batches: delta.batches, jobs };
}

/** An account's number of jobs changed: jobs were queued or deleted, not just moved on. */
export function totalsChanged(before: QueueOverview, after: QueueOverview): boolean {
  const totals = new Map(before.accounts.map((a) => [a.account_id, a.total]));
  return (
    after.accounts.some((a) => totals.get(a.account_id) !== a.total) || before.accounts.length !== after.accounts.length
  );
}

/**
 * The filter's rows after a delta: changed rows replaced where they are,
 * removed ones dropped. `unlisted`: a changed job the filter did not list
 * (it may match now), so the filter must be asked again.
 */
export function replaceRows(rows: JobView[], changed: JobView[], removed: number[]) {
  const byId = new Map(changed.map((j) => [j.id, j]));
  const gone = new Set(removed);
  const shown = new Set(rows.map((j) => j.id));
  return {
    rows: rows.filter((j) => !gone.has(j.id)).map((j) => byId.get(j.id) ?? j),
    unlisted: changed.some((j) => !shown.has(j.id)),
  };
}

/**
 * A fresh list of rows (the filter's answer) with every row that equals one
 * already shown replaced by that object: Svelte keeps those rows as they are
 * and draws only the new or changed ones.
 */
export function reuseRows(fresh: JobView[], ...shown: JobView[][]): JobView[] {
  const known = new Map<number, JobView>();
  for (const list of shown) for (const j of list) if (!known.has(j.id)) known.set(j.id, j);
  return fresh.map((j) => {
    const old = known.get(j.id);
    return old !== undefined && sameRow(old, j) ? old : j;
  });
}

function sameRow(a: JobView, b: JobView): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
