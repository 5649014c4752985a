//! The `expand` column: a row whose cell says `yes` has a template in its
//! `prompt` (the variations language) and becomes one row per prompt, in
//! order, all on the row's file line and named from the values (the `name`
//! cell, else the template's text, first). Other rows are left exactly as
//! written, braces included.

use super::{limits, BatchRow, RowError};
use crate::variations::{self, VariationRequest, Wildcards};
use crate::ErrorCode;
use std::path::Path;

/// The rows with templates expanded, and the file error when the whole
/// would make more than `limits::MAX_ROWS` jobs: each row's template is
/// counted (cheaply) before it is built, and the rows from the one that
/// goes past the limit on are left out, so a few rows of `{a|b|…}` cannot
/// make millions of jobs.
pub(crate) fn expand(rows: Vec<BatchRow>, cells: &[Option<String>], data_dir: &Path) -> (Vec<BatchRow>, Option<RowError>) {
    if cells.iter().all(Option::is_none) {
        return (rows, None);
    }
    let mut wildcards = Wildcards::of_data_dir(data_dir);
    let mut out = Vec::with_capacity(rows.len());
    let rows_after: Vec<usize> = (0..rows.len()).map(|i| rows.len() - i - 1).collect();
    for ((mut row, cell), after) in rows.into_iter().zip(cells.iter().map(|c| c.as_deref().unwrap_or(""))).zip(rows_after) {
        let yes = match cell.to_ascii_lowercase().as_str() {
            "yes" => true,
            "" | "no" => false,
            _ => {
                row.errors.push(RowError::new(
                    row.line,
                    "expand",
                    cell,
                    format!("\"{}\" is not yes or no", super::limits::shown(cell)),
                    "Write yes to expand the prompt as a template, or leave it empty.",
                ));
                false
            }
        };
        // A row that could not be read stays one row with its errors.
        if !yes || !row.errors.is_empty() {
            out.push(row);
            continue;
        }
        let req = VariationRequest { template: row.spec.prompt.clone(), base: row.spec.clone(), vary: Vec::new(), takes: 1, name: row.name.clone() };
        // This row's jobs, plus one for each row after it, must fit.
        let count = variations::count(&req, &mut wildcards).unwrap_or(1);
        if out.len() as u64 + count + after as u64 > limits::MAX_ROWS as u64 {
            let rule =
                format!("expanding this row makes {count} jobs, which brings the file past {} jobs; this row and the rest were left out", limits::MAX_ROWS);
            let fix = "Use fewer values in the template, or split the file and import the parts one after another.";
            return (out, Some(RowError::new(row.line, "prompt", row.spec.prompt.clone(), rule, fix).with_code(ErrorCode::BatchTooLarge)));
        }
        match variations::expand(&req, &mut wildcards) {
            Ok(e) => out.extend(e.jobs.into_iter().map(|j| BatchRow { name: Some(j.name), spec: j.spec, ..row.clone() })),
            Err(e) => {
                let code = if e.code() == ErrorCode::VariationsNeedConfirmation { ErrorCode::VariationsTooMany } else { e.code() };
                row.errors.push(RowError::new(row.line, "prompt", row.spec.prompt.clone(), e.to_string(), "").with_code(code));
                out.push(row);
            }
        }
    }
    (out, None)
}
