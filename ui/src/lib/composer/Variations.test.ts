import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AccountsOverview, JobSpec, QueueOverview, VariationPreview, VariationRequest } from '../backend';

// Rust expands, counts, names and prices; the panel sends the request it
// shows and renders Rust's answer verbatim.
const previewVariations = vi.fn<(r: VariationRequest, account: string | null) => Promise<unknown>>();
const queueVariations =
  vi.fn<(r: VariationRequest, account: string, confirmed: boolean, order: string) => Promise<unknown>>();
const spendingPreview = vi.fn<(account: string, estimates: (number | null)[]) => Promise<unknown>>();
vi.mock('../backend', async () => ({
  commands: {
    catalog: async () => (await import('../test/fixtures')).catalogAnswer,
    templateSegments: async (t: string) => ({
      status: 'ok',
      data: [
        { text: t.slice(0, 2), kind: 'text' },
        { text: t.slice(2), kind: 'group' },
      ],
    }),
    previewVariations: (r: VariationRequest, a: string | null) => previewVariations(r, a),
    spendingPreview: (a: string, estimates: (number | null)[]) => spendingPreview(a, estimates),
    queueVariations: (r: VariationRequest, a: string, c: boolean, o: string) => queueVariations(r, a, c, o),
  },
  events: {},
}));

import { accounts } from '../accounts/store.svelte';
import { catalog } from '../catalog.svelte';
import { jobSpec } from '../test/fixtures';
import Variations from './Variations.svelte';

const spec: JobSpec = jobSpec({ prompt: 'A {red|blue} fox' });

function answer(count: number, needsConfirmation = false): VariationPreview {
  return {
    name: 'Fox',
    count,
    needs_confirmation: needsConfirmation,
    jobs: [
      { index: 1, name: 'Fox — red · 5 s', values: ['red', '5 s'], take: 1, spec: { ...spec, prompt: 'A red fox' } },
    ],
    errors: [],
    estimates: [75, 120],
    batch: {
      valid_rows: count,
      total_credits: 4321,
      dollars: { price_per_credit: null, usd: null, usd_min: '1.11', usd_max: '2.22' },
      balance: {
        balance_after: -99,
        shortfall: 99,
        pack_advice: { needed: 99, credits: 300, usd: '24.00', packs: [] },
      },
    },
  } as unknown as VariationPreview;
}

function spending(jobsThatFit: number | null) {
  return {
    budget: { spent_today: 150, spent_this_month: 1200 },
    queued_ahead: 0,
    jobs_that_fit: jobsThatFit,
    jobs: 2,
  };
}

describe('Variations', () => {
  beforeEach(async () => {
    await catalog.load();
    accounts.overview = {
      accounts: [{ id: 'a1', name: 'Studio', sandbox: false }],
      can_take_jobs: ['a1'],
    } as unknown as AccountsOverview;
    previewVariations.mockReset();
    queueVariations.mockReset();
    spendingPreview.mockReset();
    spendingPreview.mockResolvedValue({ status: 'ok', data: spending(null) });
    queueVariations.mockResolvedValue({ status: 'ok', data: { jobs: [] } as unknown as QueueOverview });
  });

  it('shows Rust’s count, totals, balance after and first rows, and sends every value', async () => {
    previewVariations.mockResolvedValue({ status: 'ok', data: answer(8) });
    render(Variations, { spec });
    expect((await screen.findByTestId('variations-count')).textContent).toBe('8');
    expect(screen.getByTestId('variations-credits').textContent).toBe('4,321');
    expect(screen.getByTestId('variations-usd').textContent?.trim()).toBe('$1.11 – $2.22');
    expect(screen.getByTestId('variations-balance-after').textContent).toContain('-99');
    expect(screen.getByTestId('variations-pack-advice').textContent).toContain('$24.00');
    expect(screen.getByTestId('variations-rows').textContent).toContain('Fox — red · 5 s');
    expect(screen.getByTestId('template-highlight').querySelector('mark.group')?.textContent).toBe('{red|blue} fox');

    await fireEvent.input(screen.getByTestId('vary-durations'), { target: { value: '5, 8' } });
    await fireEvent.click(screen.getByTestId('vary-ratio-9:16'));
    await fireEvent.input(screen.getByTestId('vary-takes'), { target: { value: '2' } });
    await waitFor(() => {
      const [req, account] = previewVariations.mock.calls.at(-1)!;
      expect(account).toBe('a1');
      expect(req.template).toBe('A {red|blue} fox');
      expect(req.takes).toBe(2);
      expect(req.vary).toEqual([
        { field: 'duration', values: ['5', '8'] },
        { field: 'ratio', values: ['16:9', '9:16'] },
        { field: 'model', values: ['seedance_2_0'] },
      ]);
    });
    await fireEvent.click(screen.getByTestId('queue-variations'));
    await waitFor(() => expect(queueVariations).toHaveBeenCalledTimes(1));
    expect(queueVariations.mock.calls[0][2]).toBe(false);
    expect((await screen.findByTestId('variations-queued')).textContent).toContain('Queued 8 jobs as the batch “Fox”');
  });

  it('asks before queueing more than a thousand, and shows a refusal as Rust words it', async () => {
    previewVariations.mockResolvedValue({ status: 'ok', data: answer(2000, true) });
    render(Variations, { spec });
    const button = (await screen.findByTestId('queue-variations')) as HTMLButtonElement;
    await waitFor(() => expect(button.textContent).toContain('Queue 2,000 jobs'));
    expect(button.disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('variations-confirm'));
    expect(button.disabled).toBe(false);
    await fireEvent.click(button);
    await waitFor(() => expect(queueVariations.mock.calls[0][2]).toBe(true));

    previewVariations.mockResolvedValue({
      status: 'error',
      error: {
        code: 'variations_too_many',
        field: 'takes',
        message: 'this makes 20000 jobs; at most 10000',
        fix: null,
      },
    });
    await fireEvent.input(screen.getByTestId('vary-takes'), { target: { value: '20' } });
    expect((await screen.findByTestId('variations-problem')).textContent).toContain('20000 jobs');
  });
  it('lets a person empty the durations field to retype it, and name the batch', async () => {
    previewVariations.mockResolvedValue({ status: 'ok', data: answer(2) });
    render(Variations, { spec });
    const durations = (await screen.findByTestId('vary-durations')) as HTMLInputElement;
    expect(durations.value).toBe('5');
    // Emptied, it stays empty (it used to refill with the Composer's 5 at
    // once, so typing "8" after a backspace gave "58").
    await fireEvent.input(durations, { target: { value: '' } });
    expect(durations.value).toBe('');
    await fireEvent.input(durations, { target: { value: '8' } });
    await fireEvent.input(screen.getByTestId('variations-name'), { target: { value: 'Fox' } });
    await waitFor(() => {
      const [req] = previewVariations.mock.calls.at(-1)!;
      expect(req.vary[0]).toEqual({ field: 'duration', values: ['8'] });
      expect(req.name).toBe('Fox');
    });
  });

  it('says how many jobs fit what is left of the budget, as Rust counts it', async () => {
    previewVariations.mockResolvedValue({ status: 'ok', data: answer(2) });
    spendingPreview.mockResolvedValue({ status: 'ok', data: spending(1) });
    render(Variations, { spec });
    const line = await screen.findByTestId('variations-spending');
    expect(spendingPreview).toHaveBeenLastCalledWith('a1', [75, 120]);
    expect(line.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'This account spent 150 credits today and 1,200 this month. 1 of 2 jobs fit what is left of its budget now; the rest wait for it.',
    );
  });

  it('queues as listed unless “Finish soonest” is picked, and shows Rust’s forecast for each', async () => {
    const data = { ...answer(2), forecast: { listed_secs: 960, soonest_secs: 840 } } as VariationPreview;
    previewVariations.mockResolvedValue({ status: 'ok', data });
    render(Variations, { spec });
    const forecast = await screen.findByTestId('order-forecast');
    expect(forecast.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'Expected to finish in about 16 min (finish soonest: 14 min)',
    );
    expect((screen.getByTestId('order-listed') as HTMLInputElement).checked).toBe(true);
    await fireEvent.click(screen.getByTestId('order-soonest'));
    expect(forecast.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'Expected to finish in about 14 min (as listed: 16 min)',
    );
    await fireEvent.click(screen.getByTestId('queue-variations'));
    await waitFor(() => expect(queueVariations).toHaveBeenCalledTimes(1));
    expect(queueVariations.mock.calls[0][3]).toBe('soonest');
  });
});
