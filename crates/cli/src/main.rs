//! `loova`: Loova Desk from a terminal. Every number comes from loova-core,
//! exactly as the desktop app shows it.

mod accounts;
mod context;
mod format;
mod packs;
mod preview;
mod prices;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "loova", version, about = "Price, queue and watch Seedance 2.0 jobs on the Loova API")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show what a job will cost, offline. Exit code 2 when the job is invalid.
    Preview(preview::PreviewArgs),
    /// The cheapest API credit packs that cover a number of credits.
    Packs(packs::PacksArgs),
    /// Add, list, rename, remove accounts; record App Credits; the Sandbox.
    #[command(subcommand)]
    Accounts(accounts::AccountsCommand),
    /// Read API Credits now and show both pools, per account.
    Balance {
        /// One account (default: all).
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show or replace the price list used for every preview.
    #[command(subcommand)]
    Prices(prices::PricesCommand),
}

/// How a command ended: 0 ok, 1 a service/system error, 2 bad input.
pub enum Outcome {
    Ok,
    BadInput,
    Failed,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Preview(args) => preview::run(args),
        Command::Packs(args) => packs::run(args),
        Command::Prices(cmd) => prices::run(cmd),
        Command::Accounts(cmd) => accounts::run(cmd),
        Command::Balance { name, json } => accounts::balance(name, json),
    };
    match outcome {
        Outcome::Ok => ExitCode::SUCCESS,
        Outcome::Failed => ExitCode::from(1),
        Outcome::BadInput => ExitCode::from(2),
    }
}

/// The price list for this data directory, with its warning (if any) on stderr.
fn price_list() -> loova_core::LoadedPriceList {
    let loaded = loova_core::load_price_list(&loova_core::paths::data_dir());
    if let Some(w) = &loaded.warning {
        eprintln!("warning: {w}");
    }
    loaded
}

fn print_json(value: &impl serde::Serialize) {
    println!("{}", serde_json::to_string_pretty(value).expect("our types serialize"));
}
