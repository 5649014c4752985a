//! When the window closes and how the app quits. Closing with work queued or
//! in flight hides the window (the engine keeps going; the tray icon stays);
//! with nothing to do, or when the person chose "quit", closing quits. Every
//! way out — tray, Ctrl+Q (Cmd+Q), the app menu, the OS, the last window —
//! goes through [`quit`], which stops the engine and waits for it; what
//! reaches only `RunEvent::Exit` (macOS: Dock → Quit, log-out, the app
//! menu's Quit) stops it there, see [`exiting`].

use crate::queue::QueueHost;
use crate::state::AppState;
use loova_core::platform::Os;
use loova_core::settings::{self, CloseBehaviour};
use loova_core::store::JobState;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime, Window};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

/// The argument the start-at-login entry passes: start in the tray.
pub const HIDDEN_ARG: &str = "--hidden";
/// A create request on its way may take up to the request timeout; past
/// this the app quits anyway and the next start sorts the job out.
const STOP_WITHIN: Duration = Duration::from_secs(20);

/// Set when the engine has stopped and the app may really exit.
static MAY_EXIT: AtomicBool = AtomicBool::new(false);

/// Jobs waiting and in flight, from one SQL count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    /// Sent to Loova or being downloaded.
    pub running: u64,
    pub waiting: u64,
}

impl Activity {
    pub fn now(app: &AppHandle) -> Activity {
        let Ok(db) = app.state::<AppState>().db().cloned() else {
            return Activity::default();
        };
        let Ok(counts) = db.count_by_state(None) else {
            return Activity::default();
        };
        Activity {
            running: counts.of(&[JobState::Submitting, JobState::Running, JobState::Succeeded, JobState::Downloading]),
            waiting: counts.get(JobState::Queued),
        }
    }

    pub fn busy(self) -> bool {
        self.running + self.waiting > 0
    }
}

pub fn window_shown<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.get_webview_window("main").and_then(|w| w.is_visible().ok()).unwrap_or(false)
}

/// Brings the window forward (tray "Open", a second launch) with the queue
/// as it is now.
pub fn show(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    crate::queue::shown(app);
}

/// Started at login (`--hidden`): the window stays in the tray.
pub fn start_hidden_if_asked(app: &AppHandle) {
    if std::env::args().any(|a| a == HIDDEN_ARG) {
        if let Some(window) = app.get_webview_window("main") {
            let _ = window.hide();
        }
    }
}

/// The window's close button (or `Window::close`, or the OS closing it).
pub fn close_requested(window: &Window, api: &tauri::CloseRequestApi) {
    let app = window.app_handle();
    if MAY_EXIT.load(Ordering::SeqCst) {
        return;
    }
    api.prevent_close();
    let keep = app.state::<AppState>().db().map(|db| settings::close_behaviour(db) == CloseBehaviour::KeepRunning).unwrap_or(false);
    if keep && Activity::now(app).busy() {
        let _ = window.hide();
        first_hide_notice(app);
    } else {
        quit(app);
    }
}

/// Once per data folder: where the app went and how to quit it.
fn first_hide_notice(app: &AppHandle) {
    let Ok(db) = app.state::<AppState>().db().cloned() else {
        return;
    };
    if !settings::take_hidden_notice(&db) {
        return;
    }
    crate::notify::send(app, "Loova Desk keeps running", &hidden_notice(Os::current()), None);
}

/// Where the window went, in the words of the system it runs on.
fn hidden_notice(os: Os) -> String {
    format!(
        "Your queue goes on with the window closed. Open it or quit from the Loova Desk icon in the {} (or press {} in the window). Settings → \"When I close the window\" changes this.",
        os.tray(),
        os.quit_keys()
    )
}

/// What happens to the jobs in flight if the person quits now.
fn quit_question(running: u64) -> String {
    let (jobs, they, them, videos) = match running {
        1 => ("1 job is".to_string(), "It keeps", "it", "its video"),
        n => (format!("{n} jobs are"), "They keep", "them", "their videos"),
    };
    format!("{jobs} running on Loova. {they} running there, and Loova Desk picks {them} up (and saves {videos}) the next time it starts. Queued jobs wait until then.")
}

/// Quit, asking first when jobs are in flight (the tray's Quit, Ctrl+Q).
pub fn quit_asking(app: &AppHandle) {
    let running = Activity::now(app).running;
    if running == 0 {
        return quit(app);
    }
    let message = quit_question(running);
    let app = app.clone();
    app.dialog()
        .message(message)
        .title("Quit Loova Desk?")
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom("Quit".into(), "Keep running".into()))
        .show(move |yes| {
            if yes {
                quit(&app);
            }
        });
}

/// Stops the engine (bounded wait), then exits. Safe to call twice.
pub fn quit(app: &AppHandle) {
    let host = app.state::<QueueHost>();
    if host.is_quitting() && !MAY_EXIT.load(Ordering::SeqCst) {
        // Already on its way; `stop` below is running.
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        app.state::<QueueHost>().stop(STOP_WITHIN).await;
        MAY_EXIT.store(true, Ordering::SeqCst);
        app.exit(0);
    });
}

/// SIGTERM (logout, shutdown, `kill`) and SIGINT quit the same way.
pub fn quit_on_signals(app: &AppHandle) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
                eprintln!("loova-desk: cannot listen for SIGTERM; a kill stops the queue uncleanly");
                return;
            };
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            quit(&app);
        });
    }
    #[cfg(not(unix))]
    let _ = app;
}

/// `RunEvent::ExitRequested` (the OS, the app menu's Quit, the last window
/// gone): not before the engine stopped.
pub fn exit_requested(app: &AppHandle, api: &tauri::ExitRequestApi) {
    if !MAY_EXIT.load(Ordering::SeqCst) {
        api.prevent_exit();
        quit(app);
    }
}

/// `RunEvent::Exit` without [`quit`] first: on macOS, Dock → Quit, log-out
/// and the app menu's Quit end the app through `applicationWillTerminate`,
/// which Tauri reports only as `Exit` and which cannot be refused. The
/// process ends when this returns, so the engine is stopped here, blocking
/// (bounded like every quit): a create request on its way is let finish and
/// recorded instead of being cut off ("outcome unknown" at the next start).
/// The engine runs on the async runtime's workers and needs nothing from
/// this (the main) thread.
pub fn exiting(app: &AppHandle) {
    if !MAY_EXIT.swap(true, Ordering::SeqCst) {
        tauri::async_runtime::block_on(app.state::<QueueHost>().stop(STOP_WITHIN));
    }
}

#[cfg(test)]
mod tests {
    use loova_core::platform::Os;

    #[test]
    fn the_hidden_notice_names_each_systems_place_and_keys() {
        let mac = super::hidden_notice(Os::MacOs);
        assert!(mac.contains("icon in the menu bar (or press Cmd+Q"), "{mac}");
        assert!(!mac.contains("tray") && !mac.contains("Ctrl"), "{mac}");
        for os in [Os::Linux, Os::Windows] {
            assert!(super::hidden_notice(os).contains("icon in the tray (or press Ctrl+Q"));
        }
    }

    #[test]
    fn quitting_says_what_happens_to_running_jobs() {
        assert_eq!(super::quit_question(1), "1 job is running on Loova. It keeps running there, and Loova Desk picks it up (and saves its video) the next time it starts. Queued jobs wait until then.");
        assert!(super::quit_question(4).starts_with("4 jobs are running on Loova. They keep running there"));
    }
}
