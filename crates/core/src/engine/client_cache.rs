//! The client and key of each account, cached: reading the keychain is slow.
//!
//! An entry is used only while the account's service URL and `key_version`
//! (bumped in SQLite by every key change, in this process or another: see
//! `Accounts::replace_key`) are what they were when it was made. Checking
//! costs one small SQL read per request; the keychain is read again only
//! when the key changed.

use super::{EngineError, Inner};
use crate::api::LoovaClient;
use crate::secret::Sensitive;
use std::collections::HashMap;

/// What a request is sent with.
#[derive(Clone)]
pub(crate) struct AccountClient {
    pub client: LoovaClient,
    pub key: Sensitive,
    /// The account's `key_version` when `key` was read.
    pub key_version: i64,
}

struct Entry {
    base_url: String,
    current: AccountClient,
}

#[derive(Default)]
pub(crate) struct ClientCache {
    entries: tokio::sync::Mutex<HashMap<String, Entry>>,
}

impl Inner {
    /// The client and key of an account, re-read when the account's service
    /// URL or key changed, or after the key was rejected.
    pub(crate) async fn client(&self, account_id: &str) -> Result<AccountClient, EngineError> {
        let row = self.db.account(account_id)?.ok_or_else(|| EngineError::NoSuchAccount(account_id.into()))?;
        let url = self.accounts.service_url(&row).await?;
        let mut cache = self.clients.entries.lock().await;
        if let Some(e) = cache.get(account_id) {
            if e.base_url == url && e.current.key_version == row.key_version {
                return Ok(e.current.clone());
            }
        }
        let client = self.accounts.client(&row).await?;
        let key = self.accounts.key(account_id).await?;
        let current = AccountClient { client, key, key_version: row.key_version };
        cache.insert(account_id.to_string(), Entry { base_url: url, current: current.clone() });
        Ok(current)
    }

    pub(crate) async fn forget_client(&self, account_id: &str) {
        self.clients.entries.lock().await.remove(account_id);
    }

    /// After an authentication failure with the key of `used`: true when the
    /// account's key has been replaced since (the failure says nothing about
    /// the new key, so the account must not be marked rejected).
    pub(crate) fn key_replaced_since(&self, account_id: &str, used: &AccountClient) -> Result<bool, EngineError> {
        Ok(self.db.account(account_id)?.is_some_and(|a| a.key_version != used.key_version))
    }
}
