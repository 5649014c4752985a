import type { JobState } from '../backend';

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

/** Filter groups a person thinks in. */
export const STATE_GROUPS: { id: string; label: string; states: JobState[] }[] = [
  { id: 'all', label: 'All states', states: [] },
  { id: 'waiting', label: 'Waiting', states: ['queued'] },
  { id: 'in_flight', label: 'In flight', states: ['submitting', 'running', 'outcome_unknown'] },
  { id: 'needs_you', label: 'Needs you', states: ['outcome_unknown', 'failed', 'invalid', 'expired'] },
  { id: 'done', label: 'Done', states: ['succeeded', 'downloading', 'downloaded'] },
];
