//! The API client alone against loova-sim in each compatibility variant
//! (Loova's own clients disagree with its documentation): where the id stands, the script's status words, each
//! multipart dialect as the service sees it. No keychain needed.

use loova_core::api::{ApiError, Dialect, ErrorClass, LoovaClient, TaskState};
use loova_core::secret::Sensitive;
use loova_core::JobSpec;
use loova_sim::{Dialect as Arrived, FunctionMode, IdField, MultipartDialect, SimConfig, SimHandle, StatusWords};
use loova_testkit::wait_for_async;
use std::path::Path;

const KEY: &str = "sk-test-compat-api-4711";

async fn sim(configure: impl FnOnce(&mut SimConfig)) -> SimHandle {
    let mut config = loova_testkit::sim_config(&[(KEY, 100_000)], 0.002);
    configure(&mut config);
    loova_testkit::start_sim(config).await
}

fn key() -> Sensitive {
    Sensitive::new(KEY)
}

fn frames_job() -> JobSpec {
    let media = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media");
    JobSpec {
        prompt: "from red to blue".into(),
        function_mode: "first_last_frames".into(),
        ratio: "9:16".into(),
        duration: 6,
        image_urls: vec!["https://example.com/extra.png".into()],
        image_files: vec![media.join("red.png").display().to_string()],
        ..JobSpec::default()
    }
}

#[tokio::test]
async fn the_task_id_is_found_wherever_it_stands_and_script_words_finish() {
    for id_field in [IdField::DataTaskId, IdField::TaskId, IdField::TaskIdCamel] {
        let s = sim(|c| {
            c.compat.id_field = id_field;
            c.compat.status_words = StatusWords::Script;
        })
        .await;
        let c = LoovaClient::new(&s.base_url()).unwrap();
        let spec = JobSpec { prompt: "a fox".into(), ..JobSpec::default() };
        let created = c.create(&key(), &spec).await.unwrap_or_else(|e| panic!("{id_field:?}: {e}"));
        assert_eq!(s.state().key(KEY).unwrap().tasks[0].task_id, created.task_id, "{id_field:?}");
        // Waits on the simulator's own record, then reads the status once.
        wait_for_async("the task finishes", || s.state().task(&created.task_id).is_some_and(|t| t.status.is_final())).await;
        let done = c.task(&key(), &created.task_id).await.unwrap();
        assert_eq!((done.status, done.raw_status.as_str()), (TaskState::Succeeded, "success"), "{id_field:?}");
        assert!(done.video_url.is_some());
        assert_eq!((done.function_mode.as_deref(), done.duration), (Some("omni_reference"), Some(5)));
    }
}

#[tokio::test]
async fn each_dialect_arrives_as_itself_with_the_mode_asked() {
    let s = sim(|c| c.compat.multipart_dialect = MultipartDialect::Any).await;
    let c = LoovaClient::new(&s.base_url()).unwrap();
    for (i, (dialect, arrived)) in
        [(Dialect::Flat, Arrived::Flat), (Dialect::Camel, Arrived::Camel), (Dialect::Params, Arrived::Params)].into_iter().enumerate()
    {
        let created = c.create_in(&key(), &frames_job(), dialect, None).await.unwrap_or_else(|e| panic!("{dialect:?}: {e}"));
        let state = s.state();
        let task = state.task(&created.task_id).unwrap();
        assert_eq!(task.dialect, arrived, "{dialect:?}");
        assert_eq!(
            (task.function_mode, task.ratio.as_str(), task.duration, task.images),
            (FunctionMode::FirstLastFrames, "9:16", 6, 2),
            "{dialect:?}: {task:?}"
        );
        assert!(task.ignored_fields.is_empty(), "{dialect:?}: {:?}", task.ignored_fields);
        assert_eq!(state.key(KEY).unwrap().tasks_created, i as u64 + 1);
    }
}

#[tokio::test]
async fn a_service_of_one_dialect_refuses_the_others_by_naming_a_field_we_sent() {
    let s = sim(|c| c.compat.multipart_dialect = MultipartDialect::Params).await;
    let c = LoovaClient::new(&s.base_url()).unwrap();
    for dialect in [Dialect::Flat, Dialect::Camel] {
        let e: ApiError = c.create_in(&key(), &frames_job(), dialect, None).await.unwrap_err();
        assert_eq!((e.class(), e.field()), (ErrorClass::Invalid, Some("prompt")), "{dialect:?}: {e}");
        assert!(dialect.sent_fields(&frames_job()).contains(&"prompt"));
        assert_eq!(dialect.after_refusal("prompt", &[dialect]), Some(Dialect::Params));
    }
    assert_eq!(s.state().key(KEY).unwrap().credits_available, 100_000, "refusals cost nothing");
    c.create_in(&key(), &frames_job(), Dialect::Params, None).await.unwrap();
}

/// The quickstart's envelope says `"message": "success"` and its create
/// answer writes `credits_cost` as a decimal: both are read as success and
/// as whole credits.
#[tokio::test]
async fn a_success_message_and_a_decimal_charge_in_the_create_answer_are_read() {
    let s = sim(|c| {
        c.responses.success_message = Some("success".into());
        c.credits_cost_format = loova_sim::CostFormat::Decimal;
    })
    .await;
    let raw = reqwest::Client::new()
        .post(format!("{}/v1/video/seedance-2", s.base_url()))
        .bearer_auth(KEY)
        .json(&serde_json::json!({"prompt": "as the quickstart answers"}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = raw.json().await.unwrap();
    assert_eq!((&body["message"], &body["data"]["credits_cost"]), (&serde_json::json!("success"), &serde_json::json!(75.0)), "{body}");
    let c = LoovaClient::new(&s.base_url()).unwrap();
    let created = c.create(&key(), &JobSpec { prompt: "a fox".into(), ..JobSpec::default() }).await.unwrap();
    assert_eq!(created.credits_cost, Some(75));
    let status = c.task(&key(), &created.task_id).await.unwrap();
    assert_eq!(status.credits_cost, Some(75));
    assert_eq!(c.credits(&key()).await.unwrap().api_available_credits, 100_000 - 2 * 75);
}

/// Loova's reference notes call `aspect_ratio` legacy and its newest script
/// sends `ratio`: the camel dialect sends `ratio`, which a camel service
/// that refuses the legacy name reads (before, it refused every such create).
#[tokio::test]
async fn the_camel_dialect_sends_ratio_which_a_service_refusing_aspect_ratio_reads() {
    let s = sim(|c| {
        c.compat.multipart_dialect = MultipartDialect::Camel;
        c.compat.refuse_aspect_ratio = true;
    })
    .await;
    let c = LoovaClient::new(&s.base_url()).unwrap();
    let created = c.create_in(&key(), &frames_job(), Dialect::Camel, None).await.unwrap_or_else(|e| panic!("{e}"));
    let state = s.state();
    let task = state.task(&created.task_id).unwrap();
    assert_eq!((task.dialect, task.function_mode, task.ratio.as_str()), (Arrived::Camel, FunctionMode::FirstLastFrames, "9:16"));
    let form = s.received_forms().pop().unwrap();
    let names: Vec<&str> = form.fields.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"ratio") && !names.contains(&"aspect_ratio"), "{names:?}");
}

/// A JSON create names the mode both ways until the service has shown which
/// name it reads; a service of one name refuses the other for free, and the
/// other name alone is then read.
#[tokio::test]
async fn a_json_create_names_the_mode_both_ways_and_each_name_alone_is_read_by_its_service() {
    use loova_core::api::ModeField;
    let json_job = JobSpec { image_urls: vec!["https://example.com/a.png".into()], image_files: vec![], ..frames_job() };
    for (service, refused, reads) in [
        (loova_sim::JsonDialect::Snake, Some("functionMode"), ModeField::Snake),
        (loova_sim::JsonDialect::Camel, Some("function_mode"), ModeField::Camel),
        (loova_sim::JsonDialect::Any, None, ModeField::Snake),
    ] {
        let s = sim(|c| c.compat.json_dialect = service).await;
        let c = LoovaClient::new(&s.base_url()).unwrap();
        match (c.create_with(&key(), &json_job, Dialect::Flat, None, None).await, refused) {
            (Err(e), Some(name)) => {
                assert_eq!((e.class(), e.field()), (ErrorClass::Invalid, Some(name)), "{service:?}: {e}");
                assert_eq!(ModeField::after_refusal(None, name), Some(reads));
            }
            (Ok(created), None) => assert_eq!(s.state().task(&created.task_id).unwrap().function_mode, FunctionMode::FirstLastFrames),
            (other, _) => panic!("{service:?}: {other:?}"),
        }
        let created = c.create_with(&key(), &json_job, Dialect::Flat, Some(reads), None).await.unwrap_or_else(|e| panic!("{service:?}: {e}"));
        let state = s.state();
        let task = state.task(&created.task_id).unwrap();
        assert_eq!((task.function_mode, task.mode_field.as_deref()), (FunctionMode::FirstLastFrames, Some(reads.as_str())), "{service:?}");
        assert_eq!(state.key(KEY).unwrap().credits_available, 100_000 - if refused.is_some() { 90 } else { 180 }, "{service:?}: refusals are free");
    }
}
