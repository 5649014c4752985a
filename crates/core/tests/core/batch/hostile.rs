//! Files made to hurt: formulas for the spreadsheet that opens our CSV, and
//! files too big, too long or multiplying into too many jobs. Each limit
//! answers with the row, the rule and the fix, and a short echo of the cell.

use super::helpers::*;
use loova_core::batch::limits::{MAX_CELL_BYTES, MAX_FILE_BYTES, MAX_PROMPT_CHARS, MAX_ROWS, SHOWN_CHARS};
use loova_core::batch::{self, parse_batch, parse_batch_in, BatchFormat, WriteRow};
use loova_core::{ErrorCode, JobSpec};
use std::path::Path;

const FORMULA: &str = "=HYPERLINK(\"http://x\",\"y\")";

fn csv(text: &str) -> batch::BatchFile {
    parse_batch(text.as_bytes(), Path::new("t.csv"), Some(BatchFormat::Csv), &prices())
}

#[test]
fn a_formula_prompt_is_written_as_text_and_read_back_unchanged() {
    let rows = [
        WriteRow { name: Some("@SUM(A1)".into()), account: None, spec: JobSpec { prompt: FORMULA.into(), ..JobSpec::default() } },
        WriteRow { name: None, account: None, spec: JobSpec { prompt: "'=already quoted".into(), ..JobSpec::default() } },
        WriteRow { name: None, account: None, spec: JobSpec { prompt: "-dash first\tthen a tab".into(), ..JobSpec::default() } },
    ];
    let text = batch::write_csv(&rows);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "a cell a spreadsheet would run: {cell:?}");
        }
    }
    assert!(text.contains("'=HYPERLINK("), "{text}");
    let back = csv(&text);
    assert!(back.is_valid(), "{:#?}", back.errors());
    let prompts: Vec<&str> = back.rows.iter().map(|r| r.spec.prompt.as_str()).collect();
    assert_eq!(prompts, [FORMULA, "'=already quoted", "-dash first\tthen a tab"]);
    assert_eq!(back.rows[0].name.as_deref(), Some("@SUM(A1)"));
    // A number is not a formula: a hand-written duration still imports, and
    // a negative one is still the duration rule's error, not a text cell.
    let typed = csv("prompt,duration\na fox,8\nan owl,-5\n");
    assert_eq!(typed.rows[0].spec.duration, 8);
    assert_eq!(typed.rows[1].errors[0].column, "duration");
    assert!(typed.rows[1].errors[0].rule.contains("\"-5\""), "{:?}", typed.rows[1].errors);
}

#[test]
fn a_file_over_the_size_limit_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.csv");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(MAX_FILE_BYTES + 1).unwrap(); // sparse: no disk used
    let f = batch::load_batch(&path, &prices()).unwrap();
    assert!(f.rows.is_empty());
    let e = &f.file_errors[0];
    assert_eq!((e.code, e.line, e.column.as_str()), (ErrorCode::BatchTooLarge, 1, "(file)"));
    assert!(e.rule.contains("64.0 MB"), "the rule names the limit: {}", e.rule);
    assert!(e.fix.contains("Split"), "{}", e.fix);
}

/// A device that never ends is refused at the limit instead of filling memory.
#[cfg(unix)]
#[test]
fn an_endless_file_is_refused_at_the_limit() {
    let f = batch::load_batch(Path::new("/dev/zero"), &prices()).unwrap();
    assert_eq!(f.file_errors[0].code, ErrorCode::BatchTooLarge);
    assert!(f.rows.is_empty());
}

#[test]
fn rows_past_the_limit_are_not_read() {
    let mut text = String::from("prompt\n");
    let mut jsonl = String::new();
    for i in 0..MAX_ROWS + 5 {
        text.push_str(&format!("shot {i}\n"));
        jsonl.push_str(&format!("{{\"prompt\": \"shot {i}\"}}\n"));
    }
    for (f, first_left_out) in [(csv(&text), MAX_ROWS as u64 + 2), (parse_batch(jsonl.as_bytes(), Path::new("t.jsonl"), None, &prices()), MAX_ROWS as u64 + 1)]
    {
        assert_eq!(f.rows.len(), MAX_ROWS);
        assert_eq!(f.file_errors.len(), 1, "{:?}", f.file_errors);
        let e = &f.file_errors[0];
        assert_eq!((e.code, e.line), (ErrorCode::BatchTooLarge, first_left_out));
        assert!(e.rule.contains(&MAX_ROWS.to_string()), "{}", e.rule);
        assert!(!f.is_valid(), "a file error blocks queueing");
    }
}

#[test]
fn a_cell_over_the_limit_is_refused_and_echoed_short() {
    let long = "x".repeat(MAX_CELL_BYTES + 1);
    let f = csv(&format!("prompt,name\n{long},fine\n"));
    let e = f.rows[0].errors.iter().find(|e| e.code == ErrorCode::CellTooLong).expect("the cell's error");
    assert_eq!((e.line, e.column.as_str()), (2, "prompt"));
    assert!(e.rule.contains(&MAX_CELL_BYTES.to_string()), "{}", e.rule);
    assert_eq!(e.value.chars().count(), SHOWN_CHARS + 1, "cut, with an ellipsis");
    assert!(e.value.ends_with('…'));
    let j = parse_batch(format!("{{\"prompt\": \"{long}\"}}\n").as_bytes(), Path::new("t.jsonl"), None, &prices());
    assert_eq!(j.rows[0].errors[0].code, ErrorCode::CellTooLong);
    // Any echoed line is short too, e.g. a JSONL line that is not JSON.
    let junk = parse_batch(format!("{{{}\n", "y".repeat(5_000)).as_bytes(), Path::new("t.jsonl"), None, &prices());
    assert!(junk.rows[0].errors[0].value.chars().count() <= SHOWN_CHARS + 1);
}

#[test]
fn a_prompt_over_the_limit_is_refused_one_at_the_limit_is_not() {
    let at = csv(&format!("prompt\n{}\n", "a".repeat(MAX_PROMPT_CHARS)));
    assert!(at.is_valid(), "{:?}", at.errors());
    let over = csv(&format!("prompt\n{}\n", "é".repeat(MAX_PROMPT_CHARS + 1)));
    let e = &over.rows[0].errors[0];
    assert_eq!((e.code, e.column.as_str()), (ErrorCode::PromptTooLong, "prompt"));
    assert!(e.rule.contains(&MAX_PROMPT_CHARS.to_string()) && e.rule.contains(&(MAX_PROMPT_CHARS + 1).to_string()), "{}", e.rule);
}

#[test]
fn expand_rows_cannot_multiply_past_the_limit() {
    let data = tempfile::tempdir().unwrap();
    // 1,000 jobs, then a row that alone makes 10,000 (the most one
    // variation set may), then a plain row: 11,001 in all.
    let ten = "{0|1|2|3|4|5|6|7|8|9}";
    let text = format!("prompt,expand\n{ten}{ten}{ten},yes\n{ten}{ten}{ten}{ten},yes\nplain,\n");
    let f = parse_batch_in(text.as_bytes(), Path::new("t.csv"), Some(BatchFormat::Csv), &prices(), data.path());
    assert_eq!(f.rows.len(), 1_000, "the first row's jobs, then nothing");
    let e = f.file_errors.iter().find(|e| e.code == ErrorCode::BatchTooLarge).expect("the limit's error");
    assert_eq!((e.line, e.column.as_str()), (3, "prompt"));
    assert!(e.rule.contains("10000 jobs"), "{}", e.rule);
    assert!(!f.is_valid());
}

#[test]
fn a_wildcard_file_over_the_limit_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("wildcards");
    std::fs::create_dir_all(&dir).unwrap();
    let file = std::fs::File::create(dir.join("big.txt")).unwrap();
    file.set_len(loova_core::variations::expand::MAX_WILDCARD_BYTES + 1).unwrap();
    let f = parse_batch_in(b"prompt,expand\na __big__ fox,yes\n", Path::new("t.csv"), Some(BatchFormat::Csv), &prices(), data.path());
    let e = &f.rows[0].errors[0];
    assert_eq!(e.code, ErrorCode::WildcardNotFound);
    assert!(e.rule.contains("1024 KB"), "{}", e.rule);
}
