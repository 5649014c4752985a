//! Remote notices end to end: a real engine against loova-sim runs a small
//! batch while the dispatcher delivers to a real loopback HTTP recorder
//! shaped like ntfy, a generic webhook, Discord and Slack, plus a failing
//! and a hung endpoint. Checked: one summary per batch with the right
//! counts and credits, each service's body, that no API key or target secret
//! is in any body, in SQLite's files or in the error text shown, that a
//! restart does not resend, and that a hung target does not hold the queue.

use crate::common::*;
use loova_core::batch::{enqueue_batch, parse_batch_in};
use loova_core::engine::{EngineEvent, Notice, NoticeKind};
use loova_core::remote_notices::{self as rn, AddTarget, DispatchConfig, Dispatcher, RemoteKind, TargetKind};
use loova_core::secret::Sensitive;
use loova_core::store::JobState;
use loova_core::ErrorCode;
use loova_sim::FaultKind;
use loova_testkit::{dead_endpoint, files_containing, wait_for_async_within, Recorder};
use std::time::Duration;

const KEY: &str = "sk-live-notices-test-0001";
const NTFY_TOKEN: &str = "tk_ntfySECRET0001";
const HOOK_TOKEN: &str = "hookBEARER0001";

fn config() -> DispatchConfig {
    // A hung target waits 20 s per attempt: far longer than the batch takes.
    DispatchConfig { timeout: Duration::from_secs(20), attempts: 2, retry_after: Duration::from_millis(100) }
}

async fn add(rig: &Rig, name: &str, kind: TargetKind, url: &str, token: Option<&str>) -> String {
    let req = AddTarget { name: name.into(), kind, url: Sensitive::new(url), token: token.map(Sensitive::new), kinds: None };
    rn::add(&rig.db, rig.accounts.vault(), req).await.unwrap_or_else(|e| panic!("add {name}: {e}")).id
}

fn batch_csv(n: usize) -> Vec<u8> {
    let mut csv = String::from("prompt,model,duration,name\n");
    for i in 0..n {
        csv.push_str(&format!("notice job {i}: a heron at dawn,seedance_2_0,5,shot{i}\n"));
    }
    csv.into_bytes()
}

fn summaries(rec: &Recorder, prefix: &str) -> Vec<loova_testkit::Received> {
    rec.at(prefix).into_iter().filter(|r| r.raw.contains("finished")).collect()
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn one_summary_per_batch_to_every_service_and_no_secret_anywhere() {
    let mut cfg = sim_config(&[(KEY, 1_000_000)]);
    // The second create reaches Loova but its answer is lost: that job needs a person.
    cfg.faults.create.script = [FaultKind::None, FaultKind::CreatedThenDropped].into_iter().collect();
    let rig = Rig::new(cfg).await;
    let acct = rig.account("Notices", KEY).await;
    let rec = Recorder::start();
    let urls = [
        rec.url("/ntfy/loova-topic-SECRETNTFY"),
        rec.url("/hook/SECRETHOOK0001"),
        rec.url("/api/webhooks/42/SECRETDISCORD0001"),
        rec.url("/services/T0/B0/SECRETSLACK0001"),
        rec.url("/fail/SECRETFAIL0001"),
        format!("{}/hook/SECRETDEAD0001", dead_endpoint()),
    ];
    add(&rig, "Phone", TargetKind::Ntfy, &urls[0], Some(NTFY_TOKEN)).await;
    add(&rig, "Hook", TargetKind::Webhook, &urls[1], Some(HOOK_TOKEN)).await;
    add(&rig, "Discord", TargetKind::Discord, &urls[2], None).await;
    add(&rig, "Slack", TargetKind::Slack, &urls[3], None).await;
    let failing = add(&rig, "Failing", TargetKind::Webhook, &urls[4], None).await;
    let dead = add(&rig, "Dead", TargetKind::Webhook, &urls[5], None).await;

    let file = parse_batch_in(&batch_csv(4), std::path::Path::new("spring.csv"), None, &rig.prices, rig.dir.path());
    let batch = enqueue_batch(&rig.db, &acct, &file, Some("Spring"), false, &rig.prices).unwrap().batch;
    let engine = rig.engine_with(|c| c.unknown_hold = Some(Duration::from_secs(1)));
    let dispatcher = Dispatcher::start(rig.db.clone(), rig.accounts.vault().clone(), engine.subscribe(), config());
    rig.run_until_idle(&engine, Duration::from_secs(120)).await;

    // The queue went idle with every video saved, whatever the targets do.
    assert_eq!((rig.count(JobState::Downloaded), rig.count(JobState::OutcomeUnknown)), (3, 1));
    rig.check_files();
    for prefix in ["/ntfy/", "/hook/", "/api/webhooks/", "/services/"] {
        wait_for_async_within(&format!("the summary at {prefix}"), Duration::from_secs(20), || !summaries(&rec, prefix).is_empty()).await;
    }
    // The hung target is still on its first attempt: it held up nothing.
    let view = rn::list(&rig.db).unwrap();
    let d = view.targets.iter().find(|t| t.id == dead).unwrap();
    assert!(d.last_at_ms.is_none() && d.waiting >= 1, "the hung target's attempt is still pending: {d:?}");

    let credits: i64 = rig.jobs().iter().filter_map(|j| j.credits_cost).sum();
    assert!(credits > 0);
    let hook = summaries(&rec, "/hook/");
    assert_eq!(hook.len(), 1, "one summary per batch: {hook:#?}");
    let body = &hook[0].json;
    assert_eq!((body["version"].as_i64(), body["kind"].as_str()), (Some(1), Some("batch_finished")));
    let b = &body["batch"];
    assert_eq!(b["id"].as_str(), Some(batch.id.as_str()));
    assert_eq!((b["name"].as_str(), b["total"].as_i64(), b["done"].as_i64()), (Some("Spring"), Some(4), Some(3)));
    assert_eq!((b["failed"].as_i64(), b["needs_you"].as_i64(), b["credits_spent"].as_i64()), (Some(0), Some(1), Some(credits)));
    assert!(body["sent_at"].as_str().is_some_and(|s| s.contains('T')), "{body}");
    assert_eq!(hook[0].authorization.as_deref(), Some(format!("Bearer {HOOK_TOKEN}").as_str()));

    let ntfy = summaries(&rec, "/ntfy/");
    assert_eq!(ntfy.len(), 1);
    assert_eq!(ntfy[0].path, "/ntfy/", "JSON publishing goes to the server's root");
    assert_eq!(ntfy[0].json["topic"], "loova-topic-SECRETNTFY");
    assert_eq!(ntfy[0].json["title"], "Batch \"Spring\" finished");
    assert_eq!(ntfy[0].authorization.as_deref(), Some(format!("Bearer {NTFY_TOKEN}").as_str()));
    let discord = summaries(&rec, "/api/webhooks/");
    assert_eq!(discord.len(), 1);
    let content = discord[0].json["content"].as_str().unwrap();
    assert!(content.starts_with("**Batch \"Spring\" finished**\n3 done, 1 needs you"), "{content}");
    let slack = summaries(&rec, "/services/");
    assert_eq!(slack.len(), 1);
    assert!(slack[0].json["text"].as_str().unwrap().starts_with("*Batch \"Spring\" finished*"), "{}", slack[0].raw);
    for r in [&discord[0], &slack[0]] {
        assert!(r.authorization.is_none(), "Discord and Slack get no token header");
    }

    // The job that needs a person was told too (its own kind).
    wait_for_async_within("a needs-person notice", Duration::from_secs(20), || rec.at("/hook/").iter().any(|r| r.json["kind"] == "needs_person")).await;

    // The failing target: retried, then given up, with a sentence and no secret.
    let why = wait_for_async_within("the failing target gives up", Duration::from_secs(20), || {
        let t = rn::list(&rig.db).unwrap().targets.into_iter().find(|t| t.id == failing).unwrap();
        t.last_error.filter(|e| e.starts_with("Gave up after 2 attempts"))
    })
    .await;
    assert!(why.contains("HTTP 503") && why.contains("down for maintenance") && !why.contains("SECRETFAIL"), "{why}");
    assert!(rec.at("/fail/").len() >= 2, "tried twice");

    // No secret in any body, in SQLite's files, or in what Settings shows.
    let secrets = ["SECRETNTFY", "SECRETHOOK", "SECRETDISCORD", "SECRETSLACK", "SECRETFAIL", "SECRETDEAD", NTFY_TOKEN, HOOK_TOKEN, KEY];
    for r in rec.received() {
        for s in secrets {
            // A target's own address carries its own secret in the path (the topic is in ntfy's body by design).
            let own = r.path.contains(s) || (s == "SECRETNTFY" && r.path == "/ntfy/");
            assert!(own || !r.raw.contains(s), "{s} leaked in a body sent to {}: {}", r.path, r.raw);
        }
        assert!(!r.raw.contains(KEY) && !r.authorization.as_deref().unwrap_or("").contains(KEY), "the API key leaked to {}", r.path);
    }
    dispatcher.finish(Duration::from_millis(100)).await;
    drop(engine);
    for s in secrets {
        assert!(files_containing(rig.dir.path(), s).is_empty(), "{s} is in a file of the data folder");
    }
    let shown = serde_json::to_string(&rn::list(&rig.db).unwrap()).unwrap();
    assert!(!secrets.iter().any(|s| shown.contains(s)), "{shown}");

    // A restart that sees the batch's jobs again does not send it twice.
    let (tx, rx) = tokio::sync::broadcast::channel(64);
    let again = Dispatcher::start(rig.db.clone(), rig.accounts.vault().clone(), rx, config());
    for j in rig.jobs() {
        tx.send(EngineEvent::JobChanged(Box::new(loova_core::engine::job(&rig.db, j.id).unwrap()))).unwrap();
    }
    again.finish(Duration::from_secs(5)).await;
    assert_eq!(summaries(&rec, "/hook/").len(), 1, "not resent after a restart");
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn send_test_reports_the_result_and_remove_forgets_the_secret() {
    let rig = Rig::new(sim_config(&[])).await;
    let rec = Recorder::start();
    let ok = add(&rig, "Team", TargetKind::Slack, &rec.url("/services/T/B/SECRETTEST01"), None).await;
    let view = rn::send_test(&rig.db, rig.accounts.vault(), "Team").await.unwrap();
    assert_eq!(view.last_ok, Some(true));
    let got = rec.at("/services/");
    assert_eq!(got.len(), 1);
    assert!(got[0].json["text"].as_str().unwrap().contains("Test from Loova Desk"), "{}", got[0].raw);

    let bad = add(&rig, "Broken", TargetKind::Webhook, &rec.url("/fail/SECRETTEST02"), None).await;
    let err = rn::send_test(&rig.db, rig.accounts.vault(), &bad).await.unwrap_err();
    assert_eq!(loova_core::Coded::code(&err), ErrorCode::NoticeDeliveryFailed);
    let text = err.to_string();
    assert!(text.contains("HTTP 503") && !text.contains("SECRETTEST02"), "{text}");
    let shown = rn::list(&rig.db).unwrap().targets.into_iter().find(|t| t.id == bad).unwrap();
    assert_eq!((shown.last_ok, shown.last_error.as_deref()), (Some(false), Some(text.as_str())));

    // Refusals: a plain-http address on another computer, a taken name.
    let req = |name: &str, url: &str| AddTarget { name: name.into(), kind: TargetKind::Discord, url: Sensitive::new(url), token: None, kinds: None };
    let e = rn::add(&rig.db, rig.accounts.vault(), req("Far", "http://example.com/api/webhooks/1/x")).await.unwrap_err();
    assert_eq!(e.field(), Some("url"));
    let e = rn::add(&rig.db, rig.accounts.vault(), req("Team", &rec.url("/x"))).await.unwrap_err();
    assert_eq!(e.field(), Some("name"));

    rn::remove(&rig.db, rig.accounts.vault(), "Team").await.unwrap();
    assert!(rig.accounts.vault().get(&format!("notice-target:{ok}")).await.unwrap().is_none(), "the secret went with the target");
    assert!(rn::send_test(&rig.db, rig.accounts.vault(), "Team").await.is_err());
}

#[tokio::test]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn quiet_hours_hold_notices_and_send_one_digest_when_they_end() {
    use chrono::Timelike;
    let rig = Rig::new(sim_config(&[])).await;
    let rec = Recorder::start();
    let id = add(&rig, "Hook", TargetKind::Webhook, &rec.url("/hook/quiet"), None).await;
    rn::set_kinds(&rig.db, "Hook", &[RemoteKind::Budget, RemoteKind::LowBalance]).unwrap();
    let now = chrono::Local::now();
    let minute = now.hour() * 60 + now.minute();
    let (start, end) = ((minute + 1440 - 60) % 1440, (minute + 60) % 1440);
    rn::set_quiet_hours(&rig.db, Some(&format!("{:02}:{:02}-{:02}:{:02}", start / 60, start % 60, end / 60, end % 60))).unwrap();

    let (tx, rx) = tokio::sync::broadcast::channel(64);
    let d = Dispatcher::start(rig.db.clone(), rig.accounts.vault().clone(), rx, config());
    let notice = |kind, title: &str| EngineEvent::Notice(Notice { kind, title: title.into(), body: "details".into(), job_id: None });
    tx.send(notice(NoticeKind::Budget, "Main used 80 % of its daily budget")).unwrap();
    tx.send(notice(NoticeKind::LowBalance, "Main is low on API Credits")).unwrap();
    // Not a kind this target takes: never queued.
    tx.send(notice(NoticeKind::StudioUnreachable, "The studio database does not answer")).unwrap();
    wait_for_async_within("two notices held", Duration::from_secs(10), || rig.db.outbox().unwrap().len() == 2).await;
    assert!(rec.received().is_empty(), "nothing is sent during quiet hours");

    rn::set_quiet_hours(&rig.db, None).unwrap();
    // Any event wakes the dispatcher; it sees the quiet hours are over.
    tx.send(EngineEvent::AccountChanged { account_id: "x".into() }).unwrap();
    wait_for_async_within("the digest", Duration::from_secs(10), || !rec.received().is_empty()).await;
    let got = rec.received();
    assert_eq!(got.len(), 1, "one digest: {got:#?}");
    assert_eq!(got[0].json["kind"], "digest");
    let items = got[0].json["items"].as_array().unwrap();
    assert_eq!(items.iter().map(|i| i["kind"].as_str().unwrap()).collect::<Vec<_>>(), ["budget", "low_balance"]);
    wait_for_async_within("the outbox empties", Duration::from_secs(10), || rig.db.outbox().unwrap().is_empty()).await;
    assert_eq!(rn::list(&rig.db).unwrap().targets.iter().find(|t| t.id == id).unwrap().last_ok, Some(true));
    drop(d);
}
