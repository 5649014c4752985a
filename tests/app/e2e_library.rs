//! The real app: after Sandbox jobs the Library shows their poster frames
//! (taken by the webview, cached by Rust), a click plays the video from the
//! app's loopback media server (byte ranges), search narrows the grid, two
//! takes play side by side from one Play, and a video moved outside the app
//! is shown missing until it is located.

use crate::support;
use loova_testkit::{wait_for, wait_for_within};
use std::time::Duration;
use support::App;

const TAKES: [(&str, &str); 3] = [
    ("Fox", "A red fox running through fresh snow at dawn"),
    ("Boat", "A paper boat drifting down a rain-soaked street"),
    ("Lighthouse", "A lighthouse in a storm, waves breaking over the rocks"),
];

fn count(app: &App, css: &str) -> u64 {
    app.eval(&format!("return document.querySelectorAll('{css}').length")).as_u64().unwrap_or(0)
}

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver, WebKitWebDriver, GStreamer and a Secret Service (scripts/test)"]
fn the_library_shows_posters_plays_a_take_and_searches() {
    let data = loova_testkit::data_dir();
    let videos = tempfile::tempdir().unwrap();
    let app = App::with_sandbox(data.path(), videos.path(), "library");

    app.click("nav-composer");
    for (name, prompt) in TAKES {
        app.type_into("prompt", prompt);
        app.type_into("job-name", name);
        app.click_when_enabled("add-to-queue");
        wait_for(&format!("{name} to be queued"), || {
            if app.exists("queue-error") {
                panic!("queueing failed: {}", app.text("queue-error"));
            }
            app.exists("queued-message") && app.text("queued-message").contains(name)
        });
    }
    app.click("nav-queue");
    // Three Sandbox runs at the test time scale, on a machine shared with other builds.
    wait_for_within("the 3 videos saved", Duration::from_secs(120), || match count(&app, "[data-state=downloaded]") {
        3 => Ok(()),
        n => Err(format!("{n} saved; {}", app.text("queue-counts"))),
    });

    // Ctrl+6 opens the Library: 3 videos, each with a poster frame taken from its file.
    app.eval("window.dispatchEvent(new KeyboardEvent('keydown', {key: '6', ctrlKey: true}))");
    app.wait_text("library-count", |t| t == "3 videos");
    wait_for("3 poster frames drawn", || {
        let drawn = app.eval("return [...document.querySelectorAll('[data-testid=poster]')].filter(i => i.complete && i.naturalWidth > 0).length");
        if drawn.as_u64() == Some(3) {
            Ok(())
        } else {
            Err(format!("{drawn} drawn"))
        }
    });
    let cached: Vec<_> = std::fs::read_dir(data.path().join("posters")).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(cached.len(), 3, "one cached poster per video: {cached:?}");
    let names = app.eval("return [...document.querySelectorAll('[data-testid=card-name]')].map(e => e.textContent)");
    assert_eq!(names, serde_json::json!(["Lighthouse", "Boat", "Fox"]), "newest first");
    app.screenshot("library");

    // Search narrows the grid (FTS5, a word from the middle of a prompt).
    app.type_into("library-search", "fresh snow");
    app.wait_text("library-count", |t| t == "1 video");
    wait_for("only Fox left", || {
        let names = app.eval("return [...document.querySelectorAll('[data-testid=card-name]')].map(e => e.textContent)");
        if names == serde_json::json!(["Fox"]) {
            Ok(())
        } else {
            Err(names.to_string())
        }
    });

    // A click plays it: decoded frames (readyState ≥ 2) and time moving on.
    app.click("open-video");
    wait_for("the video to play", || {
        if app.exists("player-error") {
            panic!("the video did not play: {}", app.text("player-error"));
        }
        let state = app.eval(
            "const v = document.querySelector('[data-testid=player-video]');
             if (!v) return null;
             if (v.readyState >= 2 && v.paused && !v.ended && v.currentTime === 0) { v.muted = true; v.play(); }
             return [v.readyState, v.currentTime];",
        );
        match (state[0].as_u64(), state[1].as_f64()) {
            (Some(ready), Some(t)) if ready >= 2 && t > 0.0 => Ok(()),
            _ => Err(format!("readyState, currentTime = {state}")),
        }
    });
    // Keeping the best take from the keyboard: P picks it, 4 rates it.
    app.eval("window.dispatchEvent(new KeyboardEvent('keydown', { key: 'p' })); window.dispatchEvent(new KeyboardEvent('keydown', { key: '4' }));");
    wait_for("picked", || {
        if app.exists("player-action-error") {
            panic!("picking failed: {}", app.text("player-action-error"));
        }
        app.text("pick-video") == "★"
    });
    wait_for("rated 4", || {
        let pressed = app.eval("return [...document.querySelectorAll('[data-testid^=rate-]')].map(b => b.getAttribute('aria-pressed')).join(' ')");
        let error = if app.exists("player-action-error") { app.text("player-action-error") } else { String::new() };
        (pressed == "false false false true false").then_some(()).ok_or(format!("{pressed} {error}"))
    });
    app.screenshot("library-pick");
    app.click("close-player");
    app.wait_text("card-rating", |t| t == "4/5");
    assert!(app.exists("card-pick"));
    wait_for("the pick in the sidecar beside the video", || {
        let text = std::fs::read_to_string(videos.path().join("Sandbox/Fox.mp4.json")).unwrap_or_default();
        text.contains("\"pick\": true") && text.contains("\"rating\": 4")
    });
    app.type_into("library-search", "");
    app.wait_text("library-count", |t| t == "3 videos");
    app.click("filter-picks");
    app.wait_text("library-count", |t| t == "1 video");
    app.click("filter-picks");

    // Moved outside the app: shown missing, then located at its new place.
    app.type_into("library-search", "");
    app.wait_text("library-count", |t| t == "3 videos");
    // Two takes side by side: one Play drives both.
    wait_for("3 cards to pick from", || count(&app, "[data-testid=select-video]") == 3);
    app.eval("const boxes = document.querySelectorAll('[data-testid=select-video]'); boxes[0].click(); boxes[1].click();");
    app.wait_text("compare-selected", |t| t == "Compare (2)");
    app.click("compare-selected");
    app.click_when_enabled("compare-play");
    wait_for("both takes playing", || {
        let times = app.eval("return [...document.querySelectorAll('[data-testid=compare-video]')].map(v => v.readyState >= 2 ? v.currentTime : -1)");
        match times.as_array() {
            Some(t) if t.len() == 2 && t.iter().all(|x| x.as_f64().is_some_and(|x| x > 0.0)) => Ok(()),
            _ => Err(times.to_string()),
        }
    });
    app.click("close-compare");

    let folder = videos.path().join("Sandbox");
    let old = folder.join("Boat.mp4");
    let moved = folder.join("kept").join("Boat.mp4");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(&old, &moved).unwrap();
    app.type_into("library-search", "boat");
    app.wait_text("library-count", |t| t == "1 video");
    wait_for("the moved video shown missing", || app.exists("missing-badge"));
    app.click("open-video");
    App::will_pick(data.path(), &folder.join("Fox.mp4"));
    app.click("locate-pick");
    app.wait_text("player-action-error", |t| t.contains("is not this video"));
    App::will_pick(data.path(), &moved);
    app.click("locate-pick");
    wait_for("the located video present again", || !app.exists("player") && !app.exists("missing-badge") && app.exists("poster"));
    assert!(moved.with_extension("mp4.json").exists(), "its recipe is written beside it");
}
