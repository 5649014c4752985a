//! The real keychain, shared safely: every test gets its own service name,
//! so parallel tests (and parallel test processes) never see each other's
//! keys, and accounts are built exactly as the app and `loova` build them.

use loova_core::accounts::{Accounts, AddAccount};
use loova_core::sandbox::NoSandbox;
use loova_core::secret::Sensitive;
use loova_core::store::Db;
use loova_core::vault::Vault;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A keychain service name for `test` that no other test uses: the process
/// id and a counter keep it apart from parallel tests and processes, and a
/// random part from entries an earlier run with the same pid left behind.
pub fn keyring_service(test: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("loova-test-{test}-{}-{n}-{:08x}", std::process::id(), rand::random::<u32>())
}

/// What the Secret Service holds under `service`, as `secret-tool` prints
/// it (attributes and secrets), for "stored / replaced / deleted" checks.
pub fn keychain_entries(service: &str) -> String {
    let out =
        std::process::Command::new("secret-tool").args(["search", "--all", "service", service]).output().expect("run secret-tool (package libsecret-tools)");
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}

/// Accounts over `db` with the real keychain under `service`, as the app
/// sets them up, for accounts of a simulator the test started (no Sandbox:
/// the app and `loova` serve that one themselves).
pub fn accounts(db: Arc<Db>, service: &str) -> Accounts {
    Accounts::new(db, Vault::new(service.to_string(), Duration::from_secs(10)), Arc::new(NoSandbox))
}

/// Adds an account whose key the service at `base_url` must accept (checked
/// as the app checks it); returns its id.
pub async fn add_account(accounts: &Accounts, name: &str, base_url: &str, key: &str) -> String {
    let req = AddAccount { name: name.into(), base_url: Some(base_url.into()), key: Sensitive::new(key), save_unverified: false };
    match accounts.add(req).await {
        Ok(view) => view.id,
        Err(e) => panic!("adding account {name} at {base_url} failed: {e}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn service_names_are_never_reused() {
        let a = super::keyring_service("x");
        let b = super::keyring_service("x");
        assert_ne!(a, b);
        assert!(a.starts_with("loova-test-x-"), "{a}");
    }
}
