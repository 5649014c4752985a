//! API keys in memory. A key leaves the keychain only into an `Authorization`
//! header: this type cannot be printed, serialized or compared by accident.

use std::fmt;
/// For the app and the CLI, which wipe their own copies of a secret (an
/// IPC string, a URL with a password) without a dependency of their own.
pub use zeroize::{Zeroize, Zeroizing};

/// A secret string. `Debug` and `Display` print `<redacted>`; there is no
/// `Serialize`; the only ways out are `expose` (for the header) and `last4`.
/// Its bytes are overwritten with zeros when it is dropped (`zeroize`).
#[derive(Clone)]
pub struct Sensitive(Zeroizing<String>);

impl Sensitive {
    pub fn new(secret: impl Into<String>) -> Sensitive {
        Sensitive(Zeroizing::new(secret.into()))
    }

    /// The secret itself. Call only to build an `Authorization` header or to
    /// hand it to the keychain.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The last 4 characters, the only part a person is ever shown.
    pub fn last4(&self) -> String {
        // Counted, not collected: a copy of the whole key would outlive it.
        let n = self.0.chars().count();
        self.0.chars().skip(n.saturating_sub(4)).collect()
    }

    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_secret() {
        let s = Sensitive::new("sk-live-abcdef123456");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(<redacted>)");
        assert_eq!(s.last4(), "3456");
        assert_eq!(Sensitive::new("ab").last4(), "ab");
    }
}

/// Fails to compile when `$t` implements `Debug`: for the types that carry
/// a key or a password in a plain `String` (requests as they arrive), whose
/// `{:?}` would print it. The two blanket impls are ambiguous exactly when
/// `$t: Debug`.
#[macro_export]
macro_rules! assert_not_debug {
    ($t:ty) => {
        const _: fn() = || {
            trait AmbiguousIfDebug<A> {
                fn some_item() {}
            }
            impl<T: ?Sized> AmbiguousIfDebug<()> for T {}
            impl<T: ?Sized + std::fmt::Debug> AmbiguousIfDebug<u8> for T {}
            let _ = <$t as AmbiguousIfDebug<_>>::some_item;
        };
    };
}

assert_not_debug!(crate::accounts::AddAccount);
