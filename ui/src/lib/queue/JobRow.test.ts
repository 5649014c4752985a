import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import type { JobView } from '../backend';

// JobRow displays what Rust decided about a job (is there a video
// reference, which actions are allowed, how far it is); it decides none of it.
vi.mock('../backend', () => ({
  commands: {
    jobAction: vi.fn(),
    attachJob: vi.fn(async () => ({
      status: 'error',
      error: { code: 'attach_mismatch', message: 'That task is a Fast job.' },
    })),
  },
  events: {},
}));

import { commands } from '../backend';
import { catalog } from '../catalog.svelte';
import { nav } from '../nav.svelte';
import JobRow from './JobRow.svelte';
import { queue } from './store.svelte';
import { jobSpec } from '../test/fixtures';

function view(over: Partial<JobView>): JobView {
  return {
    id: 7,
    account_id: 'a1',
    title: 'Fox',
    name: null,
    spec: jobSpec({ prompt: 'Fox', duration: 8 }),
    position: 1,
    state: 'queued',
    raw_status: null,
    task_id: null,
    estimate_credits: 240,
    price_list_date: null,
    credits_cost: null,
    charge_differs: false,
    charge_note: null,
    created_at: 0,
    submitted_at: null,
    started_at: null,
    finished_at: null,
    updated_at: 0,
    attempts: 0,
    next_attempt_at: null,
    error: null,
    error_code: null,
    trace_id: null,
    video_path: null,
    bytes_done: null,
    bytes_total: null,
    expected_secs: null,
    settings_note: null,
    retry_of: null,
    progress: null,
    has_video_reference: false,
    unrecognized_status: null,
    allowed_actions: [],
    can_open_in_composer: false,
    ...over,
  } as JobView;
}

describe('JobRow', () => {
  it('says "video reference" when Rust says so, also for a local video file', () => {
    const spec = { ...view({}).spec, video_files: ['/data/media/7/clip.mp4'] };
    render(JobRow, { job: view({ spec, has_video_reference: true }) });
    expect(screen.getByText(/video reference/)).toBeTruthy();
  });

  it('says nothing about a video reference when Rust says there is none', () => {
    // Even a URL in the list does not decide it: Rust's field does.
    const spec = { ...view({}).spec, image_files: ['/data/media/7/a.png'] };
    render(JobRow, { job: view({ spec, has_video_reference: false }) });
    expect(screen.queryByText(/video reference/)).toBeNull();
  });

  it('names the model as the catalog does and offers only the allowed actions', () => {
    catalog.value = { models: [{ id: 'seedance_2_0_fast', name: 'Seedance 2.0 Fast (from Rust)' }] } as never;
    const spec = { ...view({}).spec, model: 'seedance_2_0_fast' };
    render(JobRow, { job: view({ spec, state: 'outcome_unknown', allowed_actions: ['resubmit', 'forget'] }) });
    expect(screen.getByText(/Seedance 2.0 Fast \(from Rust\)/)).toBeTruthy();
    expect(screen.getByTestId('resubmit')).toBeTruthy();
    expect(screen.getByTestId('forget')).toBeTruthy();
    expect(screen.queryByText('Cancel')).toBeNull();
    expect(screen.queryByTestId('open-in-composer')).toBeNull();
    catalog.value = null;
  });

  it('draws the progress Rust computed and shows unknown status words verbatim', () => {
    render(JobRow, {
      job: view({
        state: 'running',
        progress: 0.42,
        started_at: 0,
        expected_secs: 1,
        raw_status: 'rendering',
        unrecognized_status: 'rendering',
      }),
    });
    expect(screen.getByTestId('job-progress').getAttribute('aria-valuenow')).toBe('42');
    expect(screen.getByText(/rendering/)).toBeTruthy();
  });

  it('offers both decisions on an unknown outcome and sends the task id the person found', async () => {
    render(JobRow, { job: view({ state: 'outcome_unknown', allowed_actions: ['attach', 'resubmit', 'forget'] }) });
    expect(screen.getByTestId('resubmit').textContent).toContain('It is not on Loova');
    await fireEvent.click(screen.getByTestId('attach'));
    await fireEvent.input(screen.getByTestId('attach-task-id'), { target: { value: 'task-42' } });
    await fireEvent.click(screen.getByTestId('confirm-attach'));
    expect(commands.attachJob).toHaveBeenCalledWith(7, 'task-42');
    // Rust's reason is shown as it is.
    expect(await screen.findByText('That task is a Fast job.')).toBeTruthy();
  });

  it('shows why a charge differs when Rust recognised the pattern', () => {
    const note = 'Loova seems to charge the reference video’s 6 s too';
    render(JobRow, {
      job: view({
        state: 'running',
        credits_cost: 420,
        charge_differs: true,
        charge_note: note,
        has_video_reference: true,
      }),
    });
    expect(screen.getByTestId('job-charge-note').textContent).toBe(note);
    expect(screen.getByText(/estimate was/)).toBeTruthy();
  });

  it('a task Loova did not finish in time is attached again or marked failed, with Rust’s words', async () => {
    const error = 'Loova has not finished this task in 6 hours — check it on Loova, then attach or mark failed.';
    render(JobRow, {
      job: view({ state: 'outcome_unknown', task_id: 'task-9', error, allowed_actions: ['attach', 'mark_failed'] }),
    });
    expect(screen.getByTestId('job-error').textContent).toContain(error);
    expect(screen.queryByTestId('resubmit')).toBeNull();
    vi.mocked(commands.jobAction).mockResolvedValueOnce({
      status: 'error',
      error: { code: 'wrong_state', message: 'Decided elsewhere meanwhile.' },
    } as never);
    await fireEvent.click(screen.getByTestId('mark-failed'));
    expect(commands.jobAction).toHaveBeenCalledWith(7, 'mark_failed');
  });

  it('a notification click opens the Queue with that job highlighted', async () => {
    nav.screen = 'composer';
    queue.focus(7);
    expect(nav.screen).toBe('queue');
    render(JobRow, { job: view({}) });
    expect(screen.getByTestId('job-7').getAttribute('data-focused')).toBe('true');
    queue.focus(null);
    await tick();
    expect(screen.getByTestId('job-7').getAttribute('data-focused')).toBe('false');
  });
});
