//! One delivery: a JSON POST with a short timeout, no redirects (a
//! redirect could carry the token elsewhere and hides a wrong address), and
//! a failure told as a sentence with what to do, from which every secret
//! was removed before it is stored, shown or logged.

use super::message::{redact, request, Message};
use super::target::{find, secret, TargetSecret};
use super::{NoticeError, TargetKind, TargetView};
use crate::store::Db;
use crate::vault::Vault;
use std::time::Duration;

pub(super) fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(format!("LoovaDesk/{}", crate::VERSION))
        .build()
        .unwrap_or_default()
}

/// POSTs `msg` to the target; `Err` is the redacted sentence.
pub(super) async fn post(client: &reqwest::Client, kind: TargetKind, s: &TargetSecret, msg: &Message, timeout: Duration) -> Result<(), String> {
    let secrets: Vec<&str> = std::iter::once(s.url.as_str()).chain(s.token.as_deref()).collect();
    let clean = |t: String| redact(&t, &secrets);
    // Checked again at every send: the keychain entry could have been edited.
    let url = super::target::check_url(kind, &s.url).map_err(|e| clean(e.to_string()))?;
    let host = url.host_str().unwrap_or("the server").to_string();
    let sent_at = chrono::Utc::now().to_rfc3339();
    let (to, body) = request(kind, &url, msg, &sent_at);
    let mut req = client.post(to).json(&body);
    if let Some(token) = s.token.as_deref() {
        req = req.bearer_auth(token);
    }
    let answer = match req.send().await {
        Ok(a) => a,
        Err(e) if e.is_timeout() => {
            return Err(format!("{host} did not answer within {} s: check the address and that the server is up.", timeout.as_secs().max(1)));
        }
        Err(e) if e.is_connect() => return Err(format!("Could not connect to {host}: check the address and this computer's network.")),
        Err(e) => return Err(clean(format!("Sending to {host} failed: {}.", e.without_url()))),
    };
    let status = answer.status();
    if status.is_success() {
        return Ok(());
    }
    let code = status.as_u16();
    let said: String = answer.text().await.unwrap_or_default().chars().take(200).collect();
    let said = clean(said.trim().replace(['\n', '\r'], " "));
    let said = if said.is_empty() { String::new() } else { format!(" It said: {said}") };
    Err(clean(match code {
        300..=399 => format!("{host} answered with a redirect (HTTP {code}): give the final https:// address."),
        401 | 403 => format!("{host} refused the notice (HTTP {code}): check the access token, or make a new webhook (this one may have been deleted).{said}"),
        404 | 410 => {
            format!("{host} does not know this address (HTTP {code}): the topic or webhook is wrong or was deleted; remove this target and add it again.{said}")
        }
        429 => format!("{host} is limiting how often it takes notices (HTTP 429); it is tried again later.{said}"),
        _ => format!("{host} did not accept the notice (HTTP {code}).{said}"),
    }))
}

/// Loads the target's secret; a missing entry is said plainly.
pub(super) async fn load(vault: &Vault, id: &str) -> Result<TargetSecret, NoticeError> {
    secret(vault, id).await?.ok_or_else(|| {
        NoticeError::Delivery("The keychain has no address for this target (removed outside Loova Desk?): remove the target and add it again.".into())
    })
}

/// "Send test": one notice to the target now, not through the outbox and
/// outside quiet hours; the result is recorded as its last result.
pub async fn send_test(db: &Db, vault: &Vault, id_or_name: &str) -> Result<TargetView, NoticeError> {
    let t = find(db, id_or_name)?;
    let s = match load(vault, &t.id).await {
        Ok(s) => s,
        Err(e) => {
            db.set_notice_target_result(&t.id, false, Some(&e.to_string()))?;
            return Err(e);
        }
    };
    let timeout = Duration::from_secs(10);
    let msg = Message::new("test", "Test from Loova Desk", format!("Remote notices reach \"{}\". You will get the kinds you chose here.", t.name));
    let result = post(&client(timeout), t.kind, &s, &msg, timeout).await;
    db.set_notice_target_result(&t.id, result.is_ok(), result.as_ref().err().map(String::as_str))?;
    result.map_err(NoticeError::Delivery)?;
    find(db, &t.id)
}
