//! The keychain locked while jobs run. The engine starts (as the app does at
//! login, or after a restart) with jobs running and queued while the Secret
//! Service collection holding the keys is locked: every job waits with the
//! reason, none fails, the person is told once, and after the unlock every
//! job finishes, none created twice. Against gnome-keyring: the collection
//! is locked and unlocked over D-Bus, as a screen lock and the login do.
//! Linux only; run by scripts/test (its keyring's password is `loova-test`).
#![cfg(target_os = "linux")]

// Its own test binary: it locks the keyring collection every other test's
// keys live in, which would fail the tests running beside it in the
// crate's shared binary.
#[path = "core/common/mod.rs"]
mod common;

use common::*;
use loova_core::engine::{Engine, EngineConfig, NoticeKind};
use loova_core::store::JobState;
use loova_core::ErrorCode;
use loova_testkit::{above_our_cap, wait_for_async_within};
use std::collections::HashMap;
use std::time::Duration;
use zbus::blocking::Connection;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

const KEY: &str = "sk-live-keychain-test-0001";
const OTHER: &str = "sk-live-keychain-test-0002";
/// Studio's jobs (more than its 6 slots) and Client's, queued later.
const JOBS: usize = 8;
const OTHER_JOBS: usize = 3;
/// Slower than the Rig's, so jobs are still running when the first engine stops.
const SLOW: f64 = 0.02;
/// The test keyring's password (scripts/test unlocks it with this).
const PASSWORD: &str = "loova-test";
const SECRETS: &str = "org.freedesktop.secrets";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE: &str = "org.freedesktop.Secret.Service";

/// The Secret Service's default collection (where the keys are kept).
fn default_collection(bus: &Connection) -> OwnedObjectPath {
    let reply = bus.call_method(Some(SECRETS), SERVICE_PATH, Some(SERVICE), "ReadAlias", &("default",)).expect("ReadAlias default");
    let path: OwnedObjectPath = reply.body().deserialize().unwrap();
    assert_ne!(path.as_str(), "/", "the keyring has no default collection");
    path
}

fn is_locked(bus: &Connection, collection: &OwnedObjectPath) -> bool {
    let reply = bus
        .call_method(Some(SECRETS), collection.as_str(), Some("org.freedesktop.DBus.Properties"), "Get", &("org.freedesktop.Secret.Collection", "Locked"))
        .unwrap();
    let value: OwnedValue = reply.body().deserialize().unwrap();
    bool::try_from(value).unwrap()
}

/// gnome-keyring answers a read of a locked item by starting its unlock
/// prompter (gcr-prompter, started by D-Bus) and waiting for a person. Under
/// scripts/test's Xvfb the session has a display, so the prompt would open
/// there and wait for ever, and the test would measure the keyring's patience
/// instead of our engine. Telling D-Bus the prompter has no display makes
/// the prompt fail at once, as in a session with no display or when a person
/// dismisses it: the store's `NoStorageAccess`, our `keychain_locked`.
fn no_prompter_display(bus: &Connection) {
    let env: HashMap<&str, &str> = HashMap::from([("DISPLAY", ""), ("WAYLAND_DISPLAY", "")]);
    bus.call_method(Some("org.freedesktop.DBus"), "/org/freedesktop/DBus", Some("org.freedesktop.DBus"), "UpdateActivationEnvironment", &(env,))
        .expect("UpdateActivationEnvironment");
}

/// Locks the collection: no prompt is needed for that.
fn lock(bus: &Connection, collection: &OwnedObjectPath) {
    let reply = bus.call_method(Some(SECRETS), SERVICE_PATH, Some(SERVICE), "Lock", &(vec![collection.clone()],)).expect("Lock");
    let (locked, prompt): (Vec<OwnedObjectPath>, OwnedObjectPath) = reply.body().deserialize().unwrap();
    assert_eq!((locked, prompt.as_str()), (vec![collection.clone()], "/"), "locked without a prompt");
    assert!(is_locked(bus, collection));
}

/// Unlocks it with the password, as the login does (`Unlock` would need a
/// prompter window, which a test session has not got): gnome-keyring's own
/// interface, with the secret sent over a plain session on this connection.
fn unlock(bus: &Connection, collection: &OwnedObjectPath) {
    let reply = bus.call_method(Some(SECRETS), SERVICE_PATH, Some(SERVICE), "OpenSession", &("plain", Value::from(""))).expect("OpenSession");
    let (_, session): (OwnedValue, OwnedObjectPath) = reply.body().deserialize().unwrap();
    let secret = (session, Vec::<u8>::new(), PASSWORD.as_bytes().to_vec(), "text/plain");
    bus.call_method(
        Some(SECRETS),
        SERVICE_PATH,
        Some("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface"),
        "UnlockWithMasterPassword",
        &(collection.clone(), secret),
    )
    .expect("UnlockWithMasterPassword (is the keyring's password loova-test?)");
    assert!(!is_locked(bus, collection));
}

/// Unlocks the collection again however the test ends: the next test
/// binary of the session uses the same keyring.
struct Relock<'a>(&'a Connection, OwnedObjectPath);

impl Drop for Relock<'_> {
    fn drop(&mut self) {
        if is_locked(self.0, &self.1) {
            unlock(self.0, &self.1);
        }
    }
}

/// An engine at this test's pace whose events land in `rig.events`.
fn engine(rig: &Rig) -> Engine {
    let mut config = EngineConfig::scaled(SLOW);
    config.output_dir = Some(rig.out.clone());
    let engine = Engine::new(rig.db.clone(), rig.accounts.clone(), rig.prices.clone(), config);
    let mut rx = engine.subscribe();
    let events = rig.events.clone();
    tokio::spawn(async move {
        while let Ok(e) = rx.recv().await {
            events.lock().unwrap().push(e);
        }
    });
    engine
}

fn keychain_notices(rig: &Rig) -> usize {
    rig.notices().iter().filter(|n| n.kind == NoticeKind::KeychainLocked).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "locks and unlocks gnome-keyring's collection: run by scripts/test"]
async fn a_locked_keychain_makes_jobs_wait_and_they_resume_after_the_unlock() {
    let bus = Connection::session().expect("a D-Bus session bus (run under dbus-run-session)");
    let collection = default_collection(&bus);
    let rig = Rig::new(above_our_cap(loova_testkit::sim_config(&[(KEY, 1_000_000), (OTHER, 1_000_000)], SLOW))).await;
    let acct = rig.account("Studio", KEY).await;
    let other = rig.account("Client", OTHER).await;
    rig.enqueue_many(&acct, JOBS, "keychain");

    // The queue runs until some jobs are running on Loova and some wait.
    let first = engine(&rig);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn({
        let first = first.clone();
        async move { first.run(false, async { drop(stopped.await) }).await }
    });
    wait_for_async_within("jobs running and jobs queued", Duration::from_secs(60), || rig.count(JobState::Running) >= 2 && rig.count(JobState::Queued) >= 1)
        .await;
    let _ = stop.send(());
    run.await.unwrap().unwrap();
    // Jobs of an account with every slot free: they are sent at once.
    rig.enqueue_many(&other, OTHER_JOBS, "other");

    no_prompter_display(&bus);
    lock(&bus, &collection);
    let _relock = Relock(&bus, collection.clone());
    // What the keychain store answers for a locked item with no one to
    // type the password: a refused prompt, which is `keychain_locked`.
    let refused = rig.accounts.key(&acct).await.expect_err("a locked keychain gives no key");
    assert_eq!(refused.code(), ErrorCode::KeychainLocked, "{refused}");

    // A fresh engine (the app at login, or restarted) needs the key.
    let second = engine(&rig);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn({
        let second = second.clone();
        async move { second.run(false, async { drop(stopped.await) }).await }
    });
    // Running jobs cannot be followed and Client's cannot be sent; each
    // says why. (Studio's queued jobs wait for its slots, as always.)
    let needs_key = |j: &loova_core::store::JobRow| j.state == JobState::Running || j.account_id == other;
    wait_for_async_within("the running and the sendable jobs waiting for the keychain, tried several times", Duration::from_secs(60), || {
        let jobs = rig.jobs();
        let waiting: Vec<_> = jobs.iter().filter(|j| needs_key(j)).collect();
        let told = waiting.iter().all(|j| j.last_error_code == Some(ErrorCode::KeychainLocked));
        let retried = jobs.iter().filter(|j| j.account_id == other).map(|j| j.attempts).min().unwrap_or(0);
        let seen = || format!("{:?}, Client's jobs tried {retried}×", jobs.iter().map(|j| (j.id, j.state, j.last_error_code)).collect::<Vec<_>>());
        (waiting.len() > OTHER_JOBS && told && retried >= 3).then_some(()).ok_or_else(seen)
    })
    .await;
    for j in rig.jobs() {
        // Waiting in whatever state it was (`submitting` is a try on its way
        // back to `queued`: nothing is sent without a key); none has failed.
        let ended = matches!(j.state, JobState::Failed | JobState::OutcomeUnknown | JobState::Invalid | JobState::Expired | JobState::Canceled);
        assert!(!ended, "job {} is {:?}: {:?}", j.id, j.state, j.last_error);
        if needs_key(&j) {
            let text = j.last_error.clone().unwrap_or_default();
            assert!(text.to_lowercase().contains("keychain is locked — unlock it to continue"), "job {}: {text}", j.id);
        }
    }
    // Many tries, one notice.
    wait_for_async_within("the keychain notice", Duration::from_secs(10), || keychain_notices(&rig) == 1).await;

    unlock(&bus, &collection);
    wait_for_async_within("every job downloaded after the unlock", Duration::from_secs(90), || rig.count(JobState::Downloaded) == JOBS + OTHER_JOBS).await;
    let _ = stop.send(());
    run.await.unwrap().unwrap();
    rig.check_files();
    assert_eq!(keychain_notices(&rig), 1, "the person was told once");
    let st = rig.sim.state();
    let (k, o) = (st.key(KEY).unwrap(), st.key(OTHER).unwrap());
    assert_eq!((k.tasks_created, o.tasks_created), (JOBS as u64, OTHER_JOBS as u64), "no task created twice");
    for j in rig.jobs() {
        let tasks = k.tasks.iter().chain(&o.tasks);
        assert_eq!(tasks.filter(|t| t.prompt == j.spec.prompt).count(), 1, "job {} created once", j.id);
        assert_eq!(j.last_error_code, None, "job {}: {:?}", j.id, j.last_error);
    }
}
