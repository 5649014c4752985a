//! Desktop notifications, window shown or hidden. On Linux they go straight
//! to the notification service (notify-rust) with a default action, so a
//! click brings the window forward on the job the notice is about; the
//! plugin's desktop side cannot report clicks. On macOS and Windows they go
//! through tauri-plugin-notification, and a click does what the plugin and
//! the OS do by default: the app comes to the front.

// The click handling below is the Linux path's (its unit test runs on every
// system); on macOS and Windows the plugin and the OS handle the click.
#[cfg(any(target_os = "linux", test))]
use crate::events::OpenJob;
use tauri::AppHandle;

/// The action a click on the notification's body sends (XDG "default").
#[cfg(any(target_os = "linux", test))]
pub const DEFAULT_ACTION: &str = "default";
/// The notification's "Open" button.
#[cfg(any(target_os = "linux", test))]
pub const OPEN_ACTION: &str = "open";

/// What a notification action asks of the app: `None` when it only closed
/// (timed out, dismissed), else open the window, on `job_id` if it names one.
#[cfg(any(target_os = "linux", test))]
pub fn click_target(action: &str, job_id: Option<i64>) -> Option<OpenJob> {
    matches!(action, DEFAULT_ACTION | OPEN_ACTION).then_some(OpenJob { job_id })
}

/// Shows a notification; never blocks the caller, and a desktop without a
/// notification service only loses the notification (the Queue screen
/// shows the same state).
pub fn send(app: &AppHandle, title: &str, body: &str, job_id: Option<i64>) {
    #[cfg(target_os = "linux")]
    linux::send(app, title, body, job_id);
    #[cfg(not(target_os = "linux"))]
    {
        use tauri_plugin_notification::NotificationExt;
        // Clicks: the plugin's/OS's default (the app comes to the front).
        let _ = job_id;
        if let Err(e) = app.notification().builder().title(title).body(body).show() {
            eprintln!("loova-desk: desktop notification not shown: {e}");
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use super::{click_target, DEFAULT_ACTION, OPEN_ACTION};
    use tauri::AppHandle;
    use tauri_specta::Event;

    pub fn send(app: &AppHandle, title: &str, body: &str, job_id: Option<i64>) {
        let mut n = notify_rust::Notification::new();
        n.appname("Loova Desk").summary(title).body(body).action(DEFAULT_ACTION, "Open").action(OPEN_ACTION, "Open");
        let app = app.clone();
        // A thread of its own, not the async runtime: sending is a blocking
        // D-Bus call, and waiting for the click lasts until the notification
        // closes (clicked, dismissed or expired), which ends the thread.
        let spawned = std::thread::Builder::new().name("loova-notification".into()).spawn(move || {
            let handle = match n.show() {
                Ok(h) => h,
                Err(e) => {
                    eprintln!("loova-desk: desktop notification not shown: {e}");
                    return;
                }
            };
            handle.wait_for_action(|action| {
                if let Some(open) = click_target(action, job_id) {
                    crate::lifecycle::show(&app);
                    let _ = open.emit(&app);
                }
            });
        });
        if let Err(e) = spawned {
            eprintln!("loova-desk: desktop notification not shown: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_click_opens_the_job_and_closing_does_nothing() {
        assert_eq!(click_target(DEFAULT_ACTION, Some(7)), Some(OpenJob { job_id: Some(7) }));
        assert_eq!(click_target(OPEN_ACTION, Some(7)), Some(OpenJob { job_id: Some(7) }));
        // A summary of several jobs opens the Queue without a job.
        assert_eq!(click_target(DEFAULT_ACTION, None), Some(OpenJob { job_id: None }));
        // notify-rust reports a close (dismissed, expired) as "__closed".
        assert_eq!(click_target("__closed", Some(7)), None);
        assert_eq!(click_target("something-else", Some(7)), None);
    }
}
