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
mod fields;
mod jsonl;
pub mod preview;
pub mod queue;

pub use fields::{FIELDS, FILE_FIELDS, LIST_SEPARATOR, PRICE_PER_CREDIT_SETTING};
pub use preview::{batch_preview, AccountBalance, BalanceCheck, BatchDollars, BatchPreview, BreakdownLine, APP_CREDITS_NOTE, RESERVED_RULE};
pub use queue::{
    account_balance, batch_progress, enqueue_batch, list_batches, price_per_credit, reserved_credits, set_price_per_credit, BatchError, BatchProgress,
    BatchSummary, BatchView, LeftOut, Reserved,
};

use crate::job::JobSpec;
use crate::pricing::{estimate::Estimate, LoadedPriceList};
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
    pub line: u64,
    pub column: String,
    /// The value as written in the file (lists joined with `|`).
    pub value: String,
    /// What is wrong.
    pub rule: String,
    /// How to fix it.
    pub fix: String,
}

impl RowError {
    pub fn new(line: u64, column: &str, value: impl Into<String>, rule: impl Into<String>, fix: impl Into<String>) -> RowError {
        RowError { line, column: column.into(), value: value.into(), rule: rule.into(), fix: fix.into() }
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

    /// From a `JobSpec::validate()` violation: its message says the rule and
    /// then the fix, separated by the first "; " (else ". ").
    pub fn from_violation(line: u64, v: &crate::Violation, spec: &JobSpec) -> RowError {
        let (rule, fix) = split_message(&v.message);
        RowError::new(line, &v.field, fields::spec_value(spec, &v.field), rule, fix)
    }
}

fn split_message(message: &str) -> (String, String) {
    let cut = message.find("; ").map(|i| (i, 2)).or_else(|| message.find(". ").map(|i| (i, 2)));
    match cut {
        Some((i, n)) => {
            let fix = &message[i + n..];
            let mut chars = fix.chars();
            let fix = match chars.next() {
                Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
                None => String::new(),
            };
            (message[..i].trim_end_matches('.').to_string(), fix)
        }
        None => (message.trim_end_matches('.').to_string(), String::new()),
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
    Some(RowError::new(
        row.line,
        "account",
        cell,
        format!("this row is for the account \"{cell}\", but the batch goes to \"{account_name}\""),
        format!("Clear the cell, write \"{account_name}\", or import this row into \"{cell}\" separately."),
    ))
}

/// Reads, parses, validates and prices a batch file. Only an unreadable file
/// is an `Err`; everything wrong inside it is in the `BatchFile`.
pub fn load_batch(path: &Path, prices: &LoadedPriceList) -> Result<BatchFile, std::io::Error> {
    let bytes = std::fs::read(path)?;
    Ok(parse_batch(&bytes, path, None, prices))
}

/// Parses `bytes` (format by `format`, else detected from `source` and the
/// content), validates each row and prices it.
pub fn parse_batch(bytes: &[u8], source: &Path, format: Option<BatchFormat>, prices: &LoadedPriceList) -> BatchFile {
    let format = format.unwrap_or_else(|| BatchFormat::detect(source, bytes));
    let body = strip_bom(bytes);
    let (mut rows, file_errors) = match format {
        BatchFormat::Csv => csv_file::read(body),
        BatchFormat::Jsonl => jsonl::read(body),
    };
    let base = source.parent().map(Path::to_path_buf).unwrap_or_default();
    for row in &mut rows {
        resolve_files(&mut row.spec, &base);
        let parse_broke_price = row.errors.iter().any(|e| e.column == "duration" || e.column == "model");
        // A line that could not be read at all (not JSON, not UTF-8) is not
        // validated further: "a prompt is required" would only be noise.
        if row.spec == JobSpec::default() && row.errors.iter().any(|e| e.column == "(row)") {
            continue;
        }
        row.errors.extend(row.spec.validate().iter().map(|v| RowError::from_violation(row.line, v, &row.spec)));
        row.errors.extend(media_errors(row.line, &row.spec));
        let priceable = (crate::job::MIN_DURATION..=crate::job::MAX_DURATION).contains(&row.spec.duration);
        if priceable && !parse_broke_price {
            row.estimate = crate::estimate(&row.spec, &prices.list, &prices.info);
        }
    }
    BatchFile { format, source: source.to_path_buf(), rows, file_errors, price_list_warning: prices.warning.clone() }
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
            let fix = match &e {
                MediaError::Unreadable { .. } => "Check the path (relative paths start at the batch file's folder).".to_string(),
                MediaError::Unsupported { .. } => format!("Use one of these formats: {}.", media::SUPPORTED),
                MediaError::WrongKind { found, .. } => format!("Move it to the {} column.", found.files_field()),
                MediaError::TooLarge { .. } => "Use a smaller file.".to_string(),
                MediaError::Copy { .. } => String::new(),
            };
            let rule = e.to_string();
            let rule = rule.split(". ").next().unwrap_or(&rule).trim_end_matches('.').to_string();
            Some(RowError::new(line, kind.files_field(), path, rule, fix))
        })
        .collect()
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// A row as the writers take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteRow {
    pub name: Option<String>,
    pub account: Option<String>,
    pub spec: JobSpec,
}

/// Writes rows as CSV with every column (lists joined with `|`); what
/// `load_batch` reads back unchanged (URLs must not contain `|`: write %7C).
pub fn write_csv(rows: &[WriteRow]) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    // The local-file columns only when a row has local files, so files
    // without them look exactly as before.
    let with_files = rows.iter().any(|r| r.spec.has_local_files());
    let mut header: Vec<&str> = FIELDS.to_vec();
    if with_files {
        header.extend(FILE_FIELDS);
    }
    w.write_record(&header).expect("writing to memory");
    for r in rows {
        let s = &r.spec;
        let duration = s.duration.to_string();
        let (images, videos, audios) = (s.image_urls.join("|"), s.video_urls.join("|"), s.audio_urls.join("|"));
        let mut record: Vec<String> = vec![
            s.prompt.clone(),
            s.model.clone(),
            s.function_mode.clone(),
            s.ratio.clone(),
            duration,
            images,
            videos,
            audios,
            r.name.clone().unwrap_or_default(),
            r.account.clone().unwrap_or_default(),
        ];
        if with_files {
            record.extend([s.image_files.join("|"), s.video_files.join("|"), s.audio_files.join("|")]);
        }
        w.write_record(&record).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("written from strings")
}

/// Writes rows as JSON Lines (one object per line, lists as arrays).
pub fn write_jsonl(rows: &[WriteRow]) -> String {
    let mut out = String::new();
    for r in rows {
        let mut v = serde_json::to_value(&r.spec).expect("a JobSpec serializes");
        let obj = v.as_object_mut().expect("an object");
        if let Some(n) = &r.name {
            obj.insert("name".into(), n.clone().into());
        }
        if let Some(a) = &r.account {
            obj.insert("account".into(), a.clone().into());
        }
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_split_into_rule_and_fix() {
        assert_eq!(
            split_message("A prompt is required; describe the video you want."),
            ("A prompt is required".into(), "Describe the video you want.".into())
        );
        assert_eq!(split_message("no split here."), ("no split here".into(), String::new()));
    }

    #[test]
    fn detects_format() {
        assert_eq!(BatchFormat::detect(Path::new("a.CSV"), b"{"), BatchFormat::Csv);
        assert_eq!(BatchFormat::detect(Path::new("a.ndjson"), b"prompt"), BatchFormat::Jsonl);
        assert_eq!(BatchFormat::detect(Path::new("a.txt"), b"\xEF\xBB\xBF \n{\"prompt\":1}"), BatchFormat::Jsonl);
        assert_eq!(BatchFormat::detect(Path::new("a"), b"prompt,model"), BatchFormat::Csv);
    }
}
