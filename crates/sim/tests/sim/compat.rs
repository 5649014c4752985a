//! The variants of Loova's own clients (`compat`): multipart dialects,
//! status words, where the task id is, the base path.
use crate::common;
use common::*;
use loova_sim::{BasePath, Dialect, FunctionMode, IdField, MultipartDialect, SimHandle, StatusWords};
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

fn image() -> Part {
    Part::bytes(vec![1, 2, 3]).file_name("a.png").mime_str("image/png").unwrap()
}

/// A local-media job asking for first_last_frames, 9:16, 6 s, in `dialect`.
fn form(dialect: Dialect) -> Form {
    let f = Form::new();
    let f = match dialect {
        Dialect::Flat => f.text("prompt", "a fox").text("function_mode", "first_last_frames").text("ratio", "9:16").text("duration", "6"),
        Dialect::Camel => f.text("prompt", "a fox").text("functionMode", "first_last_frames").text("aspect_ratio", "9:16").text("duration", "6"),
        Dialect::Params => f
            .text("model", "seedance_2_0")
            .text("params", json!({"prompt": "a fox", "functionMode": "first_last_frames", "ratio": "9:16", "duration": 6}).to_string()),
        Dialect::Json => unreachable!("not multipart"),
    };
    f.part("files", image())
}

async fn send_form(c: &reqwest::Client, sim: &SimHandle, form: Form) -> Answer {
    let r = c.post(format!("{}/v1/video/seedance-2", sim.base_url())).bearer_auth(KEY).multipart(form).send().await.unwrap();
    let status = r.status().as_u16();
    Answer { status, body: r.json().await.unwrap() }
}

/// What a service that understands `understood` makes of a form in `sent`.
enum Outcome {
    Runs(FunctionMode, &'static str),
    Refused,
}

fn expected(understood: MultipartDialect, sent: Dialect) -> Outcome {
    use MultipartDialect as M;
    let asked = Outcome::Runs(FunctionMode::FirstLastFrames, "9:16");
    match (understood, sent) {
        (M::Any, _) => asked,
        (M::Flat, Dialect::Flat) | (M::Camel, Dialect::Camel) | (M::Params, Dialect::Params) => asked,
        // The dangerous silent case: the mode (and ratio) spelling is not
        // understood, so the task runs with the defaults.
        (M::Flat, Dialect::Camel) => Outcome::Runs(FunctionMode::OmniReference, "16:9"),
        // `ratio` is understood by camel services too, `function_mode` is not.
        (M::Camel, Dialect::Flat) => Outcome::Runs(FunctionMode::OmniReference, "9:16"),
        _ => Outcome::Refused,
    }
}

#[tokio::test]
async fn each_multipart_dialect_is_understood_or_refused_as_configured() {
    let c = client();
    for understood in [MultipartDialect::Flat, MultipartDialect::Camel, MultipartDialect::Params, MultipartDialect::Any] {
        let sim = sim_with(10_000, |c| {
            c.compat.multipart_dialect = understood;
            c.limits.mode = loova_sim::LimitMode::Queue;
        })
        .await;
        let mut charged = 0;
        for sent in [Dialect::Flat, Dialect::Camel, Dialect::Params] {
            let case = format!("{understood:?} service, {sent:?} form");
            let a = send_form(&c, &sim, form(sent)).await;
            match expected(understood, sent) {
                Outcome::Refused => {
                    assert_eq!(a.status, 400, "{case}: {}", a.body);
                    assert_eq!(a.body["code"], 400, "{case}");
                    assert_eq!(a.body["message"], "invalid parameter `prompt`: is required", "{case}");
                }
                Outcome::Runs(mode, ratio) => {
                    assert_eq!(a.status, 200, "{case}: {}", a.body);
                    charged += 90; // 15/s × 6 s
                    let id = a.body["data"]["task_id"].as_str().unwrap().to_string();
                    let t = sim.state().task(&id).unwrap().clone();
                    assert_eq!((t.dialect, t.function_mode, t.ratio.as_str(), t.duration), (sent, mode, ratio, 6), "{case}");
                    assert_eq!(t.images, 1, "{case}: the file part counts");
                    // The status answer tells a client what actually ran.
                    let data = wait_final(&c, &sim, KEY, &id).await;
                    let mode_word = serde_json::to_value(mode).unwrap();
                    assert_eq!((&data["function_mode"], &data["ratio"]), (&mode_word, &json!(ratio)), "{case}");
                }
            }
        }
        let s = sim.state();
        let k = s.key(KEY).unwrap();
        assert_eq!(k.credits_available, 10_000 - charged, "{understood:?}: refusals cost nothing");
        assert_eq!(sim.received_forms().len(), 3);
    }
}

#[tokio::test]
async fn a_flat_service_ignores_function_mode_in_camel_case_and_says_so_in_state() {
    let sim = sim_with(10_000, |c| c.compat.multipart_dialect = MultipartDialect::Flat).await;
    let c = client();
    let a = send_form(&c, &sim, form(Dialect::Camel)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let s = sim.state();
    let t = &s.key(KEY).unwrap().tasks[0];
    assert_eq!(t.function_mode, FunctionMode::OmniReference);
    assert_eq!(t.ignored_fields, ["functionMode", "aspect_ratio"]);
    // The JSON view names the dialect and mode in words.
    let raw: Value = c.get(format!("{}/__sim/state", sim.root_url())).send().await.unwrap().json().await.unwrap();
    let task = &raw["data"]["keys"][0]["tasks"][0];
    assert_eq!((&task["dialect"], &task["function_mode"]), (&json!("camel"), &json!("omni_reference")));
    // JSON creates are recorded as json.
    let id = create(&c, &sim, KEY, prompt()).await.body["data"]["task_id"].as_str().unwrap().to_string();
    assert_eq!(sim.state().task(&id).unwrap().dialect, Dialect::Json);
}

#[tokio::test]
async fn script_status_words_are_success_and_error() {
    let sim = sim_with(10_000, |c| c.compat.status_words = StatusWords::Script).await;
    let c = client();
    let word = |fail_rate: f64| {
        let (c, sim) = (&c, &sim);
        async move {
            sim.update_config(|cfg| cfg.fail_rate = fail_rate).unwrap();
            let id = create(c, sim, KEY, prompt()).await.body["data"]["task_id"].as_str().unwrap().to_string();
            wait_state(sim, "task final", |s| s.task(&id).unwrap().status.is_final()).await;
            let a = status(c, sim, KEY, &id).await;
            a.body["data"]["status"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(word(0.0).await, "success");
    assert_eq!(word(1.0).await, "error");
    sim.update_config(|cfg| cfg.compat.status_words = StatusWords::Documented).unwrap();
    assert_eq!(word(0.0).await, "succeeded");
    assert_eq!(word(1.0).await, "failed");
}

#[tokio::test]
async fn the_create_answer_puts_the_id_where_configured() {
    let sim = sim_with(10_000, |_| {}).await;
    let c = client();
    for (field, top_level) in [(IdField::DataTaskId, None), (IdField::TaskId, Some("task_id")), (IdField::TaskIdCamel, Some("taskId"))] {
        sim.update_config(|cfg| cfg.compat.id_field = field).unwrap();
        let a = create(&c, &sim, KEY, prompt()).await;
        assert_eq!(a.status, 200);
        let id = match top_level {
            None => a.body["data"]["task_id"].clone(),
            Some(name) => {
                assert_eq!(a.body["data"].get("task_id"), None, "{field:?}: only at the top level");
                assert_eq!(a.body["data"]["status"], "running");
                a.body[name].clone()
            }
        };
        let id = id.as_str().unwrap_or_else(|| panic!("{field:?}: {}", a.body)).to_string();
        assert_eq!(status(&c, &sim, KEY, &id).await.status, 200, "{field:?}");
    }
}

/// Status and body of a GET (body as text: it may not be JSON).
async fn get(c: &reqwest::Client, url: String) -> (u16, String) {
    let r = c.get(url).bearer_auth(KEY).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_other_base_path_answers_a_plain_404_without_the_envelope() {
    let sim = sim_with(10_000, |_| {}).await;
    let c = client();
    let root = sim.root_url();
    for (base, served, other) in [(BasePath::Api, "/api", ""), (BasePath::Root, "", "/api")] {
        sim.update_config(|cfg| cfg.compat.base_path = base).unwrap();
        assert_eq!(sim.base_url(), format!("{root}{served}"));
        let (code, body) = get(&c, format!("{root}{served}/v1/credits")).await;
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!((code, &v["data"]["api_total_credits"]), (200, &json!(10_000)), "{base:?}");
        let (code, body) = get(&c, format!("{root}{other}/v1/credits")).await;
        assert_eq!(code, 404, "{base:?}");
        assert!(serde_json::from_str::<Value>(&body).is_err(), "{base:?}: no envelope: {body}");
        // Through the handle's base, everything works.
        assert_eq!(create(&c, &sim, KEY, prompt()).await.status, 200, "{base:?}");
        // A path the API does not have, under the right base, keeps the envelope.
        let (code, body) = get(&c, format!("{root}{served}/v1/nothing")).await;
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!((code, &v["code"]), (404, &json!(404)));
    }
    let s = sim.state();
    let plain = s.requests.iter().filter(|r| r.status == Some(404)).count();
    assert_eq!(plain, 4, "plain 404s are logged too");
}

/// What late-2026 sources say a service may do: read the mode in JSON under
/// one name only (refusing the other), refuse the legacy `aspect_ratio`,
/// end a task `expired`, answer `"message": "success"` with a decimal
/// charge, and refuse a create with the "parallel task limit" wording.
#[tokio::test]
async fn the_late_2026_variants_answer_as_configured() {
    let c = client();
    let flf = |name: &str| json!({"prompt": "a fox", name: "first_last_frames", "image_urls": ["https://x/a.png"]});
    for (service, own, other) in
        [(loova_sim::JsonDialect::Snake, "function_mode", "functionMode"), (loova_sim::JsonDialect::Camel, "functionMode", "function_mode")]
    {
        let sim = sim_with(10_000, |c| c.compat.json_dialect = service).await;
        let a = create(&c, &sim, KEY, flf(other)).await;
        assert_eq!((a.status, a.body["message"].as_str().unwrap_or_default().contains(&format!("`{other}`"))), (400, true), "{service:?}: {}", a.body);
        let a = create(&c, &sim, KEY, flf(own)).await;
        assert_eq!(a.status, 200, "{service:?}: {}", a.body);
        let t = sim.state().task(a.body["data"]["task_id"].as_str().unwrap()).unwrap().clone();
        assert_eq!((t.function_mode, t.mode_field.as_deref()), (FunctionMode::FirstLastFrames, Some(own)), "{service:?}");
        assert_eq!(sim.state().key(KEY).unwrap().credits_available, 10_000 - 75, "{service:?}: the refusal cost nothing");
    }

    let sim = sim_with(10_000, |c| {
        c.compat.multipart_dialect = MultipartDialect::Camel;
        c.compat.refuse_aspect_ratio = true;
    })
    .await;
    let a = send_form(&c, &sim, form(Dialect::Camel)).await;
    assert_eq!(
        (a.status, &a.body["message"]),
        (400, &json!("invalid parameter `aspect_ratio`: is the legacy name of `ratio` and no longer accepted: send `ratio`"))
    );
    let with_ratio = Form::new().text("prompt", "a fox").text("functionMode", "first_last_frames").text("ratio", "9:16").part("files", image());
    assert_eq!(send_form(&c, &sim, with_ratio).await.status, 200);

    let sim = sim_with(10_000, |c| {
        c.compat.failed_word = Some("expired".into());
        c.fail_rate = 1.0;
        c.responses.success_message = Some("success".into());
        c.credits_cost_format = loova_sim::CostFormat::Decimal;
        c.limits.concurrency = 50;
        c.responses.concurrency = loova_sim::ErrorReply { http_status: 400, code: 400, message: "parallel task limit reached".into() };
        c.faults.create.script = [loova_sim::FaultKind::LimitReached].into_iter().collect();
    })
    .await;
    let a = create(&c, &sim, KEY, prompt()).await;
    assert_eq!((a.status, &a.body["code"], &a.body["message"]), (400, &json!(400), &json!("parallel task limit reached")));
    let a = create(&c, &sim, KEY, prompt()).await;
    assert_eq!((a.status, &a.body["message"], &a.body["data"]["credits_cost"]), (200, &json!("success"), &json!(75.0)), "{}", a.body);
    let id = a.body["data"]["task_id"].as_str().unwrap().to_string();
    wait_state(&sim, "the task ends", |s| s.task(&id).unwrap().status.is_final()).await;
    assert_eq!(status(&c, &sim, KEY, &id).await.body["data"]["status"], "expired");
}
