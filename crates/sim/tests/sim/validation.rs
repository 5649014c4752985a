//! Every documented validation rule, in JSON and in multipart/form-data:
//! rejected with the validation status (HTTP 400, code 400), data null, and a
//! message naming the field; nothing created, nothing charged.
use crate::common;
use common::*;
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

fn urls(n: usize, kind: &str) -> Vec<String> {
    (0..n).map(|i| format!("https://example.com/{kind}{i}")).collect()
}

#[tokio::test]
async fn json_rejections_name_the_field() {
    let sim = sim_with(1_000_000, |_| {}).await;
    let c = client();
    let cases: Vec<(Value, &str)> = vec![
        (json!({}), "prompt"),
        (json!({"prompt": ""}), "prompt"),
        (json!({"prompt": "   "}), "prompt"),
        (json!({"prompt": 5}), "prompt"),
        (json!({"prompt": "x", "model": "seedance_1"}), "model"),
        (json!({"prompt": "x", "model": 2}), "model"),
        (json!({"prompt": "x", "function_mode": "text_only"}), "function_mode"),
        (json!({"prompt": "x", "ratio": "2:1"}), "ratio"),
        (json!({"prompt": "x", "ratio": 1.5}), "ratio"),
        (json!({"prompt": "x", "duration": 3}), "duration"),
        (json!({"prompt": "x", "duration": 16}), "duration"),
        (json!({"prompt": "x", "duration": 5.5}), "duration"),
        (json!({"prompt": "x", "duration": "5"}), "duration"),
        (json!({"prompt": "x", "image_urls": urls(10, "i")}), "image_urls"),
        (json!({"prompt": "x", "image_urls": "https://a/b.png"}), "image_urls"),
        (json!({"prompt": "x", "image_urls": [1]}), "image_urls"),
        (json!({"prompt": "x", "video_urls": urls(4, "v")}), "video_urls"),
        (json!({"prompt": "x", "audio_urls": urls(4, "a"), "image_urls": urls(1, "i")}), "audio_urls"),
        (json!({"prompt": "x", "function_mode": "first_last_frames", "image_urls": urls(3, "i")}), "image_urls"),
        (json!({"prompt": "x", "audio_urls": urls(1, "a")}), "audio_urls"),
        (json!({"prompt": "x", "function_mode": "omni_reference", "audio_urls": urls(2, "a")}), "audio_urls"),
        // Seedance 2.0 cannot start from audio alone: first_last_frames needs a frame.
        (json!({"prompt": "x", "function_mode": "first_last_frames", "audio_urls": urls(1, "a")}), "audio_urls"),
        (json!({"prompt": "x", "function_mode": "first_last_frames", "audio_urls": urls(1, "a"), "video_urls": urls(1, "v")}), "audio_urls"),
        (json!(["prompt"]), "body"),
    ];
    for (body, field) in cases {
        let a = create(&c, &sim, KEY, body.clone()).await;
        assert_eq!(a.status, 400, "{body} → {}", a.body);
        assert_eq!(a.body["code"], 400, "{body}");
        assert_eq!(a.body["data"], Value::Null, "{body}");
        let msg = a.body["message"].as_str().unwrap_or_default();
        assert!(msg.contains(&format!("`{field}`")), "{body}: message {msg:?} should name {field}");
    }
    // Not JSON at all.
    let r = c
        .post(format!("{}/v1/video/seedance-2", sim.base_url()))
        .bearer_auth(KEY)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let s = sim.state();
    assert_eq!(s.tasks_created, 0);
    assert_eq!(s.key(KEY).unwrap().credits_available, 1_000_000);
}

#[tokio::test]
async fn json_accepts_the_documented_edges_and_defaults() {
    // Queue mode: this test is about validation, not the concurrency limit.
    let sim = sim_with(1_000_000, |c| c.limits.mode = loova_sim::LimitMode::Queue).await;
    let c = client();
    let ok: Vec<Value> = vec![
        json!({"prompt": "x", "duration": 4}),
        json!({"prompt": "x", "duration": 15}),
        json!({"prompt": "x", "model": "seedance_2_0_fast"}),
        json!({"prompt": "x", "image_urls": urls(9, "i"), "video_urls": urls(3, "v"), "audio_urls": urls(3, "a")}),
        json!({"prompt": "x", "function_mode": "first_last_frames", "image_urls": urls(2, "i")}),
        json!({"prompt": "x", "audio_urls": urls(1, "a"), "video_urls": urls(1, "v")}),
        json!({"prompt": "x", "audio_urls": urls(1, "a"), "image_urls": urls(1, "i")}),
        json!({"prompt": "x", "function_mode": "first_last_frames", "audio_urls": urls(1, "a"), "image_urls": urls(1, "i")}),
    ];
    for r in ["21:9", "16:9", "4:3", "1:1", "3:4", "9:16"] {
        let a = create(&c, &sim, KEY, json!({"prompt": "x", "ratio": r})).await;
        assert_eq!(a.status, 200, "ratio {r}: {}", a.body);
    }
    for body in ok {
        let a = create(&c, &sim, KEY, body.clone()).await;
        assert_eq!(a.status, 200, "{body} → {}", a.body);
        assert_eq!(a.body["code"], 200);
    }
    // Defaults: seedance_2_0, omni_reference, 16:9, 5 s.
    sim.reset();
    create(&c, &sim, KEY, prompt()).await;
    let s = sim.state();
    let t = &s.key(KEY).unwrap().tasks[0];
    assert_eq!((t.model.as_str(), t.ratio.as_str(), t.duration), ("seedance_2_0", "16:9", 5));
    assert_eq!(serde_json::to_value(t.function_mode).unwrap(), "omni_reference");
}

async fn send_form(c: &reqwest::Client, base: &str, form: Form) -> Answer {
    let r = c.post(format!("{base}/v1/video/seedance-2")).bearer_auth(KEY).multipart(form).send().await.unwrap();
    let status = r.status().as_u16();
    Answer { status, body: r.json().await.unwrap() }
}

fn file(kind: &str) -> Part {
    let (name, mime) = match kind {
        "image" => ("a.png", "image/png"),
        "video" => ("a.mp4", "video/mp4"),
        _ => ("a.mp3", "audio/mpeg"),
    };
    Part::bytes(vec![1, 2, 3]).file_name(name).mime_str(mime).unwrap()
}

#[tokio::test]
async fn multipart_is_the_same_request() {
    let sim = sim_with(1_000_000, |_| {}).await;
    let c = client();
    let base = sim.base_url();

    // Flat fields, repeated list keys, a video file: priced as video reference.
    let form = Form::new()
        .text("prompt", "x")
        .text("model", "seedance_2_0_fast")
        .text("duration", "6")
        .text("image_urls", "https://a/1.png")
        .text("image_urls", "https://a/2.png")
        .part("files", file("video"));
    let a = send_form(&c, &base, form).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["data"]["credits_cost"], 20 * 6);
    let s = sim.state();
    let t = &s.key(KEY).unwrap().tasks[0];
    assert_eq!((t.images, t.videos, t.has_video_ref, t.duration), (2, 1, true, 6));

    let cases: Vec<(Form, &str)> = vec![
        (Form::new().text("model", "seedance_2_0"), "prompt"),
        (Form::new().text("prompt", "x").text("duration", "five"), "duration"),
        (Form::new().text("prompt", "x").text("duration", "20"), "duration"),
        (Form::new().text("prompt", "x").text("ratio", "5:4"), "ratio"),
        (Form::new().text("prompt", "x").text("model", "m"), "model"),
        (Form::new().text("prompt", "x").text("function_mode", "m"), "function_mode"),
        (Form::new().text("prompt", "x").part("files", file("audio")), "audio_urls"),
        (
            Form::new()
                .text("prompt", "x")
                .text("function_mode", "first_last_frames")
                .text("image_urls", "https://a/1.png")
                .part("files", file("image"))
                .part("files", file("image")),
            "image_urls",
        ),
        (
            Form::new()
                .text("prompt", "x")
                .text("video_urls", "https://a/1.mp4")
                .part("files", file("video"))
                .part("files", file("video"))
                .part("files", file("video")),
            "video_urls",
        ),
        (
            Form::new()
                .text("prompt", "x")
                .text("image_urls", "https://a/1.mp4")
                .part("files", file("audio"))
                .part("files", file("audio"))
                .part("files", file("audio"))
                .part("files", file("audio")),
            "audio_urls",
        ),
        (Form::new().text("prompt", "x").part("files", Part::bytes(vec![0]).file_name("a.bin").mime_str("application/octet-stream").unwrap()), "files"),
    ];
    for (i, (form, field)) in cases.into_iter().enumerate() {
        let a = send_form(&c, &base, form).await;
        assert_eq!(a.status, 400, "case {i}: {}", a.body);
        assert_eq!(a.body["code"], 400);
        assert!(a.body["message"].as_str().unwrap().contains(&format!("`{field}`")), "case {i}: {}", a.body);
    }
    // Ten images across URLs and files.
    let mut form = Form::new().text("prompt", "x");
    for u in urls(5, "i") {
        form = form.text("image_urls", u);
    }
    for _ in 0..5 {
        form = form.part("files", file("image"));
    }
    let a = send_form(&c, &base, form).await;
    assert_eq!(a.status, 400);
    assert!(a.body["message"].as_str().unwrap().contains("`image_urls`"));
    assert_eq!(sim.state().tasks_created, 1);
}
