//! Setting an account's budget caps: the one check of a cap (whole credits,
//! 0 or more, at most 4,294,967,295), for the account card (text as typed)
//! and `loova budget` (numbers) alike; the low-balance alert's threshold is
//! read the same way.

use crate::store::{Db, StoreError};
use crate::ErrorCode;

/// The largest cap: more credits than any account holds.
pub const MAX_CAP: i64 = u32::MAX as i64;

#[derive(Debug, thiserror::Error)]
pub enum CapError {
    #[error("\"{value}\" is not a number of credits for {}. Write a whole number of credits, 0 or more (e.g. 300), or leave it empty for none.", what(field))]
    Bad { field: &'static str, value: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CapError {
    pub fn code(&self) -> ErrorCode {
        match self {
            CapError::Bad { .. } => ErrorCode::InvalidInput,
            CapError::Store(e) => e.code(),
        }
    }

    /// `daily` or `monthly`: the field of the form.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            CapError::Bad { field, .. } => Some(field),
            CapError::Store(_) => None,
        }
    }

    pub fn is_bad_input(&self) -> bool {
        matches!(self, CapError::Bad { .. })
    }
}

fn what(field: &str) -> &'static str {
    match field {
        "daily" => "the daily cap",
        "monthly" => "the monthly cap",
        "below" => "the low-balance alert",
        _ => "this field",
    }
}

fn check(field: &'static str, cap: Option<i64>) -> Result<Option<i64>, CapError> {
    match cap {
        Some(n) if !(0..=MAX_CAP).contains(&n) => Err(CapError::Bad { field, value: n.to_string() }),
        _ => Ok(cap),
    }
}

/// A cap as typed ("1,500", "300", empty for none).
pub fn parse_cap(field: &'static str, text: Option<&str>) -> Result<Option<i64>, CapError> {
    let typed = text.unwrap_or_default().trim();
    let digits = typed.replace([',', ' ', '_'], "");
    if digits.is_empty() {
        return Ok(None);
    }
    let n = digits.parse::<i64>().map_err(|_| CapError::Bad { field, value: typed.to_string() })?;
    check(field, Some(n))
}

/// Replaces the account's caps (`None`: no cap); the queue obeys them at once.
pub fn set_caps(db: &Db, account_id: &str, daily: Option<i64>, monthly: Option<i64>) -> Result<(), CapError> {
    let (daily, monthly) = (check("daily", daily)?, check("monthly", monthly)?);
    db.set_budget(account_id, daily, monthly)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cap_is_empty_or_whole_credits_within_range() {
        assert_eq!(parse_cap("daily", None).unwrap(), None);
        assert_eq!(parse_cap("daily", Some("  ")).unwrap(), None);
        assert_eq!(parse_cap("daily", Some("1,500")).unwrap(), Some(1500));
        assert_eq!(parse_cap("daily", Some("0")).unwrap(), Some(0));
        for bad in ["-5", "1.5", "lots", "99999999999"] {
            let e = parse_cap("monthly", Some(bad)).unwrap_err();
            assert_eq!((e.field(), e.code()), (Some("monthly"), ErrorCode::InvalidInput), "{bad}");
            assert!(e.to_string().contains(bad), "{e}");
        }
        assert!(check("daily", Some(-1)).is_err());
        assert!(check("daily", Some(MAX_CAP + 1)).is_err());
    }
}
