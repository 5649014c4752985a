//! "Export CSV" against loova-sim with a real SQLite file: every charge the
//! query matches is written (newest first, a header row), its `credits`
//! column sums to the usage report's total for the same query, a filter
//! narrows both alike, and the grouped CSV of `loova usage --csv` comes
//! from the same writer.

use crate::common;
use chrono::FixedOffset;
use common::{sim_config, Rig};
use loova_core::spending::{self, GroupBy, UsageQuery, Zone};
use std::time::Duration;

const KEY: &str = "sk-spending-export-0001";

fn utc() -> Zone {
    Zone::Fixed(FixedOffset::east_opt(0).unwrap())
}

fn credits_column(csv: &str) -> Vec<i64> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "credits").unwrap();
    lines.map(|l| l.split(',').nth(col).unwrap().parse().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_export_holds_every_charge_and_its_total_equals_the_reports() {
    let rig = Rig::new(sim_config(&[(KEY, 1_000_000)])).await;
    let account = rig.account("Studio", KEY).await;
    let models = ["seedance_2_0", "seedance_2_0_fast", "seedance_2_0"];
    for (i, model) in models.iter().enumerate() {
        let spec = loova_core::JobSpec { model: (*model).into(), duration: 4 + i as u32, prompt: format!("export {i}"), ..Default::default() };
        loova_core::engine::enqueue(&rig.db, &account, &spec, None, &rig.prices).unwrap();
    }
    rig.run_until_idle(&rig.engine(), Duration::from_secs(60)).await;
    let out = tempfile::tempdir().unwrap();
    let dir = spending::exports_dir(out.path());

    let all = UsageQuery::default();
    let report = spending::usage(&rig.db, &all, utc()).unwrap();
    let export = spending::export_charges(&rig.db, &all, utc(), &dir, loova_core::store::now_ms()).unwrap();
    let csv = std::fs::read_to_string(&export.path).unwrap();
    assert!(csv.starts_with("charged_at,account,batch,model,seconds,video_reference,task_id,job_id,estimate_credits,price_list_date,"), "{csv}");
    let credits = credits_column(&csv);
    assert_eq!((export.rows, credits.len()), (3, 3));
    assert_eq!(credits.iter().sum::<i64>(), report.total.credits);
    assert_eq!(export.credits, report.total.credits);
    assert!(std::fs::read_dir(&dir).unwrap().flatten().all(|e| !e.file_name().to_string_lossy().ends_with(".part")), "no temporary file left");

    // A model filter narrows the export exactly as it narrows the report.
    let fast = UsageQuery { model: Some("seedance_2_0_fast".into()), ..Default::default() };
    let narrowed = spending::export_charges(&rig.db, &fast, utc(), &out.path().join("other"), loova_core::store::now_ms()).unwrap();
    assert_eq!((narrowed.rows, narrowed.credits), (1, spending::usage(&rig.db, &fast, utc()).unwrap().total.credits));

    // A date that is not one is refused before anything is written.
    let bad = UsageQuery { since: Some("2026-02-30".into()), ..Default::default() };
    let e = spending::export_charges(&rig.db, &bad, utc(), &out.path().join("bad"), 0).unwrap_err();
    assert_eq!(e.code(), loova_core::ErrorCode::InvalidInput);
    assert!(!out.path().join("bad").exists());

    // The grouped CSV: a header and one row per model.
    let by_model = spending::usage(&rig.db, &UsageQuery { by: GroupBy::Model, ..Default::default() }, utc()).unwrap();
    let mut grouped = Vec::new();
    spending::write_usage_csv(&mut grouped, "model", &by_model).unwrap();
    let grouped = String::from_utf8(grouped).unwrap();
    assert_eq!(grouped.lines().count(), 3, "{grouped}");
    assert_eq!(credits_column(&grouped).iter().sum::<i64>(), report.total.credits);
}

/// A spreadsheet opening the export must not run a formula hidden in an
/// account or batch name (a batch's name is its file's name): every such
/// cell starts with `'`, while the numbers stay numbers.
#[tokio::test(flavor = "multi_thread")]
async fn names_that_look_like_formulas_are_written_as_text() {
    const FORMULA: &str = "=HYPERLINK(\"http://x\",\"y\")";
    let rig = Rig::new(sim_config(&[(KEY, 1_000_000)])).await;
    let account = rig.account(FORMULA, KEY).await;
    let spec = loova_core::JobSpec { prompt: FORMULA.into(), duration: 4, ..Default::default() };
    let file = loova_core::batch::parse_batch(
        loova_core::batch::write_csv(&[loova_core::batch::WriteRow { name: None, account: None, spec }]).as_bytes(),
        std::path::Path::new("@SUM(A1).csv"),
        None,
        &rig.prices,
    );
    assert_eq!(file.rows[0].spec.prompt, FORMULA, "our own CSV gives the prompt back unchanged");
    loova_core::batch::enqueue_batch(&rig.db, &account, &file, Some("+cmd|' /C calc'!A0"), false, &rig.prices).unwrap();
    rig.run_until_idle(&rig.engine(), Duration::from_secs(60)).await;

    let out = tempfile::tempdir().unwrap();
    let export = spending::export_charges(&rig.db, &UsageQuery::default(), utc(), out.path(), loova_core::store::now_ms()).unwrap();
    let mut reader = csv::Reader::from_path(&export.path).unwrap();
    let header = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let cell = |name: &str| row.get(header.iter().position(|h| h == name).unwrap()).unwrap().to_string();
    assert_eq!(cell("account"), format!("'{FORMULA}"));
    assert_eq!(cell("batch"), "'+cmd|' /C calc'!A0");
    assert!(cell("credits").parse::<i64>().is_ok(), "numbers stay numbers: {}", cell("credits"));
    for r in csv::Reader::from_path(&export.path).unwrap().records() {
        for c in r.unwrap().iter() {
            assert!(!c.starts_with(['=', '+', '-', '@', '\t', '\r']) || c.parse::<f64>().is_ok(), "a live formula cell: {c:?}");
        }
    }

    let by_account = spending::usage(&rig.db, &UsageQuery { by: GroupBy::Account, ..Default::default() }, utc()).unwrap();
    let mut grouped = Vec::new();
    spending::write_usage_csv(&mut grouped, "account", &by_account).unwrap();
    let grouped = String::from_utf8(grouped).unwrap();
    assert!(grouped.lines().nth(1).unwrap().starts_with("\"'=HYPERLINK("), "{grouped}");
}
