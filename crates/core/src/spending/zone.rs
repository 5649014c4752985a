//! Calendar days and months in the person's time zone. Budgets reset and
//! usage is grouped at local midnight, not UTC's. `Zone::Local` is the
//! machine's zone (chrono reads `TZ` and the system's zone); tests inject a
//! fixed offset, which also lets them put "midnight" a few seconds away.

use chrono::{DateTime, Datelike, Duration, FixedOffset, Local, NaiveDate, NaiveDateTime, TimeZone};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    #[default]
    Local,
    Fixed(FixedOffset),
}

/// A budget period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Day,
    Month,
}

/// One period around a moment: when it started and ends (ms) and its key
/// ("2026-12-02" or "2026-12"), which names it in `alerts_sent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub start: i64,
    pub end: i64,
    pub key: String,
}

impl Zone {
    /// A zone whose offset puts `ms` (since the epoch) at the given local
    /// wall-clock seconds after midnight: for tests of a day that turns.
    pub fn at_local_time(ms: i64, secs_after_midnight: i64) -> Zone {
        let utc_secs = ms.div_euclid(1000).rem_euclid(86_400);
        let mut offset = secs_after_midnight - utc_secs;
        if offset > 14 * 3600 {
            offset -= 86_400;
        } else if offset < -14 * 3600 {
            offset += 86_400;
        }
        Zone::Fixed(FixedOffset::east_opt(offset as i32).expect("within ±14 h"))
    }

    /// The local calendar date of a moment.
    pub fn date_of(self, ms: i64) -> NaiveDate {
        let utc = DateTime::from_timestamp_millis(ms).unwrap_or_default();
        match self {
            Zone::Local => utc.with_timezone(&Local).date_naive(),
            Zone::Fixed(f) => utc.with_timezone(&f).date_naive(),
        }
    }

    /// When a local date begins (ms). A midnight that a DST change skips
    /// begins at the first local time that exists.
    pub fn start_of(self, date: NaiveDate) -> i64 {
        let midnight: NaiveDateTime = date.and_hms_opt(0, 0, 0).expect("midnight exists");
        let first = |dt: Option<i64>| dt.unwrap_or_else(|| midnight.and_utc().timestamp_millis());
        match self {
            Zone::Local => first((0..4).find_map(|h| Local.from_local_datetime(&(midnight + Duration::hours(h))).earliest()).map(|t| t.timestamp_millis())),
            Zone::Fixed(f) => first(f.from_local_datetime(&midnight).earliest().map(|t| t.timestamp_millis())),
        }
    }

    pub fn span(self, period: Period, ms: i64) -> Span {
        let date = self.date_of(ms);
        match period {
            Period::Day => {
                let next = date.succ_opt().unwrap_or(date);
                Span { start: self.start_of(date), end: self.start_of(next), key: date.format("%Y-%m-%d").to_string() }
            }
            Period::Month => {
                let first = date.with_day(1).expect("day 1 exists");
                let next = if first.month() == 12 {
                    NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
                }
                .expect("the 1st exists");
                Span { start: self.start_of(first), end: self.start_of(next), key: first.format("%Y-%m").to_string() }
            }
        }
    }

    /// The Monday that starts the local week of a date.
    pub fn week_of(date: NaiveDate) -> NaiveDate {
        date - Duration::days(date.weekday().num_days_from_monday() as i64)
    }
}

/// "YYYY-MM-DD" as a date, or `None`.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_months_follow_the_zone_not_utc() {
        // 2026-12-01 23:30 UTC is already 2 December in UTC+1.
        let ms = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(23, 30, 0).unwrap().and_utc().timestamp_millis();
        let plus1 = Zone::Fixed(FixedOffset::east_opt(3600).unwrap());
        let utc = Zone::Fixed(FixedOffset::east_opt(0).unwrap());
        assert_eq!(plus1.span(Period::Day, ms).key, "2026-12-02");
        assert_eq!(utc.span(Period::Day, ms).key, "2026-12-01");
        let day = plus1.span(Period::Day, ms);
        assert_eq!(day.end - day.start, 86_400_000);
        assert_eq!(day.start, ms - 30 * 60_000, "local midnight was half an hour ago");
        let month = Zone::Fixed(FixedOffset::east_opt(-3600).unwrap()).span(Period::Month, ms);
        assert_eq!(month.key, "2026-12");
        assert_eq!((month.end - month.start) / 86_400_000, 31);
        assert_eq!(Zone::week_of(NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    }

    #[test]
    fn a_zone_can_put_midnight_seconds_away() {
        let now = 1_796_000_123_456;
        let z = Zone::at_local_time(now, 86_400 - 3);
        let day = z.span(Period::Day, now);
        assert!((2_000..=4_000).contains(&(day.end - now)), "{}", day.end - now);
        assert_eq!(parse_day("2026-02-30"), None);
        assert_eq!(parse_day("2026-02-28"), NaiveDate::from_ymd_opt(2026, 2, 28));
    }
}
