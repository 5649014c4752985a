//! Remote notices: what the queue tells a person who is away from the
//! computer, through an ntfy topic, a generic JSON webhook, or a Discord or
//! Slack incoming webhook (docs/user/notices.md).
//!
//! - `target`: adding, listing and removing targets. Every URL and token is
//!   a secret (a webhook URL carries its token; an ntfy topic on a public
//!   server is readable by whoever knows its name), so it lives in the
//!   keychain; SQLite keeps the name, kind, host and last result.
//! - `message`: the message and each service's body (the versioned webhook
//!   JSON), and redaction of secrets from error text.
//! - `deliver`: one HTTP POST with a short timeout, and "Send test".
//! - `dispatcher`: the task beside the engine that turns its events into
//!   messages (one summary per finished batch), keeps them in SQLite's
//!   outbox, retries them and respects quiet hours. The engine never waits
//!   for it.
//! - `quiet`: the quiet-hours window.
//!
//! A leaf: it reads the engine's events and the store, and nothing below
//! uses it.

mod deliver;
mod dispatcher;
mod message;
mod quiet;
mod target;

pub use deliver::send_test;
pub use dispatcher::{DispatchConfig, Dispatcher};
pub use message::{BatchSummary, Message, WEBHOOK_VERSION};
pub use quiet::{quiet_hours, set_quiet_hours, QuietHours, QUIET_HOURS_SETTING};
pub use target::{add, list, remove, set_kinds, AddTarget, KindOption, RemoteNotices, TargetView};

use crate::error_code::ErrorCode;
use crate::notice::NoticeKind;
use crate::store::StoreError;
use crate::vault::VaultError;
use serde::{Deserialize, Serialize};

/// The services a notice can go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Ntfy,
    Webhook,
    Discord,
    Slack,
}

impl TargetKind {
    pub const ALL: [TargetKind; 4] = [TargetKind::Ntfy, TargetKind::Webhook, TargetKind::Discord, TargetKind::Slack];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Ntfy => "ntfy",
            TargetKind::Webhook => "webhook",
            TargetKind::Discord => "discord",
            TargetKind::Slack => "slack",
        }
    }

    pub fn parse(s: &str) -> Option<TargetKind> {
        TargetKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            TargetKind::Ntfy => "ntfy topic",
            TargetKind::Webhook => "Webhook (JSON)",
            TargetKind::Discord => "Discord webhook",
            TargetKind::Slack => "Slack incoming webhook",
        }
    }

    /// What the URL field asks for.
    pub fn url_help(self) -> &'static str {
        match self {
            TargetKind::Ntfy => "The topic's full address, e.g. https://ntfy.sh/my-secret-topic (or your own server's).",
            TargetKind::Webhook => "The address that receives a JSON POST (version 1, see the user guide).",
            TargetKind::Discord => "Channel settings → Integrations → Webhooks → Copy Webhook URL.",
            TargetKind::Slack => "Your Slack app → Incoming Webhooks → the https://hooks.slack.com/services/… address.",
        }
    }
}

/// The kinds of remote notice a target may receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RemoteKind {
    /// A batch finished: one summary (done, failed, credits spent, what needs you).
    BatchFinished,
    /// A job needs a person (outcome unknown, invalid, expired video link).
    NeedsPerson,
    /// An account used 80 % or 100 % of a budget.
    Budget,
    /// An account's API Credits are running low.
    LowBalance,
    /// A studio's database does not answer.
    StudioDown,
}

impl RemoteKind {
    pub const ALL: [RemoteKind; 5] = [RemoteKind::BatchFinished, RemoteKind::NeedsPerson, RemoteKind::Budget, RemoteKind::LowBalance, RemoteKind::StudioDown];

    pub fn as_str(self) -> &'static str {
        match self {
            RemoteKind::BatchFinished => "batch_finished",
            RemoteKind::NeedsPerson => "needs_person",
            RemoteKind::Budget => "budget",
            RemoteKind::LowBalance => "low_balance",
            RemoteKind::StudioDown => "studio_down",
        }
    }

    pub fn parse(s: &str) -> Option<RemoteKind> {
        RemoteKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            RemoteKind::BatchFinished => "A batch finished (one summary per batch)",
            RemoteKind::NeedsPerson => "A job needs you",
            RemoteKind::Budget => "A budget reached 80 % or 100 %",
            RemoteKind::LowBalance => "API Credits running low",
            RemoteKind::StudioDown => "A studio's database does not answer",
        }
    }

    /// The engine's notice this kind is sent for; per-job failures are in
    /// the batch summary instead of one message each.
    pub fn of_notice(kind: NoticeKind) -> Option<RemoteKind> {
        match kind {
            NoticeKind::NeedsDecision => Some(RemoteKind::NeedsPerson),
            NoticeKind::Budget => Some(RemoteKind::Budget),
            NoticeKind::LowBalance => Some(RemoteKind::LowBalance),
            NoticeKind::StudioUnreachable => Some(RemoteKind::StudioDown),
            _ => None,
        }
    }

    /// `batch_finished,needs_person` → the kinds; `all` for every one.
    pub fn parse_list(s: &str) -> Result<Vec<RemoteKind>, NoticeError> {
        if s.trim() == "all" {
            return Ok(RemoteKind::ALL.to_vec());
        }
        let mut kinds = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let k = RemoteKind::parse(part).ok_or_else(|| {
                let names: Vec<_> = RemoteKind::ALL.iter().map(|k| k.as_str()).collect();
                NoticeError::Invalid { field: "kinds", message: format!("\"{part}\" is not a kind of notice: use {} (or all).", names.join(", ")) }
            })?;
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
        kinds.sort();
        Ok(kinds)
    }

    pub fn join(kinds: &[RemoteKind]) -> String {
        kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error("There is no remote notice target \"{0}\". `loova notices list` shows them.")]
    NotFound(String),
    #[error("A remote notice target is already called \"{0}\": choose another name.")]
    NameTaken(String),
    /// Redacted: never the URL or token.
    #[error("{0}")]
    Delivery(String),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl NoticeError {
    pub fn code(&self) -> ErrorCode {
        match self {
            NoticeError::Invalid { .. } | NoticeError::NameTaken(_) => ErrorCode::InvalidInput,
            NoticeError::NotFound(_) => ErrorCode::NoticeTargetNotFound,
            NoticeError::Delivery(_) => ErrorCode::NoticeDeliveryFailed,
            NoticeError::Vault(e) => e.code(),
            NoticeError::Store(e) => e.code(),
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            NoticeError::Invalid { field, .. } => Some(field),
            NoticeError::NameTaken(_) => Some("name"),
            _ => None,
        }
    }

    pub fn is_bad_input(&self) -> bool {
        matches!(self, NoticeError::Invalid { .. } | NoticeError::NameTaken(_) | NoticeError::NotFound(_))
    }
}
