//! Account rows. The API key is never here: only its last 4 characters.

use super::{bad_value, now_ms, Db, StoreError};
use crate::ErrorCode;
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

/// Where an App Credits figure came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AppCreditsSource {
    /// Typed in by the person from what the Loova app shows.
    Manual,
    /// Reported by the credits endpoint (if Loova ever adds it).
    Service,
}

impl AppCreditsSource {
    pub fn as_str(self) -> &'static str {
        match self {
            AppCreditsSource::Manual => "manual",
            AppCreditsSource::Service => "service",
        }
    }

    pub fn parse(s: &str) -> Option<AppCreditsSource> {
        [AppCreditsSource::Manual, AppCreditsSource::Service].into_iter().find(|v| v.as_str() == s)
    }
}

/// What the queue does with an account, as stored in `accounts.state` (a
/// CHECK constraint holds the column to these values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Its queued jobs are sent.
    Active,
    /// Paused by the person.
    Paused,
    /// Loova refused a job for too few API credits.
    NeedsCredits,
    /// Loova rejected the key.
    KeyRejected,
}

impl AccountStatus {
    pub const ALL: [AccountStatus; 4] = [AccountStatus::Active, AccountStatus::Paused, AccountStatus::NeedsCredits, AccountStatus::KeyRejected];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Paused => "paused",
            AccountStatus::NeedsCredits => "needs_credits",
            AccountStatus::KeyRejected => "key_rejected",
        }
    }

    pub fn parse(s: &str) -> Option<AccountStatus> {
        AccountStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: String,
    pub name: String,
    pub base_url: String,
    pub key_hint: String,
    pub sandbox: bool,
    pub state: AccountStatus,
    pub verified: bool,
    pub concurrency_limit: Option<i64>,
    pub api_available_credits: Option<i64>,
    pub api_total_credits: Option<i64>,
    pub api_credits_read_at: Option<i64>,
    pub balance_error: Option<String>,
    pub balance_error_code: Option<ErrorCode>,
    pub balance_error_at: Option<i64>,
    pub app_credits: Option<i64>,
    pub app_credits_as_of: Option<i64>,
    pub app_credits_source: Option<AppCreditsSource>,
    pub created_at: i64,
    /// Bumped by every key change (any process): a cached key whose version
    /// differs is stale.
    pub key_version: i64,
    /// The account this one's waiting jobs go to when it runs dry.
    pub overflow_to: Option<String>,
}

pub struct NewAccount<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub base_url: &'a str,
    pub key_hint: &'a str,
    pub sandbox: bool,
    pub verified: bool,
}

const COLUMNS: &str = "id, name, base_url, key_hint, kind, state, verified, concurrency_limit,
    api_available_credits, api_total_credits, api_credits_read_at, balance_error, balance_error_code,
    balance_error_at, app_credits, app_credits_as_of, app_credits_source, created_at, key_version, overflow_to";

fn from_row(r: &Row<'_>) -> rusqlite::Result<AccountRow> {
    let source: Option<String> = r.get(16)?;
    let state: String = r.get(5)?;
    let error_code: Option<String> = r.get(12)?;
    Ok(AccountRow {
        id: r.get(0)?,
        name: r.get(1)?,
        base_url: r.get(2)?,
        key_hint: r.get(3)?,
        sandbox: r.get::<_, String>(4)? == "sandbox",
        state: AccountStatus::parse(&state).ok_or_else(|| bad_value(5, "accounts.state", &state))?,
        verified: r.get(6)?,
        concurrency_limit: r.get(7)?,
        api_available_credits: r.get(8)?,
        api_total_credits: r.get(9)?,
        api_credits_read_at: r.get(10)?,
        balance_error: r.get(11)?,
        balance_error_code: error_code.map(|c| ErrorCode::parse(&c).ok_or_else(|| bad_value(12, "accounts.balance_error_code", &c))).transpose()?,
        balance_error_at: r.get(13)?,
        app_credits: r.get(14)?,
        app_credits_as_of: r.get(15)?,
        app_credits_source: source.map(|s| AppCreditsSource::parse(&s).ok_or_else(|| bad_value(16, "accounts.app_credits_source", &s))).transpose()?,
        created_at: r.get(17)?,
        key_version: r.get(18)?,
        overflow_to: r.get(19)?,
    })
}

impl Db {
    pub fn insert_account(&self, a: &NewAccount<'_>) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO accounts (id, name, base_url, key_hint, kind, verified, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![a.id, a.name, a.base_url, a.key_hint, if a.sandbox { "sandbox" } else { "standard" }, a.verified, now_ms()],
        )?;
        Ok(())
    }

    pub fn accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM accounts ORDER BY created_at, name"))?;
        let rows = stmt.query_map([], from_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    pub fn account(&self, id: &str) -> Result<Option<AccountRow>, StoreError> {
        let conn = self.conn();
        let row = conn.query_row(&format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"), [id], from_row).optional()?;
        Ok(row)
    }

    /// Finds an account by its name (case-insensitive), as the CLI names them.
    pub fn account_by_name(&self, name: &str) -> Result<Option<AccountRow>, StoreError> {
        let conn = self.conn();
        let row = conn.query_row(&format!("SELECT {COLUMNS} FROM accounts WHERE name = ?1 COLLATE NOCASE"), [name], from_row).optional()?;
        Ok(row)
    }

    /// The account a person names: by its name first (case-insensitive),
    /// else by its id. The one lookup every front end uses.
    pub fn find_account(&self, name_or_id: &str) -> Result<Option<AccountRow>, StoreError> {
        match self.account_by_name(name_or_id)? {
            Some(row) => Ok(Some(row)),
            None => self.account(name_or_id),
        }
    }

    pub fn name_taken(&self, name: &str, except_id: Option<&str>) -> Result<bool, StoreError> {
        let n: i64 =
            self.conn()
                .query_row("SELECT COUNT(*) FROM accounts WHERE name = ?1 COLLATE NOCASE AND id IS NOT ?2", params![name.trim(), except_id], |r| r.get(0))?;
        Ok(n > 0)
    }

    pub fn rename_account(&self, id: &str, name: &str) -> Result<(), StoreError> {
        self.conn().execute("UPDATE accounts SET name = ?2 WHERE id = ?1", params![id, name])?;
        Ok(())
    }

    /// A new key was saved in the keychain: its hint, and a new key version
    /// so every engine (any process) reads the key again before its next request.
    pub fn set_key_hint(&self, id: &str, hint: &str, verified: bool) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE accounts SET key_hint = ?2, verified = ?3, key_version = key_version + 1,
                state = CASE WHEN state = 'key_rejected' THEN 'active' ELSE state END
             WHERE id = ?1",
            params![id, hint, verified],
        )?;
        Ok(())
    }

    pub fn set_account_state(&self, id: &str, state: AccountStatus) -> Result<(), StoreError> {
        self.conn().execute("UPDATE accounts SET state = ?2 WHERE id = ?1", params![id, state.as_str()])?;
        Ok(())
    }

    /// Marks the key rejected unless the key was replaced after `key_version`
    /// (a failure with an old key says nothing about the new one). True
    /// when the account was marked.
    pub fn reject_key(&self, id: &str, key_version: i64) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute("UPDATE accounts SET state = 'key_rejected' WHERE id = ?1 AND key_version = ?2 AND state <> 'key_rejected'", params![id, key_version])?;
        Ok(n > 0)
    }

    /// Where the account's waiting jobs go when it runs dry (None = off).
    pub fn set_overflow(&self, account_id: &str, to: Option<&str>) -> Result<(), StoreError> {
        self.conn().execute("UPDATE accounts SET overflow_to = ?2 WHERE id = ?1", params![account_id, to])?;
        Ok(())
    }

    /// The person's lower concurrency limit (None = the price list's).
    pub fn set_concurrency_limit(&self, account_id: &str, limit: Option<i64>) -> Result<(), StoreError> {
        self.conn().execute("UPDATE accounts SET concurrency_limit = ?2 WHERE id = ?1", params![account_id, limit])?;
        Ok(())
    }

    pub fn set_base_url(&self, id: &str, base_url: &str) -> Result<(), StoreError> {
        self.conn().execute("UPDATE accounts SET base_url = ?2 WHERE id = ?1", params![id, base_url])?;
        Ok(())
    }

    pub fn delete_account(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.conn().execute("DELETE FROM accounts WHERE id = ?1", [id])? > 0)
    }

    /// A successful read of the API balance; clears the last error. App
    /// Credits from the service, when it reports them, replace typed ones.
    pub fn record_balance(&self, id: &str, available: i64, total: i64, app: Option<i64>) -> Result<(), StoreError> {
        let now = now_ms();
        let conn = self.conn();
        conn.execute(
            "UPDATE accounts SET api_available_credits = ?2, api_total_credits = ?3, api_credits_read_at = ?4,
                balance_error = NULL, balance_error_code = NULL, balance_error_at = NULL, verified = 1,
                state = CASE WHEN state = 'key_rejected' THEN 'active' ELSE state END
             WHERE id = ?1",
            params![id, available, total, now],
        )?;
        if let Some(app) = app {
            conn.execute("UPDATE accounts SET app_credits = ?2, app_credits_as_of = ?3, app_credits_source = 'service' WHERE id = ?1", params![id, app, now])?;
        }
        drop(conn);
        let read = super::BalanceRead { account_id: id.to_string(), read_at: now, api_available: Some(available), api_total: Some(total), app_credits: app };
        self.record_balance_read(&read)
    }

    /// A failed read: the last figures stay, with the reason and its time.
    pub fn record_balance_error(&self, id: &str, code: ErrorCode, message: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE accounts SET balance_error = ?2, balance_error_code = ?3, balance_error_at = ?4 WHERE id = ?1",
            params![id, message, code.as_str(), now_ms()],
        )?;
        Ok(())
    }

    pub fn set_app_credits(&self, id: &str, amount: i64, as_of: i64) -> Result<(), StoreError> {
        self.conn()
            .execute("UPDATE accounts SET app_credits = ?2, app_credits_as_of = ?3, app_credits_source = 'manual' WHERE id = ?1", params![id, amount, as_of])?;
        self.record_balance_read(&super::BalanceRead {
            account_id: id.to_string(),
            read_at: as_of,
            api_available: None,
            api_total: None,
            app_credits: Some(amount),
        })
    }
}
