//! Whoever can write to the studio's database can add leases "held" by a
//! silent computer; every other computer then follows those tasks with its
//! own key. A real PostgreSQL, loova-sim and the keychain (run by
//! scripts/test): a rogue computer with hundreds of leases and task ids that
//! are no task ids must not make this computer poll them all.

use crate::studio_common;
use loova_testkit::wait_for_async_within;
use std::collections::BTreeSet;
use std::time::Duration;
use studio_common::{keys, sim, Computer, STUDIO};

/// What the engine polls at most in one heartbeat (`studio::lease::MAX_ORPHANS`).
const MAX_ORPHANS: usize = 32;
const ROGUE_LEASES: i64 = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service and PostgreSQL: run by scripts/test"]
async fn a_rogue_database_cannot_make_this_computer_poll_without_end() {
    let Some(pg) = loova_testkit::start_postgres() else { return };
    let keys = keys(1);
    let sim = sim(&keys).await;
    let c = Computer::new("edit-a", &sim, &keys[0], &pg).await;

    // A "computer" silent for an hour, holding leases whose task ids are
    // paths, queries, spaces and 5,000 characters, then 300 plausible ones.
    let (client, conn) = tokio_postgres::connect(&pg.url(), tokio_postgres::NoTls).await.expect("connect to the test cluster");
    tokio::spawn(conn);
    client.execute("INSERT INTO loova_computers (studio_account, name, last_seen) VALUES ($1, 'rogue', now() - interval '1 hour')", &[&STUDIO]).await.unwrap();
    let malformed = ["../../v1/credits", "task?task_id=x&key=1", "task id with spaces", "tâche", &"a".repeat(5000)];
    for (i, task) in malformed.iter().enumerate() {
        client
            .execute(
                "INSERT INTO loova_leases (studio_account, computer, job_id, task_id, hold_ms) VALUES ($1, 'rogue', $2, $3, 1000)",
                &[&STUDIO, &(i as i64), task],
            )
            .await
            .unwrap();
    }
    client
        .execute(
            "INSERT INTO loova_leases (studio_account, computer, job_id, task_id, hold_ms)
             SELECT $1, 'rogue', 1000 + g, 'task_rogue_' || lpad(g::text, 4, '0'), 1000 FROM generate_series(1, $2::bigint) g",
            &[&STUDIO, &ROGUE_LEASES],
        )
        .await
        .unwrap();

    c.start();
    // Several heartbeats' worth of status requests for the rogue's tasks.
    let polled = |sim: &loova_sim::SimHandle| -> Vec<String> {
        sim.state()
            .requests
            .iter()
            .filter_map(|r| r.path.split_once("/tasks?task_id=").map(|(_, t)| t.to_string()))
            .filter(|t| !t.starts_with("task_") || t.contains("rogue"))
            .collect()
    };
    wait_for_async_within("the rogue's tasks polled over several heartbeats", Duration::from_secs(60), || {
        let n = polled(&sim).len();
        let last: Vec<String> = sim.state().requests.iter().rev().take(5).map(|r| r.path.clone()).collect();
        (n >= 4 * MAX_ORPHANS).then_some(()).ok_or(format!("{n} status requests so far; the last requests: {last:?}"))
    })
    .await;
    c.stop();

    let distinct: BTreeSet<String> = polled(&sim).into_iter().collect();
    let allowed: BTreeSet<String> = (1..=MAX_ORPHANS - malformed.len()).map(|g| format!("task_rogue_{g:04}")).collect();
    assert!(distinct.len() <= MAX_ORPHANS, "{} distinct orphan tasks polled, more than {MAX_ORPHANS} a heartbeat: {distinct:?}", distinct.len());
    assert_eq!(distinct, allowed, "only task-shaped ids, the oldest leases first");
}
