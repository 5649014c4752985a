//! The `expand` column: a row whose cell says `yes` has a template in its
//! `prompt` (the variations language) and becomes one row per prompt, in
//! order, all on the row's file line and named from the values (the `name`
//! cell, else the template's text, first). Other rows are left exactly as
//! written, braces included.

use super::{BatchRow, RowError};
use crate::variations::{self, VariationRequest, Wildcards};
use crate::ErrorCode;
use std::path::Path;

pub(crate) fn expand(rows: Vec<BatchRow>, cells: &[Option<String>], data_dir: &Path) -> Vec<BatchRow> {
    if cells.iter().all(Option::is_none) {
        return rows;
    }
    let mut wildcards = Wildcards::of_data_dir(data_dir);
    let mut out = Vec::with_capacity(rows.len());
    for (mut row, cell) in rows.into_iter().zip(cells.iter().map(|c| c.as_deref().unwrap_or(""))) {
        let yes = match cell.to_ascii_lowercase().as_str() {
            "yes" => true,
            "" | "no" => false,
            _ => {
                row.errors.push(RowError::new(
                    row.line,
                    "expand",
                    cell,
                    format!("\"{cell}\" is not yes or no"),
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
        match variations::expand(&req, &mut wildcards) {
            Ok(e) => out.extend(e.jobs.into_iter().map(|j| BatchRow { name: Some(j.name), spec: j.spec, ..row.clone() })),
            Err(e) => {
                let code = if e.code() == ErrorCode::VariationsNeedConfirmation { ErrorCode::VariationsTooMany } else { e.code() };
                row.errors.push(RowError::new(row.line, "prompt", row.spec.prompt.clone(), e.to_string(), "").with_code(code));
                out.push(row);
            }
        }
    }
    out
}
