//! `loova budget ACCOUNT [--daily N] [--monthly N] [--clear]` and `loova
//! alert ACCOUNT --below N | --clear`: the caps the queue obeys and the
//! low-balance threshold, per account (loova-core's `spending`).

use crate::{print_json, Done, Failure, Msg};
use loova_core::spending::{budget_status, Zone};
use loova_core::store::Db;
use loova_core::ErrorCode;

#[derive(clap::Args)]
pub struct BudgetArgs {
    /// The account (its name).
    account: String,
    /// Credits per local day.
    #[arg(long, conflicts_with = "clear")]
    daily: Option<i64>,
    /// Credits per calendar month.
    #[arg(long, conflicts_with = "clear")]
    monthly: Option<i64>,
    /// Remove both caps.
    #[arg(long)]
    clear: bool,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct AlertArgs {
    /// The account (its name).
    account: String,
    /// Alert when API Credits fall below this many.
    #[arg(long, conflicts_with = "clear", required_unless_present = "clear")]
    below: Option<i64>,
    #[arg(long)]
    clear: bool,
}

/// The id of the account with this name (or id), or the error already printed.
pub fn account_id(db: &Db, name: &str) -> Result<String, Failure> {
    db.find_account(name)
        .map_err(Failure::failed)?
        .map(|a| a.id)
        .ok_or_else(|| Failure::new(Msg(ErrorCode::AccountNotFound, format!("No account is named \"{name}\" (see `loova accounts list`).")), true))
}

fn open() -> Result<Db, Failure> {
    Db::open_in(&loova_core::paths::data_dir()).map_err(Failure::failed)
}

fn negative(flag: &str) -> Done {
    Err(Failure::new(Msg(ErrorCode::InvalidInput, format!("{flag} must be 0 or more credits.")), true))
}

pub fn budget(args: BudgetArgs) -> Done {
    let db = open()?;
    let id = account_id(&db, &args.account)?;
    let current = db.budget(&id).map_err(Failure::failed)?;
    let changed = if args.clear {
        Some((None, None))
    } else if args.daily.is_some() || args.monthly.is_some() {
        Some((args.daily.or(current.daily), args.monthly.or(current.monthly)))
    } else {
        None
    };
    if let Some((daily, monthly)) = changed {
        if let Err(e) = loova_core::spending::caps::set_caps(&db, &id, daily, monthly) {
            return Err(Failure::from(e));
        }
    }
    let s = budget_status(&db, &id, Zone::Local, loova_core::store::now_ms()).map_err(Failure::failed)?;
    if args.json {
        print_json(&s);
        return Ok(());
    }
    let cap = |c: Option<i64>, spent: i64, left: Option<i64>| match (c, left) {
        (Some(c), Some(l)) => format!("{c} credits ({spent} charged, {l} left)"),
        _ => format!("none ({spent} charged)"),
    };
    println!("{}: today {}; this month {}", args.account, cap(s.daily, s.spent_today, s.left_today), cap(s.monthly, s.spent_this_month, s.left_this_month));
    if s.in_flight > 0 {
        println!("{} credits are reserved by jobs in flight.", s.in_flight);
    }
    Ok(())
}

pub fn alert(args: AlertArgs) -> Done {
    let db = open()?;
    let id = account_id(&db, &args.account)?;
    if args.below.is_some_and(|n| n < 0) {
        return negative("--below");
    }
    let below = if args.clear { None } else { args.below };
    if let Err(e) = db.set_alert_below(&id, below) {
        return Err(Failure::failed(e));
    }
    match below {
        Some(n) => println!("{}: an alert when API Credits fall below {n} (and when they are below what the waiting jobs need).", args.account),
        None => println!("{}: no low-balance threshold (an alert still comes when API Credits are below what the waiting jobs need).", args.account),
    }
    Ok(())
}
