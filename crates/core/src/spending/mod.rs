//! Spending: what every job cost (charges recorded by the engine), the
//! balance over time, budgets the queue obeys, alerts, and usage reports
//! for `loova usage` and the History screen. SQL lives in `store::spending`.

pub mod alerts;
pub mod budget;
pub mod caps;
pub mod export;
pub(crate) mod refunds;
pub mod usage;
pub mod zone;

pub use alerts::Alert;
pub use budget::{status as budget_status, BudgetStatus, Refusal};
pub use export::{export_charges, exports_dir, write_usage_csv, ChargesExport, ExportError};
pub use usage::{balance_history, charges_page, usage, ChargesPage, GroupBy, Stack, Totals, UsageError, UsageGroup, UsageQuery, UsageReport};
pub use zone::{Period, Zone};
