//! What account commands need: the database, the keychain and the Sandbox,
//! for the data directory in force.

use loova_core::accounts::Accounts;
use loova_core::paths::data_dir;
use loova_core::store::{Db, StoreError};
use loova_core::vault::Vault;
use loova_sandbox::SandboxHost;
use std::sync::Arc;

pub fn accounts() -> Result<Accounts, StoreError> {
    let dir = data_dir();
    let db = Db::open_in(&dir)?;
    Ok(Accounts::new(Arc::new(db), Vault::from_env(), Arc::new(SandboxHost::new(&dir))))
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a tokio runtime")
}

/// The database and the accounts service, sharing one connection.
pub fn open() -> Result<(Arc<Db>, Accounts), StoreError> {
    let dir = data_dir();
    let db = Arc::new(Db::open_in(&dir)?);
    Ok((db.clone(), Accounts::new(db, Vault::from_env(), Arc::new(SandboxHost::new(&dir)))))
}

/// The Sandbox speed and request timeout set in Settings (or `loova
/// settings`) apply to `loova` as they do to the app. Called first thing in
/// `main`, before the runtime's threads exist (it sets environment
/// variables); a folder without a database yet has no settings to apply, and
/// none is created for commands that need none.
pub fn apply_settings() {
    let dir = data_dir();
    if !dir.join(loova_core::store::DB_FILE).exists() {
        return;
    }
    if let Ok(db) = Db::open_in(&dir) {
        loova_core::settings::apply_to_environment(&db, loova_sandbox::TIME_SCALE_ENV);
    }
}
