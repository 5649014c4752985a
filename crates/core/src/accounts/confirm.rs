//! Which base URLs the person confirms in a native dialog before a key (or a
//! local reference file) is sent there. The window asks for the account;
//! the confirmation comes from Rust, outside the page, so a script that
//! somehow ran in the page could not send a key to a server of its own.

use crate::api::{address, other_base_form, DEFAULT_BASE_URL};

/// The base URL to confirm, as it will be used, or `None` for Loova's own
/// address (either form), the Sandbox and this computer (`loova-sim`, a
/// local proxy: whoever runs a server here already runs code as the person),
/// and for a URL the account would refuse anyway (plain http to another
/// computer, not a URL): the person is not asked about what cannot happen.
pub fn base_url_to_confirm(base_url: Option<&str>) -> Option<String> {
    let given = base_url.map(str::trim).filter(|b| !b.is_empty())?.trim_end_matches('/');
    if given == DEFAULT_BASE_URL || given == other_base_form(DEFAULT_BASE_URL) || given == super::SANDBOX_URL {
        return None;
    }
    crate::api::check_base_url(given).ok()?;
    match url::Url::parse(given) {
        Ok(url) if address::is_loopback_url(&url) => None,
        _ => Some(given.to_string()),
    }
}

/// The dialog's sentence for `url`.
pub fn confirm_text(url: &str) -> String {
    format!(
        "Send this account's API key to {url}?\n\nThis is not Loova's own address ({DEFAULT_BASE_URL}). Every request will carry the key, \
         and local reference files will be uploaded there. Continue only if you trust this service."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_other_services_are_confirmed() {
        for none in [None, Some(""), Some("  "), Some(DEFAULT_BASE_URL), Some("https://api.loova.ai"), Some("https://api.loova.ai/api/"), Some("sandbox")] {
            assert_eq!(base_url_to_confirm(none), None, "{none:?}");
        }
        for local in ["http://127.0.0.1:8787/api", "http://localhost:9/api", "http://[::1]:80"] {
            assert_eq!(base_url_to_confirm(Some(local)), None, "{local}");
        }
        for other in ["https://evil.example/api", "https://api.loova.ai.evil.example", "https://10.0.0.5/api"] {
            assert_eq!(base_url_to_confirm(Some(other)).as_deref(), Some(other), "{other}");
        }
        for refused_anyway in ["not a url", "http://evil.example/api", "https://user:pw@evil.example"] {
            assert_eq!(base_url_to_confirm(Some(refused_anyway)), None, "{refused_anyway}");
        }
        assert!(confirm_text("https://evil.example").contains("https://evil.example"));
    }
}
