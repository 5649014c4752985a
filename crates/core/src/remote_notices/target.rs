//! Adding, listing and removing remote notice targets. The URL (with the
//! topic or the webhook's token in it) and an access token go to the
//! keychain under `notice-target:<id>`, as API keys do; SQLite keeps the
//! name, the kind, the host to show and the last result.

use super::{NoticeError, RemoteKind, TargetKind};
use crate::secret::{Sensitive, Zeroize};
use crate::store::{Db, StoredTarget};
use crate::vault::Vault;
use serde::{Deserialize, Serialize};

/// What the form or `loova notices add` gives. No `Debug`: it holds secrets.
pub struct AddTarget {
    pub name: String,
    pub kind: TargetKind,
    pub url: Sensitive,
    /// ntfy access token, or a bearer token for a generic webhook.
    pub token: Option<Sensitive>,
    /// `None`: every kind.
    pub kinds: Option<Vec<RemoteKind>>,
}

crate::assert_not_debug!(AddTarget);

/// A target as Settings and `loova notices list` show it: never its URL.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TargetView {
    pub id: String,
    pub name: String,
    pub kind: TargetKind,
    pub kind_label: String,
    /// The server's host (the topic and token stay in the keychain).
    pub host: String,
    pub kinds: Vec<RemoteKind>,
    /// The last delivery attempt (ms since the epoch), if any.
    pub last_at_ms: Option<i64>,
    pub last_ok: Option<bool>,
    /// Why the last attempt failed, with what to do (no secret in it).
    pub last_error: Option<String>,
    /// Notices waiting for this target (quiet hours, or retries).
    pub waiting: i64,
}

/// A choice the form offers, with its label (and the URL field's help).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct KindOption {
    pub value: String,
    pub label: String,
    pub help: Option<String>,
    /// The form offers a token field (ntfy, webhook).
    pub takes_token: bool,
}

/// The Remote notices section: targets, the choices, quiet hours.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RemoteNotices {
    pub targets: Vec<TargetView>,
    pub target_kinds: Vec<KindOption>,
    pub notice_kinds: Vec<KindOption>,
    /// `22:00-07:00`, or `None` when off.
    pub quiet_hours: Option<String>,
}

/// The keychain entry's content.
#[derive(Serialize, Deserialize)]
pub(super) struct TargetSecret {
    pub url: String,
    pub token: Option<String>,
}

impl Drop for TargetSecret {
    fn drop(&mut self) {
        self.url.zeroize();
        self.token.zeroize();
    }
}

pub(super) fn vault_entry(id: &str) -> String {
    format!("notice-target:{id}")
}

pub(super) async fn secret(vault: &Vault, id: &str) -> Result<Option<TargetSecret>, NoticeError> {
    let Some(raw) = vault.get(&vault_entry(id)).await? else {
        return Ok(None);
    };
    Ok(serde_json::from_str(raw.expose()).ok())
}

fn invalid(field: &'static str, message: impl Into<String>) -> NoticeError {
    NoticeError::Invalid { field, message: message.into() }
}

/// https, or http to this computer only (the API base URL's rule): the URL
/// and token would otherwise cross the network readable.
pub(super) fn check_url(kind: TargetKind, raw: &str) -> Result<url::Url, NoticeError> {
    let url = url::Url::parse(raw.trim()).map_err(|_| invalid("url", format!("That is not a web address. {}", kind.url_help())))?;
    match url.scheme() {
        "https" => {}
        "http" if crate::api::address::is_loopback_url(&url) => {}
        "http" => {
            return Err(invalid(
                "url",
                "Use an https:// address: over plain http the address and its token cross the network readable (http:// only to this computer).",
            ))
        }
        _ => return Err(invalid("url", format!("Use an https:// address. {}", kind.url_help()))),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("url", "The address has no host name."));
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(invalid("url", "The address must not contain a user name, password or '#'; give an ntfy access token in the token field."));
    }
    if kind == TargetKind::Ntfy && (url.query().is_some() || url.path_segments().is_none_or(|mut s| s.all(str::is_empty))) {
        return Err(invalid("url", "Give the topic's full address, e.g. https://ntfy.sh/my-secret-topic (no '?')."));
    }
    Ok(url)
}

fn host_of(url: &url::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => String::new(),
    }
}

fn check_name(name: &str) -> Result<String, NoticeError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
        return Err(invalid("name", "Give the target a name of 1 to 60 characters (e.g. \"Phone\" or \"Team Slack\")."));
    }
    Ok(name.to_string())
}

/// Checks everything, stores the secret, then the row (a row never points
/// to a missing secret; a secret without a row is removed again).
pub async fn add(db: &Db, vault: &Vault, req: AddTarget) -> Result<TargetView, NoticeError> {
    let name = check_name(&req.name)?;
    let url = check_url(req.kind, req.url.expose())?;
    let token = req.token.as_ref().filter(|t| !t.is_blank()).map(|t| t.expose().trim().to_string());
    if token.is_some() && matches!(req.kind, TargetKind::Discord | TargetKind::Slack) {
        return Err(invalid("token", "Discord and Slack webhooks take no token: it is in their address."));
    }
    if db.notice_target(&name)?.is_some() {
        return Err(NoticeError::NameTaken(name));
    }
    let kinds = req.kinds.clone().unwrap_or_else(|| RemoteKind::ALL.to_vec());
    let id = format!("nt{:016x}", rand::random::<u64>());
    let secret = TargetSecret { url: url.as_str().to_string(), token };
    let json = Sensitive::new(serde_json::to_string(&secret).expect("strings serialize"));
    vault.set(&vault_entry(&id), &json).await?;
    let row = StoredTarget {
        id: id.clone(),
        name: name.clone(),
        kind: req.kind.as_str().into(),
        host: host_of(&url),
        kinds: RemoteKind::join(&kinds),
        created_at: crate::store::now_ms(),
        last_at: None,
        last_ok: None,
        last_error: None,
    };
    let inserted = db.insert_notice_target(&row);
    if !matches!(inserted, Ok(true)) {
        let _ = vault.delete(&vault_entry(&id)).await;
        inserted?;
        return Err(NoticeError::NameTaken(name));
    }
    find(db, &id)
}

pub(super) fn view(t: StoredTarget, waiting: i64) -> TargetView {
    let kind = TargetKind::parse(&t.kind).unwrap_or(TargetKind::Webhook);
    TargetView {
        kind_label: kind.label().into(),
        kinds: t.kinds.split(',').filter_map(RemoteKind::parse).collect(),
        id: t.id,
        name: t.name,
        kind,
        host: t.host,
        last_at_ms: t.last_at,
        last_ok: t.last_ok,
        last_error: t.last_error,
        waiting,
    }
}

pub(super) fn find(db: &Db, id_or_name: &str) -> Result<TargetView, NoticeError> {
    let t = db.notice_target(id_or_name)?.ok_or_else(|| NoticeError::NotFound(id_or_name.to_string()))?;
    let waiting = db.outbox()?.iter().filter(|r| r.target_id == t.id).count() as i64;
    Ok(view(t, waiting))
}

/// The whole section, as Settings and `loova notices list --json` show it.
pub fn list(db: &Db) -> Result<RemoteNotices, NoticeError> {
    let outbox = db.outbox()?;
    let targets = db
        .notice_targets()?
        .into_iter()
        .map(|t| {
            let waiting = outbox.iter().filter(|r| r.target_id == t.id).count() as i64;
            view(t, waiting)
        })
        .collect();
    let target_kinds = TargetKind::ALL
        .iter()
        .map(|k| KindOption {
            value: k.as_str().into(),
            label: k.label().into(),
            help: Some(k.url_help().into()),
            takes_token: matches!(k, TargetKind::Ntfy | TargetKind::Webhook),
        })
        .collect();
    let notice_kinds =
        RemoteKind::ALL.iter().map(|k| KindOption { value: k.as_str().into(), label: k.label().into(), help: None, takes_token: false }).collect();
    Ok(RemoteNotices { targets, target_kinds, notice_kinds, quiet_hours: super::quiet_hours(db)?.map(|q| q.to_string()) })
}

/// Removes the target, what waited for it and its secret.
pub async fn remove(db: &Db, vault: &Vault, id_or_name: &str) -> Result<(), NoticeError> {
    let t = find(db, id_or_name)?;
    vault.delete(&vault_entry(&t.id)).await?;
    db.delete_notice_target(&t.id)?;
    Ok(())
}

/// Which kinds of notice the target gets (none: it gets nothing for now).
pub fn set_kinds(db: &Db, id_or_name: &str, kinds: &[RemoteKind]) -> Result<TargetView, NoticeError> {
    let t = find(db, id_or_name)?;
    db.set_notice_target_kinds(&t.id, &RemoteKind::join(kinds))?;
    find(db, &t.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_https_or_local() {
        assert!(check_url(TargetKind::Discord, "https://discord.com/api/webhooks/1/abc").is_ok());
        assert!(check_url(TargetKind::Ntfy, "http://127.0.0.1:8080/topic").is_ok());
        assert!(check_url(TargetKind::Webhook, "http://localhost:9/hook?token=x").is_ok());
        for (kind, bad) in [
            (TargetKind::Slack, "http://hooks.slack.com/services/x"),
            (TargetKind::Webhook, "ftp://example.com/x"),
            (TargetKind::Webhook, "https://user:pw@example.com/x"),
            (TargetKind::Ntfy, "https://ntfy.example/"),
            (TargetKind::Ntfy, "https://ntfy.example/topic?x=1"),
            (TargetKind::Webhook, "not a url"),
        ] {
            let e = check_url(kind, bad).unwrap_err();
            assert_eq!(e.field(), Some("url"), "{bad}");
            assert!(!e.to_string().contains(bad), "the refusal does not repeat the address: {e}");
        }
    }

    #[test]
    fn the_host_shown_is_only_the_host() {
        assert_eq!(host_of(&url::Url::parse("https://ntfy.sh/secret-topic").unwrap()), "ntfy.sh");
        assert_eq!(host_of(&url::Url::parse("http://127.0.0.1:81/a/b").unwrap()), "127.0.0.1:81");
    }
}
