//! `loova jobs move` and `loova jobs edit` against a real SQLite file and
//! keychain, then `loova run` against loova-sim: the queue is sent in the
//! order the person set, an edit is charged at its new price, and a job
//! that may have been sent is never changed. Needs the Secret Service.

use crate::common::Env;
use loova_core::store::{Db, JobState, Patch};
use loova_testkit::{above_our_cap, sim_config};

const KEY: &str = "sk-live-order-test-51c2";

fn order(db: &Db) -> Vec<i64> {
    let account = db.accounts().unwrap()[0].id.clone();
    db.next_queued(&account, i64::MAX, 100).unwrap().iter().map(|j| j.id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn moved_and_edited_jobs_are_sent_in_the_new_order_at_the_new_price() {
    let sim = loova_testkit::start_sim(above_our_cap(sim_config(&[(KEY, 1_000_000)], 0.01))).await;
    let env = Env::new("jobs-change").fast().with_account("Order", &sim.base_url(), KEY).await;
    let db = env.db();
    let loova = |args: &[&str]| env.run(args);
    for name in ["One", "Two", "Three", "Four"] {
        let (code, out, err) = loova(&["enqueue", "--account", "Order", "--prompt", &format!("shot {name}"), "--name", name]);
        assert_eq!(code, 0, "{out}{err}");
    }
    assert_eq!(order(&db), [1, 2, 3, 4]);
    // The Queue's filter, from the terminal: any case, prompt or name.
    let (code, out, _) = loova(&["jobs", "--find", "SHOT th"]);
    assert_eq!(code, 0);
    assert!(out.lines().count() == 1 && out.contains("Three"), "{out}");
    let (code, out, _) = loova(&["jobs", "--find", "zebra"]);
    assert_eq!((code, out.trim()), (0, "No job matches \"zebra\" (prompt, name, task id or saved file)."));

    let (code, out, _) = loova(&["jobs", "move", "4", "--top"]);
    assert_eq!((code, out.trim()), (0, "Job 4 moved to the top of its queue."));
    assert_eq!(order(&db), [4, 1, 2, 3]);
    assert_eq!(loova(&["jobs", "move", "4", "--bottom"]).0, 0);
    assert_eq!(loova(&["jobs", "move", "3", "--before", "1"]).0, 0);
    assert_eq!(order(&db), [3, 1, 2, 4]);
    let (code, _, err) = loova(&["jobs", "move", "2", "--before", "99"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(loova(&["jobs", "move", "2"]).0, 2, "a place is required");
    assert_eq!(order(&db), [3, 1, 2, 4], "a refused move changes nothing");

    // An edit: the fields given change, the rest stay, re-priced in place.
    let (code, out, err) = loova(&["jobs", "edit", "2", "--duration", "8", "--name", "Two, longer"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("about 120 credits, was 75"), "{out}");
    let two = db.job(2).unwrap().unwrap();
    assert_eq!((two.spec.duration, two.spec.prompt.as_str(), two.estimate_credits, two.name.as_deref()), (8, "shot Two", Some(120), Some("Two, longer")));
    assert_eq!(order(&db), [3, 1, 2, 4]);
    let (code, _, err) = loova(&["jobs", "edit", "2", "--duration", "99"]);
    assert!(code == 2 && err.contains("duration"), "{err}");
    assert_eq!(db.job(2).unwrap().unwrap().spec.duration, 8, "a refused edit changes nothing");

    // A job that may have been sent is never edited or moved; the person is told.
    assert!(db.transition(4, &[JobState::Queued], JobState::Submitting, Patch::new()).unwrap());
    let (code, _, err) = loova(&["jobs", "edit", "4", "--duration", "6"]);
    assert!(code == 2 && err.contains("submitting") && err.contains("may have been sent"), "{err}");
    assert_eq!(db.job(4).unwrap().unwrap().spec.duration, 5);
    assert_eq!(loova(&["jobs", "move", "4", "--top"]).0, 2);
    assert!(db.transition(4, &[JobState::Submitting], JobState::Queued, Patch::new()).unwrap());

    // `loova jobs` still lists; then the queue runs in the order set, one at
    // a time so the order is in the submit times.
    assert_eq!(loova(&["accounts", "limit", "Order", "1"]).0, 0);
    let (code, out, _) = loova(&["jobs", "--state", "queued"]);
    assert!(code == 0 && out.contains("Two, longer"), "{out}");
    let (code, out, err) = loova(&["run", "--until-idle"]);
    assert_eq!(code, 0, "{out}{err}");
    let sent: Vec<(i64, i64)> = (1..=4).map(|id| db.job(id).unwrap().unwrap()).map(|j| (j.submitted_at.unwrap(), j.id)).collect();
    let mut by_time = sent.clone();
    by_time.sort();
    assert_eq!(by_time.iter().map(|s| s.1).collect::<Vec<_>>(), [3, 1, 2, 4], "sent in the order set: {sent:?}");
    assert_eq!(db.job(2).unwrap().unwrap().credits_cost, Some(120), "charged at the edited price");
}
