//! CSV with a header row (RFC 4180 quoting: fields with commas, quotes and
//! newlines in double quotes; CRLF or LF). Line numbers are the file line
//! where a record starts, so a row after a multi-line prompt is still found.

use super::fields::{apply_cell, column, empty_row, valid_columns};
use super::limits::{cell_too_long, shown, too_many_rows, MAX_ROWS};
use super::{BatchRow, RowError};

/// The rows, the file's own problems, and each row's `expand` cell (None
/// without that column).
pub(crate) fn read(bytes: &[u8]) -> (Vec<BatchRow>, Vec<RowError>, Vec<Option<String>>) {
    let mut rows = Vec::new();
    let mut expand = Vec::new();
    let mut file_errors = Vec::new();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let mut lines = LineCounter { bytes, at: 0, line: 1 };

    // The header row.
    let header_line = match reader.read_byte_record(&mut record) {
        Ok(true) => lines.line_of(&record),
        Ok(false) => {
            file_errors.push(RowError::new(
                1,
                "(file)",
                "",
                "the file is empty",
                format!("Add a header row naming the columns ({}) and one row per job.", valid_columns()),
            ));
            return (rows, file_errors, expand);
        }
        Err(e) => {
            file_errors.push(unreadable(1, &e));
            return (rows, file_errors, expand);
        }
    };
    // Which field each column holds (None: an unknown or repeated column).
    let mut columns: Vec<Option<&'static str>> = Vec::new();
    for (i, raw) in record.iter().enumerate() {
        let name = String::from_utf8_lossy(raw).trim().to_string();
        let field = column(&name, true);
        match field {
            None => {
                let rule =
                    if name.is_empty() { format!("column {} has no name", i + 1) } else { format!("\"{}\" is not a column this app knows", shown(&name)) };
                let column = if name.is_empty() { "(header)".to_string() } else { shown(&name) };
                file_errors.push(RowError::new(
                    header_line,
                    &column,
                    name.clone(),
                    rule,
                    format!("Rename it to one of {}, or remove the column.", valid_columns()),
                ));
                columns.push(None);
            }
            Some(f) if columns.contains(&Some(f)) => {
                let first = columns.iter().position(|c| *c == Some(f)).map_or(0, |p| p + 1);
                file_errors.push(RowError::new(
                    header_line,
                    f,
                    name.clone(),
                    format!("the column \"{f}\" appears twice (columns {first} and {})", i + 1),
                    "Keep one of them and remove the other.",
                ));
                columns.push(None);
            }
            Some(f) => columns.push(Some(f)),
        }
    }
    let expand_column = columns.iter().position(|c| *c == Some(super::fields::EXPAND_FIELD));
    if !columns.contains(&Some("prompt")) {
        file_errors.push(RowError::new(header_line, "prompt", "", "the header has no prompt column", "Add a column named prompt: every job needs one."));
    }

    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                file_errors.push(unreadable(line, &e));
                break;
            }
        }
        let line = lines.line_of(&record);
        // A line with a single empty field (e.g. spaces only) is a blank line.
        if record.len() == 1 && record.get(0).is_some_and(|c| c.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            // Bounded work and memory for any file: the rest is not read.
            file_errors.push(too_many_rows(line));
            break;
        }
        let mut row = empty_row(line);
        if record.len() > columns.len() {
            let extra: Vec<String> = record.iter().skip(columns.len()).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
            row.errors.push(RowError::new(
                line,
                "(row)",
                extra.join(","),
                format!("this row has {} cells but the header has {} columns", record.len(), columns.len()),
                "Remove the extra cells, or quote a value that contains a comma (\"a, b\").",
            ));
        }
        for (cell, column) in record.iter().zip(&columns) {
            let Some(field) = column else { continue };
            if let Some(e) = cell_too_long(line, field, &String::from_utf8_lossy(cell)) {
                row.errors.push(e);
                continue;
            }
            match std::str::from_utf8(cell) {
                // The `'` our writer puts before a formula-like cell comes off.
                Ok(text) => apply_cell(&mut row, field, crate::csv_cell::restore(text)),
                Err(_) => row.errors.push(RowError::new(
                    line,
                    field,
                    String::from_utf8_lossy(cell).into_owned(),
                    "the cell is not valid UTF-8 text",
                    "Save the file as UTF-8 (in Excel: \"CSV UTF-8\"; elsewhere: encoding UTF-8).",
                )),
            }
        }
        rows.push(row);
        expand.push(expand_column.map(|i| record.get(i).map_or(String::new(), |c| crate::csv_cell::restore(&String::from_utf8_lossy(c)).trim().to_string())));
    }
    (rows, file_errors, expand)
}

/// The file line where a record starts. csv's `Position::line()` is one short
/// for a record after a CRLF (the record's start offset is the CR's LF), so
/// count from the byte offset, skipping the line ending the record starts on.
struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn line_of(&mut self, record: &csv::ByteRecord) -> u64 {
        let mut start = record.position().map_or(self.at as u64, |p| p.byte()) as usize;
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        let start = start.min(self.bytes.len()).max(self.at);
        self.line += self.bytes[self.at..start].iter().filter(|b| **b == b'\n').count() as u64;
        self.at = start;
        self.line
    }
}

fn unreadable(line: u64, e: &csv::Error) -> RowError {
    RowError::new(line, "(file)", "", format!("the file cannot be read as CSV ({e})"), "Check the quoting around this line.")
}
