//! API keys in the operating system's keychain, and nowhere else.
//!
//! Every call runs on a blocking thread with a timeout: the Linux Secret
//! Service store blocks, panics if called inside a tokio runtime when zbus's
//! tokio feature is on, and a registered-but-silent service made `Store::new`
//! hang for 120 s. A failure is reported as a sentence saying what to do; there
//! is deliberately no fallback store.

use crate::platform::Os;
use crate::secret::Sensitive;
use keyring_core::{CredentialStore, Error as KeyringError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Overrides the keychain service name (tests use their own).
pub const SERVICE_ENV: &str = "LOOVA_DESK_KEYRING_SERVICE";

/// Shown as [`VaultError::message`] for the system it runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VaultError {
    Unavailable(String),
    /// A locked keychain, or access to it refused: on Linux the Secret
    /// Service store asks for an unlock prompt and, with none shown or
    /// dismissed, answers "no storage access"; on macOS a locked keychain
    /// with no prompt possible, a wrong password or a "Deny".
    Locked(String),
    NotAnswering(u64),
    Failed(String),
}

impl std::fmt::Display for VaultError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Os::current()))
    }
}

impl std::error::Error for VaultError {}

impl VaultError {
    /// What to tell the person, in the words of the system it is shown on:
    /// Linux advice (GNOME Keyring, KWallet) means nothing on a Mac.
    pub fn message(&self, os: Os) -> String {
        match (self, os) {
            (VaultError::Unavailable(why), Os::Linux) => format!("The system keychain is unavailable ({why}). Loova Desk keeps API keys only there: start and unlock your keychain (GNOME Keyring or KWallet's Secret Service), then try again."),
            (VaultError::Unavailable(why), Os::MacOs) => format!("The system keychain is unavailable ({why}). Loova Desk keeps API keys only there: open Keychain Access, check that your login keychain is there and unlocked, then try again."),
            (VaultError::Unavailable(why), Os::Windows) => format!("The system keychain is unavailable ({why}). Loova Desk keeps API keys only in Windows Credential Manager: sign in to Windows with your own account (not a temporary profile), then try again."),
            (VaultError::Locked(why), Os::Linux) => format!("The system keychain is locked — unlock it to continue (log in again or open your keyring app; {why})."),
            (VaultError::Locked(why), Os::MacOs) => format!("The system keychain is locked — unlock it to continue (open Keychain Access and unlock the login keychain, and choose Allow when macOS asks whether Loova Desk may use it; {why})."),
            (VaultError::Locked(why), Os::Windows) => format!("The system keychain is locked — unlock it to continue (sign in to Windows again so Credential Manager opens; {why})."),
            (VaultError::NotAnswering(secs), Os::Linux) => format!("The system keychain did not answer within {secs} s. Check that your keyring service is running and unlocked, then try again."),
            (VaultError::NotAnswering(secs), Os::MacOs) => format!("The system keychain did not answer within {secs} s. A keychain prompt may be waiting behind other windows: answer it, then try again."),
            (VaultError::NotAnswering(secs), Os::Windows) => format!("The system keychain did not answer within {secs} s. Windows Credential Manager may be busy: try again; if it keeps happening, restart Windows."),
            (VaultError::Failed(why), Os::Linux) => format!("The system keychain failed: {why}. Try again; if it keeps failing, restart your keyring service."),
            (VaultError::Failed(why), Os::MacOs) => format!("The system keychain failed: {why}. Try again; if it keeps failing, check the login keychain in Keychain Access (Keychain First Aid on older macOS)."),
            (VaultError::Failed(why), Os::Windows) => format!("The system keychain failed: {why}. Try again; if it keeps failing, sign out of Windows and back in."),
        }
    }

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
        // The macOS store reports a locked or refused keychain as a plain
        // platform failure: its OSStatus says which.
        KeyringError::PlatformFailure(p) if macos_status(p.as_ref()).is_some_and(macos_keychain_refused) => VaultError::Locked(p.to_string()),
        KeyringError::PlatformFailure(p) => VaultError::Unavailable(p.to_string()),
        KeyringError::NoDefaultStore => VaultError::Unavailable("no keychain store".into()),
        // These carry the stored bytes: never format them.
        KeyringError::BadEncoding(_) | KeyringError::BadDataFormat(..) => VaultError::Failed("the stored key is not valid text".into()),
        other => VaultError::Failed(other.to_string()),
    }
}

/// macOS Security framework codes that mean "locked" or "not allowed",
/// which waiting and unlocking (or answering the prompt) fixes.
fn macos_keychain_refused(status: i32) -> bool {
    const USER_CANCELED: i32 = -128; // errSecUserCanceled: the prompt was dismissed
    const NO_ACCESS_FOR_ITEM: i32 = -25244; // errSecNoAccessForItem / errSecInvalidOwnerEdit
    const AUTH_FAILED: i32 = -25293; // errSecAuthFailed: wrong keychain password
    const INTERACTION_NOT_ALLOWED: i32 = -25308; // errSecInteractionNotAllowed: locked, no prompt possible
    const INTERACTION_REQUIRED: i32 = -25315; // errSecInteractionRequired
    matches!(status, USER_CANCELED | NO_ACCESS_FOR_ITEM | AUTH_FAILED | INTERACTION_NOT_ALLOWED | INTERACTION_REQUIRED)
}

/// The OSStatus inside a macOS store error.
#[cfg(target_os = "macos")]
fn macos_status(e: &(dyn std::error::Error + Send + Sync + 'static)) -> Option<i32> {
    e.downcast_ref::<security_framework::base::Error>().map(|e| e.code())
}

#[cfg(not(target_os = "macos"))]
fn macos_status(_: &(dyn std::error::Error + Send + Sync + 'static)) -> Option<i32> {
    None
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message on every system: the advice is that system's own, never
    /// another's (no GNOME Keyring on a Mac, no Keychain Access on Windows).
    #[test]
    fn each_system_gets_advice_that_exists_there() {
        let errors = [VaultError::Unavailable("x".into()), VaultError::Locked("x".into()), VaultError::NotAnswering(15), VaultError::Failed("x".into())];
        let foreign = |os: Os| -> &'static [&'static str] {
            match os {
                Os::Linux => &["Keychain Access", "macOS", "Windows", "Credential Manager"],
                Os::MacOs => &["GNOME", "KWallet", "Secret Service", "keyring service", "Windows", "Credential Manager"],
                Os::Windows => &["GNOME", "KWallet", "Secret Service", "keyring service", "Keychain Access", "macOS"],
            }
        };
        for os in [Os::Linux, Os::MacOs, Os::Windows] {
            for e in &errors {
                let said = e.message(os);
                for word in foreign(os) {
                    assert!(!said.contains(word), "{os:?} {e:?}: {said}");
                }
            }
        }
        assert!(VaultError::Unavailable("x".into()).message(Os::Linux).contains("GNOME Keyring"));
        assert!(VaultError::Locked("x".into()).message(Os::MacOs).contains("Keychain Access"));
        assert!(VaultError::Unavailable("x".into()).message(Os::Windows).contains("Windows Credential Manager"));
        // Shown text is the running system's.
        let e = VaultError::Locked("no storage access".into());
        assert_eq!(e.to_string(), e.message(Os::current()));
        assert!(e.to_string().contains("keychain is locked — unlock it to continue"));
    }

    /// A locked keychain, a wrong password, a dismissed prompt or "Deny" are
    /// "locked" (jobs wait; unlocking fixes it), not "unavailable".
    #[test]
    fn macos_codes_for_a_locked_or_refused_keychain_mean_locked() {
        for code in [-25308, -25293, -128, -25244, -25315] {
            assert!(macos_keychain_refused(code), "{code}");
        }
        // errSecItemNotFound, errSecNotAvailable, errSecParam: something else.
        for code in [-25300, -25291, -50, 0] {
            assert!(!macos_keychain_refused(code), "{code}");
        }
    }

    /// The store's own error, as the macOS store returns it (runs on the
    /// portable CI job's Mac).
    #[cfg(target_os = "macos")]
    #[test]
    fn a_locked_macos_keychain_is_classified_locked() {
        let locked = security_framework::base::Error::from_code(-25308);
        assert!(matches!(classify(KeyringError::PlatformFailure(Box::new(locked))), VaultError::Locked(_)));
        let other = security_framework::base::Error::from_code(-50);
        assert!(matches!(classify(KeyringError::PlatformFailure(Box::new(other))), VaultError::Unavailable(_)));
    }
}
