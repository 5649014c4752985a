//! Spending for the History screen, the cost previews and the account card:
//! usage grouped by local day/week/month (stacked by model or account),
//! the balance history, a page of charges, and the budget and alert
//! settings. One call into loova-core each (`loova_core::spending`).

use crate::error::CommandError;
use crate::state::blocking;
use loova_core::preview::SpendingPreview;
use loova_core::spending::{self, caps, BudgetStatus, ChargesExport, ChargesPage, UsageQuery, UsageReport, Zone};
use loova_core::store::BalanceRead;
use serde::Serialize;
use tauri::AppHandle;

#[tauri::command]
#[specta::specta]
pub async fn usage_report(app: AppHandle, query: UsageQuery) -> Result<UsageReport, CommandError> {
    blocking(&app, move |state, _| Ok(spending::usage(state.db()?, &query, Zone::Local)?)).await
}

/// Newest first; `limit` is at most 10,000 (the table asks page by page).
#[tauri::command]
#[specta::specta]
pub async fn charges_page(app: AppHandle, query: UsageQuery, offset: u32, limit: u32) -> Result<ChargesPage, CommandError> {
    blocking(&app, move |state, _| Ok(spending::charges_page(state.db()?, &query, Zone::Local, offset.into(), limit.into())?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn balance_history(app: AppHandle, query: UsageQuery) -> Result<Vec<BalanceRead>, CommandError> {
    blocking(&app, move |state, _| Ok(spending::balance_history(state.db()?, &query, Zone::Local)?)).await
}

/// Spent today / this month and what is left, and how many of these
/// estimates (the Composer's one job, or a batch's rows) would start now.
#[tauri::command]
#[specta::specta]
pub async fn spending_preview(app: AppHandle, account_id: String, estimates: Vec<Option<u32>>) -> Result<SpendingPreview, CommandError> {
    let estimates: Vec<Option<i64>> = estimates.into_iter().map(|e| e.map(i64::from)).collect();
    blocking(&app, move |state, _| Ok(loova_core::preview::spending_preview(state.db()?, &account_id, Zone::Local, &estimates)?)).await
}

/// The account card's budget section: caps, what counts against them, and
/// the low-balance threshold.
#[derive(Serialize, specta::Type)]
pub struct BudgetSettings {
    pub status: BudgetStatus,
    /// Alert when API Credits fall below this (`None`: no threshold).
    pub below: Option<i64>,
}

fn budget_settings_of(db: &loova_core::store::Db, account_id: &str) -> Result<BudgetSettings, CommandError> {
    let status = spending::budget_status(db, account_id, Zone::Local, loova_core::store::now_ms())?;
    Ok(BudgetSettings { status, below: db.budget(account_id)?.below })
}

#[tauri::command]
#[specta::specta]
pub async fn budget_settings(app: AppHandle, account_id: String) -> Result<BudgetSettings, CommandError> {
    blocking(&app, move |state, _| budget_settings_of(state.db()?, &account_id)).await
}

/// Replaces the account's caps (empty: no cap), as typed on the account
/// card; the queue obeys them at once.
#[tauri::command]
#[specta::specta]
pub async fn set_budget(app: AppHandle, account_id: String, daily: Option<String>, monthly: Option<String>) -> Result<BudgetSettings, CommandError> {
    blocking(&app, move |state, host| {
        let (daily, monthly) = (caps::parse_cap("daily", daily.as_deref())?, caps::parse_cap("monthly", monthly.as_deref())?);
        let db = state.db()?;
        caps::set_caps(db, &account_id, daily, monthly)?;
        host.touch();
        budget_settings_of(db, &account_id)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn set_alert_below(app: AppHandle, account_id: String, below: Option<String>) -> Result<BudgetSettings, CommandError> {
    blocking(&app, move |state, _| {
        let below = caps::parse_cap("below", below.as_deref())?;
        let db = state.db()?;
        db.set_alert_below(&account_id, below)?;
        budget_settings_of(db, &account_id)
    })
    .await
}

/// "Export CSV": every charge the History screen's filters match, into the
/// data folder's exports/ (the path is shown to the person).
#[tauri::command]
#[specta::specta]
pub async fn export_charges(app: AppHandle, query: UsageQuery) -> Result<ChargesExport, CommandError> {
    blocking(&app, move |state, _| {
        let dir = spending::exports_dir(&loova_core::paths::data_dir());
        Ok(spending::export_charges(state.db()?, &query, Zone::Local, &dir, loova_core::store::now_ms())?)
    })
    .await
}
