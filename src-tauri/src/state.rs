use loova_core::accounts::Accounts;
use loova_core::store::Db;
use loova_core::LoadedPriceList;
use std::sync::Arc;
use tokio::sync::Notify;

/// What every command may read. Built once at start.
pub struct AppState {
    pub prices: LoadedPriceList,
    /// `Err` when the data folder cannot be used (e.g. written by a newer
    /// version): every account command then answers with that sentence.
    pub accounts: Result<Accounts, String>,
    pub db: Option<Arc<Db>>,
    /// Wakes the balance refresher (window focus, "Refresh" button).
    pub refresh: Arc<Notify>,
}

impl AppState {
    pub fn db(&self) -> Result<&Arc<Db>, crate::error::CommandError> {
        match (&self.db, &self.accounts) {
            (Some(db), _) => Ok(db),
            (None, Err(e)) => Err(crate::error::CommandError::unavailable(e)),
            (None, Ok(_)) => Err(crate::error::CommandError::unavailable("the database is not open")),
        }
    }

    pub fn accounts(&self) -> Result<&Accounts, crate::error::CommandError> {
        self.accounts.as_ref().map_err(|e| crate::error::CommandError::unavailable(e))
    }
}

/// Runs `f` on the blocking pool. Commands that read files, copy media or
/// touch SQLite go through here: Tauri runs a synchronous command on the
/// main thread (the window would freeze meanwhile), and blocking I/O inside
/// an async one would hold up the async workers.
pub async fn blocking<T, F>(app: &tauri::AppHandle, f: F) -> Result<T, crate::error::CommandError>
where
    T: Send + 'static,
    F: FnOnce(&AppState, &crate::queue::QueueHost) -> Result<T, crate::error::CommandError> + Send + 'static,
{
    use tauri::Manager;
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || f(&app.state::<AppState>(), &app.state::<crate::queue::QueueHost>())).await.map_err(|e| {
        crate::error::CommandError::unavailable(&format!("Loova Desk could not finish this ({e}). Try again; if it happens again, restart Loova Desk."))
    })?
}
