//! The columns of a batch file: the API's field names plus `name` and
//! `account`, and how a cell's text becomes a `JobSpec` field.

use super::{BatchRow, RowError};
use crate::job::JobSpec;

/// Every column a batch file may have, in the order the writers use.
pub const FIELDS: [&str; 10] = ["prompt", "model", "function_mode", "ratio", "duration", "image_urls", "video_urls", "audio_urls", "name", "account"];

/// Columns of local files (paths, relative to the batch file or absolute).
/// Read from any batch file; written only when a row has local files.
pub const FILE_FIELDS: [&str; 3] = ["image_files", "video_files", "audio_files"];

/// The column that makes a row's prompt a template (`yes`): only then are
/// `{a|b}` and `__name__` expanded, so files with literal braces keep
/// meaning what they say. Read, never written.
pub const EXPAND_FIELD: &str = "expand";

/// The known column called `name` (case-insensitively when `any_case`).
pub(crate) fn column(name: &str, any_case: bool) -> Option<&'static str> {
    FIELDS.iter().chain(FILE_FIELDS.iter()).chain([EXPAND_FIELD].iter()).copied().find(|f| if any_case { f.eq_ignore_ascii_case(name) } else { *f == name })
}

/// Separates the items of a list cell in CSV.
pub const LIST_SEPARATOR: char = '|';

/// Settings key of the person's own price per credit (decimal string, dollars).
pub const PRICE_PER_CREDIT_SETTING: &str = "price_per_credit";

pub(crate) fn valid_columns() -> String {
    FIELDS.iter().chain(FILE_FIELDS.iter()).chain([EXPAND_FIELD].iter()).copied().collect::<Vec<_>>().join(", ")
}

pub(crate) fn is_list(field: &str) -> bool {
    matches!(field, "image_urls" | "video_urls" | "audio_urls" | "image_files" | "video_files" | "audio_files")
}

pub(crate) fn empty_row(line: u64) -> BatchRow {
    BatchRow { line, name: None, account: None, spec: JobSpec::default(), estimate: None, errors: Vec::new() }
}

/// The value of a spec field as it would be written in a CSV cell.
pub(crate) fn spec_value(spec: &JobSpec, field: &str) -> String {
    match field {
        "prompt" => spec.prompt.clone(),
        "model" => spec.model.clone(),
        "function_mode" => spec.function_mode.clone(),
        "ratio" => spec.ratio.clone(),
        "duration" => spec.duration.to_string(),
        "image_urls" => spec.image_urls.join("|"),
        "video_urls" => spec.video_urls.join("|"),
        "audio_urls" => spec.audio_urls.join("|"),
        "image_files" => spec.image_files.join("|"),
        "video_files" => spec.video_files.join("|"),
        "audio_files" => spec.audio_files.join("|"),
        _ => String::new(),
    }
}

fn list_slot<'a>(spec: &'a mut JobSpec, field: &str) -> &'a mut Vec<String> {
    match field {
        "image_urls" => &mut spec.image_urls,
        "video_urls" => &mut spec.video_urls,
        "image_files" => &mut spec.image_files,
        "video_files" => &mut spec.video_files,
        "audio_files" => &mut spec.audio_files,
        _ => &mut spec.audio_urls,
    }
}

pub(crate) fn set_list(row: &mut BatchRow, field: &str, items: Vec<String>) {
    *list_slot(&mut row.spec, field) = items;
}

/// A scalar (string) field; `None` keeps the API default.
pub(crate) fn set_text(row: &mut BatchRow, field: &str, value: &str) {
    match field {
        // The prompt is kept exactly as written (leading spaces, newlines).
        "prompt" => row.spec.prompt = value.to_string(),
        "model" => row.spec.model = value.trim().to_string(),
        "function_mode" => row.spec.function_mode = value.trim().to_string(),
        "ratio" => row.spec.ratio = value.trim().to_string(),
        "name" => row.name = Some(value.trim().to_string()).filter(|s| !s.is_empty()),
        "account" => row.account = Some(value.trim().to_string()).filter(|s| !s.is_empty()),
        _ => {}
    }
}

pub(crate) fn bad_duration(line: u64, value: &str) -> RowError {
    RowError::new(
        line,
        "duration",
        value,
        format!("\"{}\" is not a whole number of seconds", super::limits::shown(value)),
        format!("Write a whole number from {} to {}, e.g. 8.", crate::job::MIN_DURATION, crate::job::MAX_DURATION),
    )
}

/// A CSV cell. Empty (or blank) cells keep the API default; the prompt is
/// only defaulted when it is empty, never trimmed.
pub(crate) fn apply_cell(row: &mut BatchRow, field: &str, cell: &str) {
    if field == "prompt" {
        if !cell.is_empty() {
            set_text(row, field, cell);
        }
        return;
    }
    if cell.trim().is_empty() {
        return;
    }
    if is_list(field) {
        let items = cell.split(LIST_SEPARATOR).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
        set_list(row, field, items);
    } else if field == "duration" {
        match cell.trim().parse::<u32>() {
            Ok(d) => row.spec.duration = d,
            Err(_) => {
                let line = row.line;
                row.errors.push(bad_duration(line, cell));
            }
        }
    } else {
        set_text(row, field, cell);
    }
}
