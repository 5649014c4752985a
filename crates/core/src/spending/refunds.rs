//! Whether a failed task's credits came back. Loova does not document
//! refunds, so the balance is the only witness: when, between two API
//! balance reads, the balance rose by exactly the charges of recently failed
//! tasks — beyond the new charges recorded in between — and the account's
//! total did not change (a top-up raises it), those charges are refunded.
//! Anything else leaves "not known whether refunded".

use crate::store::{Db, StoreError};

/// Records a successful read of the API balance, then checks whether it
/// shows a failed task's credits back: the one way a balance is recorded.
pub fn record_balance(db: &Db, account_id: &str, available: i64, total: i64, app: Option<i64>) -> Result<(), StoreError> {
    db.record_balance(account_id, available, total, app)?;
    after_read(db, account_id)
}

/// A failed charge is matched against this many balance reads after the
/// failure, then stays "not known".
pub const READS_TO_MATCH: i64 = 5;

/// Which of the candidate charges (oldest first, `(id, credits)`) the
/// unexplained rise covers exactly, preferring the oldest; none when no set
/// of them adds up to it. At most the first 16 candidates are tried.
pub fn explained_by(rise: i64, candidates: &[(i64, i64)]) -> Vec<i64> {
    fn search(rise: i64, c: &[(i64, i64)], picked: &mut Vec<i64>) -> bool {
        if rise == 0 {
            return true;
        }
        let Some(((id, credits), rest)) = c.split_first() else {
            return false;
        };
        if *credits > 0 && *credits <= rise {
            picked.push(*id);
            if search(rise - credits, rest, picked) {
                return true;
            }
            picked.pop();
        }
        search(rise, rest, picked)
    }
    let mut picked = Vec::new();
    if rise > 0 && search(rise, &candidates[..candidates.len().min(16)], &mut picked) {
        picked
    } else {
        Vec::new()
    }
}

/// After an API balance read is stored. The window starts at the last read
/// before the oldest candidate was charged, so a refund the balance showed
/// before the engine learned of the failure still counts: over the window,
/// available − the start's + what was charged − refunds already known must
/// be exactly some of the candidates.
pub(crate) fn after_read(db: &Db, account_id: &str) -> Result<(), StoreError> {
    let candidates = db.refund_candidates(account_id, READS_TO_MATCH)?;
    let Some(oldest) = candidates.iter().map(|c| c.2).min() else {
        return Ok(());
    };
    let (Some((now_at, now_available, now_total)), Some((base_at, base_available, base_total))) =
        (db.api_read_before(account_id, i64::MAX)?, db.api_read_before(account_id, oldest)?)
    else {
        return Ok(());
    };
    // A top-up raises the total; a create on its way may be in the balance
    // already but not in the charges: either would look like a refund.
    if now_total != base_total || db.creates_in_flight(account_id)? {
        return Ok(());
    }
    let charged = db.charged_between_reads(account_id, base_at, now_at)?;
    let rise = now_available - base_available + charged - db.refunded_since(account_id, base_at)?;
    let pairs: Vec<(i64, i64)> = candidates.iter().map(|c| (c.0, c.1)).collect();
    db.mark_refunded(&explained_by(rise, &pairs))
}

#[cfg(test)]
mod tests {
    use super::explained_by;

    #[test]
    fn only_an_exact_rise_is_a_refund() {
        let c = [(1, 75), (2, 50), (3, 75)];
        assert_eq!(explained_by(75, &c), vec![1]);
        assert_eq!(explained_by(125, &c), vec![1, 2]);
        assert_eq!(explained_by(150, &c), vec![1, 3]);
        assert_eq!(explained_by(100, &c), Vec::<i64>::new(), "a rise no run of failures explains");
        assert_eq!(explained_by(0, &c), Vec::<i64>::new());
        assert_eq!(explained_by(-75, &c), Vec::<i64>::new());
    }
}
