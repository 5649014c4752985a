//! The real app: import a batch file with a bad row, see the row and the
//! message, fix the file, import again, queue it in the Sandbox, watch the
//! batch finish — queued "finish soonest", so the longest expected row first.

use crate::support;
use loova_testkit::wait_for;
use support::App;

const BAD: &str = "name,prompt,model,duration,video_urls\n\
shot-1,\"A sneaker on marble, slow orbit\",seedance_2_0,6,\n\
shot-2,Same move as the clip,seedance_2_0_fast,20,https://example.com/move.mp4\n\
shot-3,\"Close-up, \"\"hero\"\" light\",seedance_2_0,4,\n";

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver, WebKitWebDriver and a Secret Service (scripts/test)"]
fn import_fix_and_queue_a_batch_in_the_sandbox() {
    let data = loova_testkit::data_dir();
    let videos = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let csv = files.path().join("spring-shoot.csv");
    std::fs::write(&csv, BAD).unwrap();
    let app = App::with_sandbox(data.path(), videos.path(), "batch");

    app.click("nav-import");
    App::will_pick(data.path(), &csv);
    app.click("choose-batch-file");
    app.wait_text("batch-file-name", |t| t == "spring-shoot.csv");

    // The bad row and what to do about it; nothing can be queued yet.
    let errors = app.wait_text("batch-errors", |t| !t.is_empty());
    assert!(errors.contains("Line 3") && errors.contains("duration") && errors.contains("4 to 15"), "{errors}");
    assert!(app.text("batch-row-3").contains("to fix"));
    assert!(app.eval("return document.querySelector('[data-testid=queue-batch]').disabled").as_bool().unwrap());
    // Valid rows are priced against the Sandbox: 15×6 + 15×4 = 150 credits.
    assert_eq!(app.text("batch-total-credits"), "150");
    assert!(app.text("batch-balance").contains("10,000"));

    // Fix the file and read it again: 90 + 20×15 + 60 = 450 credits.
    std::fs::write(&csv, BAD.replace(",20,https", ",15,https")).unwrap();
    app.click("reload-batch-file");
    app.wait_text("batch-total-credits", |t| t == "450");
    assert!(!app.exists("batch-errors"));
    app.wait_text("batch-balance-after", |t| t == "9,550");
    app.screenshot("import");

    // Finish soonest: with no history on the account, the prior expects
    // shot-1 (Seedance 2.0, 6 s) longest, then shot-3 (2.0, 4 s), then
    // shot-2 (Fast, 15 s); the forecast is shown for the chosen order.
    app.click("order-soonest");
    app.wait_text("order-forecast", |t| t.starts_with("Expected to finish in about"));

    app.click_when_enabled("queue-batch");
    // A click that reached the page disables the button at once and then
    // leaves the Import screen. Should it ever not, the button's state says
    // why: a click that never arrived (clicks received: 0), a slow command
    // (its duration) or a refused one (the error, shown on the screen).
    wait_for("the batch to be queued", || {
        if app.exists("batch-error") {
            panic!("queueing the batch failed: {}", app.text("batch-error"));
        }
        if app.exists("batch-progress") {
            return Ok(());
        }
        let button = app.eval(
            "const b = document.querySelector('[data-testid=queue-batch]'); return b ? `${b.disabled ? 'disabled' : 'enabled'} (clicks received: ${b.dataset.clicks}, last command: ${b.dataset.commandMs ?? 'none'} ms)` : 'gone';",
        );
        Err(format!("no batch progress yet; the Queue batch button is {}", button.as_str().unwrap_or("?")))
    });
    let progress = app.wait_text("batch-progress", |t| t.starts_with("3/3 done"));
    assert!(progress.contains("450 credits charged"), "{progress}");
    // Three videos, each with its recipe (NAME.mp4.json) beside it.
    let saved: Vec<String> =
        std::fs::read_dir(videos.path().join("Sandbox")).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    let mp4s: Vec<&String> = saved.iter().filter(|n| n.ends_with(".mp4")).collect();
    assert_eq!(mp4s.len(), 3, "{saved:?}");
    assert!(mp4s.iter().all(|n| saved.contains(&format!("{n}.json"))), "{saved:?}");
    assert_eq!(saved.len(), 6, "nothing else: {saved:?}");
    wait_for("the batch to be listed", || app.exists("batch-spring-shoot"));
    let db = loova_core::store::Db::open_in(data.path()).unwrap();
    let queued: Vec<String> = db.jobs(&Default::default()).unwrap().into_iter().filter_map(|j| j.name).collect();
    assert_eq!(queued, ["shot-1", "shot-3", "shot-2"], "longest expected first");
}

/// A batch whose tasks all failed: "Retry failed…" shows the cost first,
/// and only the second click queues new jobs, which then finish.
#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver, WebKitWebDriver and a Secret Service (scripts/test)"]
fn a_batchs_failures_are_retried_after_the_price_is_shown() {
    let data = loova_testkit::data_dir();
    let videos = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut failing = loova_testkit::sim_config(&[], support::SANDBOX_TIME_SCALE);
    failing.fail_rate = 1.0;
    let sandbox = loova_testkit::serve_sandbox(data.path(), failing);
    let csv = files.path().join("kites.csv");
    std::fs::write(&csv, "prompt,duration\na red kite,5\na blue kite,5\n").unwrap();
    let app = App::with_sandbox(data.path(), videos.path(), "batch-retry");
    app.click("nav-import");
    App::will_pick(data.path(), &csv);
    app.click("choose-batch-file");
    app.wait_text("batch-total-credits", |t| t == "150");
    app.click_when_enabled("queue-batch");
    wait_for("the Queue", || app.exists("batch-kites"));
    app.wait_text("batch-progress", |t| t.contains("2 failed"));

    sandbox.sim.update_config(|c| c.fail_rate = 0.0).unwrap();
    app.click("batch-retry");
    let preview = app.wait_text("batch-retry-preview", |t| !t.is_empty());
    assert!(preview.contains("Retry 2 failed — 150 credits ($"), "{preview}");
    assert!(app.text("batch-progress").contains("2 failed"), "nothing queued by the preview");
    app.screenshot("batch-retry");
    app.click("batch-retry-confirm");
    app.wait_text("batch-progress", |t| t.starts_with("2/4 done"));
    assert!(app.text("batch-progress").contains("2 failed"), "the failed jobs stay as they were");
}
