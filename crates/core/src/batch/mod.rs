//! Batch queueing: a CSV or JSON Lines file of jobs, validated row by row with
//! the Composer's rules, priced as a whole against the account's balance, and
//! queued as one named batch in one transaction.
//!
//! - `fields`: the column names and how a cell becomes a `JobSpec` field.
//! - `csv_file` / `jsonl`: the two readers. Nothing is ever dropped silently:
//!   every problem becomes a `RowError` with the file line it is on.
//! - `preview`: the batch cost preview (pure arithmetic).
//! - `queue`: `enqueue_batch`, `batch_progress`, `list_batches`, reserved credits.

mod csv_file;
mod expand_rows;
mod fields;
mod jsonl;
pub mod limits;
pub mod order;
pub mod preview;
pub mod queue;
pub mod retry;
mod write;

pub use fields::{EXPAND_FIELD, FIELDS, FILE_FIELDS, LIST_SEPARATOR, PRICE_PER_CREDIT_SETTING};
pub use order::QueueOrder;
pub use preview::{batch_preview, AccountBalance, BalanceCheck, BatchDollars, BatchPreview, BreakdownLine, APP_CREDITS_NOTE, RESERVED_RULE};
pub use queue::{
    account_balance, batch_progress, enqueue_batch, enqueue_batch_from, list_batches, price_per_credit, reserved_credits, set_price_per_credit, BatchError,
    BatchProgress, BatchSummary, BatchView, LeftOut, Reserved,
};
pub use retry::{retry_failed, retry_preview, RetryPreview};
pub use write::{write_csv, write_jsonl, WriteRow};

use crate::job::JobSpec;
use crate::pricing::{estimate::Estimate, LoadedPriceList};
use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum BatchFormat {
    Csv,
    Jsonl,
}

impl BatchFormat {
    /// By extension (.csv, .jsonl, .ndjson), else by content: a first
    /// non-blank character `{` means JSON Lines, anything else CSV.
    pub fn detect(path: &Path, bytes: &[u8]) -> BatchFormat {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => BatchFormat::Csv,
            Some("jsonl") | Some("ndjson") => BatchFormat::Jsonl,
            _ => {
                let first = strip_bom(bytes).iter().find(|b| !b.is_ascii_whitespace());
                if first == Some(&b'{') {
                    BatchFormat::Jsonl
                } else {
                    BatchFormat::Csv
                }
            }
        }
    }
}

/// One problem, where it is and how to fix it. `line` is the file line (1 =
/// first line) where the record starts; `column` is the field name (or
/// `(row)` / `(file)` when the problem is not one field's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RowError {
    /// What kind of problem: the rule's own code for a job rule or a media
    /// check, else `bad_cell` (a row's cell) or `bad_file` (the file itself).
    pub code: ErrorCode,
    pub line: u64,
    pub column: String,
    /// The value as written in the file (lists joined with `|`), cut to
    /// `limits::SHOWN_CHARS` characters with `…`.
    pub value: String,
    /// What is wrong.
    pub rule: String,
    /// How to fix it.
    pub fix: String,
}

impl RowError {
    /// `value` is kept only up to `limits::SHOWN_CHARS` characters: errors
    /// travel to the page and the terminal, and a huge cell (or a line of a
    /// file that is not a batch file at all) must not come with them.
    pub fn new(line: u64, column: &str, value: impl Into<String>, rule: impl Into<String>, fix: impl Into<String>) -> RowError {
        let value = limits::shown(&value.into());
        RowError { code: ErrorCode::BadCell, line, column: column.into(), value, rule: rule.into(), fix: fix.into() }
    }

    pub fn with_code(mut self, code: ErrorCode) -> RowError {
        self.code = code;
        self
    }

    /// "rule; fix", one sentence for a terminal line or a table cell.
    pub fn message(&self) -> String {
        if self.fix.is_empty() {
            self.rule.clone()
        } else {
            format!("{}; {}", self.rule, self.fix)
        }
    }

    /// `FILE:LINE: column: message`, the CLI's (and compilers') format.
    pub fn located(&self, file: &str) -> String {
        format!("{file}:{}: {}: {}", self.line, self.column, self.message())
    }

    /// From a `JobSpec::validate()` violation: its rule and fix as built
    /// where the rule is checked.
    pub fn from_violation(line: u64, v: &crate::Violation, spec: &JobSpec) -> RowError {
        RowError::new(line, &v.field, fields::spec_value(spec, &v.field), v.message.clone(), v.fix.clone()).with_code(v.code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchRow {
    /// File line where the row starts (1-based; the header is line 1 of a CSV).
    pub line: u64,
    pub name: Option<String>,
    /// The `account` cell, if any: must name the account the batch goes to.
    pub account: Option<String>,
    pub spec: JobSpec,
    /// Present whenever the model and duration can be priced.
    pub estimate: Option<Estimate>,
    pub errors: Vec<RowError>,
}

impl BatchRow {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchFile {
    pub format: BatchFormat,
    pub source: PathBuf,
    pub rows: Vec<BatchRow>,
    /// Problems of the file itself (header: unknown, duplicate or missing
    /// columns; no header; unreadable). They block queueing even with
    /// "only valid rows": they are not one row's.
    pub file_errors: Vec<RowError>,
    /// Set when the person's price list file was refused.
    pub price_list_warning: Option<String>,
}

impl BatchFile {
    pub fn valid(&self) -> impl Iterator<Item = &BatchRow> {
        self.rows.iter().filter(|r| r.is_valid())
    }

    pub fn invalid(&self) -> impl Iterator<Item = &BatchRow> {
        self.rows.iter().filter(|r| !r.is_valid())
    }

    /// File errors first, then every row's errors in file order.
    pub fn errors(&self) -> Vec<RowError> {
        let mut out = self.file_errors.clone();
        out.extend(self.rows.iter().flat_map(|r| r.errors.iter().cloned()));
        out
    }

    pub fn is_valid(&self) -> bool {
        self.file_errors.is_empty() && self.rows.iter().all(BatchRow::is_valid)
    }

    /// Adds an error to every row whose `account` cell names another account
    /// than the one the batch goes to (matched by name, case-insensitive, or
    /// id). An empty cell matches. Idempotent.
    pub fn check_account(&mut self, account_name: &str, account_id: &str) {
        for row in &mut self.rows {
            if let Some(e) = account_error(row, account_name, account_id) {
                if !row.errors.contains(&e) {
                    row.errors.push(e);
                }
            }
        }
    }
}

pub(crate) fn account_error(row: &BatchRow, account_name: &str, account_id: &str) -> Option<RowError> {
    let cell = row.account.as_deref().map(str::trim).filter(|a| !a.is_empty())?;
    if cell.eq_ignore_ascii_case(account_name) || cell == account_id {
        return None;
    }
    Some(
        RowError::new(
            row.line,
            "account",
            cell,
            format!("this row is for the account \"{cell}\", but the batch goes to \"{account_name}\""),
            format!("Clear the cell, write \"{account_name}\", or import this row into \"{cell}\" separately."),
        )
        .with_code(ErrorCode::OtherAccount),
    )
}

/// Reads, parses, validates and prices a batch file. Only an unreadable file
/// is an `Err`; everything wrong inside it is in the `BatchFile`.
/// A file over `limits::MAX_FILE_BYTES` is not read past the limit: it
/// comes back with that one file error and no rows.
pub fn load_batch(path: &Path, prices: &LoadedPriceList) -> Result<BatchFile, std::io::Error> {
    match limits::read_capped(path)? {
        Ok(bytes) => Ok(parse_batch(&bytes, path, None, prices)),
        Err(too_large) => Ok(BatchFile {
            format: BatchFormat::detect(path, b""),
            source: path.to_path_buf(),
            rows: Vec::new(),
            file_errors: vec![too_large],
            price_list_warning: prices.warning.clone(),
        }),
    }
}

/// Parses `bytes` (format by `format`, else detected from `source` and the
/// content), validates each row and prices it.
pub fn parse_batch(bytes: &[u8], source: &Path, format: Option<BatchFormat>, prices: &LoadedPriceList) -> BatchFile {
    parse_batch_in(bytes, source, format, prices, &crate::paths::data_dir())
}

/// `parse_batch` with the data folder whose `wildcards/` templates (rows
/// with `expand` = yes) read.
pub fn parse_batch_in(bytes: &[u8], source: &Path, format: Option<BatchFormat>, prices: &LoadedPriceList, data_dir: &Path) -> BatchFile {
    let format = format.unwrap_or_else(|| BatchFormat::detect(source, bytes));
    let body = strip_bom(bytes);
    let (rows, mut file_errors, expand) = match format {
        BatchFormat::Csv => csv_file::read(body),
        BatchFormat::Jsonl => jsonl::read(body),
    };
    // Templates in `prompt` cells, only where the `expand` cell says yes.
    let (mut rows, too_many) = expand_rows::expand(rows, &expand, data_dir);
    for e in file_errors.iter_mut().filter(|e| e.code == ErrorCode::BadCell) {
        e.code = ErrorCode::BadFile;
    }
    file_errors.extend(too_many);
    let base = source.parent().map(Path::to_path_buf).unwrap_or_default();
    for row in &mut rows {
        resolve_files(&mut row.spec, &base);
    }
    check_rows(&mut rows, prices);
    BatchFile { format, source: source.to_path_buf(), rows, file_errors, price_list_warning: prices.warning.clone() }
}

/// Validates each row (job rules, local files) and prices it: the checks of
/// a batch file's rows, also applied to a variation set's jobs.
pub fn check_rows(rows: &mut [BatchRow], prices: &LoadedPriceList) {
    let mut priced = Priced::default();
    for row in rows {
        let parse_broke_price = row.errors.iter().any(|e| e.column == "duration" || e.column == "model");
        // A line that could not be read at all (not JSON, not UTF-8) is not
        // validated further: "a prompt is required" would only be noise.
        if row.errors.iter().any(|e| e.column == "(row)") && row.spec == JobSpec::default() {
            continue;
        }
        row.errors.extend(row.spec.validate().iter().map(|v| RowError::from_violation(row.line, v, &row.spec)));
        row.errors.extend(limits::prompt_too_long(row.line, &row.spec.prompt));
        row.errors.extend(media_errors(row.line, &row.spec));
        let priceable = (crate::job::MIN_DURATION..=crate::job::MAX_DURATION).contains(&row.spec.duration);
        if priceable && !parse_broke_price {
            row.estimate = priced.of(&row.spec, prices).clone();
        }
    }
}

/// Estimates by what a price depends on (model, length, video reference):
/// a batch has a few dozen of those, and pricing one (the packs' range of
/// exact decimal prices per credit) cost more than reading its row.
#[derive(Default)]
pub(crate) struct Priced(std::collections::HashMap<(String, u32, bool), Option<Estimate>>);

impl Priced {
    pub(crate) fn of(&mut self, spec: &JobSpec, prices: &LoadedPriceList) -> &Option<Estimate> {
        let key = (spec.model.clone(), spec.duration, spec.has_video_reference());
        self.0.entry(key).or_insert_with(|| crate::estimate(spec, &prices.list, &prices.info))
    }
}

/// Local file paths relative to the batch file's folder become absolute.
fn resolve_files(spec: &mut JobSpec, base: &Path) {
    for list in [&mut spec.image_files, &mut spec.video_files, &mut spec.audio_files] {
        for p in list.iter_mut() {
            let path = Path::new(p.as_str());
            if !p.trim().is_empty() && path.is_relative() {
                let joined = base.join(path);
                *p = std::path::absolute(&joined).unwrap_or(joined).display().to_string();
            }
        }
    }
}

/// Every local file that cannot be queued as it is (unreadable, not a
/// supported format of its column's kind, over the default size limit).
fn media_errors(line: u64, spec: &JobSpec) -> Vec<RowError> {
    use crate::media::{self, MediaError};
    let limits = media::MediaLimits::default();
    media::local_files(spec)
        .into_iter()
        .filter_map(|(kind, path)| {
            let e = media::check(Path::new(path), kind, &limits).err()?;
            // The batch file's own wording for two fixes: paths are relative to
            // the file, and a wrong kind is a matter of moving it to a column.
            let fix = match &e {
                MediaError::Unreadable { .. } => "Check the path (relative paths start at the batch file's folder).".to_string(),
                MediaError::WrongKind { found, .. } => format!("Move it to the {} column.", found.files_field()),
                other => other.fix(),
            };
            let rule = e.rule();
            Some(RowError::new(line, kind.files_field(), path, rule, fix).with_code(e.code()))
        })
        .collect()
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_violation_keeps_its_rule_and_fix() {
        let spec = JobSpec { prompt: "p".into(), function_mode: "first_last_frames".into(), image_urls: vec!["https://a/1".into(); 3], ..JobSpec::default() };
        let errors: Vec<RowError> = spec.validate().iter().map(|v| RowError::from_violation(7, v, &spec)).collect();
        assert_eq!(errors.len(), 1);
        let e = &errors[0];
        assert_eq!((e.code, e.line, e.column.as_str()), (ErrorCode::TooManyFrames, 7, "image_urls"));
        assert_eq!(e.rule, "first_last_frames uses at most 2 images (first and last frame); 3 given");
        assert_eq!(e.fix, "Remove 1 or switch to omni_reference.");
    }

    #[test]
    fn detects_format() {
        assert_eq!(BatchFormat::detect(Path::new("a.CSV"), b"{"), BatchFormat::Csv);
        assert_eq!(BatchFormat::detect(Path::new("a.ndjson"), b"prompt"), BatchFormat::Jsonl);
        assert_eq!(BatchFormat::detect(Path::new("a.txt"), b"\xEF\xBB\xBF \n{\"prompt\":1}"), BatchFormat::Jsonl);
        assert_eq!(BatchFormat::detect(Path::new("a"), b"prompt,model"), BatchFormat::Csv);
    }
}

#[cfg(test)]
mod tests_expand;
