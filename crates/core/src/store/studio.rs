//! An account's studio link: which PostgreSQL (URL without its password),
//! which studio account and this computer's name in it. One row per shared
//! account; the password is in the keychain (`studio::vault_entry`).

use super::{now_ms, Db, StoreError};
use rusqlite::{params, OptionalExtension};

/// The stored link. `version` changes with every connect, so a running
/// engine (in any process) reopens its pool with the new password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredStudioLink {
    pub account_id: String,
    pub url: String,
    pub studio_account: String,
    pub computer: String,
    pub version: i64,
}

impl Db {
    /// Creates or replaces the account's link.
    pub fn set_studio_link(&self, account_id: &str, url: &str, studio_account: &str, computer: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO studio_links (account_id, url, studio_account, computer, version, created_at) VALUES (?1, ?2, ?3, ?4, 1, ?5)
             ON CONFLICT (account_id) DO UPDATE SET url = ?2, studio_account = ?3, computer = ?4, version = version + 1",
            params![account_id, url, studio_account, computer, now_ms()],
        )?;
        Ok(())
    }

    pub fn studio_link(&self, account_id: &str) -> Result<Option<StoredStudioLink>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT account_id, url, studio_account, computer, version FROM studio_links WHERE account_id = ?1", [account_id], row)
            .optional()?)
    }

    pub fn studio_links(&self) -> Result<Vec<StoredStudioLink>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT account_id, url, studio_account, computer, version FROM studio_links ORDER BY account_id")?;
        let rows = stmt.query_map([], row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// True when there was a link.
    pub fn delete_studio_link(&self, account_id: &str) -> Result<bool, StoreError> {
        Ok(self.conn().execute("DELETE FROM studio_links WHERE account_id = ?1", [account_id])? > 0)
    }
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredStudioLink> {
    Ok(StoredStudioLink { account_id: r.get(0)?, url: r.get(1)?, studio_account: r.get(2)?, computer: r.get(3)?, version: r.get(4)? })
}
