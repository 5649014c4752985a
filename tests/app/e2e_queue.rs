//! The real app: queue 8 jobs in the Sandbox, reorder them (buttons and a
//! drag), never more than 6 in flight, all finish, the videos are on disk,
//! and the best take is picked and rated from its Queue row.

use crate::support;
use loova_testkit::{above_our_cap, serve_sandbox, sim_config, wait_for};
use support::{App, SANDBOX_TIME_SCALE};

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver, WebKitWebDriver and a Secret Service (scripts/test)"]
fn eight_sandbox_jobs_run_at_most_six_at_once_and_land_on_disk() {
    let data = loova_testkit::data_dir();
    let videos = tempfile::tempdir().unwrap();
    // This test serves the data folder's Sandbox with a simulator that would
    // run 100 tasks at once, so the 6 below is the app's cap, not Loova's.
    let sandbox = serve_sandbox(data.path(), above_our_cap(sim_config(&[], SANDBOX_TIME_SCALE)));
    let app = App::with_sandbox(data.path(), videos.path(), "queue");
    // Paused while we queue, so all 8 are waiting when it starts.
    app.click("pause-account");
    app.wait_text("account-state", |t| t == "Paused");

    app.click("nav-composer");
    app.type_into("prompt", "A paper boat drifting down a rain-soaked street at dusk");
    app.type_into("duration", "6");
    app.wait_text("formula", |t| t == "15 credits/s × 6 s = 90 credits");
    for i in 1..=8 {
        app.type_into("job-name", &format!("Boat {i}"));
        app.click_when_enabled("add-to-queue");
        wait_for(&format!("Boat {i} to be queued"), || {
            if app.exists("queue-error") {
                panic!("queueing failed: {}", app.text("queue-error"));
            }
            app.exists("queued-message") && app.text("queued-message").contains(&format!("Boat {i}"))
        });
    }

    app.click("nav-queue");
    app.wait_text("queue-counts", |t| t.contains("8 waiting"));
    // Before anything is sent: the last to the top, one edited in place.
    let waiting = || app.eval("return Array.from(document.querySelectorAll('[data-state=queued]')).map(e => e.dataset.testid).join(' ')");
    app.click_css("[data-testid=job-8] [data-testid=move-top]");
    wait_for("job 8 to lead the queue", || waiting().as_str().is_some_and(|w| w.starts_with("job-8 job-1 ")));
    // Dragged onto job 1, job 7 goes just before it (the person's mouse;
    // WebDriver cannot drive a native drag, so the page gets the events).
    let drag = "const dt = new DataTransfer();
        const fire = (el, type) => el.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
        const from = document.querySelector('[data-testid=job-7]'), to = document.querySelector('[data-testid=job-1]');
        fire(from, 'dragstart'); fire(to, 'dragover'); fire(to, 'drop'); fire(from, 'dragend'); return true;";
    app.eval(drag);
    wait_for("job 7 dropped before job 1", || waiting().as_str().is_some_and(|w| w.starts_with("job-8 job-7 job-1 job-2 ")));
    app.click_css("[data-testid=job-2] [data-testid=edit-job]");
    app.wait_text("editing-note", |t| t.contains("job 2"));
    app.type_into("duration", "8");
    app.wait_text("formula", |t| t == "15 credits/s × 8 s = 120 credits");
    app.click_when_enabled("save-edit");
    app.wait_text("queued-message", |t| t.contains("keeps its place"));
    app.click("nav-queue");
    let estimate = || app.eval("return document.querySelector('[data-testid=job-2] [data-testid=job-estimate]')?.textContent ?? ''");
    wait_for("job 2 priced at 120", || estimate().as_str().is_some_and(|t| t.contains("120")));
    assert!(waiting().as_str().is_some_and(|w| w.starts_with("job-8 job-7 job-1 job-2 ")), "{:?}", waiting());
    app.wait_text("pause-queue", |t| t == "Resume");
    app.click("pause-queue");
    let mut most_in_flight = 0;
    let mut screenshot_taken = false;
    wait_for("all 8 jobs saved", || {
        let count = app.text("slot-count");
        let in_flight: u32 = count.split('/').next().unwrap_or("0").parse().unwrap_or(0);
        assert!(count.ends_with("/6"), "the app's cap is 6: {count}");
        most_in_flight = most_in_flight.max(in_flight);
        assert!(in_flight <= 6, "more than 6 in flight: {count}");
        if !screenshot_taken && in_flight == 6 {
            app.screenshot("queue");
            screenshot_taken = true;
        }
        let saved = app.eval("return document.querySelectorAll('[data-state=downloaded]').length").as_u64().unwrap_or(0);
        if saved == 8 {
            Ok(())
        } else {
            Err(format!("{saved} saved, slots {count}"))
        }
    });
    assert_eq!(most_in_flight, 6, "exactly 6 at the peak: every free slot used, never more");
    // The jobs ran on this test's simulator, which never ran more than 6.
    let st = sandbox.sim.state();
    assert_eq!(st.tasks_created, 8, "the Sandbox's jobs reached the test's simulator");
    let peak = st.users.iter().map(|u| u.max_running_at_once).max();
    assert_eq!(peak, Some(6), "the app kept its cap of 6 although the service took more");
    assert!(screenshot_taken);
    assert!(app.text("queue-counts").starts_with("8 done"), "{}", app.text("queue-counts"));

    // The files: one per job, complete, in the account's folder.
    let folder = videos.path().join("Sandbox");
    let all: Vec<_> = std::fs::read_dir(&folder).unwrap().flatten().map(|e| e.path()).collect();
    let (files, sidecars): (Vec<_>, Vec<_>) = all.iter().cloned().partition(|p| p.extension().and_then(|e| e.to_str()) == Some("mp4"));
    assert_eq!(files.len(), 8, "{all:?}");
    assert_eq!(sidecars.len(), 8, "one recipe (NAME.mp4.json) beside each video: {all:?}");
    for f in &files {
        assert_eq!(f.extension().and_then(|e| e.to_str()), Some("mp4"), "{f:?}");
        assert!(std::fs::metadata(f).unwrap().len() > 1000, "{f:?} is complete");
    }
    assert!(files.iter().any(|f| f.ends_with("Boat 1.mp4")), "named after the job: {files:?}");

    // The best take is kept from its Queue row: picked and rated 4, in
    // SQLite and in the sidecar beside the video (what a Rebuild reads).
    let row = "[data-testid=job-8]";
    app.click_css(&format!("{row} [data-testid=take-pick]"));
    app.click_css(&format!("{row} [data-testid=take-rate-4]"));
    let pressed = |what: &str| app.eval(&format!("return document.querySelector('{row} [data-testid={what}]')?.getAttribute('aria-pressed')"));
    wait_for("job 8 picked and rated 4", || pressed("take-pick").as_str() == Some("true") && pressed("take-rate-4").as_str() == Some("true"));
    app.eval(&format!("document.querySelector('{row}').scrollIntoView({{block: 'center'}}); return true"));
    app.screenshot("queue-take");
    let sidecar: serde_json::Value = serde_json::from_slice(&std::fs::read(folder.join("Boat 8.mp4.json")).unwrap()).unwrap();
    assert_eq!((sidecar["pick"].as_bool(), sidecar["rating"].as_u64()), (Some(true), Some(4)), "{sidecar}");

    // A finished job starts the next one: its settings come back in the Composer.
    app.click("nav-composer");
    app.type_into("prompt", "Something else entirely");
    app.type_into("duration", "9");
    app.wait_text("formula", |t| t == "15 credits/s × 9 s = 135 credits");
    app.click("nav-queue");
    app.click_css("[data-state=downloaded] [data-testid=open-in-composer]");
    app.wait_text("formula", |t| t == "15 credits/s × 6 s = 90 credits");
    let value = |id: &str| app.eval(&format!("return document.querySelector('[data-testid={id}]').value")).as_str().unwrap_or_default().to_string();
    assert_eq!(value("prompt"), "A paper boat drifting down a rain-soaked street at dusk");
    assert_eq!(value("duration"), "6");
    assert!(value("job-name").starts_with("Boat "), "{}", value("job-name"));
    // And the form outlives a trip to another screen.
    app.click("nav-accounts");
    app.click("nav-composer");
    app.wait_text("formula", |t| t == "15 credits/s × 6 s = 90 credits");
    assert_eq!(value("prompt"), "A paper boat drifting down a rain-soaked street at dusk");
}
