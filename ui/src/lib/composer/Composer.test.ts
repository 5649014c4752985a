import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobSpec, Preview } from '../backend';

// The backend is Rust; here we check only that the Composer sends the spec it
// shows and renders Rust's answer verbatim (it must do no price arithmetic).
const previewJob = vi.fn<(spec: JobSpec) => Promise<Preview>>();
vi.mock('../backend', async () => ({
  commands: {
    previewJob: (spec: JobSpec) => previewJob(spec),
    catalog: async () => (await import('../test/fixtures')).catalogAnswer,
    spendingPreview: async (accountId: string, estimates: (number | null)[]) => ({
      status: 'ok',
      data: {
        budget: {
          account_id: accountId,
          daily: 300,
          monthly: null,
          spent_today: 150,
          spent_this_month: 1200,
          in_flight: 75,
          left_today: 75,
          left_this_month: null,
          day_ends_at: 0,
          month_ends_at: 0,
        },
        queued_ahead: 0,
        jobs_that_fit: 0,
        jobs: estimates.length,
      },
    }),
    advisePacks: async (credits: number) => ({
      needed: credits,
      credits: 300,
      usd: '24.00',
      packs: [{ credits: 300, price: '24', count: 1 }],
    }),
  },
}));

import { catalog } from '../catalog.svelte';
import Composer from './Composer.svelte';
import CostPreview from './CostPreview.svelte';
import { draft } from './draft.svelte';
import { jobSpec } from '../test/fixtures';

function answer(spec: JobSpec): Preview {
  return {
    estimate: {
      model: spec.model,
      model_name: 'Seedance 2.0',
      video_reference: spec.video_urls.length > 0,
      credits_per_second: 777,
      seconds: spec.duration,
      credits: 123456,
      pool: 'api',
      pool_note: 'Paid from API Credits.',
      usd_min: '1234.50',
      usd_max: '9.99',
      formula: `formula for ${spec.duration} s`,
      price_list: { effective_date: '2026-11-25', source: 'test', origin: { kind: 'built_in' } },
    },
    violations:
      spec.duration > 15
        ? [{ code: 'duration_out_of_range', field: 'duration', message: 'Too long', fix: 'Choose 4 to 15 seconds.' }]
        : [],
    warnings:
      spec.video_urls.length > 3
        ? [{ field: 'references', message: '13 references in all (from Rust)', source: 'upstream pages (from Rust)' }]
        : [],
    price_list_warning: null,
  };
}

describe('Composer', () => {
  beforeEach(async () => {
    await catalog.load();
    previewJob.mockReset();
    previewJob.mockImplementation(async (spec) => answer(spec));
  });

  it('shows the numbers Rust computed, verbatim', async () => {
    render(Composer);
    expect(await screen.findByTestId('formula')).toHaveProperty('textContent', 'formula for 5 s');
    expect(screen.getByTestId('total-credits').textContent).toBe('123,456');
    expect(screen.getByTestId('usd-range').textContent).toBe('$1,234.50 – $9.99');
    // A new form starts from Rust's defaults.
    expect(previewJob.mock.calls[0][0]).toMatchObject({
      model: 'seedance_2_0',
      function_mode: 'omni_reference',
      ratio: '16:9',
      duration: 5,
    });
  });

  it('shows what the chosen account spent and what is left of its budget, as Rust sent it', async () => {
    draft.accountId = 'acct-1';
    const spec: JobSpec = jobSpec({ prompt: 'p' });
    render(CostPreview, { props: { preview: answer(spec) } });
    const line = await screen.findByTestId('spending');
    expect(line.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'This account spent 150 credits today and 1,200 this month; budget: 75 left today. This job waits for the budget once queued.',
    );
    draft.accountId = '';
  });

  it('shows each reference warning Rust sends with its source', () => {
    const spec: JobSpec = jobSpec({ prompt: 'x', video_files: ['/media/clip.mp4'] });
    const preview = {
      ...answer(spec),
      warnings: [
        { field: 'video_files', message: 'clip.mp4 plays 0.8 s (from Rust)', source: 'upstream pages (from Rust)' },
      ],
    };
    render(CostPreview, { props: { preview } });
    const list = screen.getByTestId('reference-warnings');
    expect(list.textContent).toContain('clip.mp4 plays 0.8 s (from Rust)');
    expect(list.textContent).toContain('source: upstream pages (from Rust)');
  });

  it('sends every field and shows a violation at its field', async () => {
    render(Composer);
    await fireEvent.input(screen.getByTestId('video-urls'), {
      target: { value: 'https://v/1.mp4\n\nhttps://v/2.mp4' },
    });
    await fireEvent.input(screen.getByTestId('duration'), { target: { value: '20' } });
    const error = await screen.findByTestId('error-duration');
    expect(error.textContent).toBe('Too long. Choose 4 to 15 seconds.');
    const last = previewJob.mock.calls.at(-1)![0];
    expect(last.video_urls).toEqual(['https://v/1.mp4', 'https://v/2.mp4']);
    expect(last.duration).toBe(20);
  });

  it('keeps the form across screens and opens a job from the Queue', async () => {
    const first = render(Composer);
    await fireEvent.input(screen.getByTestId('prompt'), { target: { value: 'kept while away' } });
    first.unmount();
    render(Composer);
    expect((screen.getByTestId('prompt') as HTMLTextAreaElement).value).toBe('kept while away');

    const spec: JobSpec = jobSpec({
      model: 'seedance_2_0_fast',
      prompt: 'from a finished job',
      function_mode: 'first_last_frames',
      ratio: '9:16',
      duration: 9,
      image_urls: ['https://i/1.png', 'https://i/2.png'],
    });
    await draft.load(spec, 'Take 2', 'account-1');
    expect(await screen.findByText('formula for 9 s')).toBeTruthy();
    expect((screen.getByTestId('prompt') as HTMLTextAreaElement).value).toBe('from a finished job');
    expect((screen.getByTestId('image-urls') as HTMLTextAreaElement).value).toBe('https://i/1.png\nhttps://i/2.png');
    expect(previewJob.mock.calls.at(-1)![0]).toEqual(spec);
  });

  it('offers exactly the ratios, modes and range Rust sends', async () => {
    render(Composer);
    const ratios = [...(screen.getByTestId('ratio') as HTMLSelectElement).options].map((o) => o.value);
    expect(ratios).toEqual(['16:9', '9:16', '7:3']);
    expect(screen.getByTestId('mode-first_last_frames')).toBeTruthy();
    expect(screen.getByTestId('duration').getAttribute('max')).toBe('15');
  });
});
