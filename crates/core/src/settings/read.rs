//! The typed readers the rest of loova-core uses: each setting as the value
//! it means (a duration, a byte count, a choice), its default when unset.

use super::{stored, CloseBehaviour, SettingKey, MAX_VIDEO_MB_DEFAULT, QUIT, TASK_DEADLINE_HOURS_DEFAULT, UNKNOWN_HOLD_MIN_DEFAULT};
use crate::notice::NoticeKind;
use crate::store::Db;

pub(super) fn text(db: &Db, key: SettingKey) -> String {
    match stored(db, key) {
        Ok(Some(v)) => v,
        _ => key.default_value(db),
    }
}

pub fn close_behaviour(db: &Db) -> CloseBehaviour {
    if text(db, SettingKey::CloseBehaviour) == QUIT {
        CloseBehaviour::Quit
    } else {
        CloseBehaviour::KeepRunning
    }
}

pub fn start_at_login(db: &Db) -> bool {
    text(db, SettingKey::StartAtLogin) == "true"
}

pub fn notify(db: &Db, kind: NoticeKind) -> bool {
    text(db, SettingKey::Notify(kind)) == "true"
}

/// Only when the person set one: the environment variables the Sandbox and
/// the API client read keep priority otherwise.
pub fn sandbox_speed(db: &Db) -> Option<f64> {
    stored(db, SettingKey::SandboxSpeed).ok()?.and_then(|v| v.parse().ok())
}

pub fn request_timeout_ms(db: &Db) -> Option<u64> {
    stored(db, SettingKey::RequestTimeoutMs).ok()?.and_then(|v| v.parse::<f64>().ok()).map(|n| n as u64)
}

/// How long an outcome_unknown job holds its slot at least (the engine
/// takes the longer of this and three times the job's expected run time).
pub fn unknown_hold_min(db: &Db) -> std::time::Duration {
    let secs = stored(db, SettingKey::UnknownHoldMinSecs).ok().flatten().and_then(|v| v.parse::<f64>().ok()).map_or(UNKNOWN_HOLD_MIN_DEFAULT, |n| n as u64);
    std::time::Duration::from_secs(secs)
}

/// After how many hours (of Loova's time) a task that has not finished
/// stops being polled and waits for the person.
pub fn task_deadline_hours(db: &Db) -> u64 {
    stored(db, SettingKey::TaskDeadlineHours).ok().flatten().and_then(|v| v.parse::<f64>().ok()).map_or(TASK_DEADLINE_HOURS_DEFAULT, |n| n as u64)
}

/// The most bytes one video download may receive.
pub fn max_video_bytes(db: &Db) -> u64 {
    let mb = stored(db, SettingKey::MaxVideoMb).ok().flatten().and_then(|v| v.parse::<f64>().ok()).map_or(MAX_VIDEO_MB_DEFAULT, |n| n as u64);
    mb * 1024 * 1024
}

/// Puts the Sandbox speed and request timeout the person set into the
/// environment variables the Sandbox host and the API client read, unless
/// those are set already (tests and scripts keep their say). Call it at
/// start, before any thread exists: the environment is process-wide.
pub fn apply_to_environment(db: &Db, sandbox_speed_env: &str) {
    let unset = |name: &str| std::env::var_os(name).is_none();
    if let (true, Some(speed)) = (unset(sandbox_speed_env), sandbox_speed(db)) {
        std::env::set_var(sandbox_speed_env, speed.to_string());
    }
    let timeout_env = crate::api::TIMEOUT_ENV;
    if let (true, Some(ms)) = (unset(timeout_env), request_timeout_ms(db)) {
        std::env::set_var(timeout_env, ms.to_string());
    }
}

/// Not a setting the person changes: whether the "keeps running in the
/// tray" notice was shown (it is shown once per data folder).
const HIDDEN_NOTICE_SHOWN: &str = "hidden_notice_shown";

/// True the first time only: then the notice is due.
pub fn take_hidden_notice(db: &Db) -> bool {
    match db.setting(HIDDEN_NOTICE_SHOWN) {
        Ok(None) => db.set_setting(HIDDEN_NOTICE_SHOWN, "true").is_ok(),
        _ => false,
    }
}
