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
