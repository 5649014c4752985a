import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { JobView, QueueOverview } from '../backend';

vi.mock('../backend', () => ({
  commands: { openDashboard: vi.fn(async () => ({ status: 'ok', data: null })), jobAction: vi.fn() },
  events: {},
}));

import { commands } from '../backend';
import { catalog } from '../catalog.svelte';
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
});
