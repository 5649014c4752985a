//! A studio when things go wrong: a computer killed mid-run, the database
//! stopped mid-run, and secrets kept out of every file and log. Real
//! PostgreSQL, a simulator limit far above 6, keys of one user. Needs the
//! Secret Service and PostgreSQL (run by scripts/test).

use crate::studio_common;
use loova_core::store::JobState;
use loova_testkit::{wait_for_async_within, wait_for_future_within, PG_PASSWORD};
use std::time::Duration;
use studio_common::{keys, leases, running_now, sim, sim_user, Computer};

const DONE: &[JobState] = &[JobState::Downloaded];

/// One computer is killed while its tasks run. The others release its
/// leases as its tasks finish (polling them with their own keys), keep
/// using every slot, and the killed one recovers its jobs when restarted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service and PostgreSQL: run by scripts/test"]
async fn a_killed_computers_slots_are_released_by_the_others() {
    let Some(pg) = loova_testkit::start_postgres() else { return };
    let keys = keys(3);
    let sim = sim(&keys).await;
    let mut computers = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let mut c = Computer::new(&format!("edit-{i}"), &sim, key, &pg).await;
        // The bounded hold of a lease whose create may or may not have
        // reached Loova (longer than a task runs here).
        c.unknown_hold = Some(Duration::from_secs(3));
        computers.push(c);
    }
    for c in &computers {
        c.enqueue(15);
        c.start();
    }
    let victim = &computers[0];
    wait_for_async_within("the first computer runs tasks", Duration::from_secs(60), || {
        let n = victim.count(&[JobState::Running]);
        (n >= 2).then_some(()).ok_or(format!("{n} running"))
    })
    .await;
    victim.kill();
    // Its running tasks' leases are released by the others as they end.
    wait_for_future_within("the killed computer's leases released", Duration::from_secs(60), || async {
        let held: Vec<_> = leases(&pg).await.into_iter().filter(|(c, _)| c == "edit-0").collect();
        held.is_empty().then_some(()).ok_or(format!("still held: {held:?}"))
    })
    .await;
    // The two others go on using all 6 slots while it is down.
    wait_for_async_within("the others use all 6 slots", Duration::from_secs(60), || {
        let n = running_now(&sim);
        (n == 6).then_some(()).ok_or(format!("{n} running at the simulator"))
    })
    .await;
    victim.start();
    wait_for_async_within("every computer's queue is done", Duration::from_secs(180), || {
        let left: usize = computers.iter().map(|c| 15 - c.count(&[JobState::Downloaded, JobState::OutcomeUnknown])).sum();
        (left == 0).then_some(()).ok_or(format!("{left} jobs left"))
    })
    .await;
    let (max_running, _, twice) = sim_user(&sim);
    assert!(max_running <= 6, "{max_running} at once");
    assert!(twice.is_empty(), "created twice: {twice:?}");
    for c in &computers[1..] {
        assert_eq!(c.count(DONE), 15, "{}", c.name);
    }
    // The killed one's running jobs were recovered and saved; one killed
    // mid-create waits for a person (outcome unknown), never resent.
    assert!(victim.count(DONE) >= 2, "the restarted computer saved its jobs");
    for c in &computers {
        c.check_files();
    }
}

/// PostgreSQL stops mid-run: no create is sent for the shared account
/// until it is back (running tasks are still followed and saved), the
/// person is told once, then everything finishes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service and PostgreSQL: run by scripts/test"]
async fn with_the_database_down_nothing_is_sent_until_it_is_back() {
    let Some(pg) = loova_testkit::start_postgres() else { return };
    let keys = keys(2);
    let sim = studio_common::sim_at(&keys, 0.02).await;
    let a = Computer::new("edit-a", &sim, &keys[0], &pg).await;
    let b = Computer::new("edit-b", &sim, &keys[1], &pg).await;
    for c in [&a, &b] {
        c.enqueue(12);
        c.start();
    }
    wait_for_async_within("tasks running", Duration::from_secs(60), || {
        let n = running_now(&sim);
        (n >= 4).then_some(()).ok_or(format!("{n} running"))
    })
    .await;
    pg.stop();
    wait_for_async_within("both computers see the database down", Duration::from_secs(30), || {
        let down = [&a, &b].iter().all(|c| c.status().is_some_and(|s| !s.reachable));
        let sending = a.count(&[JobState::Submitting]) + b.count(&[JobState::Submitting]);
        (down && sending == 0).then_some(()).ok_or(format!("down {down}, {sending} creates in flight"))
    })
    .await;
    let created = sim_user(&sim).1;
    // Running tasks are still followed to the end and saved.
    wait_for_async_within("the running tasks finished", Duration::from_secs(60), || {
        let n = a.count(&[JobState::Running, JobState::Succeeded, JobState::Downloading])
            + b.count(&[JobState::Running, JobState::Succeeded, JobState::Downloading]);
        (n == 0).then_some(()).ok_or(format!("{n} still running"))
    })
    .await;
    // A few heartbeats later, still nothing sent.
    let until = std::time::Instant::now() + Duration::from_millis(1500);
    while std::time::Instant::now() < until {
        assert_eq!(sim_user(&sim).1, created, "a create was sent while the studio database was down");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(a.count(&[JobState::Queued]) + b.count(&[JobState::Queued]) > 0, "the test stopped the database too late");
    let status = a.status().unwrap();
    assert!(status.error.as_deref().is_some_and(|e| e.contains(&pg.url_without_password()) && !e.contains(PG_PASSWORD)), "{status:?}");
    let told = a.notices.lock().unwrap().iter().filter(|n| n.kind == loova_core::engine::NoticeKind::StudioUnreachable).count();
    assert_eq!(told, 1, "one notification");
    pg.start();
    wait_for_async_within("everything finished", Duration::from_secs(120), || {
        let done = a.count(DONE) + b.count(DONE);
        (done == 24).then_some(()).ok_or(format!("{done}/24; {:?}", a.status()))
    })
    .await;
    let (max_running, created, twice) = sim_user(&sim);
    assert!(max_running <= 6, "{max_running} at once");
    assert_eq!(created, 24);
    assert!(twice.is_empty(), "{twice:?}");
}

/// The database password and the API keys are in no file of any data
/// folder and in nothing the process printed. The work runs in a child
/// process (this test binary again) so everything it printed is captured.
#[test]
#[ignore = "needs the Secret Service and PostgreSQL: run by scripts/test"]
fn the_password_and_keys_are_in_no_file_and_no_log() {
    if loova_testkit::postgres_bin().is_none() {
        let _ = loova_testkit::start_postgres();
        return;
    }
    let dirs = tempfile::tempdir().unwrap();
    // The child test's name as libtest knows it: its module path in this
    // test binary, without the binary's own name.
    let child = format!("{}::secrets_child", module_path!().split_once("::").map_or("", |(_, m)| m));
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", &child, "--nocapture", "--test-threads=1"])
        .env("LOOVA_STUDIO_SECRETS_DIR", dirs.path())
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the child failed:\n{printed}");
    assert!(printed.contains("1 passed"), "the child ran nothing:\n{printed}");
    let keys = std::fs::read_to_string(dirs.path().join("keys")).unwrap();
    for secret in std::iter::once(PG_PASSWORD).chain(keys.lines()) {
        assert!(!printed.contains(secret), "printed: {secret}");
        for d in std::fs::read_to_string(dirs.path().join("folders")).unwrap().lines() {
            let found = loova_testkit::files_containing(std::path::Path::new(d), secret);
            assert!(found.is_empty(), "{secret} in {found:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by the_password_and_keys_are_in_no_file_and_no_log"]
async fn secrets_child() {
    let Ok(report) = std::env::var("LOOVA_STUDIO_SECRETS_DIR") else { return };
    let report = std::path::PathBuf::from(report);
    let pg = loova_testkit::start_postgres().unwrap();
    let keys = keys(2);
    std::fs::write(report.join("keys"), keys.join("\n")).unwrap();
    let sim = sim(&keys).await;
    let a = Computer::new("edit-a", &sim, &keys[0], &pg).await;
    let b = Computer::new("edit-b", &sim, &keys[1], &pg).await;
    let folders = format!("{}\n{}\n", a.dir.path().display(), b.dir.path().display());
    std::fs::write(report.join("folders"), folders).unwrap();
    for c in [&a, &b] {
        c.enqueue(4);
        c.start();
    }
    // Errors are printed too: the database down for a moment, a bad password.
    pg.stop();
    wait_for_async_within("the database seen down", Duration::from_secs(30), || a.status().is_some_and(|s| !s.reachable)).await;
    println!("status while down: {:?}", a.status());
    println!("notices: {:?}", a.notices.lock().unwrap());
    pg.start();
    let wrong = pg.url().replace(PG_PASSWORD, "wrong-password-1234");
    let err = loova_core::studio::connect(a.accounts.db(), a.accounts.vault(), &a.account, &wrong, &Default::default(), studio_common::STUDIO, Some("edit-a"))
        .await
        .expect_err("a wrong password");
    println!("wrong password: {err} ({:?})", err.code());
    wait_for_async_within("all 8 downloaded", Duration::from_secs(120), || a.count(DONE) + b.count(DONE) == 8).await;
    println!("status: {:?}", loova_core::studio::status(a.accounts.db(), a.accounts.vault(), &a.account, 6).await.unwrap());
    a.stop();
    b.stop();
}
