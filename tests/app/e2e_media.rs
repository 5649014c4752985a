//! The real app: a local image and a local video in the Composer, priced at
//! the video-reference rate, queued in the Sandbox and finished.

use crate::support;
use loova_testkit::wait_for;
use support::{repo_root, App};

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver, WebKitWebDriver and a Secret Service (scripts/test)"]
fn local_image_and_video_are_priced_queued_and_finished() {
    let data = loova_testkit::data_dir();
    let videos = tempfile::tempdir().unwrap();
    let media = tempfile::tempdir().unwrap();
    let fixtures = repo_root().join("crates/core/tests/fixtures/media");
    let image = media.path().join("product.png");
    let video = media.path().join("camera-move.mp4");
    let liar = media.path().join("notes.png");
    std::fs::copy(fixtures.join("red.png"), &image).unwrap();
    std::fs::copy(fixtures.join("clip.mp4"), &video).unwrap();
    std::fs::copy(fixtures.join("text-named.png"), &liar).unwrap();
    let app = App::with_sandbox(data.path(), videos.path(), "media");

    app.click("nav-composer");
    app.type_into("prompt", "The logo from @image1 on the product from @image2, with the camera move of @video1");
    app.type_into("duration", "5");
    app.wait_text("formula", |t| t == "15 credits/s × 5 s = 75 credits");

    // A file whose content is not media is refused, whatever its name says.
    App::will_pick(data.path(), &liar);
    app.click("add-media");
    let refused = app.wait_text("media-refused", |t| !t.is_empty());
    assert!(refused.contains("not a supported media file") && refused.contains("Formats that work"), "{refused}");

    // URLs and files mix; a URL of the same kind goes first, so this file is @image2.
    app.type_into("image-urls", "https://example.com/logo.png");
    App::will_pick(data.path(), &image);
    app.click("add-media");
    app.wait_text("local-file-product.png", |t| t.contains("@image2") && t.contains("PNG"));
    App::will_pick(data.path(), &video);
    app.click("add-media");
    app.wait_text("local-file-camera-move.mp4", |t| t.contains("@video1") && t.contains("MP4") && t.contains("0.8 s"));

    // The page holds handles, not paths: a script in it that names a file
    // itself gets neither a look at it nor an upload of it.
    let secret = media.path().join("id_ed25519");
    std::fs::copy(fixtures.join("red.png"), &secret).unwrap();
    let named = secret.display().to_string();
    let look = app.invoke("inspect_media", serde_json::json!({ "handles": [named] }));
    assert!(look.contains("no longer open here") && !look.contains("data:image"), "{look}");
    let spec = serde_json::json!({ "model": "seedance_2_0", "function_mode": "omni_reference", "ratio": "16:9", "duration": 5,
        "prompt": "@image1", "image_urls": [], "video_urls": [], "audio_urls": [], "image_files": [named], "video_files": [], "audio_files": [] });
    let send = app.invoke("enqueue_job", serde_json::json!({ "accountId": "sandbox", "spec": spec, "name": null }));
    assert!(send.starts_with("ERR") && send.contains("image_files") && send.contains("no longer open here"), "{send}");
    assert!(!app.text("local-files").contains("id_ed25519"));

    // A local video is a video reference: 30 credits/s.
    app.wait_text("formula", |t| t == "30 credits/s × 5 s = 150 credits");
    app.eval("document.activeElement.blur(); document.querySelector('[data-testid=local-files]').scrollIntoView({block: 'center'})");
    app.screenshot("local-media");

    app.type_into("job-name", "Product with camera move");
    app.click_when_enabled("add-to-queue");
    app.wait_text("queued-message", |t| t.contains("Product with camera move"));
    assert!(!app.exists("local-files"), "the Composer is cleared for the next job");

    app.click("nav-queue");
    wait_for("the job to be saved", || {
        let saved = app.eval("return document.querySelectorAll('[data-state=downloaded]').length").as_u64().unwrap_or(0);
        if saved == 1 {
            Ok(())
        } else {
            Err(app.text("queue-counts"))
        }
    });
    assert!(app.text("job-charged").starts_with("150"), "{}", app.text("job-charged"));
    assert!(videos.path().join("Sandbox/Product with camera move.mp4").exists());
}
