//! CSV out of the spending records: the grouped usage (`loova usage --csv`)
//! and every charge behind the History screen's table ("Export CSV"). One
//! writer (the `csv` crate, a header row first) for both, so quoting and
//! columns do not drift between the terminal and the app.

use super::usage::{filter_of, UsageError, UsageQuery, UsageReport};
use super::zone::Zone;
use crate::store::{ChargeRow, Db, RefundState};
use chrono::{DateTime, FixedOffset, Local, SecondsFormat};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The grouped usage as CSV: a header row (`group` names the first column,
/// e.g. "day") and one row per group, as `loova usage --csv` prints it. A
/// group's key (an account or batch name) is neutralised like every text
/// cell this app writes (`crate::csv_cell`).
pub fn write_usage_csv<W: Write>(out: W, group: &str, report: &UsageReport) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([group, "credits", "estimate_credits", "jobs", "refunded_credits", "differing"])?;
    for g in &report.groups {
        let t = &g.totals;
        w.write_record([
            crate::csv_cell::neutralise(&g.key).into_owned(),
            t.credits.to_string(),
            t.estimate_credits.to_string(),
            t.jobs.to_string(),
            t.refunded_credits.to_string(),
            t.differing.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChargesExport {
    pub path: String,
    pub rows: u64,
    /// The `credits` column summed: equals the usage report's total for the
    /// same query, as both sum the same charges.
    pub credits: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Usage(#[from] UsageError),
    #[error("Could not write {path}: {source}. Check that the folder exists and has room.")]
    Write { path: String, source: std::io::Error },
}

impl ExportError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            ExportError::Usage(e) => e.code(),
            ExportError::Write { .. } => crate::ErrorCode::Io,
        }
    }
}

const CHARGE_HEADER: [&str; 14] = [
    "charged_at",
    "account",
    "batch",
    "model",
    "seconds",
    "video_reference",
    "task_id",
    "job_id",
    "estimate_credits",
    "price_list_date",
    "first_credits",
    "credits",
    "differs",
    "refund",
];

/// Page size while exporting: bounded memory for any number of charges.
const PAGE: u64 = 10_000;

/// Every charge matching `q` (newest first, as the table lists them) into
/// `<dir>/charges-<local time>.csv`, written to a temporary name and renamed
/// so a half-written file never carries the final name.
pub fn export_charges(db: &Db, q: &UsageQuery, zone: Zone, dir: &Path, now_ms: i64) -> Result<ChargesExport, ExportError> {
    let stamp = local_time(zone, now_ms).format("%Y-%m-%d-%H%M%S").to_string();
    let path = dir.join(format!("charges-{stamp}.csv"));
    let part = dir.join(format!(".charges-{stamp}.csv.part"));
    let wrote = |source: std::io::Error| ExportError::Write { path: path.display().to_string(), source };
    let filter = filter_of(q, zone)?;
    std::fs::create_dir_all(dir).map_err(wrote)?;
    let batches: BTreeMap<String, String> = db.batches().map_err(UsageError::from)?.into_iter().map(|b| (b.id, b.name)).collect();
    let file = std::fs::File::create(&part).map_err(wrote)?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
    let (mut rows, mut credits) = (0u64, 0i64);
    let result = (|| -> Result<(), ExportError> {
        w.write_record(CHARGE_HEADER).map_err(|e| wrote(e.into()))?;
        loop {
            let page = db.charges(&filter, rows, PAGE).map_err(UsageError::from)?;
            for c in &page {
                w.write_record(charge_record(c, zone, &batches)).map_err(|e| wrote(e.into()))?;
                credits += c.final_credits;
            }
            rows += page.len() as u64;
            if (page.len() as u64) < PAGE {
                break;
            }
        }
        let file = w.into_inner().map_err(|e| wrote(e.into_error()))?.into_inner().map_err(|e| wrote(e.into_error()))?;
        file.sync_all().map_err(wrote)?;
        std::fs::rename(&part, &path).map_err(wrote)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&part);
        return Err(e);
    }
    Ok(ChargesExport { path: path.display().to_string(), rows, credits })
}

/// Where the app puts exports: `<data folder>/exports`.
pub fn exports_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("exports")
}

/// One charge's cells. Every cell goes through `csv_cell::neutralise`:
/// account and batch names (taken from file names), model ids, task ids
/// and price-list dates come from people or from the service, and a cell
/// beginning like a formula must not run when the file is opened in a
/// spreadsheet. Numbers pass through unchanged.
fn charge_record(c: &ChargeRow, zone: Zone, batches: &BTreeMap<String, String>) -> [String; 14] {
    charge_cells(c, zone, batches).map(|cell| crate::csv_cell::neutralise(&cell).into_owned())
}

fn charge_cells(c: &ChargeRow, zone: Zone, batches: &BTreeMap<String, String>) -> [String; 14] {
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    [
        local_time(zone, c.charged_at).to_rfc3339_opts(SecondsFormat::Secs, false),
        c.account_name.clone(),
        c.batch_id.as_ref().map(|b| batches.get(b).cloned().unwrap_or_else(|| b.clone())).unwrap_or_default(),
        c.model.clone(),
        c.seconds.to_string(),
        c.video_reference.to_string(),
        c.task_id.clone(),
        c.job_id.to_string(),
        opt(c.estimate_credits),
        c.price_list_date.clone().unwrap_or_default(),
        c.first_credits.to_string(),
        c.final_credits.to_string(),
        c.differs().to_string(),
        c.refund.map(RefundState::as_str).unwrap_or_default().to_string(),
    ]
}

/// A moment as the person's wall clock shows it, with its offset.
fn local_time(zone: Zone, ms: i64) -> DateTime<FixedOffset> {
    let utc = DateTime::from_timestamp_millis(ms).unwrap_or_default();
    match zone {
        Zone::Local => utc.with_timezone(&Local).fixed_offset(),
        Zone::Fixed(f) => utc.with_timezone(&f),
    }
}
