//! API keys in the operating system's keychain, and nowhere else.
//!
//! Every call runs on a blocking thread with a timeout: the Linux Secret
//! Service store blocks, panics if called inside a tokio runtime when zbus's
//! tokio feature is on, and a registered-but-silent service made `Store::new`
//! hang for 120 s. A failure is reported as a sentence saying what to do; there
//! is deliberately no fallback store.

use crate::secret::Sensitive;
use keyring_core::{CredentialStore, Error as KeyringError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Overrides the keychain service name (tests use their own).
pub const SERVICE_ENV: &str = "LOOVA_DESK_KEYRING_SERVICE";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("The system keychain is unavailable ({0}). Loova Desk keeps API keys only there: start and unlock your keychain (on Linux, GNOME Keyring or KWallet's Secret Service), then try again.")]
    Unavailable(String),
    /// A locked collection, when no prompt could unlock it (on Linux the
    /// Secret Service store asks for an unlock prompt; with none shown, or
    /// dismissed, it answers "no storage access").
    #[error("The system keychain is locked — unlock it to continue (log in again or open your keyring app; {0}).")]
    Locked(String),
    #[error("The system keychain did not answer within {0} s. Check that your keyring service is running and unlocked, then try again.")]
    NotAnswering(u64),
    #[error("The system keychain failed: {0}. Try again; if it keeps failing, restart your keyring service.")]
    Failed(String),
}

impl VaultError {
    /// A stable code for the UI to branch on.
    pub fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode;
        match self {
            VaultError::Unavailable(_) => ErrorCode::KeychainUnavailable,
            VaultError::Locked(_) => ErrorCode::KeychainLocked,
            VaultError::NotAnswering(_) => ErrorCode::KeychainNotAnswering,
            VaultError::Failed(_) => ErrorCode::KeychainFailed,
        }
    }
}

#[derive(Clone)]
pub struct Vault {
    service: String,
    timeout: Duration,
    store: Arc<Mutex<Option<Arc<CredentialStore>>>>,
}

impl Vault {
    pub fn new(service: impl Into<String>, timeout: Duration) -> Vault {
        Vault { service: service.into(), timeout, store: Arc::new(Mutex::new(None)) }
    }

    /// The app's vault: service from `LOOVA_DESK_KEYRING_SERVICE` or the app id.
    pub fn from_env() -> Vault {
        let service = std::env::var(SERVICE_ENV).ok().filter(|s| !s.is_empty()).unwrap_or_else(|| crate::paths::APP_IDENTIFIER.to_string());
        Vault::new(service, Duration::from_secs(15))
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    pub async fn set(&self, account_id: &str, key: &Sensitive) -> Result<(), VaultError> {
        let key = key.clone();
        match self.run(account_id, move |entry| entry.set_password(key.expose())).await {
            Ok(()) => Ok(()),
            Err(Missing) => Err(VaultError::Failed("the keychain lost the entry while writing it".into())),
            Err(Other(e)) => Err(e),
        }
    }

    /// The key, or `None` when the keychain has no entry for the account.
    pub async fn get(&self, account_id: &str) -> Result<Option<Sensitive>, VaultError> {
        match self.run(account_id, |entry| entry.get_password().map(Sensitive::new)).await {
            Ok(key) => Ok(Some(key)),
            Err(Missing) => Ok(None),
            Err(Other(e)) => Err(e),
        }
    }

    /// Deletes the entry; `Ok(false)` when there was none.
    pub async fn delete(&self, account_id: &str) -> Result<bool, VaultError> {
        match self.run(account_id, |entry| entry.delete_credential()).await {
            Ok(()) => Ok(true),
            Err(Missing) => Ok(false),
            Err(Other(e)) => Err(e),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        account_id: &str,
        op: impl FnOnce(&keyring_core::Entry) -> Result<T, KeyringError> + Send + 'static,
    ) -> Result<T, Outcome> {
        let vault = self.clone();
        let user = account_id.to_string();
        let task = tokio::task::spawn_blocking(move || {
            let store = vault.store().map_err(Other)?;
            let entry = store.build(&vault.service, &user, None).map_err(|e| Other(classify(e)))?;
            op(&entry).map_err(|e| match e {
                KeyringError::NoEntry => Missing,
                e => Other(classify(e)),
            })
        });
        match tokio::time::timeout(self.timeout, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(Other(VaultError::Failed(format!("keychain call crashed: {join}")))),
            Err(_) => Err(Other(VaultError::NotAnswering(self.timeout.as_secs()))),
        }
    }

    /// Opens the platform store once; a failure is not cached, so unlocking
    /// or starting the keychain and retrying works without a restart.
    fn store(&self) -> Result<Arc<CredentialStore>, VaultError> {
        let mut guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(store) = guard.as_ref() {
            return Ok(store.clone());
        }
        let store = open_platform_store().map_err(|e| match classify(e) {
            VaultError::Failed(reason) => VaultError::Unavailable(reason),
            other => other,
        })?;
        *guard = Some(store.clone());
        Ok(store)
    }
}

/// Why a vault call did not return a value.
enum Outcome {
    Missing,
    Other(VaultError),
}
use Outcome::{Missing, Other};

fn classify(e: KeyringError) -> VaultError {
    match e {
        KeyringError::NoStorageAccess(p) => VaultError::Locked(p.to_string()),
        KeyringError::PlatformFailure(p) => VaultError::Unavailable(p.to_string()),
        KeyringError::NoDefaultStore => VaultError::Unavailable("no keychain store".into()),
        // These carry the stored bytes: never format them.
        KeyringError::BadEncoding(_) | KeyringError::BadDataFormat(..) => VaultError::Failed("the stored key is not valid text".into()),
        other => VaultError::Failed(other.to_string()),
    }
}

#[cfg(target_os = "linux")]
fn open_platform_store() -> Result<Arc<CredentialStore>, KeyringError> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

#[cfg(target_os = "macos")]
fn open_platform_store() -> Result<Arc<CredentialStore>, KeyringError> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(target_os = "windows")]
fn open_platform_store() -> Result<Arc<CredentialStore>, KeyringError> {
    Ok(windows_native_keyring_store::Store::new()?)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn open_platform_store() -> Result<Arc<CredentialStore>, KeyringError> {
    Err(KeyringError::NoDefaultStore)
}
