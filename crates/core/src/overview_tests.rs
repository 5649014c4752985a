//! Big queues cost what short ones do: on a queue of thousands of jobs, every
//! statement the Queue overview and the engine's reconcile run is an index
//! SEARCH or a read of the few `job_counts` rows, never a walk of `jobs`
//! (SQLite's plan says SCAN for that), and the counts the triggers keep are
//! exactly what a GROUP BY over the jobs says.

use super::*;
use crate::store::Col;
use crate::store::{AccountStatus, Db, NewAccount, NewBatch, NewJob, Patch};
use std::sync::{Arc, Mutex};

static STATEMENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn record(sql: &str) {
    STATEMENTS.lock().unwrap_or_else(|e| e.into_inner()).push(sql.to_string());
}

/// 2,000 downloaded, 200 canceled, 6 running, 20 failed and 500 queued jobs
/// of one account, half of them in a batch.
fn seeded() -> (tempfile::TempDir, Arc<Db>, Vec<i64>) {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Db::open_in(dir.path()).unwrap());
    db.set_durability(crate::store::Durability::Normal).unwrap();
    db.insert_account(&NewAccount { id: "a1", name: "Studio", base_url: "http://127.0.0.1:9/api", key_hint: "…1234", sandbox: false, verified: true }).unwrap();
    let spec = crate::JobSpec { prompt: "a fox".into(), ..Default::default() };
    let new: Vec<NewJob> =
        (0..2_726).map(|_| NewJob { account_id: "a1", name: None, spec: &spec, estimate_credits: Some(75), price_list_date: None }).collect();
    let batch = NewBatch { id: "b1", name: "Shots", source_file: "shots.csv", account_id: "a1" };
    let mut ids = db.insert_jobs(Some(&batch), &new[..1_363], |_, _| Ok::<_, StoreError>(None)).unwrap();
    ids.extend(db.insert_jobs(None, &new[1_363..], |_, _| Ok::<_, StoreError>(None)).unwrap());
    for (n, id) in ids.iter().enumerate().take(2_226) {
        let (to, patch) = match n {
            0..2_000 => (JobState::Downloaded, Patch::new().int(Col::FinishedAt, Some(1_000 + n as i64)).int(Col::CreditsCost, Some(75))),
            2_000..2_200 => (JobState::Canceled, Patch::new()),
            2_200..2_206 => (JobState::Running, Patch::new().text(Col::TaskId, Some(&format!("t{n}"))).real(Col::ExpectedSecs, Some(10_800.0))),
            _ => (JobState::Failed, Patch::new()),
        };
        assert!(db.transition(*id, &[JobState::Queued], to, patch).unwrap());
    }
    (dir, db, ids)
}

#[tokio::test]
async fn the_overview_and_reconcile_read_a_big_queue_through_indexes_only() {
    let (dir, db, _) = seeded();
    let accounts = crate::accounts::Accounts::new(
        db.clone(),
        crate::vault::Vault::new("loova-test-plans", std::time::Duration::from_secs(1)),
        Arc::new(crate::sandbox::NoSandbox),
    );
    let views = accounts.list().unwrap();
    let prices = crate::load_price_list(dir.path());
    let engine = crate::engine::Engine::new(db.clone(), accounts, prices, crate::engine::EngineConfig::default());

    db.conn().trace(Some(record));
    let o = queue_overview(&db, &views, 6, |_| None, String::new()).unwrap();
    engine.reconcile_once().await.unwrap();
    db.set_account_state("a1", AccountStatus::Paused).unwrap();
    engine.reconcile_once().await.unwrap();
    db.conn().trace(None);
    assert_eq!((o.accounts[0].total, o.accounts[0].done, o.jobs.len()), (2_726, 2_000, 100 + 6 + 20 + 100));

    let statements = std::mem::take(&mut *STATEMENTS.lock().unwrap());
    let reads: Vec<&String> = statements.iter().filter(|s| s.trim_start().to_ascii_uppercase().starts_with("SELECT")).collect();
    assert!(reads.len() >= 8, "the trace saw the reads: {statements:#?}");
    let conn = db.conn();
    for sql in reads {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<String> = stmt.query_map([], |r| r.get::<_, String>(3)).unwrap().map(Result::unwrap).collect();
        let walks = plan.iter().filter(|step| step.starts_with("SCAN jobs")).count();
        assert_eq!(walks, 0, "{sql}\nwalks the jobs table: {plan:?}");
    }
}

/// The plans of the traced reads of `jobs` (statements that name it).
fn job_read_plans(db: &Db, statements: &[String]) -> Vec<(String, Vec<String>)> {
    let conn = db.conn();
    statements
        .iter()
        .filter(|s| s.trim_start().to_ascii_uppercase().starts_with("SELECT") && s.contains("FROM jobs"))
        .map(|sql| {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            (sql.clone(), stmt.query_map([], |r| r.get::<_, String>(3)).unwrap().map(Result::unwrap).collect())
        })
        .collect()
}

#[test]
fn a_rare_filter_text_looks_its_few_jobs_up_by_id_and_no_match_reads_no_list() {
    let (_dir, db, ids) = seeded();
    let views = vec![crate::accounts::AccountView::from_row(db.account("a1").unwrap().unwrap(), "http://127.0.0.1:9/api".into())];
    // Three named jobs among 2,726 "a fox": one downloaded, one canceled, one queued.
    let named = [ids[5], ids[2_100], ids[2_700]];
    for id in named {
        db.conn().execute("UPDATE jobs SET name = 'Owl take' WHERE id = ?1", [id]).unwrap();
    }
    db.conn().trace(Some(record));
    let found = filtered_jobs(&db, &views, "owl tak").unwrap();
    let none = filtered_jobs(&db, &views, "zebra").unwrap();
    db.conn().trace(None);
    let statements = std::mem::take(&mut *STATEMENTS.lock().unwrap());
    let mut got: Vec<i64> = found.iter().map(|j| j.id).collect();
    got.sort();
    assert_eq!((got, none.len()), (named.to_vec(), 0));
    let plans = job_read_plans(&db, &statements);
    // Four lists for the rare text; none for a text nothing has.
    assert_eq!(plans.len(), 4, "{statements:#?}");
    for (sql, plan) in plans {
        // By id, then sorted: not a walk of a list index checking each job.
        assert!(plan.iter().any(|s| s.starts_with("SEARCH jobs USING INTEGER PRIMARY KEY")), "{sql}\n{plan:?}");
        assert!(!plan.iter().any(|s| s.starts_with("SCAN jobs") || s.contains("USING INDEX")), "{sql}\n{plan:?}");
    }
    let searches = statements.iter().filter(|s| s.contains("FROM job_text_index WHERE text LIKE")).count();
    assert_eq!(searches, 2, "each text is searched once: {statements:#?}");
}

#[test]
fn the_kept_counts_match_the_jobs_through_every_change() {
    let (_dir, db, ids) = seeded();
    let truth = |db: &Db| -> Vec<(String, String, String, i64, i64, i64)> {
        let conn = db.conn();
        let mut stmt = conn
            .prepare(
                "SELECT account_id, COALESCE(batch_id, ''), state, COUNT(*), COALESCE(SUM(credits_cost), 0), COALESCE(SUM(estimate_credits), 0)
                 FROM jobs GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))).unwrap().map(Result::unwrap).collect()
    };
    let kept = |db: &Db| -> Vec<(String, String, String, i64, i64, i64)> {
        let conn = db.conn();
        let mut stmt = conn.prepare("SELECT account_id, batch_id, state, jobs, credits_charged, credits_estimated FROM job_counts ORDER BY 1, 2, 3").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(kept(&db), truth(&db));
    // A charge learned later, a patch that is not a state change, a retry.
    db.patch_job(ids[0], Patch::new().int(Col::CreditsCost, Some(90)).int(Col::BytesDone, Some(5))).unwrap();
    assert!(db.transition(ids[2_210], &[JobState::Failed], JobState::Queued, Patch::new()).unwrap());
    // Many in one transaction, each guarded: the queued one does not move.
    let moves = vec![(ids[2_211], Patch::new()), (ids[2_212], Patch::new()), (ids[2_300], Patch::new())];
    assert_eq!(db.transition_many(moves, &[JobState::Failed], JobState::Canceled).unwrap(), 2);
    assert_eq!(kept(&db), truth(&db));
    assert_eq!(db.batch_counts("b1").unwrap().total, 1_363);
    assert_eq!(db.count_by_state(Some("a1")).unwrap().get(JobState::Downloaded), 2_000);
    // Deleting the account deletes its jobs (a cascade): no counts are left.
    assert!(db.delete_account("a1").unwrap());
    assert_eq!(kept(&db), vec![]);
}

#[test]
fn a_delta_carries_only_the_changed_jobs_and_fresh_counts() {
    let (_dir, db, ids) = seeded();
    let accounts = vec![crate::accounts::AccountView::from_row(db.account("a1").unwrap().unwrap(), "http://127.0.0.1:9/api".into())];
    let waiting = ids[2_226];
    assert!(db.transition(waiting, &[JobState::Queued], JobState::Submitting, Patch::new()).unwrap());
    let d = queue_delta(&db, &accounts, 6, |_| None, String::new(), &[waiting, waiting]).unwrap();
    assert_eq!(d.jobs.iter().map(|j| (j.id, j.state)).collect::<Vec<_>>(), vec![(waiting, JobState::Submitting)], "one row, once");
    assert!(d.removed.is_empty());
    let a = &d.accounts[0];
    assert_eq!((a.waiting, a.running, a.total), (499, 7, 2_726));
    assert_eq!(d.batches[0].progress.total, 1_363);
}
