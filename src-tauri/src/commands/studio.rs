//! A studio: an account's slots shared with other computers through
//! PostgreSQL. The password goes in (write-only, on to the keychain) and
//! never comes back: every URL answered is the one without it.

use super::accounts::{overview, AccountsOverview};
use crate::error::CommandError;
use crate::events::AccountsChanged;
use crate::queue::QueueHost;
use crate::state::AppState;
use loova_core::path_grants::{Granted, PathGrants};
use loova_core::secret::{Zeroize, Zeroizing};
use loova_core::studio::{self, StudioStatus};
use serde::Deserialize;
use tauri::{AppHandle, State};
use tauri_specta::Event;

/// No `Debug`: the URL or the field may hold the database password. Both
/// copies are wiped when it is dropped.
#[derive(Deserialize, specta::Type)]
pub struct StudioConnectRequest {
    pub account_id: String,
    /// postgres://USER[:PASSWORD]@HOST:PORT/DATABASE[?sslmode=verify-full]
    pub url: String,
    /// Write-only, when it is not in the URL: stored in the keychain, never returned.
    pub password: Option<String>,
    /// The same name on every computer of the studio's Loova user.
    pub studio_account: String,
    /// This computer's name as the others see it (default: the host name).
    pub computer: Option<String>,
    /// The PEM file of a self-hosted server's certificate authority
    /// (sslrootcert), as the handle `pick_studio_root_cert` gave.
    pub ssl_root_cert: Option<String>,
    /// No TLS to a database on another computer, as the person ticked it.
    pub insecure_no_tls: bool,
}

loova_core::assert_not_debug!(StudioConnectRequest);

impl Drop for StudioConnectRequest {
    fn drop(&mut self) {
        self.url.zeroize();
        self.password.zeroize();
    }
}

/// The system's file picker for a certificate authority's PEM file; the
/// form holds the handle.
#[tauri::command]
#[specta::specta]
pub async fn pick_studio_root_cert(app: AppHandle, grants: State<'_, PathGrants>) -> Result<Option<Granted>, CommandError> {
    let picked = crate::picks::pick_file(&app, "Certificate authority of the studio's database", "PEM certificate", &["pem", "crt", "cer"]).await;
    Ok(picked.map(|p| grants.grant(&p)))
}

/// What the form prefills as this computer's name.
#[tauri::command]
#[specta::specta]
pub async fn studio_default_computer() -> Result<String, CommandError> {
    Ok(studio::default_computer_name())
}

#[tauri::command]
#[specta::specta]
pub async fn studio_connect(
    app: AppHandle,
    state: State<'_, AppState>,
    host: State<'_, QueueHost>,
    grants: State<'_, PathGrants>,
    request: StudioConnectRequest,
) -> Result<AccountsOverview, CommandError> {
    // Files come from the picker: the window names none, in the URL or not.
    if request.url.contains("sslrootcert") {
        return Err(CommandError::invalid("url", "Choose the certificate authority file with \"Choose…\" instead of sslrootcert in the URL."));
    }
    let root_cert = match request.ssl_root_cert.as_deref().filter(|h| !h.is_empty()) {
        Some(handle) => Some(grants.resolve(handle).map_err(|e| CommandError::invalid("ssl_root_cert", e.to_string()))?),
        None => None,
    };
    // The URL may carry the password: every copy is wiped when it goes.
    // (What was typed is trimmed by `studio::connect`.)
    let url = Zeroizing::new(match request.password.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => studio::with_password(request.url.trim(), p)?,
        None => request.url.clone(),
    });
    let tls = studio::TlsChoice { root_cert, insecure_no_tls: request.insecure_no_tls };
    let accounts = state.accounts()?;
    studio::connect(state.db()?, accounts.vault(), &request.account_id, &url, &tls, &request.studio_account, request.computer.as_deref()).await?;
    changed(&app, &state, &host)
}

#[tauri::command]
#[specta::specta]
pub async fn studio_disconnect(
    app: AppHandle,
    state: State<'_, AppState>,
    host: State<'_, QueueHost>,
    account_id: String,
) -> Result<AccountsOverview, CommandError> {
    studio::disconnect(state.db()?, state.accounts()?.vault(), &account_id).await?;
    changed(&app, &state, &host)
}

/// The studio as the queue last saw it (no round trip when the queue runs
/// here); read from the database when it runs elsewhere. `None`: not shared.
#[tauri::command]
#[specta::specta]
pub async fn studio_status(state: State<'_, AppState>, host: State<'_, QueueHost>, account_id: String) -> Result<Option<StudioStatus>, CommandError> {
    if let Some(s) = host.engine().and_then(|e| e.studio_status(&account_id)) {
        return Ok(Some(s));
    }
    if studio::link(state.db()?, &account_id)?.is_none() {
        return Ok(None);
    }
    let own = state.db()?.account(&account_id)?.and_then(|r| r.concurrency_limit);
    let limit = loova_core::pricing::limit::effective_limit(state.prices.list.concurrency_limit, own);
    Ok(Some(studio::status(state.db()?, state.accounts()?.vault(), &account_id, limit).await?))
}

/// The queue takes the new link (or its end) at once; every screen is told.
fn changed(app: &AppHandle, state: &AppState, host: &QueueHost) -> Result<AccountsOverview, CommandError> {
    host.touch();
    let o = overview(state)?;
    let _ = AccountsChanged(o.clone()).emit(app);
    Ok(o)
}
