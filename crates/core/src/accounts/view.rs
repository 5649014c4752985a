//! What the UI and the CLI show of an account: never the key, only a hint.

use crate::store::{AccountRow, AccountStatus, AppCreditsSource};
use crate::ErrorCode;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    Active,
    Paused,
    NeedsCredits,
    /// The service answered with an authentication failure.
    KeyRejected,
    /// The keychain could not give Loova Desk the key.
    KeychainUnavailable,
}

impl AccountState {
    /// Whether the Composer and the Import screen offer the account for new
    /// jobs. Paused, out-of-credits or keychain-locked accounts do: their
    /// jobs wait until the person resumes. A rejected key must be replaced
    /// before anything is queued on it.
    pub fn takes_jobs(self) -> bool {
        self != AccountState::KeyRejected
    }

    fn from_row(row: &AccountRow) -> AccountState {
        if row.balance_error_code.is_some_and(ErrorCode::is_keychain) {
            return AccountState::KeychainUnavailable;
        }
        match row.state {
            AccountStatus::Active => AccountState::Active,
            AccountStatus::Paused => AccountState::Paused,
            AccountStatus::NeedsCredits => AccountState::NeedsCredits,
            AccountStatus::KeyRejected => AccountState::KeyRejected,
        }
    }
}

/// Flat on purpose: `loova accounts list --json` prints exactly this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AccountView {
    pub id: String,
    pub name: String,
    pub base_url: String,
    /// "••••1234": the only part of the key anyone is shown.
    pub key_hint: String,
    pub sandbox: bool,
    pub state: AccountState,
    /// False when the key was saved while the service could not be reached.
    pub verified: bool,
    pub api_available_credits: Option<i64>,
    pub api_total_credits: Option<i64>,
    /// When the API balance was read (ms since the epoch).
    pub api_credits_read_at: Option<i64>,
    /// Why the last refresh failed; the figures above stay as last read.
    pub balance_error: Option<String>,
    pub balance_error_code: Option<ErrorCode>,
    pub balance_error_at: Option<i64>,
    pub app_credits: Option<i64>,
    /// The date the App Credits figure is from (ms since the epoch).
    pub app_credits_as_of: Option<i64>,
    /// Typed from the Loova app, or reported by the API.
    pub app_credits_source: Option<AppCreditsSource>,
    /// Set when the account shares its slots with other computers.
    pub studio: Option<crate::studio::StudioLinkView>,
    /// The person's own limit of tasks at once (below the price list's);
    /// `None`: the price list's.
    pub concurrency_limit: Option<i64>,
    /// The account its waiting jobs go to when it runs out of API credits
    /// or over its budget (`None`: overflow is off), and that one's name.
    pub overflow_to: Option<String>,
    pub overflow_to_name: Option<String>,
    /// The accounts overflow may send this one's jobs to (none for a
    /// Sandbox: it never overflows, and none is ever a Sandbox).
    pub overflow_choices: Vec<AccountChoice>,
}

/// An account as a choice in a list: its id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AccountChoice {
    pub id: String,
    pub name: String,
}

pub fn hint(last4: &str) -> String {
    format!("••••{last4}")
}

impl AccountView {
    pub fn from_row(row: AccountRow, base_url: String) -> AccountView {
        AccountView {
            state: AccountState::from_row(&row),
            id: row.id,
            name: row.name,
            base_url,
            key_hint: hint(&row.key_hint),
            sandbox: row.sandbox,
            verified: row.verified,
            api_available_credits: row.api_available_credits,
            api_total_credits: row.api_total_credits,
            api_credits_read_at: row.api_credits_read_at,
            balance_error: row.balance_error,
            balance_error_code: row.balance_error_code,
            balance_error_at: row.balance_error_at,
            app_credits: row.app_credits,
            app_credits_as_of: row.app_credits_as_of,
            app_credits_source: row.app_credits_source,
            studio: None,
            concurrency_limit: row.concurrency_limit,
            overflow_to: row.overflow_to,
            overflow_to_name: None,
            overflow_choices: Vec::new(),
        }
    }
}

/// Totals across accounts, for the line under the cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BalanceTotals {
    pub api_available_credits: i64,
    pub api_total_credits: i64,
    pub app_credits: i64,
    /// Accounts whose API balance has never been read are not in the sums.
    pub accounts_without_api_figure: u32,
    pub accounts_without_app_figure: u32,
}

pub fn totals(accounts: &[AccountView]) -> BalanceTotals {
    let real = || accounts.iter().filter(|a| !a.sandbox);
    BalanceTotals {
        api_available_credits: real().filter_map(|a| a.api_available_credits).sum(),
        api_total_credits: real().filter_map(|a| a.api_total_credits).sum(),
        app_credits: real().filter_map(|a| a.app_credits).sum(),
        accounts_without_api_figure: real().filter(|a| a.api_available_credits.is_none()).count() as u32,
        accounts_without_app_figure: real().filter(|a| a.app_credits.is_none()).count() as u32,
    }
}
