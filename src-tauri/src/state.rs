use loova_core::accounts::Accounts;
use loova_core::LoadedPriceList;
use std::sync::Arc;
use tokio::sync::Notify;

/// What every command may read. Built once at start.
pub struct AppState {
    pub prices: LoadedPriceList,
    /// `Err` when the data folder cannot be used (e.g. written by a newer
    /// version): every account command then answers with that sentence.
    pub accounts: Result<Accounts, String>,
    /// Wakes the balance refresher (window focus, "Refresh" button).
    pub refresh: Arc<Notify>,
}

impl AppState {
    pub fn accounts(&self) -> Result<&Accounts, crate::error::CommandError> {
        self.accounts.as_ref().map_err(|e| crate::error::CommandError::unavailable(e))
    }
}
