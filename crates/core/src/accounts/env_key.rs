//! The API key in `LOOVA_API_KEY`, taken out of the environment once.
//!
//! Every process this one starts inherits its environment: the browser or
//! file manager the app opens, a `loova` run from a script, a media tool.
//! None of them needs the key, and any of them may log its environment or
//! crash with it in a report. So the key is read once, kept in memory as a
//! [`Sensitive`], and removed from this process's environment.

use super::KEY_ENV;
use crate::secret::Sensitive;
use std::sync::OnceLock;
use zeroize::Zeroize;

static TAKEN: OnceLock<Option<Sensitive>> = OnceLock::new();

/// The key from `LOOVA_API_KEY` (None when unset or blank), removed from the
/// environment on the first call; later calls answer the same key.
///
/// Call it first thing in `main`, before any other thread exists:
/// `remove_var` is not safe while another thread reads the environment
/// (libc's `getenv` is not synchronised with `unsetenv`). Rust 2024 marks it
/// `unsafe` for that reason; this crate is edition 2021, where the rule is
/// the same but unchecked, so the call sites keep to it by hand.
pub fn take_env_key() -> Option<Sensitive> {
    TAKEN
        .get_or_init(|| {
            let mut value = std::env::var(KEY_ENV).ok();
            if std::env::var_os(KEY_ENV).is_some() {
                std::env::remove_var(KEY_ENV);
            }
            let key = value.as_deref().map(str::trim).filter(|k| !k.is_empty()).map(Sensitive::new);
            value.zeroize();
            key
        })
        .clone()
}
