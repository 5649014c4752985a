//! `loova usage`: what was charged, grouped by local day, week, month,
//! model, account or batch; every figure is a sum of the recorded charges
//! (loova-core's `spending::usage`), so the totals equal the jobs' charges.

use crate::{print_json, Done, Failure, Msg};
use loova_core::spending::{self, GroupBy, UsageQuery, Zone};
use loova_core::store::Db;
use loova_core::ErrorCode;

#[derive(clap::Args)]
pub struct UsageArgs {
    /// Only this account (its name).
    #[arg(long)]
    account: Option<String>,
    /// First day, included (YYYY-MM-DD, local time).
    #[arg(long, value_name = "YYYY-MM-DD")]
    since: Option<String>,
    /// Last day, included (YYYY-MM-DD, local time).
    #[arg(long, value_name = "YYYY-MM-DD")]
    until: Option<String>,
    /// day, week (starting Monday), month, model, account or batch.
    #[arg(long, default_value = "day")]
    by: String,
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// A header row and one row per group.
    #[arg(long)]
    csv: bool,
}

pub fn run(args: UsageArgs) -> Done {
    let Some(by) = GroupBy::parse(&args.by) else {
        return Err(Failure::new(Msg(ErrorCode::InvalidInput, format!("--by {} is not known: use day, week, month, model, account or batch.", args.by)), true));
    };
    let db = Db::open_in(&loova_core::paths::data_dir()).map_err(Failure::failed)?;
    let account_id = args.account.as_deref().map(|name| crate::budget::account_id(&db, name)).transpose()?;
    let q = UsageQuery { account_id, since: args.since, until: args.until, by, ..Default::default() };
    let report = match spending::usage(&db, &q, Zone::Local) {
        Ok(r) => r,
        Err(e) => {
            let bad = e.code() == ErrorCode::InvalidInput;
            return Err(Failure::new(Msg(e.code(), e.to_string()), bad));
        }
    };
    if args.json {
        print_json(&report);
    } else if args.csv {
        // The same writer as the History screen's exports.
        let _ = spending::write_usage_csv(std::io::stdout(), &args.by, &report);
    } else {
        println!("{:<24} {:>10} {:>10} {:>6} {:>10}", args.by, "credits", "estimated", "jobs", "refunded");
        for g in &report.groups {
            let t = &g.totals;
            let key = if g.key.is_empty() { "(none)" } else { &g.key };
            println!("{key:<24} {:>10} {:>10} {:>6} {:>10}", t.credits, t.estimate_credits, t.jobs, t.refunded_credits);
        }
        let t = &report.total;
        println!("{:<24} {:>10} {:>10} {:>6} {:>10}", "total", t.credits, t.estimate_credits, t.jobs, t.refunded_credits);
        if t.differing > 0 {
            println!("{} charge(s) differ from their estimate.", t.differing);
        }
    }
    Ok(())
}
