//! Reading batch files: errors, encodings, round trips, 10,000 rows.

use super::helpers::*;
use loova_core::batch::{self, batch_preview, parse_batch, BatchFile, BatchFormat, WriteRow};
use loova_core::JobSpec;
use proptest::prelude::*;
use std::path::Path;

#[test]
fn bom_crlf_quoted_commas_quotes_and_newlines() {
    let f = load("bom_crlf_quotes.csv");
    assert_eq!(f.format, BatchFormat::Csv);
    assert!(f.is_valid(), "{:#?}", f.errors());
    assert_eq!(f.rows.len(), 3);
    assert_eq!(f.rows[0].spec.prompt, "A fox, red, in snow");
    assert_eq!(f.rows[0].name.as_deref(), Some("fox"));
    assert_eq!(f.rows[0].spec.duration, 8);
    assert_eq!(f.rows[1].spec.prompt, "She said \"cut!\" and\r\nthe scene ends");
    assert_eq!(f.rows[1].spec.image_urls, ["https://e.com/a.png", "https://e.com/b.png"], "items trimmed, empty ones dropped");
    assert_eq!(f.rows[1].spec.model, "seedance_2_0_fast");
    // Lines: header 1, rows start on 2, 3 (spanning 3–4) and 5.
    assert_eq!(f.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3, 5]);
    // Empty cells take the API defaults.
    assert_eq!(f.rows[2].spec, JobSpec { prompt: "plain prompt".into(), ..JobSpec::default() });
    assert_eq!(f.rows[2].name, None);
    assert_eq!(f.rows[2].estimate.as_ref().unwrap().credits, 75);
}

#[test]
fn every_row_error_with_its_line_and_column() {
    let f = load("row_errors.csv");
    assert!(f.file_errors.is_empty());
    let expected: Vec<(u64, &str)> = vec![
        (3, "model"),
        (3, "prompt"),
        (4, "function_mode"),
        (4, "ratio"),
        (5, "duration"),
        (6, "duration"),
        (7, "image_urls"),
        (7, "image_urls"),
        (8, "audio_urls"),
        (9, "image_urls"),
        (10, "(row)"),
        (11, "duration"),
    ];
    let got = where_(&f);
    assert_eq!(got, expected.iter().map(|(l, c)| (*l, c.to_string())).collect::<Vec<_>>());
    assert_eq!(f.valid().map(|r| r.line).collect::<Vec<_>>(), [2, 13]);
    assert_eq!(f.invalid().count(), 9);
    let errs = f.errors();
    let dur = errs.iter().find(|e| e.line == 5).unwrap();
    assert_eq!((dur.value.as_str(), dur.rule.as_str()), ("eight", "\"eight\" is not a whole number of seconds"));
    assert!(dur.fix.contains("4 to 15"));
    let model = &errs[0];
    assert_eq!(model.value, "seedance_3");
    assert!(model.fix.starts_with("Use seedance_2_0"), "{model:?}");
    // A row whose duration could not be read is not priced (not as 5 s).
    assert!(f.rows.iter().find(|r| r.line == 5).unwrap().estimate.is_none());
    assert!(errs.iter().all(|e| !e.rule.is_empty() && !e.fix.is_empty()), "{errs:#?}");
    assert_eq!(errs[4].located("f.csv"), "f.csv:5: duration: \"eight\" is not a whole number of seconds; Write a whole number from 4 to 15, e.g. 8.");
}

#[test]
fn header_errors_name_the_column_and_the_valid_ones() {
    let f = load("header_errors.csv");
    let cols: Vec<(u64, String)> = f.file_errors.iter().map(|e| (e.line, e.column.clone())).collect();
    assert_eq!(cols, [(1, "promt".to_string()), (1, "model".into()), (1, "durations".into()), (1, "prompt".into())]);
    assert!(f.file_errors[0].fix.contains("prompt, model, function_mode, ratio, duration, image_urls, video_urls, audio_urls, name, account"));
    assert!(f.file_errors[1].rule.contains("appears twice (columns 2 and 3)"));
    assert!(!f.is_valid());
}

#[test]
fn invalid_utf8_and_empty_files_are_reported() {
    let f = load("latin1.csv");
    assert_eq!(where_(&f), [(2, "prompt".to_string()), (2, "prompt".to_string())], "not UTF-8, then empty prompt");
    assert!(f.errors()[0].rule.contains("UTF-8"));
    assert_eq!(f.valid().count(), 1);
    let e = load("empty.csv");
    assert_eq!(e.file_errors.len(), 1);
    assert_eq!(e.file_errors[0].column, "(file)");
}

#[test]
fn jsonl_wrong_types_unknown_keys_and_bad_lines() {
    let f = load("wrong_types.jsonl");
    assert_eq!(f.format, BatchFormat::Jsonl);
    let got = where_(&f);
    let expected = [
        (3, "duration"),
        (3, "prompt"),
        (3, "prompt"), // wrong type, then the (now empty) prompt is required
        (4, "image_urls"),
        (5, "video_urls"),
        (6, "durration"),
        (7, "duration"),
        (8, "(row)"),
        (9, "(row)"),
    ];
    let mut got_sorted = got.clone();
    got_sorted.sort();
    let mut exp: Vec<(u64, String)> = expected.iter().map(|(l, c)| (*l, c.to_string())).collect();
    exp.sort();
    assert_eq!(got_sorted, exp, "{:#?}", f.errors());
    assert_eq!(f.valid().map(|r| r.line).collect::<Vec<_>>(), [1, 10], "the blank line 2 is skipped but counted");
    let last = &f.rows.last().unwrap().spec;
    assert_eq!((last.model.as_str(), last.duration), ("seedance_2_0_fast", 5), "null takes the default");
    let wrong = f.errors().into_iter().find(|e| e.line == 4).unwrap();
    assert!(wrong.rule.contains("must be an array of strings"), "{wrong:?}");
}

#[test]
fn the_example_files_are_valid_and_agree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples");
    let csv = batch::load_batch(&root.join("batch.csv"), &prices()).unwrap();
    let jsonl = batch::load_batch(&root.join("batch.jsonl"), &prices()).unwrap();
    assert!(csv.is_valid(), "{:#?}", csv.errors());
    assert!(jsonl.is_valid(), "{:#?}", jsonl.errors());
    let specs = |f: &BatchFile| f.rows.iter().map(|r| (r.name.clone(), r.spec.clone())).collect::<Vec<_>>();
    assert_eq!(specs(&csv), specs(&jsonl));
}

#[test]
fn format_is_detected_from_content_without_an_extension() {
    let p = prices();
    let f = parse_batch(b"{\"prompt\":\"a\"}\n", Path::new("batch.txt"), None, &p);
    assert_eq!((f.format, f.rows.len()), (BatchFormat::Jsonl, 1));
    let f = parse_batch(b"prompt\na\n", Path::new("batch.txt"), None, &p);
    assert_eq!((f.format, f.rows.len()), (BatchFormat::Csv, 1));
}

// ---- round trips -------------------------------------------------------

fn url() -> impl Strategy<Value = String> {
    "[a-z]{1,8}(/[a-zA-Z0-9_.-]{0,10}){0,2}".prop_map(|p| format!("https://{p}"))
}

fn valid_spec() -> impl Strategy<Value = (Option<String>, JobSpec)> {
    (
        // Prompts with commas, quotes, newlines, unicode, leading spaces.
        "[ a-zA-Z0-9,\"'|\\n\\r;éü✓-]{0,40}[a-zA-Z]",
        prop::sample::select(vec!["seedance_2_0", "seedance_2_0_fast"]),
        prop::sample::select(vec!["21:9", "16:9", "4:3", "1:1", "3:4", "9:16"]),
        4u32..=15,
        prop::collection::vec(url(), 0..=2),
        prop::collection::vec(url(), 0..=3),
        prop::collection::vec(url(), 0..=3),
        prop::option::of("[a-zA-Z][a-zA-Z0-9 _-]{0,12}[a-z]"),
        any::<bool>(),
    )
        .prop_map(|(prompt, model, ratio, duration, images, videos, audios, name, flf)| {
            let mut spec = JobSpec {
                model: model.into(),
                prompt,
                function_mode: if flf { "first_last_frames".into() } else { "omni_reference".into() },
                ratio: ratio.into(),
                duration,
                image_urls: images,
                video_urls: videos,
                audio_urls: audios,
                ..JobSpec::default()
            };
            // omni_reference refuses audio on its own; first_last_frames
            // needs a first frame (Seedance 2.0 cannot start from audio).
            if !flf && spec.image_urls.is_empty() && spec.video_urls.is_empty() {
                spec.audio_urls.clear();
            }
            if flf && spec.image_urls.is_empty() {
                spec.image_urls.push("https://example.com/first-frame.png".into());
            }
            (name, spec)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn valid_specs_round_trip_through_csv_and_jsonl(rows in prop::collection::vec(valid_spec(), 1..8)) {
        let write: Vec<WriteRow> = rows.iter().map(|(n, s)| WriteRow { name: n.clone(), account: None, spec: s.clone() }).collect();
        for s in &write {
            prop_assert!(s.spec.validate().is_empty(), "{:?}", s.spec.validate());
        }
        let p = prices();
        let csv = batch::write_csv(&write);
        let jsonl = batch::write_jsonl(&write);
        for (bytes, fmt) in [(csv.as_bytes(), BatchFormat::Csv), (jsonl.as_bytes(), BatchFormat::Jsonl)] {
            let f = parse_batch(bytes, Path::new("x"), Some(fmt), &p);
            prop_assert!(f.is_valid(), "{:?}: {:#?}", fmt, f.errors());
            let back: Vec<(Option<String>, JobSpec)> = f.rows.iter().map(|r| (r.name.clone(), r.spec.clone())).collect();
            prop_assert_eq!(&back, &rows);
        }
    }
}

// ---- 10,000 rows -------------------------------------------------------

fn generated(n: usize) -> Vec<WriteRow> {
    (0..n)
        .map(|i| {
            let video = i % 4 == 0;
            WriteRow {
                name: Some(format!("shot-{i:05}")),
                account: None,
                spec: JobSpec {
                    model: if i % 3 == 0 { "seedance_2_0_fast".into() } else { "seedance_2_0".into() },
                    prompt: format!("Product shot {i}, variation \"{}\", soft light", i % 7),
                    duration: 4 + (i % 12) as u32,
                    video_urls: if video { vec![format!("https://example.com/ref/{i}.mp4")] } else { vec![] },
                    image_urls: vec![format!("https://example.com/img/{i}.png")],
                    ..JobSpec::default()
                },
            }
        })
        .collect()
}

fn by_hand(rows: &[WriteRow]) -> u64 {
    rows.iter()
        .map(|r| {
            let rate = match (r.spec.model.as_str(), r.spec.video_urls.is_empty()) {
                ("seedance_2_0", true) => 15,
                ("seedance_2_0", false) => 30,
                (_, true) => 10,
                (_, false) => 20,
            };
            rate * u64::from(r.spec.duration)
        })
        .sum()
}

#[test]
fn ten_thousand_rows_parse_validate_and_price() {
    let rows = generated(10_000);
    let expected = by_hand(&rows);
    let p = prices();
    for (text, fmt) in [(batch::write_csv(&rows), BatchFormat::Csv), (batch::write_jsonl(&rows), BatchFormat::Jsonl)] {
        let f = parse_batch(text.as_bytes(), Path::new("big"), Some(fmt), &p);
        assert_eq!(f.rows.len(), 10_000);
        assert_eq!(f.valid().count(), 10_000, "{:?}", f.errors().first());
        assert_eq!(f.rows[9_999].line, if fmt == BatchFormat::Csv { 10_001 } else { 10_000 });
        let pv = batch_preview(&f, &p, None, None);
        assert_eq!(pv.total_credits, expected);
        assert_eq!(pv.breakdown.iter().map(|b| b.count).sum::<u64>(), 10_000);
    }
}
