//! Remote notices (Settings → Remote notices): thin calls into
//! `loova_core::remote_notices`. The address and token go in (write-only,
//! on to the keychain) and never come back: every answer shows the host only.

use crate::error::CommandError;
use crate::state::{blocking, AppState};
use loova_core::remote_notices::{self as rn, AddTarget, RemoteKind, RemoteNotices, TargetKind};
use loova_core::secret::{Sensitive, Zeroize};
use serde::Deserialize;
use tauri::{AppHandle, State};

/// No `Debug`: the URL and token are secrets. Both are wiped when dropped.
#[derive(Deserialize, specta::Type)]
pub struct AddNoticeTargetRequest {
    pub name: String,
    pub kind: TargetKind,
    pub url: String,
    /// ntfy access token or a webhook's bearer token; write-only.
    pub token: Option<String>,
    pub kinds: Vec<RemoteKind>,
}

loova_core::assert_not_debug!(AddNoticeTargetRequest);

impl Drop for AddNoticeTargetRequest {
    fn drop(&mut self) {
        self.url.zeroize();
        self.token.zeroize();
    }
}

#[tauri::command]
#[specta::specta]
pub async fn remote_notices(app: AppHandle) -> Result<RemoteNotices, CommandError> {
    blocking(&app, |state, _| Ok(rn::list(state.db()?)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn add_notice_target(state: State<'_, AppState>, request: AddNoticeTargetRequest) -> Result<RemoteNotices, CommandError> {
    let req = AddTarget {
        name: request.name.clone(),
        kind: request.kind,
        url: Sensitive::new(request.url.as_str()),
        token: request.token.as_deref().map(Sensitive::new),
        kinds: Some(request.kinds.clone()),
    };
    rn::add(state.db()?, state.accounts()?.vault(), req).await?;
    Ok(rn::list(state.db()?)?)
}

/// Sends a test notice now; a failure comes back as the error (code
/// `notice_delivery_failed`) and is also the target's last result.
#[tauri::command]
#[specta::specta]
pub async fn test_notice_target(state: State<'_, AppState>, id: String) -> Result<RemoteNotices, CommandError> {
    rn::send_test(state.db()?, state.accounts()?.vault(), &id).await?;
    Ok(rn::list(state.db()?)?)
}

#[tauri::command]
#[specta::specta]
pub async fn remove_notice_target(state: State<'_, AppState>, id: String) -> Result<RemoteNotices, CommandError> {
    rn::remove(state.db()?, state.accounts()?.vault(), &id).await?;
    Ok(rn::list(state.db()?)?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_notice_target_kinds(app: AppHandle, id: String, kinds: Vec<RemoteKind>) -> Result<RemoteNotices, CommandError> {
    blocking(&app, move |state, _| {
        rn::set_kinds(state.db()?, &id, &kinds)?;
        Ok(rn::list(state.db()?)?)
    })
    .await
}

/// `22:00-07:00`, or `None` / empty for off.
#[tauri::command]
#[specta::specta]
pub async fn set_notice_quiet_hours(app: AppHandle, window: Option<String>) -> Result<RemoteNotices, CommandError> {
    blocking(&app, move |state, _| {
        rn::set_quiet_hours(state.db()?, window.as_deref())?;
        Ok(rn::list(state.db()?)?)
    })
    .await
}
