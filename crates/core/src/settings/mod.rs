//! The person's settings, typed: one enum of keys, each with its kind of
//! value, its default and its check. The app's Settings screen and
//! `loova settings [KEY [VALUE]]` both read and write these (stored as text
//! in SQLite's `settings` table); nothing else spells a key.

use crate::notice::NoticeKind;
use crate::store::{Db, StoreError};
use crate::ErrorCode;
use serde::Serialize;

/// Every kind of notice, in the order the Settings screen lists them.
pub const NOTICE_KINDS: [NoticeKind; 10] = [
    NoticeKind::JobFailed,
    NoticeKind::NeedsDecision,
    NoticeKind::OutOfCredits,
    NoticeKind::KeyRejected,
    NoticeKind::QueueFinished,
    NoticeKind::Budget,
    NoticeKind::LowBalance,
    NoticeKind::KeychainLocked,
    NoticeKind::StudioUnreachable,
    NoticeKind::JobsMoved,
];

/// What closing the window does while jobs are queued or in flight (with
/// nothing to do, closing always quits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseBehaviour {
    KeepRunning,
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SettingKey {
    OutputDir,
    CloseBehaviour,
    StartAtLogin,
    Notify(NoticeKind),
    SandboxSpeed,
    RequestTimeoutMs,
    UnknownHoldMinSecs,
    TaskDeadlineHours,
    MaxVideoMb,
}

/// How a value is entered (the UI draws the field from this).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SettingInput {
    Choice { options: Vec<SettingOption> },
    Toggle,
    Number { min: f64, max: f64, unit: String },
    Folder,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SettingOption {
    pub value: String,
    pub label: String,
}

/// One setting as the Settings screen and `loova settings` show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SettingView {
    pub key: String,
    pub section: String,
    pub label: String,
    pub help: String,
    pub input: SettingInput,
    /// The value in force, as text (`true`/`false` for a toggle).
    pub value: String,
    pub is_default: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingError {
    #[error("There is no setting \"{0}\". The settings are: {known}.", known = known_keys())]
    UnknownKey(String),
    #[error("{key} cannot be \"{value}\": {why}")]
    Invalid { key: String, value: String, why: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SettingError {
    pub fn code(&self) -> ErrorCode {
        match self {
            SettingError::Store(e) => e.code(),
            _ => ErrorCode::InvalidInput,
        }
    }

    pub fn is_bad_input(&self) -> bool {
        !matches!(self, SettingError::Store(_))
    }
}

fn known_keys() -> String {
    let names: Vec<String> = SettingKey::all().iter().map(|k| k.name()).collect();
    names.join(", ")
}

const KEEP_RUNNING: &str = "keep_running";
const QUIT: &str = "quit";
/// The Sandbox runs jobs at this fraction of real time unless told otherwise
/// (as loova-sandbox's own default).
const SANDBOX_SPEED_DEFAULT: f64 = 0.1;
const TIMEOUT_MS_RANGE: (u64, u64) = (1_000, 600_000);
/// 20 minutes: longer than Loova takes for the longest video, so a task the
/// lost answer may have created has ended before its slot is reused.
const UNKNOWN_HOLD_MIN_DEFAULT: u64 = 1_200;
const HOLD_SECS_RANGE: (u64, u64) = (60, 86_400);
/// 2 GB: a 15 s 4K video is a few hundred MB at most, so a real video never
/// meets it, while a link that streams without end is stopped.
const MAX_VIDEO_MB_DEFAULT: u64 = 2_048;
const MAX_VIDEO_MB_RANGE: (u64, u64) = (1, 102_400);
/// 6 hours: twice the "up to about 3 hours" Loova gives for one generation,
/// so a slow but healthy task is never given up on, and far inside the 48
/// hours after which the same model's upstream service expires a task
/// (Loova would have ended it by then, so a task still "running" after 6 h
/// is stuck or reported in a word we do not know: a person should look).
const TASK_DEADLINE_HOURS_DEFAULT: u64 = 6;
const DEADLINE_HOURS_RANGE: (u64, u64) = (1, 72);

fn notice_name(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::JobFailed => "job_failed",
        NoticeKind::NeedsDecision => "needs_decision",
        NoticeKind::OutOfCredits => "out_of_credits",
        NoticeKind::KeyRejected => "key_rejected",
        NoticeKind::QueueFinished => "queue_finished",
        NoticeKind::Budget => "budget",
        NoticeKind::LowBalance => "low_balance",
        NoticeKind::KeychainLocked => "keychain_locked",
        NoticeKind::StudioUnreachable => "studio_unreachable",
        NoticeKind::JobsMoved => "jobs_moved",
    }
}

fn notice_label(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::JobFailed => "A job failed",
        NoticeKind::NeedsDecision => "A job needs you (outcome unknown, invalid, video link expired)",
        NoticeKind::OutOfCredits => "An account ran out of API Credits",
        NoticeKind::KeyRejected => "Loova rejected an account's key",
        NoticeKind::QueueFinished => "The queue finished",
        NoticeKind::Budget => "An account used 80 % or all of a budget",
        NoticeKind::LowBalance => "An account's API Credits are running low",
        NoticeKind::KeychainLocked => "The keychain is locked and jobs wait for it",
        NoticeKind::StudioUnreachable => "A studio's database does not answer and its jobs wait",
        NoticeKind::JobsMoved => "Waiting jobs moved to another account (overflow)",
    }
}

impl SettingKey {
    pub fn all() -> Vec<SettingKey> {
        let mut keys = vec![SettingKey::OutputDir, SettingKey::CloseBehaviour, SettingKey::StartAtLogin];
        keys.extend(NOTICE_KINDS.iter().map(|k| SettingKey::Notify(*k)));
        keys.extend([
            SettingKey::SandboxSpeed,
            SettingKey::RequestTimeoutMs,
            SettingKey::UnknownHoldMinSecs,
            SettingKey::TaskDeadlineHours,
            SettingKey::MaxVideoMb,
        ]);
        keys
    }

    /// The name stored in SQLite and typed after `loova settings`.
    pub fn name(self) -> String {
        match self {
            SettingKey::OutputDir => crate::output_dir::OUTPUT_DIR_SETTING.to_string(),
            SettingKey::CloseBehaviour => "close_behaviour".into(),
            SettingKey::StartAtLogin => "start_at_login".into(),
            SettingKey::Notify(k) => format!("notify_{}", notice_name(k)),
            SettingKey::SandboxSpeed => "sandbox_speed".into(),
            SettingKey::RequestTimeoutMs => "request_timeout_ms".into(),
            SettingKey::UnknownHoldMinSecs => "unknown_hold_min_secs".into(),
            SettingKey::TaskDeadlineHours => "task_deadline_hours".into(),
            SettingKey::MaxVideoMb => "max_video_mb".into(),
        }
    }

    pub fn parse(name: &str) -> Result<SettingKey, SettingError> {
        SettingKey::all().into_iter().find(|k| k.name() == name.trim()).ok_or_else(|| SettingError::UnknownKey(name.to_string()))
    }

    fn section(self) -> &'static str {
        match self {
            SettingKey::OutputDir | SettingKey::MaxVideoMb => "Files",
            SettingKey::CloseBehaviour | SettingKey::StartAtLogin => "Window and start",
            SettingKey::Notify(_) => "Notifications",
            SettingKey::SandboxSpeed | SettingKey::RequestTimeoutMs => "Connection and Sandbox",
            SettingKey::UnknownHoldMinSecs | SettingKey::TaskDeadlineHours => "Queue",
        }
    }

    fn label(self) -> String {
        match self {
            SettingKey::OutputDir => "Output folder".into(),
            SettingKey::CloseBehaviour => "When I close the window".into(),
            SettingKey::StartAtLogin => "Start Loova Desk when I log in".into(),
            SettingKey::Notify(k) => notice_label(k).into(),
            SettingKey::SandboxSpeed => "Sandbox speed".into(),
            SettingKey::RequestTimeoutMs => "Request timeout".into(),
            SettingKey::UnknownHoldMinSecs => "Hold a slot for an unknown outcome at least".into(),
            SettingKey::TaskDeadlineHours => "Stop following a task Loova has not finished after".into(),
            SettingKey::MaxVideoMb => "Largest video to download".into(),
        }
    }

    fn help(self) -> &'static str {
        match self {
            SettingKey::OutputDir => "Finished videos are saved here, one sub-folder per account. A full path, or ~ for your home folder.",
            SettingKey::CloseBehaviour => "While jobs are queued or running. With nothing to do, closing the window always quits.",
            SettingKey::StartAtLogin => match crate::platform::Os::current() {
                crate::platform::Os::MacOs => "Starts hidden in the menu bar and resumes the queue.",
                _ => "Starts hidden in the tray and resumes the queue.",
            },
            SettingKey::Notify(_) => "A desktop notification, also while the window is hidden.",
            SettingKey::SandboxSpeed => "How fast the Sandbox's play jobs run, as a fraction of real time (0.1 = ten times faster). Applies at the next start.",
            SettingKey::RequestTimeoutMs => "How long to wait for Loova's answer to one request, in milliseconds. Applies at the next start.",
            SettingKey::UnknownHoldMinSecs => "A job whose answer was lost keeps its slot while the task it may have created could still run: three times its expected run time, and at least this long (seconds). Then the slot goes to the next job; the job still waits for your decision.",
            SettingKey::TaskDeadlineHours => "Loova says a video takes up to about 3 hours. A task still not finished after this many hours stops being checked and waits for you: look at it on Loova, then attach it again or mark it failed. It is never sent again by itself.",
            SettingKey::MaxVideoMb => "A download that grows past this (in MB) is stopped and tried again later, so a broken or hostile link cannot fill the disk.",
        }
    }

    fn input(self) -> SettingInput {
        let option = |value: &str, label: &str| SettingOption { value: value.into(), label: label.into() };
        match self {
            SettingKey::OutputDir => SettingInput::Folder,
            SettingKey::CloseBehaviour => SettingInput::Choice {
                options: vec![option(KEEP_RUNNING, &format!("Keep running in the {}", crate::platform::Os::current().tray())), option(QUIT, "Quit")],
            },
            SettingKey::StartAtLogin | SettingKey::Notify(_) => SettingInput::Toggle,
            SettingKey::SandboxSpeed => SettingInput::Number { min: 0.001, max: 1.0, unit: "× real time".into() },
            SettingKey::RequestTimeoutMs => SettingInput::Number { min: TIMEOUT_MS_RANGE.0 as f64, max: TIMEOUT_MS_RANGE.1 as f64, unit: "ms".into() },
            SettingKey::UnknownHoldMinSecs => SettingInput::Number { min: HOLD_SECS_RANGE.0 as f64, max: HOLD_SECS_RANGE.1 as f64, unit: "s".into() },
            SettingKey::TaskDeadlineHours => SettingInput::Number { min: DEADLINE_HOURS_RANGE.0 as f64, max: DEADLINE_HOURS_RANGE.1 as f64, unit: "h".into() },
            SettingKey::MaxVideoMb => SettingInput::Number { min: MAX_VIDEO_MB_RANGE.0 as f64, max: MAX_VIDEO_MB_RANGE.1 as f64, unit: "MB".into() },
        }
    }

    fn default_value(self, db: &Db) -> String {
        match self {
            SettingKey::OutputDir => crate::output_dir::output_root(db).display().to_string(),
            SettingKey::CloseBehaviour => KEEP_RUNNING.into(),
            SettingKey::StartAtLogin => "false".into(),
            SettingKey::Notify(_) => "true".into(),
            SettingKey::SandboxSpeed => SANDBOX_SPEED_DEFAULT.to_string(),
            SettingKey::RequestTimeoutMs => crate::api::Timeouts::default().request.as_millis().to_string(),
            SettingKey::UnknownHoldMinSecs => UNKNOWN_HOLD_MIN_DEFAULT.to_string(),
            SettingKey::MaxVideoMb => MAX_VIDEO_MB_DEFAULT.to_string(),
            SettingKey::TaskDeadlineHours => TASK_DEADLINE_HOURS_DEFAULT.to_string(),
        }
    }

    /// The value as stored, or why it is refused.
    fn check(self, value: &str) -> Result<String, String> {
        let value = value.trim();
        match self.input() {
            SettingInput::Choice { options } => options.iter().find(|o| o.value == value).map(|o| o.value.clone()).ok_or_else(|| {
                let names: Vec<_> = options.iter().map(|o| o.value.as_str()).collect();
                format!("choose one of {}.", names.join(", "))
            }),
            SettingInput::Toggle => match value {
                "true" | "on" | "yes" => Ok("true".into()),
                "false" | "off" | "no" => Ok("false".into()),
                _ => Err("use true or false.".into()),
            },
            SettingInput::Number { min, max, unit } => {
                let n: f64 = value.parse().map_err(|_| format!("enter a number between {min} and {max} {unit}."))?;
                let whole =
                    matches!(self, SettingKey::RequestTimeoutMs | SettingKey::UnknownHoldMinSecs | SettingKey::TaskDeadlineHours | SettingKey::MaxVideoMb);
                if !n.is_finite() || n < min || n > max || (whole && n.fract() != 0.0) {
                    let kind = if whole { "a whole number" } else { "a number" };
                    return Err(format!("enter {kind} between {min} and {max} {unit}."));
                }
                Ok(n.to_string())
            }
            // Folders are checked (and created) by `output_dir`.
            SettingInput::Folder => Ok(value.to_string()),
        }
    }
}

fn stored(db: &Db, key: SettingKey) -> Result<Option<String>, StoreError> {
    // A value stored by an older or hand-edited database that no longer
    // passes the check counts as unset, so the default applies.
    Ok(db.setting(&key.name())?.filter(|v| key.check(v).is_ok()))
}

pub fn view(db: &Db, key: SettingKey) -> Result<SettingView, SettingError> {
    let own = stored(db, key)?;
    Ok(SettingView {
        key: key.name(),
        section: key.section().into(),
        label: key.label(),
        help: key.help().into(),
        input: key.input(),
        is_default: own.is_none(),
        value: own.unwrap_or_else(|| key.default_value(db)),
    })
}

pub fn list(db: &Db) -> Result<Vec<SettingView>, SettingError> {
    SettingKey::all().into_iter().map(|k| view(db, k)).collect()
}

/// Checks and saves `value`; answers with the setting as it now stands.
pub fn set(db: &Db, key: SettingKey, value: &str) -> Result<SettingView, SettingError> {
    let invalid = |why: String| SettingError::Invalid { key: key.name(), value: value.to_string(), why };
    if key == SettingKey::OutputDir {
        crate::output_dir::set_output_dir(db, value).map_err(|e| match e {
            crate::output_dir::OutputDirError::Store(s) => SettingError::Store(s),
            other => invalid(other.to_string()),
        })?;
    } else {
        let checked = key.check(value).map_err(invalid)?;
        db.set_setting(&key.name(), &checked)?;
    }
    view(db, key)
}

/// Back to the default.
pub fn reset(db: &Db, key: SettingKey) -> Result<SettingView, SettingError> {
    db.delete_setting(&key.name())?;
    view(db, key)
}

mod read;

pub use read::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unknown_hold_minimum_is_20_minutes_unless_set() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in(dir.path()).unwrap();
        assert_eq!(unknown_hold_min(&db), std::time::Duration::from_secs(1200));
        set(&db, SettingKey::parse("unknown_hold_min_secs").unwrap(), "90").unwrap();
        assert_eq!(unknown_hold_min(&db), std::time::Duration::from_secs(90));
        assert!(set(&db, SettingKey::UnknownHoldMinSecs, "10").is_err(), "under a minute");
        assert!(set(&db, SettingKey::UnknownHoldMinSecs, "90.5").is_err(), "whole seconds");
    }

    #[test]
    fn the_task_deadline_is_6_hours_unless_set() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in(dir.path()).unwrap();
        assert_eq!(task_deadline_hours(&db), 6);
        set(&db, SettingKey::parse("task_deadline_hours").unwrap(), "48").unwrap();
        assert_eq!(task_deadline_hours(&db), 48);
        assert!(set(&db, SettingKey::TaskDeadlineHours, "0").is_err(), "at least an hour");
        assert!(set(&db, SettingKey::TaskDeadlineHours, "2.5").is_err(), "whole hours");
    }
}
