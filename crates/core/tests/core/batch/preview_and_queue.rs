//! The batch preview's numbers, queueing, and local files named by rows.

use super::helpers::*;
use loova_core::batch::{
    self, batch_preview, batch_progress, enqueue_batch, list_batches, parse_batch, reserved_credits, AccountBalance, BatchError, BatchFile, WriteRow,
};
use loova_core::engine;
use loova_core::store::Col;
use loova_core::store::{Db, JobFilter, JobState, NewAccount, Patch};
use loova_core::JobSpec;
use std::path::{Path, PathBuf};

// ---- the preview's numbers --------------------------------------------

fn spec(model: &str, duration: u32, video: bool) -> JobSpec {
    JobSpec {
        model: model.into(),
        prompt: "p".into(),
        duration,
        video_urls: if video { vec!["https://e.com/v.mp4".into()] } else { vec![] },
        ..JobSpec::default()
    }
}

fn file_of(specs: &[JobSpec]) -> BatchFile {
    let rows: Vec<WriteRow> = specs.iter().map(|s| WriteRow { name: None, account: None, spec: s.clone() }).collect();
    parse_batch(batch::write_csv(&rows).as_bytes(), Path::new("t.csv"), None, &prices())
}

#[test]
fn preview_totals_breakdown_and_dollars_by_hand() {
    let f = file_of(&[
        spec("seedance_2_0", 8, false),      // 15 × 8 = 120
        spec("seedance_2_0", 10, true),      // 30 × 10 = 300
        spec("seedance_2_0_fast", 5, false), // 10 × 5 = 50
        spec("seedance_2_0_fast", 12, true), // 20 × 12 = 240
        spec("seedance_2_0", 4, false),      // 15 × 4 = 60
    ]);
    let pv = batch_preview(&f, &prices(), None, None);
    assert_eq!(pv.total_credits, 120 + 300 + 50 + 240 + 60);
    assert_eq!(pv.total_seconds, 8 + 10 + 5 + 12 + 4);
    let lines: Vec<(&str, bool, u64, u64, u64)> = pv.breakdown.iter().map(|b| (b.model.as_str(), b.video_reference, b.count, b.seconds, b.credits)).collect();
    assert_eq!(
        lines,
        [
            ("seedance_2_0", false, 2, 12, 180),
            ("seedance_2_0", true, 1, 10, 300),
            ("seedance_2_0_fast", false, 1, 5, 50),
            ("seedance_2_0_fast", true, 1, 12, 240)
        ]
    );
    // 770 credits at $0.032 (cheapest) and $0.08 (dearest) per credit.
    assert_eq!(pv.dollars.usd_min, d("24.64"));
    assert_eq!(pv.dollars.usd_max, d("61.60"));
    assert_eq!(pv.dollars.usd, None);
    let own = batch_preview(&f, &prices(), None, Some(d("0.064")));
    assert_eq!(own.dollars.usd, Some(d("49.28")));
    assert!(pv.balance.is_none());
}

fn bal(available: Option<i64>, reserved: u64) -> AccountBalance {
    AccountBalance {
        account_id: "a1".into(),
        account_name: "Studio".into(),
        api_available_credits: available,
        api_credits_read_at: None,
        reserved_credits: reserved,
        reserved_jobs: 1,
    }
}

#[test]
fn preview_balance_shortfall_and_pack_advice() {
    let f = file_of(&vec![spec("seedance_2_0", 10, true); 4]); // 4 × 300 = 1,200
                                                               // Enough: 2,000 − 500 − 1,200 = 300 left.
    let b = batch_preview(&f, &prices(), Some(&bal(Some(2_000), 500)), None).balance.unwrap();
    assert_eq!((b.available_after_reserved, b.balance_after, b.shortfall), (Some(1_500), Some(300), Some(0)));
    assert!(b.pack_advice.is_none() && b.app_credits_note.is_none());
    // Short: 1,000 − 500 − 1,200 = −700 → the cheapest cover of 700 is 1,000 credits for $72
    // (3 × 300 would be $72 too but fewer credits; 300 + … less).
    let b = batch_preview(&f, &prices(), Some(&bal(Some(1_000), 500)), None).balance.unwrap();
    assert_eq!((b.balance_after, b.shortfall), (Some(-700), Some(700)));
    let advice = b.pack_advice.unwrap();
    assert_eq!(advice.needed, 700);
    assert_eq!(advice, loova_core::advise_packs(&prices().list, 700));
    assert!(advice.credits >= 700);
    assert_eq!((advice.credits, advice.usd), (1_000, d("72.00")));
    assert!(b.app_credits_note.unwrap().contains("App Credits cannot be used"));
    // Unknown balance: no after, no shortfall.
    let b = batch_preview(&f, &prices(), Some(&bal(None, 500)), None).balance.unwrap();
    assert_eq!((b.balance_after, b.shortfall), (None, None));
    assert!(b.reserved_rule.contains("queued"));
}

// ---- queueing ----------------------------------------------------------

fn db_with_account() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_in(dir.path()).unwrap();
    db.insert_account(&NewAccount { id: "a1", name: "Studio", base_url: "http://x/api", key_hint: "1234", sandbox: false, verified: true }).unwrap();
    db.insert_account(&NewAccount { id: "a2", name: "Other", base_url: "http://x/api", key_hint: "5678", sandbox: false, verified: true }).unwrap();
    (dir, db)
}

#[test]
fn reserved_credits_count_queued_submitting_and_unknown_not_running() {
    let (_d, db) = db_with_account();
    let p = prices();
    let ids: Vec<i64> = [8, 10, 6, 5, 4].iter().map(|&dur| engine::enqueue(&db, "a1", &spec("seedance_2_0", dur, false), None, &p).unwrap().id).collect();
    engine::enqueue(&db, "a2", &spec("seedance_2_0", 15, false), None, &p).unwrap();
    // 120, 150, 90, 75, 60: one submitting, one running, one unknown, one failed, one queued.
    let to = |id, st| assert!(db.transition(id, &[JobState::Queued], st, Patch::new()).unwrap());
    to(ids[0], JobState::Submitting);
    to(ids[1], JobState::Running);
    to(ids[2], JobState::OutcomeUnknown);
    to(ids[3], JobState::Failed);
    let r = reserved_credits(&db, "a1").unwrap();
    assert_eq!((r.credits, r.jobs, r.unpriced_jobs), (120 + 90 + 60, 3, 0));
    // Through the preview: 1,000 available − 270 reserved − a 300-credit batch.
    let f = file_of(&[spec("seedance_2_0", 10, true)]);
    let acc = AccountBalance { reserved_credits: r.credits, reserved_jobs: r.jobs, ..bal(Some(1_000), 0) };
    let b = batch_preview(&f, &p, Some(&acc), None).balance.unwrap();
    assert_eq!((b.available_after_reserved, b.balance_after, b.shortfall), (Some(730), Some(430), Some(0)));
}

#[test]
fn enqueue_batch_is_all_or_nothing_and_keeps_row_order() {
    let (_d, db) = db_with_account();
    let p = prices();
    let before = engine::enqueue(&db, "a1", &spec("seedance_2_0", 5, false), None, &p).unwrap();

    let bad = load("row_errors.csv");
    let err = enqueue_batch(&db, "a1", &bad, Some("series"), false, &p).unwrap_err();
    let BatchError::InvalidRows { errors, invalid_lines } = &err else { panic!("{err}") };
    assert_eq!(invalid_lines, &[3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert_eq!(errors.len(), 12);
    assert_eq!(db.jobs(&JobFilter::default()).unwrap().len(), 1, "nothing queued");
    assert!(list_batches(&db).unwrap().is_empty());

    let s = enqueue_batch(&db, "a1", &bad, Some("series"), true, &p).unwrap();
    assert_eq!(s.queued, 2);
    assert_eq!(s.left_out.iter().map(|l| l.line).collect::<Vec<_>>(), [3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert_eq!(s.batch.name, "series");
    assert!(s.batch.source_file.ends_with("row_errors.csv"));
    let jobs = db.jobs(&JobFilter { account_id: Some("a1".into()), ..Default::default() }).unwrap();
    assert_eq!(jobs.len(), 3);
    assert_eq!(jobs[0].id, before.id);
    assert_eq!(jobs[1].position, jobs[0].position + 1);
    assert_eq!(jobs[2].position, jobs[0].position + 2);
    assert_eq!((jobs[1].name.as_deref(), jobs[1].spec.prompt.as_str()), (Some("good"), "ok row"));
    assert_eq!(jobs[2].spec.prompt, "after multiline");
    assert!(jobs[1..].iter().all(|j| j.batch_id.as_deref() == Some(s.batch.id.as_str())));
    assert_eq!(jobs[1].estimate_credits, Some(120));

    // A file error refuses even with only_valid.
    let header = load("header_errors.csv");
    assert!(matches!(enqueue_batch(&db, "a1", &header, None, true, &p), Err(BatchError::FileErrors(_))));
}

#[test]
fn account_column_must_match_the_chosen_account() {
    let (_d, db) = db_with_account();
    let p = prices();
    let text = "prompt,account\nfor studio,studio\nfor anyone,\nfor other,Other\n";
    let f = parse_batch(text.as_bytes(), Path::new("acc.csv"), None, &p);
    assert!(f.is_valid());
    let err = enqueue_batch(&db, "a1", &f, None, false, &p).unwrap_err();
    assert_eq!(err.errors().iter().map(|e| (e.line, e.column.as_str())).collect::<Vec<_>>(), [(4, "account")]);
    let s = enqueue_batch(&db, "a2", &f, None, true, &p).unwrap();
    assert_eq!((s.queued, s.left_out.iter().map(|l| l.line).collect::<Vec<_>>()), (2, vec![2]));
    assert_eq!(s.batch.name, "acc");
    let mut checked = f.clone();
    checked.check_account("Studio", "a1");
    checked.check_account("Studio", "a1");
    assert_eq!(checked.errors().len(), 1, "idempotent");
}

#[test]
fn batch_progress_counts_and_charges() {
    let (_d, db) = db_with_account();
    let p = prices();
    let f = file_of(&vec![spec("seedance_2_0", 4, false); 6]); // 60 each
    let s = enqueue_batch(&db, "a1", &f, Some("six"), false, &p).unwrap();
    assert_eq!(s.total_credits, 360);
    let ids = &s.job_ids;
    let go = |id, from: &[JobState], to, patch| assert!(db.transition(id, from, to, patch).unwrap());
    go(ids[0], &[JobState::Queued], JobState::Downloaded, Patch::new().int(Col::CreditsCost, Some(60)));
    go(ids[1], &[JobState::Queued], JobState::Running, Patch::new().int(Col::CreditsCost, Some(60)));
    go(ids[2], &[JobState::Queued], JobState::Failed, Patch::new());
    go(ids[3], &[JobState::Queued], JobState::Canceled, Patch::new());
    let pr = batch_progress(&db, &s.batch.id).unwrap();
    assert_eq!((pr.total, pr.done, pr.running, pr.waiting, pr.failed, pr.canceled), (6, 1, 1, 2, 1, 1));
    assert_eq!((pr.credits_charged, pr.credits_estimated), (120, 360));
    let all = list_batches(&db).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].progress, pr);
}

#[test]
fn price_per_credit_setting() {
    let (_d, db) = db_with_account();
    assert_eq!(batch::price_per_credit(&db).unwrap(), None);
    assert_eq!(batch::set_price_per_credit(&db, Some("0.0640")).unwrap(), Some(d("0.064")));
    assert_eq!(batch::price_per_credit(&db).unwrap(), Some(d("0.064")));
    assert!(matches!(batch::set_price_per_credit(&db, Some("-1")), Err(BatchError::BadPricePerCredit(_))));
    assert!(matches!(batch::set_price_per_credit(&db, Some("abc")), Err(BatchError::BadPricePerCredit(_))));
    batch::set_price_per_credit(&db, None).unwrap();
    assert_eq!(batch::price_per_credit(&db).unwrap(), None);
}

// ---- local files ---------------------------------------------------------

fn media_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media").join(name)
}

#[test]
fn batch_rows_name_local_files_relative_to_the_batch_file_and_queue_copies() {
    let work = tempfile::tempdir().unwrap();
    std::fs::create_dir(work.path().join("refs")).unwrap();
    std::fs::copy(media_fixture("red.png"), work.path().join("refs/red.png")).unwrap();
    std::fs::copy(media_fixture("clip.mp4"), work.path().join("refs/clip.mp4")).unwrap();
    std::fs::copy(media_fixture("png-named.mp4"), work.path().join("refs/fake.mp4")).unwrap();
    let csv = "prompt,duration,image_urls,image_files,video_files\r\n\
               a fox,8,https://example.com/a.png,refs/red.png,refs/clip.mp4\r\n\
               a cat,5,,refs/missing.png,\r\n\
               a dog,5,,,refs/fake.mp4\r\n";
    let path = work.path().join("jobs.csv");
    std::fs::write(&path, csv).unwrap();
    let f = batch::load_batch(&path, &prices()).unwrap();
    assert!(f.file_errors.is_empty(), "{:?}", f.file_errors);
    let first = &f.rows[0];
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    assert_eq!(first.spec.image_files, [std::path::absolute(work.path().join("refs/red.png")).unwrap().display().to_string()]);
    // A local video prices at the video-reference rate: 30 × 8.
    assert_eq!(first.estimate.as_ref().unwrap().credits, 240);
    assert_eq!(where_(&f), [(3, "image_files".to_string()), (4, "video_files".to_string())]);
    let e = &f.rows[2].errors[0];
    assert!(e.rule.contains("fake.mp4") && e.fix.contains("image_files"), "{e:?}");

    // JSON Lines: the same columns, as arrays.
    let jl = work.path().join("jobs.jsonl");
    std::fs::write(&jl, "{\"prompt\":\"x\",\"audio_files\":[\"refs/red.png\"],\"image_files\":[\"refs/red.png\"]}\n").unwrap();
    let j = batch::load_batch(&jl, &prices()).unwrap();
    assert_eq!(where_(&j), [(1, "audio_files".to_string())], "a PNG is not audio");

    let (dir, db) = db_with_account();
    let sum = enqueue_batch(&db, "a1", &f, None, true, &prices()).unwrap();
    assert_eq!(sum.queued, 1);
    let job = db.job(sum.job_ids[0]).unwrap().unwrap();
    let copies = dir.path().join("media").join(job.id.to_string());
    assert!(job.spec.image_files[0].starts_with(copies.to_str().unwrap()), "{:?}", job.spec);
    assert!(job.spec.video_files[0].starts_with(copies.to_str().unwrap()), "{:?}", job.spec);
    assert_eq!(std::fs::read(&job.spec.video_files[0]).unwrap(), std::fs::read(media_fixture("clip.mp4")).unwrap());

    // Written back out, the file columns survive a round trip.
    let rows = vec![WriteRow { name: None, account: None, spec: first.spec.clone() }];
    let again = parse_batch(batch::write_csv(&rows).as_bytes(), &path, None, &prices());
    assert_eq!(again.rows[0].spec, first.spec);
    assert!(!batch::write_csv(&[WriteRow { name: None, account: None, spec: spec("seedance_2_0", 5, false) }]).contains("image_files"));
}
