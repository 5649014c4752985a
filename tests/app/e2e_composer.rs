//! The real app in a real webview: the Composer prices a job offline.
//! Run by scripts/test (Xvfb + tauri-driver); `cargo test -- --ignored` by hand.

use crate::support;
use support::App;

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver and WebKitWebDriver (scripts/test)"]
fn composer_prices_a_video_reference_job_exactly() {
    let data = loova_testkit::data_dir();
    let app = App::launch(data.path(), &[]);

    // Defaults: Seedance 2.0, 5 s, no references.
    app.wait_text("formula", |t| t == "15 credits/s × 5 s = 75 credits");

    app.select("model", "seedance_2_0");
    app.type_into("duration", "8");
    app.type_into("video-urls", "https://example.com/reference.mp4");
    app.type_into("prompt", "A paper boat drifting down a rain-soaked street at dusk, cinematic, @video1 for the camera move");

    app.wait_text("formula", |t| t == "30 credits/s × 8 s = 240 credits");
    assert_eq!(app.text("total-credits"), "240");
    assert_eq!(app.text("usd-range"), "$7.68 – $19.20");
    assert!(app.text("pool").contains("App Credits cannot pay for API jobs"));
    assert!(app.text("price-list").contains("2026-11-25 (built in)"));
    app.wait_text("pack-hint", |t| t.contains("300 credits for $24.00"));
    assert!(!app.exists("violation-count"), "a valid job shows nothing to fix");
    app.screenshot("composer");

    // The fast model without a video reference.
    app.select("model", "seedance_2_0_fast");
    app.type_into("video-urls", "");
    app.wait_text("formula", |t| t == "10 credits/s × 8 s = 80 credits");
}

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver and WebKitWebDriver (scripts/test)"]
fn composer_shows_each_violation_at_its_field() {
    let data = loova_testkit::data_dir();
    let app = App::launch(data.path(), &[]);
    app.wait_text("formula", |t| t.contains("75 credits"));

    app.click("mode-first_last_frames");
    app.type_into("image-urls", "https://example.com/1.png\nhttps://example.com/2.png\nhttps://example.com/3.png");
    let msg = app.wait_text("error-image_urls", |t| !t.is_empty());
    assert!(msg.contains("first_last_frames uses at most 2 images"), "{msg}");

    app.click("mode-omni_reference");
    app.type_into("image-urls", "");
    app.type_into("audio-urls", "https://example.com/voice.mp3");
    let msg = app.wait_text("error-audio_urls", |t| !t.is_empty());
    assert!(msg.contains("Add at least one image or video"), "{msg}");

    app.type_into("duration", "20");
    let msg = app.wait_text("error-duration", |t| !t.is_empty());
    assert!(msg.contains("Choose 4 to 15 seconds"), "{msg}");
    assert!(app.exists("no-estimate"), "an out-of-range duration is not priced");
}

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver and WebKitWebDriver (scripts/test)"]
fn a_price_list_in_the_data_dir_prices_every_preview() {
    let data = loova_testkit::data_dir();
    let mut list: serde_json::Value = serde_json::from_str(include_str!("../../crates/domain/data/price-list.json")).unwrap();
    list["effective_date"] = "2027-02-01".into();
    list["source"] = "Loova price change test".into();
    list["models"][0]["credits_per_second"] = 18.into();
    std::fs::write(data.path().join("price-list.json"), list.to_string()).unwrap();

    let app = App::launch(data.path(), &[]);
    app.wait_text("formula", |t| t == "18 credits/s × 5 s = 90 credits");
    let source = app.text("price-list");
    assert!(source.contains("2027-02-01") && source.contains("Loova price change test"), "{source}");
}

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver and WebKitWebDriver (scripts/test)"]
fn a_second_launch_for_the_same_data_folder_leaves_at_once() {
    let data = loova_testkit::data_dir();
    let app = App::launch(data.path(), &[]);
    app.wait_text("formula", |t| t.contains("75 credits"));
    let mut second = std::process::Command::new(env!("CARGO_BIN_EXE_loova-desk"))
        .env("LOOVA_DESK_DATA_DIR", data.path())
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .spawn()
        .unwrap();
    let status = loova_testkit::wait_for("the second instance to exit", || second.try_wait().expect("the second instance's status"));
    assert!(status.success(), "{status:?}");
    // The first one is still there and working.
    app.type_into("duration", "6");
    app.wait_text("formula", |t| t == "15 credits/s × 6 s = 90 credits");
}
