use super::*;
use crate::job::JobSpec;
use crate::variation_sets::{preview, FIRST_ROWS};
use crate::ErrorCode;
use std::path::Path;

fn req(template: &str) -> VariationRequest {
    VariationRequest { template: template.into(), base: JobSpec::default(), vary: Vec::new(), takes: 1, name: None }
}

fn no_wildcards() -> Wildcards {
    Wildcards::in_dir("/nonexistent-loova-wildcards".into())
}

fn prompts(template: &str) -> Vec<String> {
    expand(&req(template), &mut no_wildcards()).unwrap().jobs.into_iter().map(|j| j.spec.prompt).collect()
}

fn error(template: &str, wildcards: &mut Wildcards) -> VariationError {
    expand(&req(template), wildcards).unwrap_err()
}

#[test]
fn groups_multiply_and_the_first_varies_slowest() {
    assert_eq!(prompts("A {red|blue} car in {rain|snow}"), ["A red car in rain", "A red car in snow", "A blue car in rain", "A blue car in snow"]);
    // A nested group adds its alternatives to the outer one's.
    assert_eq!(prompts("{a|{b|c}d}!"), ["a!", "bd!", "cd!"]);
    // An empty alternative is a choice: with or without.
    assert_eq!(prompts("fox{ at night|}"), ["fox at night", "fox"]);
    assert_eq!(prompts("plain text | not a group"), ["plain text | not a group"]);
}

#[test]
fn jobs_are_named_from_the_values_that_vary() {
    let r = VariationRequest {
        name: Some("Fox".into()),
        vary: vec![FieldValues::parse("ratio=16:9,9:16").unwrap(), FieldValues::parse("model=seedance_2_0").unwrap()],
        takes: 2,
        ..req("A {red|blue} fox in {rain|snow}")
    };
    let e = expand(&r, &mut no_wildcards()).unwrap();
    assert_eq!(e.count, 16);
    assert_eq!(e.jobs.len(), 16);
    assert_eq!(e.jobs[0].name, "Fox — red · rain · 16:9 · take 1");
    assert_eq!(e.jobs[3].name, "Fox — red · rain · 9:16 · take 2");
    assert_eq!(e.jobs[3].spec.ratio, "9:16");
    assert_eq!(e.jobs[15].name, "Fox — blue · snow · 9:16 · take 2");
    assert_eq!(e.jobs.iter().map(|j| j.index).collect::<Vec<_>>(), (1..=16).collect::<Vec<_>>());
    // Without a name: the template's shared text.
    let e = expand(&req("A {red|blue} fox in {rain|snow}."), &mut no_wildcards()).unwrap();
    assert_eq!(e.name, "A fox in");
    assert_eq!(e.jobs[1].name, "A fox in — red · snow");
    assert_eq!(expand(&req("{a|b}"), &mut no_wildcards()).unwrap().name, "Variations");
}

#[test]
fn durations_and_modes_vary_with_labels() {
    let r = VariationRequest { vary: vec![FieldValues::parse("duration=5, 8").unwrap(), FieldValues::parse("mode=first_last_frames").unwrap()], ..req("x") };
    let e = expand(&r, &mut no_wildcards()).unwrap();
    assert_eq!(e.jobs.iter().map(|j| (j.spec.duration, j.name.as_str())).collect::<Vec<_>>(), [(5, "x — 5 s"), (8, "x — 8 s")]);
    assert!(e.jobs.iter().all(|j| j.spec.function_mode == "first_last_frames"));
}

#[test]
fn escapes_write_the_characters() {
    assert_eq!(prompts(r"\{a\|b\} \_\_x\_\_ \\ \n"), [r"{a|b} __x__ \ \n"]);
    assert_eq!(prompts("snake_case and __ and _x_"), ["snake_case and __ and _x_"]);
    assert_eq!(prompts(r"{a\|b|c\}}"), ["a|b", "c}"]);
}

#[test]
fn syntax_errors_name_their_position() {
    let msg = |t: &str| error(t, &mut no_wildcards()).to_string();
    assert!(msg("A red fox in {rain").starts_with("col 14: \"{\" is never closed"), "{}", msg("A red fox in {rain"));
    assert!(msg("a } b").starts_with("col 3: \"}\" has no matching \"{\""));
    assert!(msg("x {}").starts_with("col 3: the group has no alternatives"));
    assert!(msg("x { | }").starts_with("col 3: the group has no alternatives"));
    assert!(msg("one\ntwo {a|b").starts_with("line 2, col 5: \"{\" is never closed"));
    assert_eq!(error("{", &mut no_wildcards()).code(), ErrorCode::TemplateSyntax);
    let deep = "{".repeat(40) + &"}".repeat(40);
    assert!(msg(&deep).contains("nest deeper than 32"));
}

#[test]
fn field_values_are_checked_with_the_job_rules() {
    let bad = |s: &str| FieldValues::parse(s).unwrap_err();
    assert!(bad("ratio=16:9,2:1").to_string().contains("\"2:1\" is not a supported ratio"));
    assert!(bad("duration=5,x").to_string().contains("\"x\" is not a whole number"));
    assert!(bad("duration=5,30").to_string().contains("30 s is out of range"));
    assert!(bad("model=seedance_9").to_string().contains("not a Seedance model"));
    assert!(bad("colour=red").to_string().contains("\"colour\" cannot vary"));
    assert!(bad("duration").to_string().contains("has no \"=\""));
    assert!(bad("ratio=9:16,9:16").to_string().contains("given twice"));
    assert_eq!(bad("duration=").code(), ErrorCode::BadVariation);
    let twice = VariationRequest { vary: vec![FieldValues::parse("duration=5").unwrap(), FieldValues::parse("duration=8").unwrap()], ..req("x") };
    assert!(expand(&twice, &mut no_wildcards()).unwrap_err().to_string().contains("duration varies twice"));
    let none = VariationRequest { takes: 0, ..req("x") };
    assert_eq!(expand(&none, &mut no_wildcards()).unwrap_err().field(), "takes");
}

#[test]
fn over_a_thousand_needs_confirmation_and_over_ten_thousand_is_refused() {
    let ten = "{0|1|2|3|4|5|6|7|8|9}";
    let r = VariationRequest { takes: 2, ..req(&format!("{ten}{ten}{ten}")) };
    let e = expand(&r, &mut no_wildcards()).unwrap();
    assert_eq!((e.count, e.needs_confirmation), (2_000, true));
    let refused = confirm(&e, false).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::VariationsNeedConfirmation);
    assert!(refused.to_string().contains("2000 jobs"), "{refused}");
    assert!(confirm(&e, true).is_ok());
    let e = expand(&req(&format!("{ten}{ten}{ten}")), &mut no_wildcards()).unwrap();
    assert!(!e.needs_confirmation && confirm(&e, false).is_ok());

    let huge = VariationRequest { takes: 100, ..req(&ten.repeat(12)) };
    let refused = expand(&huge, &mut no_wildcards()).unwrap_err();
    assert_eq!(refused, VariationError::TooMany { count: 100_000_000_000_000 });
    let r = req(&ten.repeat(5));
    assert_eq!(count(&r, &mut no_wildcards()).unwrap(), 100_000);
    let e = expand(&r, &mut no_wildcards()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::VariationsTooMany);
    assert!(e.to_string().contains("100000 jobs"), "{e}");
}

fn wildcard_dir(files: &[(&str, &str)]) -> (tempfile::TempDir, Wildcards) {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join(WILDCARDS_DIR);
    for (name, text) in files {
        let path = dir.join(format!("{name}.txt"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let w = Wildcards::of_data_dir(data.path());
    (data, w)
}

#[test]
fn wildcards_read_their_files_with_nesting() {
    let (_d, mut w) = wildcard_dir(&[
        ("colors", "# colours\nred\n\n  blue  \n#green\n"),
        ("animals", "{small|big} __colors__ cat\nfox\n"),
        ("places/city", "Paris\r\nRome\r\n"),
    ]);
    let r = req("a __animals__ in __places/city__");
    let got: Vec<String> = expand(&r, &mut w).unwrap().jobs.into_iter().map(|j| j.spec.prompt).collect();
    let cats = ["small red cat", "small blue cat", "big red cat", "big blue cat", "fox"];
    let want: Vec<String> = cats.iter().flat_map(|c| ["Paris", "Rome"].map(|p| format!("a {c} in {p}"))).collect();
    assert_eq!(got, want);
    let names = expand(&VariationRequest { name: Some("Z".into()), ..r }, &mut w).unwrap();
    assert_eq!(names.jobs[0].name, "Z — small red cat · Paris");
}

#[test]
fn an_unknown_wildcard_names_the_file_it_looked_for() {
    let (d, mut w) = wildcard_dir(&[("outer", "a __missing__\n"), ("empty", "# nothing\n\n")]);
    let e = error("fox __nope__", &mut w);
    let path = d.path().join("wildcards").join("nope.txt");
    assert_eq!(e.code(), ErrorCode::WildcardNotFound);
    assert!(e.to_string().starts_with(&format!("col 5: there is no wildcard \"__nope__\": {} does not exist", path.display())), "{e}");
    let e = error("__outer__", &mut w).to_string();
    assert!(e.starts_with(&format!("{}: col 3: there is no wildcard \"__missing__\"", d.path().join("wildcards/outer.txt").display())), "{e}");
    assert!(error("__empty__", &mut w).to_string().contains("has no values"));
}

#[test]
fn a_cycle_is_an_error_naming_the_chain() {
    let (_d, mut w) = wildcard_dir(&[("a", "x __b__\n"), ("b", "{y|__c__}\n"), ("c", "__a__\n"), ("self", "__self__\n")]);
    let e = error("go __a__", &mut w);
    assert_eq!(e.code(), ErrorCode::WildcardCycle);
    assert_eq!(e.to_string(), "the wildcards use each other in a cycle: __a__ → __b__ → __c__ → __a__; remove one of these uses");
    assert_eq!(error("__self__", &mut w), VariationError::WildcardCycle { chain: vec!["__self__".into(), "__self__".into()] });
}

#[test]
fn wildcards_nest_at_most_the_depth_limit() {
    let files: Vec<(String, String)> = (0..10).map(|i| (format!("w{i}"), format!("__w{}__", i + 1))).chain([("w10".to_string(), "end".to_string())]).collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (_d, mut w) = wildcard_dir(&refs);
    let e = error("__w0__", &mut w);
    assert_eq!(e.code(), ErrorCode::WildcardTooDeep);
    assert!(e.to_string().starts_with("wildcards nest deeper than 8 levels: __w0__ → __w1__"), "{e}");
    assert_eq!(prompts_in("__w3__", &mut w), ["end"]);
}

fn prompts_in(t: &str, w: &mut Wildcards) -> Vec<String> {
    expand(&req(t), w).unwrap().jobs.into_iter().map(|j| j.spec.prompt).collect()
}

#[test]
fn a_syntax_error_in_a_wildcard_line_names_the_file_and_line() {
    let (d, mut w) = wildcard_dir(&[("bad", "ok\n\n{broken\n")]);
    let e = error("__bad__", &mut w).to_string();
    assert_eq!(
        e,
        format!(
            "{} line 3, col 1: \"{{\" is never closed; close it with \"}}\" or write \\{{ for the character itself",
            d.path().join("wildcards/bad.txt").display()
        )
    );
}

#[test]
fn totals_equal_independent_arithmetic() {
    let prices = crate::load_price_list(Path::new("/nonexistent-loova-dir"));
    let r = VariationRequest {
        vary: vec![FieldValues::parse("model=seedance_2_0,seedance_2_0_fast").unwrap(), FieldValues::parse("duration=5,8,15").unwrap()],
        takes: 3,
        ..req("a {red|blue|green} fox")
    };
    let e = expand(&r, &mut no_wildcards()).unwrap();
    let p = preview(&e, &prices, None, None, false);
    // Seedance 2.0: 15 credits/s, Fast: 10 (the published table).
    let rate = |m: &str| if m == "seedance_2_0" { 15u64 } else { 10 };
    let expected: u64 = e.jobs.iter().map(|j| rate(&j.spec.model) * u64::from(j.spec.duration)).sum();
    assert_eq!(expected, 3 * 3 * (15 + 10) * (5 + 8 + 15));
    assert_eq!((p.count, p.batch.valid_rows, p.batch.total_credits), (54, 54, expected));
    assert_eq!(p.jobs.len(), FIRST_ROWS);
    // Every job's own credits, in queue order, for the budget (all 54).
    let each: Vec<Option<u64>> = e.jobs.iter().map(|j| Some(rate(&j.spec.model) * u64::from(j.spec.duration))).collect();
    assert_eq!(p.estimates, each);
    assert_eq!(p.batch.dollars.usd_min, crate::pricing::estimate::dollars(expected, "0.032".parse().unwrap()));
    assert!(p.errors.is_empty());

    let account = crate::batch::AccountBalance {
        account_id: "a".into(),
        account_name: "Studio".into(),
        api_available_credits: Some(1_000),
        api_credits_read_at: None,
        reserved_credits: 100,
        reserved_jobs: 1,
    };
    let p = preview(&e, &prices, Some(&account), None, true);
    assert_eq!(p.jobs.len(), 54);
    let b = p.batch.balance.unwrap();
    assert_eq!(b.balance_after, Some(1_000 - 100 - expected as i64));
    assert_eq!(b.shortfall, Some(expected + 100 - 1_000));
    assert!(b.pack_advice.unwrap().credits >= expected + 100 - 1_000);
}

#[test]
fn a_job_that_breaks_a_rule_only_in_combination_is_shown() {
    let prices = crate::load_price_list(Path::new("/nonexistent-loova-dir"));
    let base = JobSpec { image_urls: vec!["https://e.com/1.png".into(); 3], ..JobSpec::default() };
    let r = VariationRequest { base, vary: vec![FieldValues::parse("mode=omni_reference,first_last_frames").unwrap()], ..req("x") };
    let p = preview(&expand(&r, &mut no_wildcards()).unwrap(), &prices, None, None, false);
    assert_eq!((p.batch.valid_rows, p.batch.invalid_rows), (1, 1));
    assert_eq!(p.estimates, [Some(75)], "only the job that can be queued counts against a budget");
    assert_eq!((p.errors[0].line, p.errors[0].code), (2, ErrorCode::TooManyFrames));
}

#[test]
fn segments_cut_the_template_as_the_parser_does() {
    let s = segments(r"A {red|{dark|light} blue} \{fox\} __weather__ é").unwrap();
    let got: Vec<(&str, SegmentKind)> = s.iter().map(|x| (x.text.as_str(), x.kind)).collect();
    assert_eq!(
        got,
        [
            ("A ", SegmentKind::Text),
            ("{red|{dark|light} blue}", SegmentKind::Group),
            (r" \{fox\} ", SegmentKind::Text),
            ("__weather__", SegmentKind::Wildcard),
            (" é", SegmentKind::Text)
        ]
    );
    assert_eq!(segments("a {b").unwrap_err().pos(), Pos { line: 1, col: 3 });
}
