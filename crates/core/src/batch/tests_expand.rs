//! The batch reader's `expand` column: templates only where it says yes.

use crate::batch::{parse_batch_in, BatchFile, BatchFormat};
use crate::ErrorCode;
use std::path::Path;

fn read(text: &str, format: BatchFormat, data: &Path) -> BatchFile {
    let prices = crate::load_price_list(Path::new("/nonexistent-loova-dir"));
    parse_batch_in(text.as_bytes(), Path::new("t"), Some(format), &prices, data)
}

fn prompts(f: &BatchFile) -> Vec<(u64, &str, &str)> {
    f.rows.iter().map(|r| (r.line, r.spec.prompt.as_str(), r.name.as_deref().unwrap_or(""))).collect()
}

#[test]
fn csv_rows_expand_only_where_the_column_says_yes() {
    let data = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(data.path().join("wildcards")).unwrap();
    std::fs::write(data.path().join("wildcards/weather.txt"), "rain\nsnow\n").unwrap();
    let text = "prompt,name,expand\n\"a {red|blue} fox in __weather__\",Fox,yes\nliteral {braces|stay},,\nnot {expanded},,no\n";
    let f = read(text, BatchFormat::Csv, data.path());
    assert!(f.is_valid(), "{:?}", f.errors());
    assert_eq!(
        prompts(&f),
        [
            (2, "a red fox in rain", "Fox — red · rain"),
            (2, "a red fox in snow", "Fox — red · snow"),
            (2, "a blue fox in rain", "Fox — blue · rain"),
            (2, "a blue fox in snow", "Fox — blue · snow"),
            (3, "literal {braces|stay}", ""),
            (4, "not {expanded}", ""),
        ]
    );
    // Without the column, braces are text as they always were.
    let f = read("prompt\n\"a {red|blue} fox\"\n", BatchFormat::Csv, data.path());
    assert_eq!(prompts(&f), [(2, "a {red|blue} fox", "")]);
}

#[test]
fn jsonl_rows_expand_with_yes_or_true_and_errors_keep_their_line() {
    let data = tempfile::tempdir().unwrap();
    let text = "{\"prompt\":\"{a|b}\",\"expand\":true}\n{\"prompt\":\"x {y\",\"expand\":\"yes\"}\n{\"prompt\":\"z\",\"expand\":\"maybe\"}\n{\"prompt\":\"__nope__\",\"expand\":\"yes\"}\n";
    let f = read(text, BatchFormat::Jsonl, data.path());
    assert_eq!(f.rows.len(), 5);
    assert_eq!(prompts(&f)[..2], [(1, "a", "Variations — a"), (1, "b", "Variations — b")]);
    let e = f.errors();
    assert_eq!((e[0].line, e[0].column.as_str(), e[0].code), (2, "prompt", ErrorCode::TemplateSyntax));
    assert!(e[0].rule.starts_with("col 3: \"{\" is never closed"), "{}", e[0].rule);
    assert_eq!((e[1].line, e[1].column.as_str()), (3, "expand"));
    assert_eq!((e[2].line, e[2].code), (4, ErrorCode::WildcardNotFound));
    assert!(e[2].rule.contains(&data.path().join("wildcards/nope.txt").display().to_string()));
}
