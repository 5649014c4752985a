//! The kinds of notice Loova Desk gives a person (a desktop notification,
//! and each one's on/off setting). Its own module: the settings that switch
//! them and the engine that raises them both use it.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    JobFailed,
    /// A job needs a person: outcome unknown, invalid, expired video link.
    NeedsDecision,
    OutOfCredits,
    KeyRejected,
    QueueFinished,
    /// An account reached 80 % or 100 % of a daily or monthly budget.
    Budget,
    /// An account's API Credits fell below its threshold or what its waiting jobs need.
    LowBalance,
    /// The keychain is locked: jobs wait for the key (once per lock).
    KeychainLocked,
    /// A studio account's PostgreSQL does not answer: it sends no create.
    StudioUnreachable,
    /// A dry account's waiting jobs went to its overflow account.
    JobsMoved,
}
