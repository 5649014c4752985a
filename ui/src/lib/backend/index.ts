// The UI's only door to Rust. Components import from here, never from
// @tauri-apps/* directly, so the IPC surface stays in one reviewed place.
export { commands, events } from './bindings';
export type {
  AccountView,
  AccountsOverview,
  BalanceTotals,
  BatchImport,
  BatchRow,
  BatchView,
  CommandError,
  Enqueued,
  Estimate,
  JobAction,
  JobState,
  JobView,
  MediaInfo,
  JobSpec,
  PackAdvice,
  Preview,
  PriceListInfo,
  PriceListSummary,
  QueueOverview,
  Result,
  Violation,
} from './bindings';
