//! `loova preview --file`, `loova enqueue --file`, `loova batches`,
//! `loova price-per-credit`. Errors go to stderr as `FILE:LINE: column: message`.

use crate::context::open;
use crate::format::{thousands, usd};
use crate::{price_list, print_json, Done, Failure};
use loova_core::batch::{self, BatchFile, BatchPreview, RowError};
use loova_core::store::Db;
use std::path::Path;

fn print_errors(file: &Path, errors: &[RowError]) {
    let f = file.display().to_string();
    for e in errors {
        eprintln!("{}", e.located(&f));
    }
}

fn load(path: &Path, prices: &loova_core::LoadedPriceList) -> Result<BatchFile, Failure> {
    batch::load_batch(path, prices)
        .map_err(|e| Failure::new(crate::Msg(loova_core::ErrorCode::BatchUnreadable, format!("cannot read {}: {e}", path.display())), true))
}

pub fn preview(path: &Path, account: Option<&str>, json: bool) -> Done {
    let prices = price_list();
    let mut file = load(path, &prices)?;
    let (acc, balance, ppc) = account_side(account)?;
    if let Some(acc) = &acc {
        file.check_account(&acc.name, &acc.id);
    }
    let result = batch::batch_preview(&file, &prices, balance.as_ref(), ppc);
    if json {
        print_json(&result);
    } else {
        print_human(&result);
    }
    let errors = file.errors();
    if errors.is_empty() {
        return Ok(());
    }
    print_errors(path, &errors);
    if file.file_errors.is_empty() {
        eprintln!(
            "{} of {} rows have errors (lines {}). Fix them and preview again, or queue only the valid rows with `loova enqueue --file … --only-valid`.",
            result.invalid_rows,
            result.rows,
            lines(&result.invalid_lines)
        );
    }
    Err(Failure::reported(true))
}

type AccountSide = (Option<loova_core::accounts::AccountView>, Option<batch::AccountBalance>, Option<rust_decimal::Decimal>);

/// The account a preview is checked against (with its balance) and the
/// person's price per credit. The database is only needed for the account
/// and the price per credit; without an account a preview works even if it
/// cannot be opened.
fn account_side(account: Option<&str>) -> Result<AccountSide, Failure> {
    match account {
        Some(name) => {
            let (db, accounts) = open().map_err(Failure::failed)?;
            let acc = accounts.find(name)?;
            let balance = batch::account_balance(&db, &acc).map_err(Failure::failed)?;
            Ok((Some(acc), Some(balance), batch::price_per_credit(&db).ok().flatten()))
        }
        None => {
            let ppc = Db::open_in(&loova_core::paths::data_dir()).ok().and_then(|db| batch::price_per_credit(&db).ok().flatten());
            Ok((None, None, ppc))
        }
    }
}

/// `account_side` for a variation set (it has no `account` cells to check).
pub fn balance_and_price(account: Option<&str>) -> Result<(Option<batch::AccountBalance>, Option<rust_decimal::Decimal>), Failure> {
    account_side(account).map(|(_, b, p)| (b, p))
}

fn lines(ls: &[u64]) -> String {
    ls.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
}

pub fn print_human(p: &BatchPreview) {
    println!("{} rows: {} valid, {} with errors", p.rows, p.valid_rows, p.invalid_rows);
    println!("Total for the valid rows: {} credits ({} s of video)", thousands(p.total_credits), thousands(p.total_seconds));
    for b in &p.breakdown {
        let r = if b.video_reference { "with video reference" } else { "no video reference" };
        println!(
            "  {:<18} {:<21} {:>6} jobs {:>8} s × {} credits/s = {:>10} credits",
            b.model_name,
            r,
            b.count,
            thousands(b.seconds),
            b.credits_per_second,
            thousands(b.credits)
        );
    }
    match (p.dollars.price_per_credit, p.dollars.usd) {
        (Some(ppc), Some(d)) => println!("{} at your price of ${ppc} per credit", usd(d)),
        _ => println!(
            "{} – {} depending on the API credit pack (set your own price with `loova price-per-credit`)",
            usd(p.dollars.usd_min),
            usd(p.dollars.usd_max)
        ),
    }
    if let Some(b) = &p.balance {
        println!("Account {}:", b.account_name);
        match b.api_available_credits {
            Some(av) => println!("  API Credits available: {}", signed(av)),
            None => println!("  API Credits available: unknown (run `loova balance {}`)", b.account_name),
        }
        println!("  Reserved by {} queued or in-flight job(s): {}", b.reserved_jobs, thousands(b.reserved_credits));
        if let Some(after) = b.balance_after {
            println!("  Balance after this batch: {}", signed(after));
        }
        match b.shortfall {
            Some(0) => println!("  Enough API Credits for this batch."),
            Some(s) => {
                println!("  Shortfall: {} credits", thousands(s));
                if let Some(a) = &b.pack_advice {
                    let packs: Vec<String> = a.packs.iter().map(|p| format!("{} × {} credits", p.count, thousands(p.credits))).collect();
                    println!("  Cheapest cover: {} = {} credits for {}", packs.join(" + "), thousands(a.credits), usd(a.usd));
                }
                if let Some(n) = &b.app_credits_note {
                    println!("  {n}");
                }
            }
            None => println!("  Shortfall: unknown until the balance is read."),
        }
        println!("  ({})", b.reserved_rule);
    }
    println!("{}", p.pool_note);
    println!("Price list of {}: {}", p.price_list.effective_date, p.price_list.source);
}

fn signed(n: i64) -> String {
    if n < 0 {
        format!("-{}", thousands(n.unsigned_abs()))
    } else {
        thousands(n as u64)
    }
}

pub fn enqueue(path: &Path, account: &str, name: Option<&str>, only_valid: bool, order: batch::QueueOrder, json: bool) -> Done {
    let prices = price_list();
    let mut file = load(path, &prices)?;
    let (db, accounts) = open().map_err(Failure::failed)?;
    let acc = accounts.find(account)?;
    if let Err(e) = batch::order::order_rows(&db, &acc.id, &mut file.rows, order) {
        return Err(Failure::failed(e));
    }
    match batch::enqueue_batch(&db, &acc.id, &file, name, only_valid, &prices) {
        Ok(summary) => {
            for l in &summary.left_out {
                print_errors(path, &l.errors);
            }
            if json {
                print_json(&summary);
            } else {
                println!(
                    "Queued batch \"{}\" ({}) on {}: {} jobs, about {} credits.",
                    summary.batch.name,
                    summary.batch.id,
                    acc.name,
                    summary.queued,
                    thousands(summary.total_credits)
                );
                if !summary.left_out.is_empty() {
                    let ls: Vec<u64> = summary.left_out.iter().map(|l| l.line).collect();
                    println!("Left out {} invalid row(s): lines {}.", ls.len(), lines(&ls));
                }
            }
            Ok(())
        }
        Err(e) => {
            print_errors(path, e.errors());
            Err(Failure::from(e))
        }
    }
}

pub fn batches(json: bool) -> Done {
    let (db, _) = open().map_err(Failure::failed)?;
    let list = batch::list_batches(&db).map_err(Failure::failed)?;
    if json {
        print_json(&list);
        return Ok(());
    }
    if list.is_empty() {
        println!("No batches.");
    }
    for b in &list {
        let p = &b.progress;
        println!(
            "{}  {:<24} {} jobs: {} done · {} running · {} waiting · {} failed · {} canceled · {} credits charged  ({})",
            b.id,
            b.name,
            p.total,
            p.done,
            p.running,
            p.waiting,
            p.failed,
            p.canceled,
            thousands(p.credits_charged),
            b.source_file
        );
    }
    Ok(())
}

pub fn price_per_credit(value: Option<String>, clear: bool) -> Done {
    let (db, _) = open().map_err(Failure::failed)?;
    let result = if clear {
        batch::set_price_per_credit(&db, None)
    } else if let Some(v) = &value {
        batch::set_price_per_credit(&db, Some(v))
    } else {
        batch::price_per_credit(&db).map_err(Into::into)
    };
    match result {
        Ok(Some(d)) => {
            println!("${d} per credit (batch previews show dollars at this price).");
            Ok(())
        }
        Ok(None) => {
            println!("Not set: batch previews show the range of the API credit packs. Set it with `loova price-per-credit 0.064`.");
            Ok(())
        }
        Err(e) => Err(Failure::from(e)),
    }
}
