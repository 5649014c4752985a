//! The library of saved videos: a sidecar (`NAME.mp4.json`, the recipe)
//! beside every video, a table of them in SQLite searched with FTS5, and a
//! rebuild that reads the sidecars of a folder back in, so the folder alone
//! is enough to get a library back on a new computer.
//!
//! - `sidecar`: the file format (versioned, `"format": 1`);
//! - `mp4`: the check a download passes before it is saved under its name;
//! - `rebuild`: sidecars of a folder tree → the library table;
//! - `query`: the Library screen's pages; `poster`: cached poster frames;
//! - `range` + `serve`: playback from disk in byte ranges (the shell's
//!   loopback media server); `actions`: delete, locate, open in Composer.

pub mod actions;
pub mod mp4;
pub mod picks;
pub mod poster;
pub mod query;
pub mod range;
pub mod rebuild;
pub mod serve;
pub mod sidecar;

pub use rebuild::{rebuild, RebuildReport, Skipped};
pub use sidecar::{LocalFile, Sidecar};

use crate::store::{now_ms, Db, JobRow, StoreError};
use std::path::Path;

/// Why recording a saved video failed.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("could not write the recipe beside {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A job's video was just saved at `video`: writes its sidecar and adds it
/// to the library. Runs before the job's local copies are removed (their
/// hashes go into the sidecar).
pub fn record(db: &Db, job: &JobRow, video: &Path) -> Result<Sidecar, RecordError> {
    let sidecar = Sidecar::of_job(db, job, now_ms())?;
    sidecar.write_beside(video).map_err(|e| RecordError::Write { path: video.display().to_string(), source: e })?;
    db.upsert_library(&video.display().to_string(), &sidecar)?;
    Ok(sidecar)
}

/// `YYYY-MM-DD` → milliseconds since the epoch at that day's start (UTC).
pub fn date_to_ms(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d < 1 || d > days_in[(m - 1) as usize] {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400_000)
}

/// Milliseconds since the epoch → its UTC date, `YYYY-MM-DD`.
pub fn ms_to_date(ms: i64) -> String {
    let z = ms.div_euclid(86_400_000) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_round_trip() {
        for d in ["1970-01-01", "2024-02-29", "2026-12-01", "2100-03-01"] {
            assert_eq!(super::ms_to_date(super::date_to_ms(d).unwrap() + 86_399_999), d);
        }
    }

    #[test]
    fn dates_are_utc_midnights() {
        assert_eq!(super::date_to_ms("1970-01-01"), Some(0));
        assert_eq!(super::date_to_ms("2026-12-01"), Some(1_796_083_200_000));
        assert_eq!(super::date_to_ms("2024-02-29"), Some(1_709_164_800_000));
        for bad in ["2023-02-29", "2026-13-01", "26-1-1", "yesterday", ""] {
            assert_eq!(super::date_to_ms(bad), None, "{bad}");
        }
    }
}
