//! Small rules of accounts: request timeouts, what a pasted key may
//! contain, and new ids.

use super::AccountError;
use crate::api::{other_base_form, ApiError, Credits, LoovaClient, Timeouts, TIMEOUT_ENV};
use crate::secret::Sensitive;

pub(super) fn timeouts() -> Timeouts {
    let mut t = Timeouts::default();
    if let Some(ms) = std::env::var(TIMEOUT_ENV).ok().and_then(|v| v.parse::<u64>().ok()).filter(|ms| *ms > 0) {
        t.request = std::time::Duration::from_millis(ms);
        t.connect = t.connect.min(t.request);
    }
    t
}

pub(super) fn check_key(key: &Sensitive) -> Result<(), AccountError> {
    if key.is_blank() {
        return Err(AccountError::invalid("key", "Paste the API key from the Loova API dashboard."));
    }
    if key.expose().chars().any(char::is_whitespace) {
        return Err(AccountError::invalid("key", "The key contains spaces or line breaks; paste it again without them."));
    }
    Ok(())
}

pub(super) fn new_id() -> String {
    format!("acct-{}", random_hex(8))
}

pub(super) fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// `GET /v1/credits` under `client`'s base URL and, if that answers a 404
/// without the envelope (no API there), under the other form of the base
/// (with or without `/api`). The client whose answer has the envelope is
/// returned with that answer; when neither has, the first one and its error.
pub(super) async fn credits_at_either_base(client: LoovaClient, key: &Sensitive) -> (LoovaClient, Result<Credits, ApiError>) {
    let first = client.credits(key).await;
    match &first {
        Err(e) if e.is_bare_not_found() => {}
        _ => return (client, first),
    }
    let Ok(other) = LoovaClient::with_timeouts(&other_base_form(client.base_url()), client.timeouts()) else {
        return (client, first);
    };
    match other.credits(key).await {
        Err(e) if e.is_bare_not_found() => (client, first),
        answer => (other, answer),
    }
}
