//! API keys in memory. A key leaves the keychain only into an `Authorization`
//! header: this type cannot be printed, serialized or compared by accident.

use std::fmt;

/// A secret string. `Debug` and `Display` print `<redacted>`; there is no
/// `Serialize`; the only ways out are `expose` (for the header) and `hint`.
#[derive(Clone)]
pub struct Sensitive(String);

impl Sensitive {
    pub fn new(secret: impl Into<String>) -> Sensitive {
        Sensitive(secret.into())
    }

    /// The secret itself. Call only to build an `Authorization` header or to
    /// hand it to the keychain.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The last 4 characters, the only part a person is ever shown.
    pub fn last4(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        chars[chars.len().saturating_sub(4)..].iter().collect()
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

impl Drop for Sensitive {
    fn drop(&mut self) {
        // Best effort: overwrite the bytes before the allocation is freed.
        // SAFETY: writing zeros keeps the String valid UTF-8.
        unsafe { self.0.as_bytes_mut().fill(0) };
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
