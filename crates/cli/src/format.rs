//! Numbers as a person reads them.

use rust_decimal::Decimal;

/// 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// 1624.00 → "$1,624.00".
pub fn usd(d: Decimal) -> String {
    let cents = d.round_dp(2);
    let whole = cents.trunc();
    let frac = ((cents - whole) * Decimal::from(100)).abs();
    let whole: u64 = whole.try_into().unwrap_or(0);
    format!("${}.{:02}", thousands(whole), u64::try_from(frac).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(usd(Decimal::from_str("1624").unwrap()), "$1,624.00");
        assert_eq!(usd(Decimal::from_str("7.68").unwrap()), "$7.68");
        assert_eq!(usd(Decimal::from_str("0.03").unwrap()), "$0.03");
    }
}
