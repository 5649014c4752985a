//! Text cells of the CSV files this app writes, made safe to open in a
//! spreadsheet (OWASP "CSV injection"): a cell that begins with `=`, `+`,
//! `-`, `@`, a tab or a carriage return is a formula to Excel, LibreOffice
//! and Google Sheets, so a prompt like `=HYPERLINK("http://x","y")` would
//! become a live link (or worse, a DDE command) in the person's sheet. Such
//! a cell is written with a leading `'`, which every spreadsheet shows as
//! text and hides.
//!
//! The rule is a bijection so that our own importer gives back exactly what
//! was written ([`restore`] undoes [`neutralise`]):
//! - a cell of the form `'…'` + trigger + rest (zero or more quotes, then a
//!   trigger character) gets one more `'` in front; a cell beginning with a
//!   quote but no trigger after the quotes is left alone;
//! - reading, a cell of that form with at least one leading `'` loses one.
//!
//! So `=x` → `'=x` → `=x`, and a prompt that really begins with `'=x` is
//! written `''=x` and read back as `'=x`. A hand-written `=x` (no quote)
//! is read as `=x`, as before.
//!
//! Plain numbers (`-5`, `+3`, `-0.25`) are left alone: a spreadsheet reads
//! them as numbers, not formulas, and quoting them would turn the credits
//! columns into text that no longer sums, and a negative number written by
//! hand into a text cell that would not import as a number.

use std::borrow::Cow;

const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `cell` (after any leading quotes) begins with a formula trigger
/// and is not a plain number.
fn escapable(cell: &str) -> bool {
    let after_quotes = cell.trim_start_matches('\'');
    after_quotes.starts_with(TRIGGERS) && !is_plain_number(cell)
}

/// `[+-]digits[.digits]`: what a spreadsheet reads as a number.
fn is_plain_number(cell: &str) -> bool {
    let body = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let (int, frac) = body.split_once('.').unwrap_or((body, "0"));
    !int.is_empty() && !frac.is_empty() && int.bytes().all(|b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit())
}

/// The cell as written to a CSV file (see the module's rule).
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if escapable(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A cell as read from a CSV file: one leading `'` that [`neutralise`]
/// added is taken off again.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if escapable(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_quoted_and_come_back_unchanged() {
        for (given, written) in [
            ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=x", "''=x"),
            ("''@x", "'''@x"),
        ] {
            assert_eq!(neutralise(given), written, "{given:?}");
            assert_eq!(restore(written), given, "{written:?}");
        }
    }

    #[test]
    fn ordinary_text_and_numbers_are_left_alone() {
        for cell in ["a red fox", "", "'quoted", "it's", "-5", "+3", "-0.25", "12", "seedance_2_0", "https://x/a.png", "'"] {
            assert_eq!(neutralise(cell), cell, "{cell:?}");
            assert_eq!(restore(cell), cell, "{cell:?}");
        }
        // A hand-written formula (no quote) imports as written; a quoted one
        // as the spreadsheet shows it.
        assert_eq!(restore("=x"), "=x");
        assert_eq!(restore("'-x"), "-x");
    }

    #[test]
    fn every_short_string_round_trips() {
        let alphabet = ['\'', '=', '-', '5', 'a', '\t', '.'];
        let mut cells = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = cells.iter().flat_map(|c| alphabet.iter().map(move |a| format!("{c}{a}"))).collect();
            cells.extend(longer);
        }
        for cell in &cells {
            let written = neutralise(cell);
            assert_eq!(restore(&written), cell, "{cell:?} written as {written:?}");
            assert!(!written.starts_with(TRIGGERS) || is_plain_number(&written), "{cell:?} written as {written:?}");
        }
    }
}
