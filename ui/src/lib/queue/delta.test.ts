import { describe, expect, it } from 'vitest';
import type { AccountQueue, JobView, QueueDelta, QueueOverview } from '../backend';
import { applyDelta, replaceRows, reuseRows, totalsChanged } from './delta';

const job = (id: number, position: number, state: JobView['state'] = 'queued'): JobView =>
  ({ id, position, account_id: 'a1', state, title: `Job ${id}` }) as unknown as JobView;
const account = (total: number): AccountQueue =>
  ({ account_id: 'a1', total, not_listed: 0 }) as unknown as AccountQueue;

describe('applyDelta', () => {
  const overview = {
    engine_status: 'old',
    output_dir: '/videos',
    accounts: [account(500)],
    batches: [],
    jobs: [job(1, 1, 'running'), job(2, 2), job(3, 3), job(4, 4)],
  } as unknown as QueueOverview;

  it('replaces only the changed row and keeps every other row as it was', () => {
    const delta = {
      engine_status: 'new',
      accounts: [account(500)],
      batches: [],
      jobs: [job(2, 2, 'submitting')],
      removed: [],
    } as QueueDelta;
    const next = applyDelta(overview, delta);
    expect(next.jobs.map((j) => [j.id, j.state])).toEqual([
      [1, 'running'],
      [2, 'submitting'],
      [3, 'queued'],
      [4, 'queued'],
    ]);
    // The same objects: nothing else was converted or redrawn.
    expect(next.jobs[0]).toBe(overview.jobs[0]);
    expect(next.jobs[2]).toBe(overview.jobs[2]);
    expect(next.engine_status).toBe('new');
    expect(next.accounts[0].not_listed).toBe(496);
    expect(overview.jobs[1].state).toBe('queued');
  });

  it('puts a new or moved row at its place in queue order and drops removed ones', () => {
    const delta = {
      engine_status: 'old',
      accounts: [account(500)],
      batches: [],
      jobs: [job(9, 3), job(4, 0)],
      removed: [3],
    } as unknown as QueueDelta;
    const next = applyDelta(overview, delta);
    expect(next.jobs.map((j) => j.id)).toEqual([4, 1, 2, 9]);
  });

  it('tells when jobs were added, not only moved on', () => {
    const same = {
      engine_status: '',
      accounts: [account(500)],
      batches: [],
      jobs: [job(2, 2, 'submitting')],
      removed: [],
    } as QueueDelta;
    expect(totalsChanged(overview, applyDelta(overview, same))).toBe(false);
    const more = { ...same, accounts: [account(501)] } as QueueDelta;
    expect(totalsChanged(overview, applyDelta(overview, more))).toBe(true);
  });
});

describe('replaceRows', () => {
  it('replaces shown rows in place, drops removed ones, and asks again for a job it did not list', () => {
    const rows = [job(1, 1), job(2, 2), job(3, 3)];
    const running = job(2, 2, 'running');
    const same = replaceRows(rows, [running], [3]);
    expect(same.rows.map((j) => [j.id, j.state])).toEqual([
      [1, 'queued'],
      [2, 'running'],
    ]);
    expect(same.rows[0]).toBe(rows[0]);
    expect(same.unlisted).toBe(false);
    expect(replaceRows(rows, [job(9, 9)], []).unlisted).toBe(true);
  });
});

describe('reuseRows', () => {
  it('keeps the shown object of every unchanged row and takes the fresh one of a changed row', () => {
    const filtered = [job(1, 1), job(2, 2)];
    const listed = [job(3, 3)];
    const fresh = [job(1, 1), job(2, 2, 'running'), job(3, 3), job(4, 4)];
    const rows = reuseRows(fresh, filtered, listed);
    expect(rows[0]).toBe(filtered[0]);
    expect(rows[1]).toBe(fresh[1]);
    expect(rows[2]).toBe(listed[0]);
    expect(rows[3]).toBe(fresh[3]);
  });
});
