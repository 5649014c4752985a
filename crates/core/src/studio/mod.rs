//! A studio: several computers share one Loova user's slots (6 running
//! tasks) through PostgreSQL. Each computer's jobs stay in its own SQLite;
//! the database holds only who is using which slot (leases), who waits, and
//! when each computer was last heard from. See docs/ARCHITECTURE.md,
//! "A studio", for the protocol and its failure table.
//!
//! An account's link (SQLite) holds the URL without its password; the
//! password is in the keychain, in the same vault as API keys, under
//! `studio:<account id>`.

mod connect;
mod lease;
mod pg;
mod tls;
mod turns;
mod url;

pub(crate) use lease::{Needed, Want};
pub use pg::{StudioDb, SCHEMA_VERSION};
pub use tls::TlsChoice;
pub use url::{redact, with_password, StudioUrl};

use crate::store::{AccountRow, Db, StoreError};
use crate::vault::{Vault, VaultError};
use crate::ErrorCode;
use serde::{Deserialize, Serialize};

/// An account's studio link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StudioLink {
    pub account_id: String,
    /// `postgres://user@host:port/db`.
    pub url_display: String,
    pub studio_account: String,
    pub computer: String,
    /// No TLS to a host that is not this computer, as the person chose:
    /// the password and the traffic cross the network readable.
    pub no_tls: bool,
}

/// What the account card shows of a link (see `AccountView::studio`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StudioLinkView {
    pub studio_account: String,
    pub computer: String,
    pub url_display: String,
    /// Shown in red on the card: no TLS to another computer, as chosen.
    pub no_tls: bool,
}

/// The studio's live state, from the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StudioStatus {
    pub account_id: String,
    pub studio_account: String,
    pub computer: String,
    pub url_display: String,
    pub reachable: bool,
    /// When unreachable: what happened and what to do.
    pub error: Option<String>,
    /// min(price list limit, the account's lower limit, the studio's own).
    pub limit: i64,
    /// Slots held by every computer together.
    pub in_use: i64,
    /// Every computer of the studio account, this one included.
    pub computers: Vec<ComputerSlots>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ComputerSlots {
    pub name: String,
    pub here: bool,
    /// Slots it holds (creates in flight and running tasks).
    pub running: i64,
    /// Its jobs waiting in its queue.
    pub waiting: i64,
    /// Its last heartbeat (ms since the epoch, the database's clock).
    pub last_seen_ms: i64,
    /// Heard from recently; a silent computer's running tasks are followed
    /// by the others.
    pub alive: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum StudioError {
    #[error("{0}")]
    UrlInvalid(String),
    #[error("The studio database at {url} cannot be reached ({why}). Check that it is running and that this computer can reach it; jobs of this account wait until it answers.")]
    Unreachable { url: String, why: String },
    /// The connection was stopped before the password could leave: the
    /// server wanted it in a readable form, offered no TLS although the URL
    /// requires it, or showed a certificate that could not be verified.
    #[error("Loova Desk did not send the password to the studio database at {url}: {why}. Jobs of this account wait until this is fixed.")]
    Refused { url: String, why: String },
    /// A value of the connect form (or a CLI flag) other than the URL.
    #[error("{1}")]
    FieldInvalid(&'static str, String),
    #[error("The studio database was set up by a newer Loova Desk (schema {found}; this one knows up to {known}). Update Loova Desk on this computer; nothing was changed.")]
    SchemaTooNew { found: i32, known: i32 },
    #[error("The account {0} does not share its slots with a studio. Connect it first: loova studio connect ACCOUNT --url postgres://… --as NAME")]
    NotConnected(String),
    #[error("This computer still holds {0} of the studio's slots (jobs being sent or running). Wait until they finish, or pause the account and let them finish, then disconnect.")]
    LeasesHeld(i64),
    /// A name the person typed is not usable: which field, and the rule.
    #[error("{1}")]
    NameInvalid(&'static str, String),
    #[error("The studio database failed: {0}")]
    Failed(String),
    /// A query failed inside a call (becomes `Unreachable` with the URL).
    #[error("{0}")]
    Query(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("There is no account \"{0}\". Run `loova accounts list` to see the accounts.")]
    NoSuchAccount(String),
}

impl StudioError {
    pub fn code(&self) -> ErrorCode {
        match self {
            StudioError::UrlInvalid(_) => ErrorCode::StudioUrlInvalid,
            // Refused: as unreachable for the queue (no create without the database), with its own sentence.
            StudioError::Unreachable { .. } | StudioError::Refused { .. } | StudioError::Query(_) => ErrorCode::StudioUnreachable,
            StudioError::FieldInvalid(..) => ErrorCode::StudioUrlInvalid,
            StudioError::SchemaTooNew { .. } => ErrorCode::StudioSchemaTooNew,
            StudioError::NotConnected(_) => ErrorCode::StudioNotConnected,
            StudioError::LeasesHeld(_) => ErrorCode::StudioLeasesHeld,
            StudioError::NameInvalid(..) => ErrorCode::InvalidInput,
            StudioError::Failed(_) => ErrorCode::StudioFailed,
            StudioError::Store(e) => e.code(),
            StudioError::Vault(e) => e.code(),
            StudioError::NoSuchAccount(_) => ErrorCode::AccountNotFound,
        }
    }

    /// The field of the connect form (and `loova studio connect`) a wrong
    /// value is in; the message says the rule and the fix.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            StudioError::UrlInvalid(_) => Some("url"),
            StudioError::NameInvalid(field, _) | StudioError::FieldInvalid(field, _) => Some(field),
            _ => None,
        }
    }
}

/// The keychain entry of an account's studio password.
pub(crate) fn vault_entry(account_id: &str) -> String {
    format!("studio:{account_id}")
}

/// This computer's name in a studio when none is given: the host name.
pub fn default_computer_name() -> String {
    whoami::hostname().ok().map(|h| h.trim().to_string()).filter(|h| !h.is_empty()).unwrap_or_else(|| "this-computer".to_string())
}

fn check_name(field: &'static str, what: &str, name: &str) -> Result<String, StudioError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(StudioError::NameInvalid(field, format!("The {what} must be 1 to 100 characters without control characters.")));
    }
    Ok(name.to_string())
}

fn account(db: &Db, account_id: &str) -> Result<AccountRow, StudioError> {
    db.account(account_id)?.ok_or_else(|| StudioError::NoSuchAccount(account_id.to_string()))
}

/// Checks the URL and the TLS choices, connects, creates or migrates the
/// schema, registers this computer, then stores the password in the
/// keychain (`vault`) and the link in SQLite. Nothing is saved when a step
/// fails. What was typed is taken as typed around its spaces: the URL and
/// names are trimmed here, and an empty computer name means this host's.
pub async fn connect(
    db: &Db,
    vault: &Vault,
    account_id: &str,
    url: &str,
    tls: &TlsChoice,
    studio_account: &str,
    computer: Option<&str>,
) -> Result<StudioLink, StudioError> {
    let account = account(db, account_id)?;
    let parsed = StudioUrl::parse_with(url.trim(), tls)?;
    let studio_account = check_name("studio_account", "studio account name", studio_account)?;
    let computer = computer.map(str::trim).filter(|c| !c.is_empty()).map_or_else(default_computer_name, str::to_string);
    let computer = check_name("computer", "computer name", &computer)?;
    let sdb = StudioDb::open(&parsed, None)?;
    sdb.migrate().await?;
    sdb.register(&studio_account, &computer).await?;
    let entry = vault_entry(&account.id);
    match &parsed.password {
        Some(p) => vault.set(&entry, p).await?,
        None => {
            vault.delete(&entry).await?;
        }
    }
    db.set_studio_link(&account.id, &parsed.stored, &studio_account, &computer)?;
    Ok(StudioLink { account_id: account.id, no_tls: parsed.no_tls_chosen(), url_display: parsed.display, studio_account, computer })
}

/// Forgets the link and its password. Refused while this computer holds
/// leases the database can confirm (an unreachable database cannot hold
/// this computer back: the others treat it as silent).
pub async fn disconnect(db: &Db, vault: &Vault, account_id: &str) -> Result<(), StudioError> {
    let account = account(db, account_id)?;
    let link = link(db, &account.id)?.ok_or_else(|| StudioError::NotConnected(account.name.clone()))?;
    if let Ok(sdb) = open_for(db, vault, &account.id).await {
        match sdb.held_by(&link.studio_account, &link.computer).await {
            Ok(0) => sdb.forget_computer(&link.studio_account, &link.computer).await.or_else(ignore_unreachable)?,
            Ok(n) => return Err(StudioError::LeasesHeld(n)),
            Err(e) => ignore_unreachable(e)?,
        }
    }
    db.delete_studio_link(&account.id)?;
    vault.delete(&vault_entry(&account.id)).await?;
    Ok(())
}

fn ignore_unreachable(e: StudioError) -> Result<(), StudioError> {
    match e.code() {
        ErrorCode::StudioUnreachable => Ok(()),
        _ => Err(e),
    }
}

/// The account's link, if it shares its slots.
pub fn link(db: &Db, account_id: &str) -> Result<Option<StudioLink>, StudioError> {
    Ok(db.studio_link(account_id)?.map(|l| link_from(&l.account_id, &l.url, &l.studio_account, &l.computer)))
}

/// A stored link as shown: the URL without its password, and whether it
/// goes without TLS to another computer.
pub(crate) fn link_from(account_id: &str, stored_url: &str, studio_account: &str, computer: &str) -> StudioLink {
    let parsed = StudioUrl::parse_stored(stored_url);
    StudioLink {
        account_id: account_id.to_string(),
        url_display: parsed.as_ref().map(|u| u.display.clone()).unwrap_or_else(|_| redact(stored_url, None)),
        no_tls: parsed.is_ok_and(|u| u.no_tls_chosen()),
        studio_account: studio_account.to_string(),
        computer: computer.to_string(),
    }
}

/// The pool for an account's link, with its password from the keychain.
pub(crate) async fn open_for(db: &Db, vault: &Vault, account_id: &str) -> Result<StudioDb, StudioError> {
    let stored = db.studio_link(account_id)?.ok_or_else(|| StudioError::NotConnected(account_id.to_string()))?;
    let url = StudioUrl::parse_stored(&stored.url)?;
    let password = vault.get(&vault_entry(account_id)).await?;
    StudioDb::open(&url, password.as_ref())
}

/// Reads the studio's live state from PostgreSQL, `limit` the account's
/// own (`pricing::limit::effective_limit`, from the price list the caller
/// holds). An unreachable database is a status (reachable: false, with a
/// sentence), not an error.
pub async fn status(db: &Db, vault: &Vault, account_id: &str, limit: i64) -> Result<StudioStatus, StudioError> {
    let account = account(db, account_id)?;
    let link = link(db, &account.id)?.ok_or_else(|| StudioError::NotConnected(account.name.clone()))?;
    let seen = match open_for(db, vault, &account.id).await {
        Ok(sdb) => sdb.seen(&link.studio_account, &link.computer, silence_ms(1.0)).await,
        Err(e) => Err(e),
    };
    Ok(status_from(&link, limit, seen))
}

/// The studio status from what the database answered (or why it did not).
pub(crate) fn status_from(link: &StudioLink, limit: i64, seen: Result<lease::Seen, StudioError>) -> StudioStatus {
    let mut s = StudioStatus {
        account_id: link.account_id.clone(),
        studio_account: link.studio_account.clone(),
        computer: link.computer.clone(),
        url_display: link.url_display.clone(),
        reachable: true,
        error: None,
        limit,
        in_use: 0,
        computers: Vec::new(),
    };
    match seen {
        Ok(seen) => {
            s.limit = seen.lease_limit.map_or(limit, |l| l.min(limit));
            s.in_use = seen.computers.iter().map(|c| c.running).sum();
            s.computers = seen.computers;
        }
        Err(e) => {
            s.reachable = false;
            s.error = Some(e.to_string());
        }
    }
    s
}

/// How often a computer heartbeats: every 2 s × the time scale (at least
/// 100 ms, so tests at 0.005 do not flood the database).
pub fn heartbeat_every(time_scale: f64) -> std::time::Duration {
    std::time::Duration::from_secs_f64((2.0 * time_scale).clamp(0.1, 2.0))
}

/// Silent after 10 missed heartbeats (at least 2 s): a false "silent" is
/// harmless (its tasks are followed by others and released only when
/// final), a false "alive" only delays the release.
pub fn silence_ms(time_scale: f64) -> i64 {
    (heartbeat_every(time_scale).as_millis() as i64 * 10).max(2_000)
}
