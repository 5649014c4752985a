// The UI's only door to Rust. Components import from here, never from
// @tauri-apps/* directly, so the IPC surface stays in one reviewed place.
export { commands } from './bindings';
export type {
  Estimate,
  JobSpec,
  PackAdvice,
  Preview,
  PriceListInfo,
  PriceListSummary,
  Violation,
} from './bindings';
