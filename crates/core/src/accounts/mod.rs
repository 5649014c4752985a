//! Loova accounts: the key in the keychain, everything else in SQLite, and
//! both credit pools side by side.

mod confirm;
mod env_key;
mod error;
mod overflow;
mod support;
mod view;

pub use crate::api::TIMEOUT_ENV;
pub use confirm::{base_url_to_confirm, confirm_text};
pub use env_key::take_env_key;
pub use error::AccountError;
use support::{check_key, new_id, random_hex, timeouts};
pub use view::{totals, AccountChoice, AccountState, AccountView, BalanceTotals};

use crate::api::{LoovaClient, DEFAULT_BASE_URL};
use crate::sandbox::LocalService;
use crate::secret::Sensitive;
use crate::store::{now_ms, AccountRow, AccountStatus, Db, NewAccount};
use crate::vault::Vault;
use crate::ErrorCode;
use std::sync::Arc;

/// What Loova's own scripts read the key from.
pub const KEY_ENV: &str = "LOOVA_API_KEY";
/// Stored instead of a URL for the Sandbox, whose port changes every start.
const SANDBOX_URL: &str = "sandbox";

pub struct AddAccount {
    pub name: String,
    pub base_url: Option<String>,
    pub key: Sensitive,
    /// Save even if the service cannot be reached to check the key.
    pub save_unverified: bool,
}

/// What happened when an account was removed.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Removed {
    pub name: String,
    /// Set when the keychain entry could not be deleted: what to do by hand.
    pub keychain_warning: Option<String>,
}

#[derive(Clone)]
pub struct Accounts {
    db: Arc<Db>,
    vault: Vault,
    sandbox: Arc<dyn LocalService>,
}

impl Accounts {
    /// `sandbox` serves the Sandbox account (`loova_sandbox::SandboxHost` in
    /// the app and the CLI; `sandbox::NoSandbox` where there is none).
    pub fn new(db: Arc<Db>, vault: Vault, sandbox: Arc<dyn LocalService>) -> Accounts {
        Accounts { db, vault, sandbox }
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// The data folder's database (a studio link is stored beside the account).
    pub fn db(&self) -> &Arc<Db> {
        &self.db
    }

    /// How much faster than Loova the Sandbox runs jobs.
    pub fn sandbox_time_scale(&self) -> f64 {
        self.sandbox.time_scale()
    }

    pub fn list(&self) -> Result<Vec<AccountView>, AccountError> {
        Ok(self.db.accounts()?.into_iter().map(|r| self.view(r)).collect())
    }

    pub fn get(&self, id: &str) -> Result<AccountView, AccountError> {
        Ok(self.view(self.row(id)?))
    }

    /// An account by name (case-insensitive) or id, as the CLI names them.
    pub fn find(&self, name_or_id: &str) -> Result<AccountView, AccountError> {
        let row = self.db.find_account(name_or_id)?.ok_or_else(|| AccountError::NotFound(name_or_id.into()))?;
        Ok(self.view(row))
    }

    fn row(&self, id: &str) -> Result<AccountRow, AccountError> {
        self.db.account(id)?.ok_or_else(|| AccountError::NotFound(id.into()))
    }

    fn view(&self, row: AccountRow) -> AccountView {
        let url = if row.sandbox { "Sandbox (built-in simulator)".to_string() } else { row.base_url.clone() };
        let studio = crate::studio::link(&self.db, &row.id).ok().flatten().map(|l| crate::studio::StudioLinkView {
            studio_account: l.studio_account,
            computer: l.computer,
            url_display: l.url_display,
            no_tls: l.no_tls,
        });
        let (overflow_to_name, overflow_choices) = self.overflow_of(&row);
        AccountView { studio, overflow_to_name, overflow_choices, ..AccountView::from_row(row, url) }
    }

    /// Checks the key with `GET /v1/credits`, then stores it in the keychain
    /// and the account in SQLite. Nothing is saved when any step fails.
    pub async fn add(&self, req: AddAccount) -> Result<AccountView, AccountError> {
        let name = self.check_name(&req.name, None)?;
        let base_url = req.base_url.as_deref().map(str::trim).filter(|u| !u.is_empty()).unwrap_or(DEFAULT_BASE_URL);
        let client = LoovaClient::with_timeouts(base_url, timeouts()).map_err(AccountError::from_base_url)?;
        check_key(&req.key)?;
        // The base URL that answers with the envelope is the one stored
        // (and shown), whichever form was typed.
        let (client, answer) = support::credits_at_either_base(client, &req.key).await;
        let checked = match answer {
            Ok(c) => Some(c),
            Err(e) => match AccountError::from_check(e) {
                AccountError::Unreachable(_) if req.save_unverified => None,
                AccountError::Unreachable(why) => {
                    return Err(AccountError::Unreachable(format!("{why} To keep the account anyway, save it as \"not verified yet\" (CLI: --unverified).")))
                }
                other => return Err(other),
            },
        };
        let id = new_id();
        self.vault.set(&id, &req.key).await?;
        let inserted = self.db.insert_account(&NewAccount {
            id: &id,
            name: &name,
            base_url: client.base_url(),
            key_hint: &req.key.last4(),
            sandbox: false,
            verified: checked.is_some(),
        });
        if let Err(e) = inserted {
            let _ = self.vault.delete(&id).await;
            return Err(e.into());
        }
        if let Some(c) = checked {
            crate::spending::refunds::record_balance(&self.db, &id, c.api_available_credits, c.api_total_credits, c.app_credits)?;
        }
        self.get(&id)
    }

    /// Adds an account with the key in `LOOVA_API_KEY` (taken out of the
    /// environment, see `take_env_key`).
    pub async fn import_env_key(&self, name: &str, base_url: Option<String>, save_unverified: bool) -> Result<AccountView, AccountError> {
        let key = take_env_key().ok_or_else(|| {
            AccountError::invalid(
                "key",
                format!("{KEY_ENV} is not set in Loova Desk's environment; export it before starting the app, or paste the key instead."),
            )
        })?;
        self.add(AddAccount { name: name.into(), base_url, key, save_unverified }).await
    }

    pub fn rename(&self, id: &str, name: &str) -> Result<AccountView, AccountError> {
        self.row(id)?;
        let name = self.check_name(name, Some(id))?;
        self.db.rename_account(id, &name)?;
        self.get(id)
    }

    /// Key rotation: the new key is verified before the old one is replaced.
    pub async fn replace_key(&self, id: &str, key: Sensitive) -> Result<AccountView, AccountError> {
        let row = self.row(id)?;
        check_key(&key)?;
        let client = self.client(&row).await?;
        let credits = client.credits(&key).await.map_err(AccountError::from_check)?;
        self.vault.set(id, &key).await?;
        self.db.set_key_hint(id, &key.last4(), true)?;
        crate::spending::refunds::record_balance(&self.db, id, credits.api_available_credits, credits.api_total_credits, credits.app_credits)?;
        self.get(id)
    }

    /// Removes the account and its keychain entry; says so if the entry could
    /// not be deleted (the account is removed either way).
    pub async fn remove(&self, id: &str) -> Result<Removed, AccountError> {
        let row = self.row(id)?;
        let keychain_warning = match self.vault.delete(id).await {
            Ok(_) => None,
            Err(e) => {
                Some(format!("{e} The key is still in the keychain under service \"{}\", account \"{id}\": delete it there by hand.", self.vault.service()))
            }
        };
        // A shared account's database password goes with it (the link row
        // goes with the account in SQLite).
        if self.db.studio_link(id)?.is_some() {
            let _ = self.vault.delete(&crate::studio::vault_entry(id)).await;
        }
        self.db.delete_account(id)?;
        if row.sandbox {
            self.sandbox.discard().await;
        }
        Ok(Removed { name: row.name, keychain_warning })
    }

    pub fn set_app_credits(&self, id: &str, amount: i64, as_of: Option<i64>) -> Result<AccountView, AccountError> {
        self.row(id)?;
        if amount < 0 {
            return Err(AccountError::invalid("app_credits", "App Credits cannot be negative; enter the figure the Loova app shows."));
        }
        self.db.set_app_credits(id, amount, as_of.unwrap_or_else(now_ms))?;
        self.get(id)
    }

    /// The person's own limit on the account's tasks at once (below Loova's
    /// price-list limit, to leave slots to another tool), or None for none.
    /// The queue uses `pricing::limit::effective_limit` of it.
    pub fn set_concurrency_limit(&self, id: &str, limit: Option<i64>) -> Result<AccountView, AccountError> {
        self.row(id)?;
        if limit.is_some_and(|l| l < 1) {
            return Err(AccountError::Invalid {
                field: "limit",
                message: "A limit of your own must be at least 1 task at once; to send nothing, pause the account; to use Loova's limit, clear yours.".into(),
            });
        }
        self.db.set_concurrency_limit(id, limit)?;
        self.get(id)
    }

    pub fn set_paused(&self, id: &str, paused: bool) -> Result<AccountView, AccountError> {
        self.row(id)?;
        self.db.set_account_state(id, if paused { AccountStatus::Paused } else { AccountStatus::Active })?;
        self.get(id)
    }

    /// Reads the API balance. On failure the last figures stay, with the
    /// reason and its time; an authentication failure marks the key
    /// rejected, unless the key was replaced meanwhile (then the balance is
    /// read again with the new key).
    pub async fn refresh_balance(&self, id: &str) -> Result<AccountView, AccountError> {
        let mut row = self.row(id)?;
        let mut result = self.read_balance(&row).await;
        if matches!(result, Err(AccountError::KeyRejected(_))) {
            let now = self.row(id)?;
            if now.key_version != row.key_version {
                row = now;
                result = self.read_balance(&row).await;
            }
        }
        match result {
            Ok(()) => {}
            Err(AccountError::KeyRejected(msg)) => {
                self.db.reject_key(id, row.key_version)?;
                self.db.record_balance_error(id, ErrorCode::KeyRejected, &msg)?;
            }
            Err(e) => self.db.record_balance_error(id, e.code(), &e.to_string())?,
        }
        self.get(id)
    }

    pub async fn refresh_all(&self) -> Result<Vec<AccountView>, AccountError> {
        for row in self.db.accounts()? {
            self.refresh_balance(&row.id).await?;
        }
        self.list()
    }

    async fn read_balance(&self, row: &AccountRow) -> Result<(), AccountError> {
        // The client first: a base URL that may not carry the key is refused
        // before the key is even read.
        let client = self.client(row).await?;
        let key = self.key(&row.id).await?;
        let c = client.credits(&key).await.map_err(AccountError::from_check)?;
        crate::spending::refunds::record_balance(&self.db, &row.id, c.api_available_credits, c.api_total_credits, c.app_credits)?;
        Ok(())
    }

    /// The account's key, for an `Authorization` header only.
    pub async fn key(&self, id: &str) -> Result<Sensitive, AccountError> {
        self.vault.get(id).await?.ok_or_else(|| {
            AccountError::Vault(crate::vault::VaultError::Failed("this account's key is missing from the keychain; replace the key to fix it".into()))
        })
    }

    /// An HTTP client for the account's service (the Sandbox's simulator is
    /// started on demand).
    pub async fn client(&self, row: &AccountRow) -> Result<LoovaClient, AccountError> {
        let url = self.service_url(row).await?;
        LoovaClient::with_timeouts(&url, timeouts()).map_err(AccountError::from_base_url)
    }

    /// Where a finished video of the account is fetched from now.
    pub async fn video_url(&self, row: &AccountRow, url: &str) -> Result<String, AccountError> {
        if row.sandbox {
            self.sandbox.current_video_url(url).await.map_err(AccountError::Unreachable)
        } else {
            Ok(url.to_string())
        }
    }

    /// Where the account's requests go now: its base URL, or the Sandbox's
    /// simulator (whose address changes when another process takes it over).
    pub async fn service_url(&self, row: &AccountRow) -> Result<String, AccountError> {
        if row.sandbox {
            self.sandbox.base_url().await.map_err(AccountError::Unreachable)
        } else {
            Ok(row.base_url.clone())
        }
    }

    /// "Try the Sandbox": an account backed by the built-in simulator, with
    /// a generated key (kept in the keychain) and 10,000 play credits.
    pub async fn create_sandbox(&self) -> Result<AccountView, AccountError> {
        if let Some(existing) = self.db.accounts()?.into_iter().find(|a| a.sandbox) {
            return Ok(self.view(existing));
        }
        let name = self.check_name("Sandbox", None).or_else(|_| self.check_name("Sandbox (play credits)", None))?;
        let id = new_id();
        let key = Sensitive::new(format!("sk-sandbox-{}", random_hex(24)));
        self.vault.set(&id, &key).await?;
        if let Err(e) = self.sandbox.grant(&key, false).await {
            let _ = self.vault.delete(&id).await;
            return Err(AccountError::Unreachable(e));
        }
        self.db.insert_account(&NewAccount { id: &id, name: &name, base_url: SANDBOX_URL, key_hint: &key.last4(), sandbox: true, verified: true })?;
        self.refresh_balance(&id).await
    }

    /// Back to 10,000 play credits and no tasks.
    pub async fn reset_sandbox(&self, id: &str) -> Result<AccountView, AccountError> {
        let row = self.row(id)?;
        if !row.sandbox {
            return Err(AccountError::invalid("account", "Only the Sandbox can be reset."));
        }
        let key = self.key(id).await?;
        self.sandbox.grant(&key, true).await.map_err(AccountError::Unreachable)?;
        self.refresh_balance(id).await
    }

    fn check_name(&self, name: &str, except: Option<&str>) -> Result<String, AccountError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(AccountError::invalid("name", "Give the account a name, e.g. \"Studio\"."));
        }
        if name.chars().count() > 60 {
            return Err(AccountError::invalid("name", "Use at most 60 characters."));
        }
        if self.db.name_taken(name, except)? {
            return Err(AccountError::invalid("name", format!("An account called \"{name}\" already exists; choose another name.")));
        }
        Ok(name.to_string())
    }
}
