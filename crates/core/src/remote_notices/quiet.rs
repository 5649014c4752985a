//! Quiet hours: a daily window in this computer's local time during which
//! remote notices are held; when it ends, what was held goes out as one
//! digest per target. Off unless set. Stored in the settings table under
//! its own key (not a `SettingKey`: its value is a window, edited in the
//! Remote notices section and by `loova notices quiet`, not a generic field).

use super::NoticeError;
use crate::store::{Db, StoreError};
use chrono::Timelike;

pub const QUIET_HOURS_SETTING: &str = "remote_notices_quiet_hours";

/// From `start` to `end` (minutes after midnight); `start > end` spans
/// midnight (22:00–07:00), `start == end` is refused (ambiguous).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: u32,
    pub end: u32,
}

impl QuietHours {
    /// `22:00-07:00` (also `22:00–07:00`, `7:30-9`).
    pub fn parse(s: &str) -> Result<QuietHours, NoticeError> {
        let bad = || NoticeError::Invalid {
            field: "quiet_hours",
            message: format!("\"{}\" is not a window: write it as START-END in 24-hour local time, e.g. 22:00-07:00.", s.trim()),
        };
        let (a, b) = s.trim().split_once(['-', '–']).ok_or_else(bad)?;
        let minute = |t: &str| -> Option<u32> {
            let t = t.trim();
            let (h, m) = t.split_once(':').unwrap_or((t, "0"));
            let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
            (h < 24 && m < 60).then_some(h * 60 + m)
        };
        let (start, end) = (minute(a).ok_or_else(bad)?, minute(b).ok_or_else(bad)?);
        if start == end {
            return Err(NoticeError::Invalid {
                field: "quiet_hours",
                message: "The window starts and ends at the same time: give two different times.".into(),
            });
        }
        Ok(QuietHours { start, end })
    }

    pub fn contains(&self, minute_of_day: u32) -> bool {
        if self.start < self.end {
            (self.start..self.end).contains(&minute_of_day)
        } else {
            minute_of_day >= self.start || minute_of_day < self.end
        }
    }

    /// True now, in local time.
    pub fn now(&self) -> bool {
        let t = chrono::Local::now();
        self.contains(t.hour() * 60 + t.minute())
    }
}

impl std::fmt::Display for QuietHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}-{:02}:{:02}", self.start / 60, self.start % 60, self.end / 60, self.end % 60)
    }
}

/// The window in force; a stored value that no longer parses counts as off.
pub fn quiet_hours(db: &Db) -> Result<Option<QuietHours>, StoreError> {
    Ok(db.setting(QUIET_HOURS_SETTING)?.and_then(|v| QuietHours::parse(&v).ok()))
}

/// Sets the window, or turns it off with `None` / `off`.
pub fn set_quiet_hours(db: &Db, value: Option<&str>) -> Result<Option<QuietHours>, NoticeError> {
    match value.map(str::trim).filter(|v| !v.is_empty() && *v != "off") {
        None => {
            db.delete_setting(QUIET_HOURS_SETTING)?;
            Ok(None)
        }
        Some(v) => {
            let q = QuietHours::parse(v)?;
            db.set_setting(QUIET_HOURS_SETTING, &q.to_string())?;
            Ok(Some(q))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_across_midnight() {
        let q = QuietHours::parse("22:00-07:00").unwrap();
        for (t, quiet) in [(22 * 60, true), (23 * 60 + 59, true), (0, true), (6 * 60 + 59, true), (7 * 60, false), (12 * 60, false), (21 * 60 + 59, false)] {
            assert_eq!(q.contains(t), quiet, "{t}");
        }
        assert_eq!(q.to_string(), "22:00-07:00");
    }

    #[test]
    fn a_window_within_a_day_and_bad_ones() {
        let q = QuietHours::parse(" 7:30 – 9 ").unwrap();
        assert_eq!((q.start, q.end), (450, 540));
        assert!(q.contains(450) && q.contains(539) && !q.contains(540) && !q.contains(449));
        for bad in ["", "22", "25:00-07:00", "22:60-07:00", "07:00-07:00", "a-b"] {
            assert!(QuietHours::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn off_unless_set() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in(dir.path()).unwrap();
        assert_eq!(quiet_hours(&db).unwrap(), None);
        set_quiet_hours(&db, Some("23:00-06:30")).unwrap();
        assert_eq!(quiet_hours(&db).unwrap().unwrap().to_string(), "23:00-06:30");
        set_quiet_hours(&db, Some("off")).unwrap();
        assert_eq!(quiet_hours(&db).unwrap(), None);
    }
}
