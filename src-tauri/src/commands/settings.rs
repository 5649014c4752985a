//! The Settings screen: the typed settings of `loova_core::settings` (the
//! same ones `loova settings` shows), what the shell does with some of them
//! (start at login), the About facts, and quitting on `Ctrl+Q`.

use crate::error::CommandError;
use crate::state::{blocking, AppState};
use loova_core::settings::{self, SettingKey, SettingView};
use loova_core::PriceListInfo;
use serde::Serialize;
use tauri::{AppHandle, Manager};
use tauri_plugin_autostart::ManagerExt;
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

#[derive(Serialize, specta::Type)]
pub struct SettingsScreen {
    pub settings: Vec<SettingView>,
    pub version: String,
    /// Where the database, keys' index and copied media live (read-only).
    pub data_dir: String,
    pub price_list: PriceListInfo,
    /// A price list imported since the start is used from the next start.
    pub price_list_pending: bool,
}

fn screen(state: &AppState) -> Result<SettingsScreen, CommandError> {
    let data_dir = loova_core::paths::data_dir();
    let pending = loova_core::load_price_list(&data_dir).info != state.prices.info;
    Ok(SettingsScreen {
        settings: settings::list(state.db()?)?,
        version: loova_core::VERSION.to_string(),
        data_dir: data_dir.display().to_string(),
        price_list: state.prices.info.clone(),
        price_list_pending: pending,
    })
}

#[tauri::command]
#[specta::specta]
pub async fn settings_screen(app: AppHandle) -> Result<SettingsScreen, CommandError> {
    blocking(&app, |state, _| screen(state)).await
}

/// Start at login is the OS's entry (the autostart plugin writes it); the
/// setting is what the person asked for, and the app keeps them equal.
pub fn apply_start_at_login(app: &AppHandle) -> Result<(), String> {
    let Ok(db) = app.state::<AppState>().db().cloned() else {
        return Ok(());
    };
    let wanted = settings::start_at_login(&db);
    let launcher = app.autolaunch();
    if launcher.is_enabled().unwrap_or(false) == wanted {
        return Ok(());
    }
    let done = if wanted { launcher.enable() } else { launcher.disable() };
    done.map_err(|e| format!("Could not change the start-at-login entry: {e}"))
}

#[tauri::command]
#[specta::specta]
pub async fn set_setting(app: AppHandle, key: String, value: Option<String>) -> Result<SettingsScreen, CommandError> {
    let handle = app.clone();
    blocking(&app, move |state, host| {
        let db = state.db()?;
        let key = SettingKey::parse(&key)?;
        // The window names no folder: the output folder is also the only
        // place Delete may trash, so it comes from the native picker
        // (`set_output_dir`). Back to the default is fine.
        if key == SettingKey::OutputDir && value.is_some() {
            return Err(CommandError::invalid("output_dir", "Choose the folder with Change… (the system's folder picker)."));
        }
        match value {
            Some(v) => settings::set(db, key, &v)?,
            None => settings::reset(db, key)?,
        };
        if key == SettingKey::StartAtLogin {
            if let Err(e) = apply_start_at_login(&handle) {
                // Back to what the OS has, so the screen does not lie.
                let _ = settings::reset(db, key);
                return Err(CommandError::unavailable(&e));
            }
        }
        if key == SettingKey::OutputDir {
            host.touch();
        }
        screen(state)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn show_data_folder(app: AppHandle) -> Result<(), CommandError> {
    let dir = loova_core::paths::data_dir();
    app.opener().open_path(dir.display().to_string(), None::<&str>).map_err(|e| CommandError::unavailable(&format!("Could not open {}: {e}", dir.display())))
}

/// Picks a price list file and installs it for this data folder (checked
/// first, as `loova prices import`); previews use it from the next start.
#[tauri::command]
#[specta::specta]
pub async fn import_price_list(app: AppHandle) -> Result<SettingsScreen, CommandError> {
    let picker = app.clone();
    blocking(&app, move |state, _| {
        let picked = picker.dialog().file().set_title("Import a price list").add_filter("Price list", &["json"]).blocking_pick_file();
        if let Some(file) = picked.and_then(|f| f.into_path().ok()) {
            loova_core::install_price_list(&file, &loova_core::paths::data_dir())?;
        }
        screen(state)
    })
    .await
}

/// `Ctrl+Q` in the window: the same quit as the tray's.
#[tauri::command]
#[specta::specta]
pub fn quit_app(app: AppHandle) {
    crate::lifecycle::quit_asking(&app);
}

/// The accounts changed outside a command (the tray's Pause all).
pub fn accounts_changed(app: &AppHandle) {
    use tauri_specta::Event;
    if let Ok(o) = super::overview(&app.state::<AppState>()) {
        let _ = crate::events::AccountsChanged(o).emit(app);
    }
}

#[cfg(test)]
mod tests {
    /// The About box shows `loova_core::VERSION`, as `loova --version`
    /// does; the bundle's version must be the same one.
    #[test]
    fn one_version_everywhere() {
        let conf: serde_json::Value = serde_json::from_str(include_str!("../../../tauri.conf.json")).unwrap();
        assert_eq!(conf["version"], loova_core::VERSION);
        assert_eq!(env!("CARGO_PKG_VERSION"), loova_core::VERSION);
    }
}
