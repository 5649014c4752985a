//! The client and key of each account, cached: reading the keychain is slow.
//!
//! An entry is used only while the account's service URL and `key_version`
//! (bumped in SQLite by every key change, in this process or another: see
//! `Accounts::replace_key`) are what they were when it was made. Checking
//! costs one small SQL read per request; the keychain is read again only
//! when the key changed.
//!
//! A locked keychain makes the jobs that need a key wait (each says why)
//! and tells the person once, until a key is read again.

use super::{EngineError, Inner, NoticeKind};
use crate::api::LoovaClient;
use crate::secret::Sensitive;
use crate::store::{JobRow, Patch};
use crate::ErrorCode;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

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
    /// The keychain was found locked and the person told; cleared by the
    /// next key it gives, so a later lock is told again.
    locked_told: AtomicBool,
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
        let key = match self.accounts.key(account_id).await {
            Ok(key) => {
                self.clients.locked_told.store(false, Ordering::Relaxed);
                key
            }
            Err(e) => {
                if e.code() == ErrorCode::KeychainLocked && !self.clients.locked_told.swap(true, Ordering::Relaxed) {
                    self.notice(
                        NoticeKind::KeychainLocked,
                        "The keychain is locked",
                        "Loova Desk keeps the API keys there. Jobs wait until you unlock it, then go on by themselves.",
                    );
                }
                return Err(e.into());
            }
        };
        let current = AccountClient { client, key, key_version: row.key_version };
        cache.insert(account_id.to_string(), Entry { base_url: url, current: current.clone() });
        Ok(current)
    }

    /// The client for a job already on Loova, or `None` after the job was
    /// told why it waits (a locked keychain, say); the caller tries again.
    pub(crate) async fn client_or_wait(&self, job: &JobRow) -> Result<Option<AccountClient>, EngineError> {
        match self.client(&job.account_id).await {
            Ok(used) => Ok(Some(used)),
            Err(e) => {
                let text = format!("Waiting: {e}");
                if job.last_error_code != Some(e.code()) || job.last_error.as_deref() != Some(text.as_str()) {
                    self.db.patch_job(job.id, Patch::new().error(e.code(), &text, None))?;
                    self.job_changed(job.id);
                }
                Ok(None)
            }
        }
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
