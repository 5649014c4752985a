//! How many of an account's tasks may run at once: the price list's limit
//! (Loova's 6 per user), or the person's own lower limit. One rule for the
//! scheduler, the queue overview, batch forecasts and the studio.

/// The account's limit. A person's limit of 0 or below, or none, means "no
/// limit of my own" (never "send nothing": pausing the account does that),
/// and a person's limit above the list's cannot raise it.
pub fn effective_limit(list: u32, own: Option<i64>) -> i64 {
    let list = i64::from(list.max(1));
    own.filter(|l| *l > 0).map_or(list, |o| o.min(list))
}

#[cfg(test)]
mod tests {
    use super::effective_limit;

    #[test]
    fn the_smaller_of_the_list_and_the_persons_own_limit() {
        assert_eq!(effective_limit(6, None), 6);
        assert_eq!(effective_limit(6, Some(2)), 2);
        assert_eq!(effective_limit(6, Some(9)), 6, "cannot raise Loova's limit");
        assert_eq!(effective_limit(6, Some(0)), 6, "0 is no limit of one's own, not zero slots");
        assert_eq!(effective_limit(6, Some(-3)), 6);
    }
}
