//! The tray icon: what the queue is doing ("Loova Desk — 4 running, 12
//! waiting", from SQL counts) and Open, Pause all / Resume all, Quit. Linux
//! tray hosts (AppIndicator) show no tooltip and need a menu, so the same
//! line is also the menu's first, disabled, item. On macOS it is a menu bar
//! icon: a template image (macOS tints it for light and dark menu bars),
//! and the menu offers "Install the loova command…" (cli_link.rs).

use crate::lifecycle::{self, Activity};
use crate::state::AppState;
use loova_core::accounts::AccountState;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager};

const OPEN: &str = "tray-open";
const PAUSE: &str = "tray-pause";
const QUIT: &str = "tray-quit";
#[cfg(target_os = "macos")]
const INSTALL_CLI: &str = "tray-install-cli";

pub struct Tray {
    icon: TrayIcon,
    status: MenuItem<tauri::Wry>,
    pause: MenuItem<tauri::Wry>,
}

/// The line the tooltip, the title and the menu show.
pub fn summary(a: Activity) -> String {
    if !a.busy() {
        return "Loova Desk — nothing to do".into();
    }
    format!("Loova Desk — {} running, {} waiting", a.running, a.waiting)
}

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let status = MenuItem::with_id(app, "tray-status", summary(Activity::now(app)), false, None::<&str>)?;
    let open = MenuItem::with_id(app, OPEN, "Open Loova Desk", true, None::<&str>)?;
    let pause = MenuItem::with_id(app, PAUSE, pause_label(app), true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&status, &separator, &open, &pause, &quit])?;
    #[cfg(target_os = "macos")]
    menu.insert(&MenuItem::with_id(app, INSTALL_CLI, "Install the loova command…", true, None::<&str>)?, 4)?;
    let mut builder = TrayIconBuilder::with_id("main")
        .menu(&menu)
        .tooltip(summary(Activity::now(app)))
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id().as_ref() {
            OPEN => lifecycle::show(app),
            PAUSE => pause_or_resume_all(app),
            QUIT => lifecycle::quit_asking(app),
            #[cfg(target_os = "macos")]
            INSTALL_CLI => install_cli(app),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click { button: MouseButton::Left, button_state: MouseButtonState::Up, .. } = event {
                lifecycle::show(tray.app_handle());
            }
        });
    #[cfg(target_os = "macos")]
    {
        // Decoded at build time: no PNG decoder (tauri's image-png) in the app.
        builder = builder.icon(tauri::include_image!("icons/tray-template.png")).icon_as_template(true);
    }
    #[cfg(not(target_os = "macos"))]
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    let icon = builder.build(app)?;
    app.manage(Tray { icon, status, pause });
    Ok(())
}

/// Links /usr/local/bin/loova to the bundled CLI (macOS may ask for a
/// password, so off the main thread) and says how it went.
#[cfg(target_os = "macos")]
fn install_cli(app: &AppHandle) {
    use tauri_plugin_dialog::{DialogExt, MessageDialogKind};
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let (kind, text) = match crate::cli_link::install() {
            Ok(done) => (MessageDialogKind::Info, done),
            Err(why) => (MessageDialogKind::Error, why),
        };
        app.dialog().message(text).title("The loova command").kind(kind).show(|_| {});
    });
}

/// Every account paused means "Resume all"; otherwise "Pause all".
fn all_paused(app: &AppHandle) -> bool {
    let Ok(accounts) = app.state::<AppState>().accounts().cloned() else {
        return false;
    };
    let list = accounts.list().unwrap_or_default();
    !list.is_empty() && list.iter().all(|a| a.state == AccountState::Paused)
}

fn pause_label(app: &AppHandle) -> &'static str {
    if all_paused(app) {
        "Resume all"
    } else {
        "Pause all"
    }
}

fn pause_or_resume_all(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let pause = !all_paused(&app);
        let Ok(accounts) = app.state::<AppState>().accounts().cloned() else {
            return;
        };
        for a in accounts.list().unwrap_or_default() {
            if let Err(e) = accounts.set_paused(&a.id, pause) {
                eprintln!("loova-desk: could not {} {}: {e}", if pause { "pause" } else { "resume" }, a.name);
            }
        }
        crate::commands::accounts_changed(&app);
        app.state::<crate::queue::QueueHost>().touch();
    });
}

/// Called with every queue change (coalesced) and account change.
pub fn update(app: &AppHandle) {
    let Some(tray) = app.try_state::<Tray>() else {
        return;
    };
    let line = summary(Activity::now(app));
    let _ = tray.icon.set_tooltip(Some(&line));
    let _ = tray.status.set_text(&line);
    let _ = tray.pause.set_text(pause_label(app));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_running_and_waiting() {
        let a = Activity { running: 4, waiting: 12 };
        assert_eq!(summary(a), "Loova Desk — 4 running, 12 waiting");
        assert_eq!(summary(Activity::default()), "Loova Desk — nothing to do");
    }
}
