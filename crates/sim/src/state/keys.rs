//! Keys and the Loova users they belong to. A user owns the credits, the
//! tasks and the concurrency limit; a key only authenticates as its user
//! (until it is revoked). A key granted without a user is its own user,
//! whose id is `key:` + the key's digest.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Inner;
use crate::config::{check_user_name, KeyGrant, OWN_USER_PREFIX};

/// The last 4 characters of a key, which is all that is ever shown.
pub fn key_hint(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("…{tail}")
}

/// How the simulator identifies a key: the lowercase hex SHA-256 of its
/// bytes. The key itself is never kept — not in memory state, not in the
/// state file — only this digest and the hint, both computed from the clear
/// key when it is added or presented as a Bearer token.
pub fn key_digest(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The user id of a key that is its own user.
pub fn own_user_id(digest: &str) -> String {
    format!("{OWN_USER_PREFIX}{digest}")
}

/// One Loova user: credits, the tasks in flight and the highest number
/// running at once, over all of the user's keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserState {
    /// The user's name, or [`own_user_id`] for a key that is its own user.
    pub user: String,
    pub credits_available: i64,
    pub credits_total: i64,
    pub tasks_created: u64,
    pub max_running_at_once: usize,
    /// Time up to which this user's timeline has been replayed.
    pub clock: i64,
    /// Non-final task ids in creation order.
    pub active: Vec<String>,
}

impl UserState {
    fn new(user: &str, now: i64) -> Self {
        UserState { user: user.to_string(), credits_available: 0, credits_total: 0, tasks_created: 0, max_running_at_once: 0, clock: now, active: Vec::new() }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyState {
    /// [`key_digest`] of the key; the key itself is never stored.
    pub key_sha256: String,
    /// [`key_hint`] of the key, computed when it was added.
    pub key_hint: String,
    /// The id of the user the key belongs to.
    pub user: String,
    /// A revoked key gets the authentication failure; its user's tasks go on.
    #[serde(default)]
    pub revoked: bool,
    /// Tasks created with this key.
    pub tasks_created: u64,
    /// The highest number of this key's tasks running at once.
    pub max_running_at_once: usize,
    /// Ids of the tasks created with this key, in creation order.
    pub tasks: Vec<String>,
}

impl Inner {
    /// Grant every configured key (start and reset).
    pub(super) fn grant_configured_keys(&mut self) {
        for g in self.config.keys.clone() {
            self.grant(&g).expect("configured keys are checked by SimConfig::check");
        }
    }

    /// Add the clear `key` with `credits`, or top its user up. Returns its
    /// digest.
    pub fn add_key(&mut self, key: &str, credits: i64) -> String {
        self.grant(&KeyGrant::new(key, credits)).expect("a key without a user is always accepted")
    }

    /// Add a key of `grant.user` (or its own user) and add the credits to
    /// the user's balance; a known key tops its user up. A known key cannot
    /// move to another user. Returns the key's digest.
    pub fn grant(&mut self, grant: &KeyGrant) -> Result<String, String> {
        if let Some(u) = &grant.user {
            check_user_name(u)?;
        }
        let now = self.now();
        let digest = key_digest(&grant.key);
        let user = match (self.keys.get(&digest), &grant.user) {
            (Some(k), Some(u)) if &k.user != u => return Err(format!("the key {} already belongs to another user", k.key_hint)),
            (Some(k), _) => k.user.clone(),
            (None, Some(u)) => u.clone(),
            (None, None) => own_user_id(&digest),
        };
        self.keys.entry(digest.clone()).or_insert_with(|| KeyState {
            key_sha256: digest.clone(),
            key_hint: key_hint(&grant.key),
            user: user.clone(),
            revoked: false,
            tasks_created: 0,
            max_running_at_once: 0,
            tasks: Vec::new(),
        });
        let u = self.users.entry(user.clone()).or_insert_with(|| UserState::new(&user, now));
        u.credits_available += grant.credits;
        u.credits_total += grant.credits;
        self.dirty = true;
        Ok(digest)
    }

    /// From now on the key gets the authentication failure. `false` if the
    /// key is unknown.
    pub fn revoke_key(&mut self, key: &str) -> bool {
        match self.keys.get_mut(&key_digest(key)) {
            Some(k) => {
                k.revoked = true;
                self.dirty = true;
                true
            }
            None => false,
        }
    }

    /// The digest of the clear `key` if it may be used: known and not revoked.
    pub fn known_key(&self, key: &str) -> Option<String> {
        let digest = key_digest(key);
        self.keys.get(&digest).filter(|k| !k.revoked).map(|_| digest)
    }

    /// The user id of the key with this digest.
    pub fn user_of(&self, digest: &str) -> Option<&str> {
        self.keys.get(digest).map(|k| k.user.as_str())
    }

    /// The balance of the user of the key with this digest.
    pub fn user_of_key(&self, digest: &str) -> Option<&UserState> {
        self.users.get(self.user_of(digest)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SimConfig;

    #[test]
    fn hint_shows_last_four() {
        assert_eq!(key_hint("sk-abcdef"), "…cdef");
        assert_eq!(key_hint("ab"), "…ab");
    }

    #[test]
    fn digest_is_hex_sha256() {
        assert_eq!(key_digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn keys_of_one_user_share_one_balance() {
        let mut s = Inner::new(SimConfig::for_tests_users(&[("k1", 100, "studio"), ("k2", 50, "studio")]));
        let lone = s.add_key("k3", 7);
        assert_eq!(s.users["studio"].credits_total, 150);
        assert_eq!(s.user_of_key(&lone).unwrap().credits_total, 7);
        assert!(s.grant(&KeyGrant::for_user("k3", 1, "studio")).is_err(), "a key cannot change user");
        s.grant(&KeyGrant::new("k1", 10)).unwrap();
        assert_eq!(s.users["studio"].credits_available, 160, "a top-up goes to the key's user");
        assert!(s.revoke_key("k2"));
        assert!(s.known_key("k2").is_none() && s.known_key("k1").is_some());
        assert!(!s.revoke_key("nope"));
    }
}
