//! Where Loova Desk keeps its files.

use std::path::PathBuf;

/// The app identifier; also the directory name under the OS data dir, which is
/// exactly where Tauri's `app_data_dir()` points, so the CLI and the GUI agree.
pub const APP_IDENTIFIER: &str = "app.loova.desk";

/// Environment variable that relocates the data directory (tests, portable use).
pub const DATA_DIR_ENV: &str = "LOOVA_DESK_DATA_DIR";

/// The data directory: `LOOVA_DESK_DATA_DIR` when set, else the OS app-data dir.
pub fn data_dir() -> PathBuf {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join(APP_IDENTIFIER),
    }
}
