// What Rust answers in the UI's unit tests, in one place (deliberately not
// the real lists: the components must show whatever Rust sends).
import type { JobSpec } from '../backend';

/** A job spec with Rust's defaults; `over` changes some fields. */
export function jobSpec(over: Partial<JobSpec> = {}): JobSpec {
  return {
    model: 'seedance_2_0',
    prompt: '',
    function_mode: 'omni_reference',
    ratio: '16:9',
    duration: 5,
    image_urls: [],
    video_urls: [],
    audio_urls: [],
    image_files: [],
    video_files: [],
    audio_files: [],
    ...over,
  };
}

/** Rust's `catalog` answer. */
export const catalogAnswer = {
  models: [
    { id: 'seedance_2_0', name: 'Seedance 2.0' },
    { id: 'seedance_2_0_fast', name: 'Seedance 2.0 Fast' },
  ],
  function_modes: [
    { id: 'omni_reference', label: 'Omni reference', hint: 'Any mix.' },
    { id: 'first_last_frames', label: 'First & last frames', hint: 'Up to 2 images.' },
  ],
  ratios: ['16:9', '9:16', '7:3'],
  min_duration: 4,
  max_duration: 15,
  reference_limits: { images: 9, videos: 3, audios: 3, first_last_frames_images: 2 },
  defaults: jobSpec(),
  concurrency_limit: 6,
  state_groups: [],
  price_list: { effective_date: '2026-11-25', source: 'test', origin: { kind: 'built_in' } },
  price_list_warning: null,
};
