//! JSON Lines: one object per line with the CSV's column names as keys, lists
//! as arrays of strings. Blank lines are skipped (but counted for line numbers).

use super::fields::{bad_duration, column, empty_row, is_list, set_list, set_text, valid_columns};
use super::limits::{cell_too_long, shown, too_many_rows, MAX_ROWS};
use super::{BatchRow, RowError};
use serde_json::Value;

/// The rows, the file's problems (JSON Lines has no header: only too many
/// rows), and each row's
/// `expand` key (`"yes"`/`"no"`, or true/false; None when absent).
pub(crate) fn read(bytes: &[u8]) -> (Vec<BatchRow>, Vec<RowError>, Vec<Option<String>>) {
    let mut rows = Vec::new();
    let mut expand = Vec::new();
    let mut file_errors = Vec::new();
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = i as u64 + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            // Bounded work and memory for any file: the rest is not read.
            file_errors.push(too_many_rows(line));
            break;
        }
        let mut row = empty_row(line);
        let mut expand_cell = None;
        match std::str::from_utf8(raw) {
            Err(_) => row.errors.push(RowError::new(
                line,
                "(row)",
                String::from_utf8_lossy(raw).into_owned(),
                "the line is not valid UTF-8 text",
                "Save the file as UTF-8.",
            )),
            Ok(text) => expand_cell = read_object(text, &mut row),
        }
        rows.push(row);
        expand.push(expand_cell);
    }
    (rows, file_errors, expand)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn read_object(text: &str, row: &mut BatchRow) -> Option<String> {
    let line = row.line;
    let mut expand = None;
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            row.errors.push(RowError::new(
                line,
                "(row)",
                text,
                format!("the line is not valid JSON ({e})"),
                "Write one JSON object per line, e.g. {\"prompt\": \"a red fox\", \"duration\": 8}.",
            ));
            return None;
        }
    };
    let Value::Object(map) = value else {
        row.errors.push(RowError::new(
            line,
            "(row)",
            text,
            format!("the line is {}, not a JSON object", type_name(&value)),
            "Write one JSON object per line, e.g. {\"prompt\": \"a red fox\"}.",
        ));
        return None;
    };
    for (key, v) in map {
        let Some(field) = column(&key, false) else {
            row.errors.push(RowError::new(
                line,
                &shown(&key),
                v.to_string(),
                format!("\"{}\" is not a field this app knows", shown(&key)),
                format!("Use only {}, or remove it.", valid_columns()),
            ));
            continue;
        };
        if v.is_null() {
            continue; // The API default, as for an empty CSV cell.
        }
        let longest = match &v {
            Value::String(s) => s.len(),
            Value::Array(items) => items.iter().map(|i| i.as_str().map_or(0, str::len)).sum(),
            _ => 0,
        };
        if longest > super::limits::MAX_CELL_BYTES {
            row.errors.extend(cell_too_long(line, field, &v.to_string()));
            continue;
        }
        if field == super::fields::EXPAND_FIELD {
            expand = Some(match &v {
                Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
                Value::String(s) => s.trim().to_string(),
                other => other.to_string(),
            });
            continue;
        }
        let wrong = |expected: &str| {
            RowError::new(line, field, v.to_string(), format!("{field} must be {expected}, not {}", type_name(&v)), format!("Write it as {expected}."))
        };
        if field == "duration" {
            match v.as_u64().and_then(|d| u32::try_from(d).ok()) {
                Some(d) => row.spec.duration = d,
                None if v.is_number() => row.errors.push(bad_duration(line, &v.to_string())),
                None => row.errors.push(wrong("a whole number of seconds (e.g. 8)")),
            }
        } else if is_list(field) {
            let items = match &v {
                Value::Array(items) => items.iter().map(|i| i.as_str().map(String::from)).collect::<Option<Vec<_>>>(),
                _ => None,
            };
            match items {
                Some(items) => set_list(row, field, items),
                None => row.errors.push(wrong("an array of strings (e.g. [\"https://…\"])")),
            }
        } else {
            match v.as_str() {
                Some(s) => set_text(row, field, s),
                None => row.errors.push(wrong("a string")),
            }
        }
    }
    expand
}
