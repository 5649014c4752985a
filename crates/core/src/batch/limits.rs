//! How much one batch file may hold. A file comes from anywhere (a
//! download, a colleague, a script gone wrong); without limits a huge or
//! endless file (`/dev/zero`, a 4 GB log renamed .csv) fills memory before
//! anything is shown, and a template row can multiply into millions of jobs.
//! Each limit is far above real use: 10,000 jobs is also the most one
//! variation set may queue (`variations::MAX_JOBS`).

use super::RowError;
use crate::ErrorCode;
use std::io::Read;
use std::path::Path;

/// The largest batch file read (64 MiB: 10,000 rows of long prompts with
/// every reference column filled stay below it).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// The most jobs one file makes, after its `expand` rows are expanded.
pub const MAX_ROWS: usize = crate::variations::MAX_JOBS as usize;
/// The longest cell (or JSON string value): 9 image links of 2,000
/// characters fit; a runaway quote that swallows the rest of the file not.
pub const MAX_CELL_BYTES: usize = 32 * 1024;
/// The longest prompt, in characters, of a row or an expanded template.
pub const MAX_PROMPT_CHARS: usize = 5_000;
/// How much of a cell or line is shown back in an error: enough to find it
/// in the file, never the whole of a huge cell.
pub const SHOWN_CHARS: usize = 200;

/// `text` cut to [`SHOWN_CHARS`] characters, with `…` when cut.
pub fn shown(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// The file's bytes, or (over [`MAX_FILE_BYTES`]) the error naming the
/// limit. Reads at most one byte past the limit, so a file that grows or
/// never ends (a device, a pipe) is refused too.
pub(crate) fn read_capped(path: &Path) -> std::io::Result<Result<Vec<u8>, RowError>> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE_BYTES {
        return Ok(Err(file_too_large(Some(size))));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Ok(Err(file_too_large(None)));
    }
    Ok(Ok(bytes))
}

pub(crate) fn file_too_large(size: Option<u64>) -> RowError {
    let is = size.map_or_else(|| "larger than".to_string(), |s| format!("{}, more than", mb(s)));
    RowError::new(
        1,
        "(file)",
        "",
        format!("the file is {is} the {} a batch file may have", mb(MAX_FILE_BYTES)),
        "Split it into several files and import them one after another.",
    )
    .with_code(ErrorCode::BatchTooLarge)
}

/// The file error for the first row past [`MAX_ROWS`] (nothing after it is read).
pub(crate) fn too_many_rows(line: u64) -> RowError {
    RowError::new(
        line,
        "(file)",
        "",
        format!("the file has more than {MAX_ROWS} jobs; this row and the rest were not read"),
        format!("Split it into files of at most {MAX_ROWS} jobs (or expand fewer values) and import them one after another."),
    )
    .with_code(ErrorCode::BatchTooLarge)
}

/// A cell (or JSON value) longer than [`MAX_CELL_BYTES`], if `text` is.
pub(crate) fn cell_too_long(line: u64, column: &str, text: &str) -> Option<RowError> {
    (text.len() > MAX_CELL_BYTES).then(|| {
        RowError::new(
            line,
            column,
            text,
            format!("the cell has {} bytes; a cell may have at most {MAX_CELL_BYTES}", text.len()),
            "Shorten it; if it swallowed the rows after it, close the quote it opened.",
        )
        .with_code(ErrorCode::CellTooLong)
    })
}

/// A prompt longer than [`MAX_PROMPT_CHARS`] characters, if it is.
pub(crate) fn prompt_too_long(line: u64, prompt: &str) -> Option<RowError> {
    let chars = prompt.chars().count();
    (chars > MAX_PROMPT_CHARS).then(|| {
        RowError::new(line, "prompt", prompt, format!("the prompt has {chars} characters; at most {MAX_PROMPT_CHARS} are accepted"), "Shorten the prompt.")
            .with_code(ErrorCode::PromptTooLong)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_text_is_cut_with_an_ellipsis() {
        assert_eq!(shown("short"), "short");
        let long = "é".repeat(SHOWN_CHARS + 50);
        let cut = shown(&long);
        assert_eq!(cut.chars().count(), SHOWN_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(shown(&"a".repeat(SHOWN_CHARS)), "a".repeat(SHOWN_CHARS), "exactly the limit is not cut");
    }
}
