//! The Loova API client against a real loova-sim on 127.0.0.1 (port 0).

use std::time::{Duration, Instant};

use loova_core::api::{ApiError, ErrorClass, LoovaClient, TaskState, Timeouts};
use loova_core::secret::Sensitive;
use loova_core::JobSpec;
use loova_sim::{CostFormat, FaultKind, LimitMode, SimConfig, SimHandle};

const KEY: &str = "sk-test-VERYSECRET-abcdef-7391";

async fn sim(credits: i64) -> SimHandle {
    loova_sim::start(SimConfig::for_tests(&[(KEY, credits)])).await.expect("simulator starts")
}

fn key() -> Sensitive {
    Sensitive::new(KEY)
}

fn client(sim: &SimHandle) -> LoovaClient {
    LoovaClient::new(&sim.base_url()).expect("client")
}

/// A 5 s text-only seedance_2_0 job: 15 × 5 = 75 credits.
fn job() -> JobSpec {
    JobSpec { prompt: "a red fox in the snow".into(), ..JobSpec::default() }
}

/// An 8 s seedance_2_0 job with a video reference: 30 × 8 = 240 credits.
fn video_ref_job() -> JobSpec {
    JobSpec { duration: 8, video_urls: vec!["https://example.com/ref.mp4".into()], ..job() }
}

fn tasks_created(sim: &SimHandle) -> u64 {
    sim.state().key(KEY).expect("key known to the simulator").tasks_created
}

fn credits_left(sim: &SimHandle) -> i64 {
    sim.state().key(KEY).expect("key known to the simulator").credits_available
}

fn script_create(sim: &SimHandle, fault: FaultKind) {
    sim.update_config(|c| c.faults.create.script.push_back(fault)).unwrap();
}

/// Poll `task` until `done` holds, with a deadline (never a fixed sleep).
async fn poll_until(c: &LoovaClient, task_id: &str, deadline: Duration, done: impl Fn(&loova_core::api::TaskInfo) -> bool) -> loova_core::api::TaskInfo {
    let until = Instant::now() + deadline;
    loop {
        let t = c.task(&key(), task_id).await.expect("status");
        if done(&t) {
            return t;
        }
        assert!(Instant::now() < until, "task {task_id} still {:?} after {deadline:?}", t.raw_status);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn credits_ok() {
    let s = sim(5000).await;
    let c = client(&s);
    let cr = c.credits(&key()).await.unwrap();
    assert_eq!((cr.api_available_credits, cr.api_total_credits, cr.app_credits), (5000, 5000, None));
}

#[tokio::test]
async fn wrong_key_is_auth() {
    let s = sim(5000).await;
    let c = client(&s);
    let wrong = Sensitive::new("sk-wrong-key-0000");
    let e = c.credits(&wrong).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::Auth, "{e}");
    assert_eq!(e.http_status(), Some(401));
    assert!(e.trace_id().is_some(), "trace id kept: {e:?}");
    let e = c.create(&wrong, &job()).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::Auth, "{e}");
    assert_eq!(tasks_created(&s), 0);
}

#[tokio::test]
async fn create_charges_the_price_and_runs_to_success() {
    let s = sim(5000).await;
    let c = client(&s);
    let created = c.create(&key(), &video_ref_job()).await.unwrap();
    assert_eq!(created.credits_cost, Some(240));
    assert_eq!(created.status, "running");
    assert!(created.created_at.is_some());
    assert_eq!(credits_left(&s), 5000 - 240);

    let first = c.task(&key(), &created.task_id).await.unwrap();
    assert_eq!(first.task_id, created.task_id);
    assert_eq!(first.model.as_deref(), Some("seedance_2_0"));
    assert_eq!(first.credits_cost, Some(240));

    let done = poll_until(&c, &created.task_id, Duration::from_secs(20), |t| t.status.is_final()).await;
    assert_eq!(done.status, TaskState::Succeeded);
    assert_eq!(done.raw_status, "succeeded");
    let url = done.video_url.expect("video url");
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with(".mp4"), "{url}");
    assert!(done.finished_at.is_some() && done.updated_at.is_some());
    assert_eq!(done.error_message, None);
}

#[tokio::test]
async fn decimal_credits_cost_is_parsed() {
    let s = sim(5000).await;
    s.update_config(|c| c.credits_cost_format = CostFormat::Decimal).unwrap();
    let c = client(&s);
    let created = c.create(&key(), &job()).await.unwrap();
    let t = c.task(&key(), &created.task_id).await.unwrap();
    assert_eq!(t.credits_cost, Some(75));
    assert_eq!(t.credits_cost_exact, Some(rust_decimal::Decimal::from(75)));
}

#[tokio::test]
async fn unknown_task_is_not_found() {
    let s = sim(5000).await;
    let e = client(&s).task(&key(), "no such/task&x=1").await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::NotFound, "{e}");
    assert!(!e.is_retryable_get());
}

#[tokio::test]
async fn insufficient_credits() {
    let s = sim(10).await;
    let e = client(&s).create(&key(), &job()).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::InsufficientCredits, "{e}");
    assert_eq!(e.http_status(), Some(402));
    assert_eq!(tasks_created(&s), 0);
}

#[tokio::test]
async fn limit_rejected_or_queued() {
    let s = sim(5000).await;
    // Real time: the first task keeps its slot for the whole test.
    s.update_config(|c| {
        c.limits.concurrency = 1;
        c.timings.time_scale = 1.0;
    })
    .unwrap();
    let c = client(&s);
    c.create(&key(), &job()).await.unwrap();
    let e = c.create(&key(), &job()).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::LimitReached, "{e}");
    assert!(e.to_string().contains("Nothing was created"), "{e}");
    assert_eq!(tasks_created(&s), 1);

    // The other documented behaviour: accepted and kept waiting.
    s.update_config(|c| c.limits.mode = LimitMode::Queue).unwrap();
    let queued = c.create(&key(), &job()).await.unwrap();
    assert_eq!(queued.status, "queued");
    let t = c.task(&key(), &queued.task_id).await.unwrap();
    assert_eq!((t.status, t.raw_status.as_str()), (TaskState::Queued, "queued"));
}

#[tokio::test]
async fn validation_rejection_names_the_field() {
    let s = sim(5000).await;
    let e = client(&s).create(&key(), &JobSpec { duration: 20, ..job() }).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::Invalid, "{e}");
    assert_eq!(e.field(), Some("duration"), "{e:?}");
    assert!(e.service_message().unwrap().contains("duration"));
    assert_eq!(tasks_created(&s), 0);
}

#[tokio::test]
async fn http_5xx_on_create_is_outcome_unknown() {
    // Conservative: the client cannot tell an application 500 that stored the
    // task from a proxy 502/503 in front of it.
    let s = sim(5000).await;
    let c = client(&s);
    for (fault, status) in [(FaultKind::Http500, 500), (FaultKind::Http502, 502), (FaultKind::Http503, 503)] {
        script_create(&s, fault);
        let e = c.create(&key(), &job()).await.unwrap_err();
        assert_eq!(e.class(), ErrorClass::OutcomeUnknown, "{fault:?}: {e}");
        assert_eq!(e.http_status(), Some(status));
        assert!(e.trace_id().is_some());
        assert!(e.to_string().contains("may charge twice"), "{e}");
    }
    assert_eq!(tasks_created(&s), 0, "the simulator processed none of them");
}

#[tokio::test]
async fn dropped_before_processing_is_still_outcome_unknown() {
    // The simulator closed the connection without creating anything, but from
    // the client's side this looks exactly like created_then_dropped: it must
    // not guess.
    let s = sim(5000).await;
    script_create(&s, FaultKind::Dropped);
    let e = client(&s).create(&key(), &job()).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::OutcomeUnknown, "{e}");
    assert_eq!(tasks_created(&s), 0);
    assert_eq!(credits_left(&s), 5000);
}

#[tokio::test]
async fn created_then_dropped_is_outcome_unknown_and_charged() {
    // The double-charge trap: the task exists and was paid for.
    let s = sim(5000).await;
    script_create(&s, FaultKind::CreatedThenDropped);
    let e = client(&s).create(&key(), &job()).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::OutcomeUnknown, "{e}");
    assert!(matches!(e, ApiError::NoAnswer { .. }), "{e:?}");
    assert_eq!(tasks_created(&s), 1);
    assert_eq!(credits_left(&s), 5000 - 75);
}

#[tokio::test]
async fn malformed_and_truncated_create_answers_are_outcome_unknown() {
    let s = sim(5000).await;
    let c = client(&s);
    for (i, fault) in [FaultKind::Malformed, FaultKind::Truncated].into_iter().enumerate() {
        script_create(&s, fault);
        let e = c.create(&key(), &job()).await.unwrap_err();
        assert_eq!(e.class(), ErrorClass::OutcomeUnknown, "{fault:?}: {e}");
        assert_eq!(e.http_status(), Some(200));
        assert_eq!(tasks_created(&s), i as u64 + 1, "{fault:?}: processed, so created");
    }
}

#[tokio::test]
async fn business_failure_is_unknown_for_create_and_business_for_get() {
    let s = sim(5000).await;
    let c = client(&s);
    script_create(&s, FaultKind::BusinessFailure);
    let e = c.create(&key(), &job()).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::OutcomeUnknown, "{e}");
    assert_eq!(e.service_message(), Some("system busy, please try again later"));
    assert!(e.trace_id().is_some());

    let created = c.create(&key(), &job()).await.unwrap();
    s.update_config(|c| c.faults.status.script.push_back(FaultKind::BusinessFailure)).unwrap();
    let e = c.task(&key(), &created.task_id).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::Business, "{e}");
    assert!(e.is_retryable_get());
    assert!(e.trace_id().is_some());
}

#[tokio::test]
async fn get_with_503_is_transient() {
    let s = sim(5000).await;
    let c = client(&s);
    let created = c.create(&key(), &job()).await.unwrap();
    s.update_config(|c| c.faults.status.script.push_back(FaultKind::Http503)).unwrap();
    let e = c.task(&key(), &created.task_id).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::Transient, "{e}");
    assert!(e.is_retryable_get());
    assert_eq!(e.http_status(), Some(503));
    // And the next poll works.
    c.task(&key(), &created.task_id).await.unwrap();

    s.update_config(|c| c.faults.credits.script.extend([FaultKind::Dropped, FaultKind::Malformed])).unwrap();
    for _ in 0..2 {
        let e = c.credits(&key()).await.unwrap_err();
        assert_eq!(e.class(), ErrorClass::Transient, "{e}");
        assert!(e.is_retryable_get());
    }
}

#[tokio::test]
async fn timeouts_after_sending() {
    let s = sim(5000).await;
    s.update_config(|c| c.slow_ms = 3000).unwrap();
    let t = Timeouts { connect: Duration::from_secs(5), request: Duration::from_millis(300) };
    let c = LoovaClient::with_timeouts(&s.base_url(), t).unwrap();
    script_create(&s, FaultKind::Slow);
    let e = c.create(&key(), &job()).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::OutcomeUnknown, "{e}");
    s.update_config(|c| c.faults.credits.script.push_back(FaultKind::Slow)).unwrap();
    let e = c.credits(&key()).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::Transient, "{e}");
}

#[tokio::test]
async fn connection_refused_is_transient() {
    let port = loova_testkit::free_port(); // released: nothing listens there
    let c = LoovaClient::new(&format!("http://127.0.0.1:{port}/api")).unwrap();
    let e = c.create(&key(), &job()).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::Transient, "{e}");
    assert!(matches!(e, ApiError::Unreachable { .. }), "{e:?}");
    let e = c.credits(&key()).await.unwrap_err();
    assert!(e.is_retryable_get(), "{e}");
}

#[tokio::test]
async fn wrong_base_url_is_config() {
    let s = sim(5000).await;
    let root = s.base_url().trim_end_matches("/api").to_string();
    let c = LoovaClient::new(&root).unwrap();
    let e = c.credits(&key()).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::Config, "{e}");
    assert!(e.to_string().contains("/api"), "{e}");
}

/// Every kind of error, printed both ways, never shows the key.
#[tokio::test]
async fn errors_never_show_the_key() {
    let s = sim(10).await;
    let c = client(&s);
    let mut errors: Vec<ApiError> = Vec::new();
    errors.push(c.create(&key(), &job()).await.unwrap_err()); // insufficient credits
    s.add_key(KEY, 100_000);
    errors.push(c.create(&key(), &JobSpec { ratio: "5:4".into(), ..job() }).await.unwrap_err());
    errors.push(c.task(&key(), "missing").await.unwrap_err());
    for fault in [
        FaultKind::Http500,
        FaultKind::Dropped,
        FaultKind::CreatedThenDropped,
        FaultKind::Malformed,
        FaultKind::Truncated,
        FaultKind::BusinessFailure,
        FaultKind::AuthFailure,
    ] {
        script_create(&s, fault);
        errors.push(c.create(&key(), &job()).await.unwrap_err());
    }
    s.update_config(|c| {
        c.limits.concurrency = 1;
        c.timings.time_scale = 1.0;
    })
    .unwrap();
    let _ = c.create(&key(), &job()).await;
    errors.push(c.create(&key(), &job()).await.unwrap_err()); // limit
    errors.push(LoovaClient::new("http://127.0.0.1:1/api").unwrap().credits(&key()).await.unwrap_err());
    errors.push(c.credits(&Sensitive::new("bad\nkey")).await.unwrap_err());
    errors.push(LoovaClient::new("not a url").unwrap_err());
    assert!(errors.len() >= 14);
    for e in &errors {
        // Visible with --nocapture: what a person would read.
        eprintln!("[{:?}] {e}", e.class());
        for text in [format!("{e}"), format!("{e:?}")] {
            assert!(!text.contains(KEY), "key leaked: {text}");
            assert!(!text.contains("VERYSECRET"), "key leaked: {text}");
        }
        assert!(format!("{e}").ends_with('.') || format!("{e}").ends_with(')'), "a sentence: {e}");
    }
}
