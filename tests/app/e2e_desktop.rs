//! The real app as a desktop app: closing the window while jobs are queued
//! hides it and the queue goes on (the process stays, every video lands on
//! disk); a second launch brings the same window back showing them done;
//! with nothing to do, closing quits. The window is closed with
//! `Window::close`, which raises the same close request as the title bar's
//! button (the window manager's close), so it takes the app's one path.

use crate::support;
use loova_core::store::{Db, JobState};
use loova_testkit::{serve_sandbox, sim_config, wait_for, wait_for_within};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use support::{App, SANDBOX_TIME_SCALE};

const JOBS: u64 = 3;

/// The pids of loova-desk processes running with `data` as their data
/// folder (tauri-driver starts the app; the test finds it by its folder).
fn app_pids(data: &Path) -> Vec<u32> {
    let wanted = format!("LOOVA_DESK_DATA_DIR={}", data.display());
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return vec![];
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
            let named = exe.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("loova-desk"));
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            named && environ.split(|b| *b == 0).any(|v| v == wanted.as_bytes())
        })
        .collect()
}

/// The environment the running app was started with (a second launch
/// needs the same display, D-Bus session and folders).
fn environment_of(pid: u32) -> Vec<(String, String)> {
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    environ
        .split(|b| *b == 0)
        .filter_map(|v| {
            let v = String::from_utf8_lossy(v);
            let (k, val) = v.split_once('=')?;
            Some((k.to_string(), val.to_string()))
        })
        .collect()
}

fn the_app(data: &Path) -> u32 {
    wait_for("the app's process", || {
        let pids = app_pids(data);
        (pids.len() == 1).then(|| pids[0])
    })
}

/// Asks the window to close, as the title bar's close button does (the
/// app may be gone before the script's answer is back).
fn close_window(app: &App) {
    app.eval_may_exit("setTimeout(() => window.__TAURI_INTERNALS__.invoke('plugin:window|close', { label: 'main' }), 0); return true;");
}

fn count(db: &Db, state: JobState) -> u64 {
    db.count_by_state(None).unwrap().get(state)
}

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver, WebKitWebDriver and a Secret Service (scripts/test)"]
fn closing_with_jobs_keeps_running_and_a_second_launch_shows_them_done() {
    let data = loova_testkit::data_dir();
    let videos = tempfile::tempdir().unwrap();
    let sandbox = serve_sandbox(data.path(), sim_config(&[], SANDBOX_TIME_SCALE));
    let app = App::with_sandbox(data.path(), videos.path(), "desktop");
    let pid = the_app(data.path());
    // Paused while we queue, so the jobs are surely waiting at the close.
    app.click("pause-account");
    app.wait_text("account-state", |t| t == "Paused");
    app.click("nav-composer");
    app.type_into("prompt", "A lighthouse keeper climbing the stairs at night");
    app.type_into("duration", "5");
    for i in 1..=JOBS {
        app.type_into("job-name", &format!("Light {i}"));
        app.click_when_enabled("add-to-queue");
        wait_for(&format!("Light {i} to be queued"), || app.exists("queued-message") && app.text("queued-message").contains(&format!("Light {i}")));
    }
    app.click("nav-queue");
    app.wait_text("queue-counts", |t| t.contains(&format!("{JOBS} waiting")));

    close_window(&app);
    wait_for("the window to be hidden", || app.eval("return document.visibilityState").as_str() == Some("hidden"));
    assert_eq!(app_pids(data.path()), vec![pid], "closing with jobs waiting did not quit");

    // Resumed from the hidden window's page (the tray's "Resume all" does
    // the same); the queue runs with no window shown.
    app.eval("document.querySelector('[data-testid=pause-queue]').click(); return true;");
    let db = Db::open_in(data.path()).unwrap();
    wait_for_within("every job saved with the window closed", Duration::from_secs(120), || {
        let done = count(&db, JobState::Downloaded);
        if done == JOBS {
            Ok(())
        } else {
            Err(format!("{done} saved"))
        }
    });
    assert_eq!(app_pids(data.path()), vec![pid], "the app kept running");
    assert_eq!(sandbox.sim.state().tasks_created, JOBS);
    let folder = videos.path().join("Sandbox");
    for i in 1..=JOBS {
        let file = folder.join(format!("Light {i}.mp4"));
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        assert!(size > 1000, "{file:?} is on disk and complete");
    }

    // A second launch hands over to the first and ends; the first's window
    // comes back with the queue as it is now.
    let mut second = Command::new(env!("CARGO_BIN_EXE_loova-desk"));
    second.env_clear().envs(environment_of(pid)).stdout(Stdio::null()).stderr(Stdio::null());
    let mut second = second.spawn().unwrap();
    let status = wait_for("the second launch to end", || second.try_wait().unwrap());
    assert!(status.success(), "{status:?}");
    wait_for("the window to be shown", || app.eval("return document.visibilityState").as_str() == Some("visible"));
    app.wait_text("queue-counts", |t| t.starts_with(&format!("{JOBS} done")));
    assert_eq!(app_pids(data.path()), vec![pid], "one process for the data folder");
}

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver, WebKitWebDriver and a Secret Service (scripts/test)"]
fn closing_with_nothing_to_do_quits() {
    let data = loova_testkit::data_dir();
    let service = loova_testkit::keyring_service("desktop-quit");
    let mut app = App::launch(data.path(), &[("LOOVA_DESK_KEYRING_SERVICE", &service)]);
    // The Settings screen (Ctrl+,) with what Rust lists, the data folder and the version.
    // Pressed again until the screen shows: a press before the page has
    // registered its shortcuts (right after launch) reaches no handler.
    wait_for("Ctrl+, to open Settings", || {
        app.eval("window.dispatchEvent(new KeyboardEvent('keydown', { key: ',', ctrlKey: true })); return true;");
        app.exists("about")
    });
    app.wait_text("about", |t| t == format!("Loova Desk {}", loova_core::VERSION));
    assert_eq!(app.text("data-dir"), data.path().display().to_string());
    assert!(app.exists("setting-close_behaviour-keep_running") && app.exists("setting-notify_queue_finished-toggle"));
    app.screenshot("settings");
    the_app(data.path());
    close_window(&app);
    wait_for("the app to quit", || app_pids(data.path()).is_empty());
    app.exited();
    // A clean quit leaves the engine's lock free for the next one.
    let lock = loova_core::engine::EngineLock::acquire(data.path());
    assert!(lock.is_ok(), "the queue's lock was released");
}

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver, WebKitWebDriver and a Secret Service (scripts/test)"]
fn ctrl_q_quits_through_the_same_clean_quit() {
    let data = loova_testkit::data_dir();
    let service = loova_testkit::keyring_service("desktop-ctrl-q");
    let mut app = App::launch(data.path(), &[("LOOVA_DESK_KEYRING_SERVICE", &service)]);
    app.wait_text("nav-settings", |t| t == "Settings");
    the_app(data.path());
    app.eval_may_exit("setTimeout(() => window.dispatchEvent(new KeyboardEvent('keydown', { key: 'q', ctrlKey: true })), 0); return true;");
    wait_for("the app to quit", || app_pids(data.path()).is_empty());
    app.exited();
    assert!(loova_core::engine::EngineLock::acquire(data.path()).is_ok(), "the queue's lock was released");
}
