//! Keys granted by the configuration, and the Loova users they belong to.

use serde::{Deserialize, Serialize};

/// User ids of keys that are their own user start with this; a named user
/// may not, so the two can never collide.
pub const OWN_USER_PREFIX: &str = "key:";

/// A key and the credits it is granted at start (and after a reset). The key
/// is in clear here (config passed in memory); the simulator's state keeps
/// only its digest and hint, and `GET /__sim/config` shows only the hint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KeyGrant {
    pub key: String,
    /// Added to the user's credits (keys of one user share one balance).
    pub credits: i64,
    /// The Loova user the key belongs to. Keys of one user share credits,
    /// tasks and the concurrency limit; `None` = the key is its own user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

impl KeyGrant {
    /// A key that is its own user.
    pub fn new(key: &str, credits: i64) -> Self {
        KeyGrant { key: key.to_string(), credits, user: None }
    }

    /// A key of the named user.
    pub fn for_user(key: &str, credits: i64, user: &str) -> Self {
        KeyGrant { user: Some(user.to_string()), ..KeyGrant::new(key, credits) }
    }

    /// `KEY=CREDITS` or `KEY=CREDITS@USER` (the `--key` flag).
    pub fn parse(spec: &str) -> Result<KeyGrant, String> {
        let wrong = || format!("--key wants KEY=CREDITS or KEY=CREDITS@USER, got {spec:?}");
        // A key may itself hold '@': only an '@' after the last '=' starts the user.
        let (key_credits, user) = match spec.rsplit_once('@') {
            Some((kc, user)) if kc.contains('=') && !user.contains('=') => (kc, Some(user)),
            _ => (spec, None),
        };
        let (key, credits) = key_credits.rsplit_once('=').ok_or_else(wrong)?;
        if key.is_empty() {
            return Err(wrong());
        }
        let credits: i64 = credits.parse().map_err(|_| "--key: credits must be an integer".to_string())?;
        if let Some(u) = user {
            check_user_name(u)?;
        }
        Ok(KeyGrant { key: key.to_string(), credits, user: user.map(str::to_string) })
    }
}

/// A user name must be visible text and must not look like the id of a key
/// that is its own user.
pub fn check_user_name(user: &str) -> Result<(), String> {
    if user.trim().is_empty() {
        return Err("a user name must not be empty".into());
    }
    if user.starts_with(OWN_USER_PREFIX) {
        return Err(format!("a user name must not start with {OWN_USER_PREFIX:?} (reserved for keys that are their own user)"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_key_credits_and_user() {
        assert_eq!(KeyGrant::parse("sk-a=100").unwrap(), KeyGrant::new("sk-a", 100));
        assert_eq!(KeyGrant::parse("sk-a=100@studio").unwrap(), KeyGrant::for_user("sk-a", 100, "studio"));
        // '@' inside the key, no user.
        assert_eq!(KeyGrant::parse("sk@x=5").unwrap(), KeyGrant::new("sk@x", 5));
        assert!(KeyGrant::parse("sk-a").is_err());
        assert!(KeyGrant::parse("sk-a=x@u").is_err());
        assert!(KeyGrant::parse("sk-a=1@").is_err());
        assert!(KeyGrant::parse("sk-a=1@key:abc").is_err());
    }
}
