//! Alerts before the money runs out: 80 % and 100 % of a daily or monthly
//! cap (once per period), and a low balance per account ("API Credits below
//! N", or below what the waiting jobs need) with the pack advisor's cheapest
//! top-up. `alerts_sent` makes each one go out once, across restarts.

use super::budget;
use super::zone::{Period, Zone};
use crate::pricing::{packs::advise_packs, PriceList};
use crate::store::{AlertKind, Db, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub account_id: String,
    pub kind: AlertKind,
    pub title: String,
    pub body: String,
}

/// After a charge: the caps it brought to 80 % or 100 %.
pub fn after_charge(db: &Db, account_id: &str, zone: Zone, now: i64) -> Result<Vec<Alert>, StoreError> {
    let s = budget::status(db, account_id, zone, now)?;
    let name = db.account(account_id)?.map_or(account_id.to_string(), |a| a.name);
    let mut out = Vec::new();
    let caps = [
        (Period::Day, s.daily, s.spent_today, AlertKind::Daily80, AlertKind::Daily100),
        (Period::Month, s.monthly, s.spent_this_month, AlertKind::Monthly80, AlertKind::Monthly100),
    ];
    for (period, cap, spent, at80, at100) in caps {
        let Some(cap) = cap.filter(|c| *c > 0) else { continue };
        let key = zone.span(period, now).key;
        let (whose, when) = match period {
            Period::Day => ("today's", "after midnight"),
            Period::Month => ("this month's", "on the 1st"),
        };
        // Integer percent: spent × 100 ≥ cap × 80, exact.
        let kind = if spent >= cap {
            at100
        } else if spent * 100 >= cap * 80 {
            at80
        } else {
            continue;
        };
        if !db.mark_alert_sent(account_id, kind, &key)? {
            continue;
        }
        let (title, body) = if kind == at100 {
            (
                format!("{name} used {whose} budget"),
                format!("{spent} of {cap} credits charged. Its queue waits until the budget resets {when}, or raise the budget."),
            )
        } else {
            (format!("{name} used 80 % of {whose} budget"), format!("{spent} of {cap} credits charged."))
        };
        out.push(Alert { account_id: account_id.to_string(), kind, title, body });
    }
    Ok(out)
}

/// After an API balance read: below the account's threshold, or below what
/// its waiting jobs need. Sent once until the balance recovers.
pub fn after_balance(db: &Db, list: &PriceList, account_id: &str) -> Result<Option<Alert>, StoreError> {
    let Some(account) = db.account(account_id)? else { return Ok(None) };
    let Some(available) = account.api_available_credits else { return Ok(None) };
    let below = db.budget(account_id)?.below;
    let (need, _, _) = db.reserved(account_id)?;
    let under_threshold = below.filter(|b| available < *b);
    let short = (need > available).then_some(need);
    if under_threshold.is_none() && short.is_none() {
        db.clear_alert(account_id, AlertKind::LowBalance)?;
        return Ok(None);
    }
    if !db.mark_alert_sent(account_id, AlertKind::LowBalance, "low")? {
        return Ok(None);
    }
    let target = under_threshold.unwrap_or(0).max(short.unwrap_or(0));
    let advice = advise_packs(list, (target - available).max(1) as u64);
    let packs: Vec<String> = advice.packs.iter().map(|p| format!("{} × {} credits", p.count, p.credits)).collect();
    let top_up = format!("Cheapest top-up: {} (${}, {} credits).", packs.join(" + "), advice.usd, advice.credits);
    let name = &account.name;
    let title = match under_threshold {
        Some(n) => format!("{name}: API Credits below {n}"),
        None => format!("{name}: API Credits below what the waiting jobs need"),
    };
    let body = match short {
        Some(need) => format!("{available} API credits left; the waiting jobs need {need}. {top_up}"),
        None => format!("{available} API credits left. {top_up}"),
    };
    Ok(Some(Alert { account_id: account_id.to_string(), kind: AlertKind::LowBalance, title, body }))
}
