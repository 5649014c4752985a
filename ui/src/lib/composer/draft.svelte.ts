// The job being composed. It lives here, not in the Composer, so that it
// survives switching screens, and so that the Queue can open a job's spec
// in the Composer to correct or vary it.
import type { JobSpec } from '../backend';
import { listToLines } from '../format';
import { localMedia } from './media.svelte';

class Draft {
  // Filled from Rust's defaults (the catalog) by `start`, before the form shows.
  model = $state('');
  functionMode = $state('');
  ratio = $state('');
  duration = $state(0);
  prompt = $state('');
  imageText = $state('');
  videoText = $state('');
  audioText = $state('');
  name = $state('');
  /** The account to queue on; QueueIt keeps it to a usable one. */
  accountId = $state('');
  // The prompt rule shows only after the person has left the prompt once:
  // an empty new form should not start out shouting.
  promptTouched = $state(false);
  /** The queued job this form edits (saved in place), or null for a new job. */
  editing = $state<number | null>(null);

  private started = false;

  /** A new form starts with Rust's defaults; later calls keep what was typed. */
  start(defaults: JobSpec) {
    if (this.started) return;
    this.started = true;
    this.model = defaults.model;
    this.functionMode = defaults.function_mode;
    this.ratio = defaults.ratio;
    this.duration = defaults.duration;
  }

  /** Fills the form with `spec` (its local files, handles from Rust, are checked again). */
  async load(spec: JobSpec, name: string | null, accountId: string, editing: number | null = null) {
    this.started = true;
    this.editing = editing;
    this.model = spec.model;
    this.functionMode = spec.function_mode;
    this.ratio = spec.ratio;
    this.duration = spec.duration;
    this.prompt = spec.prompt;
    this.imageText = listToLines(spec.image_urls);
    this.videoText = listToLines(spec.video_urls);
    this.audioText = listToLines(spec.audio_urls);
    this.name = name ?? '';
    this.accountId = accountId;
    this.promptTouched = true;
    localMedia.clear();
    await localMedia.add([...spec.image_files, ...spec.video_files, ...spec.audio_files]);
  }

  /** After queueing: the settings stay for the next job; the name, touched state and files go. */
  queued() {
    this.editing = null;
    this.name = '';
    this.promptTouched = false;
    localMedia.clear();
  }
}

export const draft = new Draft();
