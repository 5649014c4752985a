//! Account commands. Keys go in (write-only) and never come back out: every
//! answer carries at most the last 4 characters.

use crate::error::CommandError;
use crate::events::AccountsChanged;
use crate::state::AppState;
use loova_core::accounts::{base_url_to_confirm, confirm_text, totals, AccountView, AddAccount, BalanceTotals, Removed};
use loova_core::secret::{Sensitive, Zeroize, Zeroizing};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use tauri_specta::Event;

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct AccountsOverview {
    pub accounts: Vec<AccountView>,
    pub totals: BalanceTotals,
    /// The ids of the accounts new jobs may be queued on, in list order.
    pub can_take_jobs: Vec<String>,
}

pub fn overview(state: &AppState) -> Result<AccountsOverview, CommandError> {
    let accounts = state.accounts()?.list()?;
    let can_take_jobs = accounts.iter().filter(|a| a.state.takes_jobs()).map(|a| a.id.clone()).collect();
    Ok(AccountsOverview { totals: totals(&accounts), accounts, can_take_jobs })
}

/// Tells every listener (the Accounts screen, the Composer's account picker).
fn changed(app: &AppHandle, state: &AppState) -> Result<AccountsOverview, CommandError> {
    let o = overview(state)?;
    let _ = AccountsChanged(o.clone()).emit(app);
    Ok(o)
}

#[tauri::command]
#[specta::specta]
pub async fn list_accounts(state: State<'_, AppState>) -> Result<AccountsOverview, CommandError> {
    overview(&state)
}

/// No `Debug`: it holds a key, and a `{:?}` in a log line must not be able
/// to print it. Its copy of the key is wiped when it is dropped.
#[derive(Deserialize, specta::Type)]
pub struct AddAccountRequest {
    pub name: String,
    pub base_url: Option<String>,
    /// Write-only: stored in the keychain, never returned.
    pub key: String,
    pub save_unverified: bool,
}

loova_core::assert_not_debug!(AddAccountRequest);

impl Drop for AddAccountRequest {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

#[tauri::command]
#[specta::specta]
pub async fn add_account(app: AppHandle, state: State<'_, AppState>, request: AddAccountRequest) -> Result<AccountsOverview, CommandError> {
    let mut request = request;
    let key = Sensitive::new(request.key.trim());
    let req = AddAccount { name: std::mem::take(&mut request.name), base_url: request.base_url.take(), key, save_unverified: request.save_unverified };
    drop(request);
    confirm_base_url(&app, req.base_url.as_deref()).await?;
    state.accounts()?.add(req).await?;
    changed(&app, &state)
}

/// A base URL other than Loova's own or this computer's is confirmed by the
/// person in a native dialog, shown by Rust: the page alone cannot send a
/// key (or, later, local reference files) to a service it chose.
async fn confirm_base_url(app: &AppHandle, base_url: Option<&str>) -> Result<(), CommandError> {
    let Some(url) = base_url_to_confirm(base_url) else { return Ok(()) };
    if crate::picks::confirm(app, "Send the key to another service?", confirm_text(&url), "Send the key").await {
        Ok(())
    } else {
        Err(CommandError::invalid("base_url", format!("Not added: sending the key to {url} was not confirmed. Leave the base URL empty to use Loova's own.")))
    }
}

/// Adds an account with the key in `LOOVA_API_KEY` (what Loova's scripts use).
#[tauri::command]
#[specta::specta]
pub async fn import_env_account(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    base_url: Option<String>,
    save_unverified: bool,
) -> Result<AccountsOverview, CommandError> {
    confirm_base_url(&app, base_url.as_deref()).await?;
    state.accounts()?.import_env_key(&name, base_url, save_unverified).await?;
    changed(&app, &state)
}

#[tauri::command]
#[specta::specta]
pub async fn rename_account(app: AppHandle, state: State<'_, AppState>, id: String, name: String) -> Result<AccountsOverview, CommandError> {
    state.accounts()?.rename(&id, &name)?;
    changed(&app, &state)
}

/// Key rotation; answers with the account, whose key shows only as ••••1234.
#[tauri::command]
#[specta::specta]
pub async fn replace_key(app: AppHandle, state: State<'_, AppState>, id: String, key: String) -> Result<AccountsOverview, CommandError> {
    // The IPC copy is wiped at once; only the `Sensitive` goes on.
    let key = Zeroizing::new(key);
    state.accounts()?.replace_key(&id, Sensitive::new(key.trim())).await?;
    changed(&app, &state)
}

#[tauri::command]
#[specta::specta]
pub async fn remove_account(app: AppHandle, state: State<'_, AppState>, id: String) -> Result<Removed, CommandError> {
    let removed = state.accounts()?.remove(&id).await?;
    changed(&app, &state)?;
    Ok(removed)
}

/// `as_of`: ms since the epoch of the day the person read the figure.
#[tauri::command]
#[specta::specta]
pub async fn set_app_credits(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    amount: f64,
    as_of: Option<f64>,
) -> Result<AccountsOverview, CommandError> {
    if !amount.is_finite() || amount.fract() != 0.0 {
        return Err(CommandError::invalid("app_credits", "Enter a whole number of credits."));
    }
    state.accounts()?.set_app_credits(&id, amount as i64, as_of.map(|t| t as i64))?;
    changed(&app, &state)
}

#[tauri::command]
#[specta::specta]
pub async fn set_account_paused(app: AppHandle, state: State<'_, AppState>, id: String, paused: bool) -> Result<AccountsOverview, CommandError> {
    state.accounts()?.set_paused(&id, paused)?;
    changed(&app, &state)
}

/// The account's own limit of tasks at once (`None`: the price list's).
#[tauri::command]
#[specta::specta]
pub async fn set_account_limit(app: AppHandle, state: State<'_, AppState>, id: String, limit: Option<i64>) -> Result<AccountsOverview, CommandError> {
    state.accounts()?.set_concurrency_limit(&id, limit)?;
    changed(&app, &state)
}

/// Where the account's waiting jobs go when it runs dry (`None`: off).
#[tauri::command]
#[specta::specta]
pub async fn set_account_overflow(app: AppHandle, state: State<'_, AppState>, id: String, to: Option<String>) -> Result<AccountsOverview, CommandError> {
    state.accounts()?.set_overflow(&id, to.as_deref())?;
    changed(&app, &state)
}

/// Reads every account's API balance now (the "Refresh" button).
#[tauri::command]
#[specta::specta]
pub async fn refresh_balances(app: AppHandle, state: State<'_, AppState>) -> Result<AccountsOverview, CommandError> {
    state.accounts()?.refresh_all().await?;
    changed(&app, &state)
}

#[tauri::command]
#[specta::specta]
pub async fn create_sandbox(app: AppHandle, state: State<'_, AppState>) -> Result<AccountsOverview, CommandError> {
    state.accounts()?.create_sandbox().await?;
    changed(&app, &state)
}

#[tauri::command]
#[specta::specta]
pub async fn reset_sandbox(app: AppHandle, state: State<'_, AppState>, id: String) -> Result<AccountsOverview, CommandError> {
    state.accounts()?.reset_sandbox(&id).await?;
    changed(&app, &state)
}
