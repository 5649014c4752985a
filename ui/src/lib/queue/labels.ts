import type { JobGroup, JobState } from '../backend';

export const STATE_LABELS: Record<JobState, string> = {
  queued: 'Waiting',
  submitting: 'Submitting',
  running: 'Running',
  outcome_unknown: 'Outcome unknown',
  succeeded: 'Finished',
  downloading: 'Downloading',
  downloaded: 'Saved',
  failed: 'Failed',
  invalid: 'Needs editing',
  canceled: 'Canceled',
  expired: 'Link expired',
};

/** Names of the filter groups; which states each holds comes from Rust (the catalog). */
export const GROUP_LABELS: Record<JobGroup, string> = {
  waiting: 'Waiting',
  in_flight: 'In flight',
  needs_you: 'Needs you',
  done: 'Done',
};
