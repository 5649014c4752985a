import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { JobView, QueueOverview } from '../backend';

const found = vi.hoisted(() => ({ jobs: [] as unknown[] }));
vi.mock('../backend', () => ({
  commands: {
    openDashboard: vi.fn(async () => ({ status: 'ok', data: null })),
    jobAction: vi.fn(),
    queueFilter: vi.fn(async (text: string) => ({ status: 'ok', data: { text, jobs: found.jobs } })),
    filterDrawn: vi.fn(async () => {}),
  },
  events: {},
}));

import { commands } from '../backend';
import { catalog } from '../catalog.svelte';
import { FIRST, GAP_ROW_PX } from './progressive.svelte';
import Queue from './Queue.svelte';
import { queue } from './store.svelte';

const job = (id: number, state: JobView['state'], allowed: JobView['allowed_actions']): JobView =>
  ({
    id,
    account_id: 'a1',
    title: `Job ${id}`,
    spec: { model: 'seedance_2_0', duration: 5, ratio: '16:9' },
    state,
    allowed_actions: allowed,
    progress: null,
    estimate_credits: 75,
    credits_cost: null,
  }) as unknown as JobView;

describe('Queue', () => {
  it('puts the jobs that need a person first, with both decisions and the dashboard', async () => {
    catalog.value = {
      models: [{ id: 'seedance_2_0', name: 'Seedance 2.0' }],
      state_groups: [
        { id: 'waiting', states: ['queued'] },
        { id: 'needs_you', states: ['outcome_unknown', 'failed', 'invalid', 'expired'] },
      ],
      dashboard_url: 'https://loova.ai/api',
      concurrency_limit: 6,
    } as never;
    queue.overview = {
      engine_status: 'This window runs the queue.',
      output_dir: '/videos',
      batches: [],
      accounts: [
        {
          account_id: 'a1',
          name: 'Studio',
          sandbox: false,
          paused: false,
          state_note: null,
          limit: 6,
          taken_elsewhere: 0,
          in_flight: 1,
          waiting: 1,
          running: 0,
          done: 0,
          failed: 1,
          total: 2,
          not_listed: 0,
          credits_charged: 0,
        },
      ],
      jobs: [job(1, 'outcome_unknown', ['attach', 'resubmit', 'forget']), job(2, 'queued', ['cancel'])],
    } as unknown as QueueOverview;

    render(Queue);
    const card = screen.getByTestId('needs-you');
    expect(within(card).getByTestId('job-1')).toBeTruthy();
    expect(within(card).getByTestId('attach')).toBeTruthy();
    expect(within(card).getByTestId('resubmit')).toBeTruthy();
    expect(within(card).getByText(/Studio ·/)).toBeTruthy();
    // Listed once: the account's own list holds only the other job.
    const section = screen.getByTestId('queue-Studio');
    expect(within(section).queryByTestId('job-1')).toBeNull();
    expect(within(section).getByTestId('job-2')).toBeTruthy();

    await fireEvent.click(within(card).getByTestId('open-dashboard'));
    expect(commands.openDashboard).toHaveBeenCalled();
    catalog.value = null;
    queue.overview = null;
  });

  it('lists what Rust found for the filter, says so, and Esc shows every job again', async () => {
    catalog.value = { models: [], state_groups: [], dashboard_url: '', concurrency_limit: 6 } as never;
    queue.overview = {
      engine_status: '',
      output_dir: '/videos',
      batches: [],
      accounts: [{ account_id: 'a1', name: 'Studio', total: 2, not_listed: 0 }],
      jobs: [job(1, 'queued', ['cancel']), job(2, 'queued', ['cancel'])],
    } as unknown as QueueOverview;
    found.jobs = [job(2, 'queued', ['cancel'])];
    render(Queue);
    const input = screen.getByTestId('filter-text');
    await fireEvent.input(input, { target: { value: 'fox' } });
    await vi.waitFor(() => expect(screen.queryByTestId('job-1')).toBeNull());
    expect(commands.queueFilter).toHaveBeenCalledWith('fox');
    expect(screen.getByTestId('job-2')).toBeTruthy();
    expect(screen.getByTestId('filter-note').textContent).toContain('matching “fox”');

    found.jobs = [];
    await fireEvent.input(input, { target: { value: 'zebra' } });
    await vi.waitFor(() => expect(screen.getByTestId('filter-note').textContent).toContain('No job matches “zebra”'));
    expect(screen.queryByTestId('queue-Studio')).toBeNull();

    await fireEvent.keyDown(input, { key: 'Escape' });
    await vi.waitFor(() => expect(screen.getByTestId('job-1')).toBeTruthy());
    expect(screen.queryByTestId('filter-note')).toBeNull();
    catalog.value = null;
    queue.overview = null;
  });

  it('draws the first rows of a long list at once, holds the place of the others, and draws them soon after', async () => {
    catalog.value = { models: [], state_groups: [], dashboard_url: '', concurrency_limit: 6 } as never;
    const many = Array.from({ length: 80 }, (_, i) => job(i + 1, 'queued', ['cancel']));
    queue.overview = {
      engine_status: '',
      output_dir: '/videos',
      batches: [],
      accounts: [{ account_id: 'a1', name: 'Studio', total: 80, not_listed: 0 }],
      jobs: many,
    } as unknown as QueueOverview;
    render(Queue);
    // The first FIRST rows at once (with their actions); one gap of the
    // others' height holds their place, and the list says it is busy.
    expect(document.querySelectorAll('[data-state=queued]').length).toBe(FIRST);
    expect(screen.getByTestId('job-1')).toBeTruthy();
    expect(screen.queryByTestId(`job-${FIRST + 1}`)).toBeNull();
    const gap = document.querySelector<HTMLElement>('.jobs .gap');
    expect(gap?.style.height).toBe(`${(80 - FIRST) * GAP_ROW_PX}px`);
    expect(document.querySelector('.jobs')?.getAttribute('aria-busy')).toBe('true');
    // Soon every row, in order, and no gap.
    await vi.waitFor(() => expect(screen.getByTestId('job-80')).toBeTruthy());
    const titles = [...document.querySelectorAll('[data-state=queued] .title')].map((t) => t.textContent);
    expect(titles).toEqual(many.map((j) => j.title));
    expect(document.querySelectorAll('.jobs .gap').length).toBe(0);
    expect(document.querySelector('.jobs')?.getAttribute('aria-busy')).toBe('false');
    catalog.value = null;
    queue.overview = null;
  });
});
