//! `loova`: Loova Desk from a terminal. Every number comes from loova-core,
//! exactly as the desktop app shows it.

mod accounts;
mod batch;
mod context;
mod format;
mod job_flags;
mod jobs;
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
    /// Show what a job (or a batch file, --file) will cost. Exit code 2 when invalid.
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
    /// Add a job (or a batch file, --file) to an account's queue (the app or `loova run` submits it).
    Enqueue(jobs::EnqueueArgs),
    /// List jobs.
    Jobs(jobs::JobsArgs),
    /// Run the queue headless (when the Loova Desk app is closed).
    Run {
        /// Stop when nothing is left that can progress without you.
        #[arg(long)]
        until_idle: bool,
    },
    /// Queue a failed, invalid, expired or canceled job again (a new charge).
    Retry { id: i64 },
    /// Give up on a job whose outcome is unknown (it may still have been charged).
    Forget { id: i64 },
    /// Submit a job whose outcome is unknown again: it may be charged twice.
    Resubmit {
        id: i64,
        /// Yes, it may be charged twice.
        #[arg(long)]
        yes: bool,
    },
    /// Cancel a job that has not been sent yet.
    Cancel { id: i64 },
    /// Show, or set, the folder finished videos are saved in (one sub-folder per account).
    OutputDir { path: Option<std::path::PathBuf> },
    /// List batches with their progress.
    Batches {
        #[arg(long)]
        json: bool,
    },
    /// Show, set or clear your own price per API credit (dollars), used for batch previews.
    PricePerCredit {
        /// e.g. 0.064 (the pack you last bought).
        #[arg(conflicts_with = "clear")]
        value: Option<String>,
        /// Forget it: previews show the range of the packs.
        #[arg(long)]
        clear: bool,
    },
}

/// How a command ended: 0 ok, 1 a service/system error, 2 bad input.
pub enum Outcome {
    Ok,
    BadInput,
    Failed,
}

impl Outcome {
    /// Prints `error: …` and ends with 2 for bad input, else 1.
    pub fn error(e: &dyn std::fmt::Display, bad_input: bool) -> Outcome {
        eprintln!("error: {e}");
        if bad_input {
            Outcome::BadInput
        } else {
            Outcome::Failed
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Preview(args) => preview::run(args),
        Command::Packs(args) => packs::run(args),
        Command::Prices(cmd) => prices::run(cmd),
        Command::Accounts(cmd) => accounts::run(cmd),
        Command::Balance { name, json } => accounts::balance(name, json),
        Command::Enqueue(args) => jobs::enqueue(args),
        Command::Jobs(args) => jobs::list(args),
        Command::Run { until_idle } => jobs::run(until_idle),
        Command::Retry { id } => jobs::action(id, "retry"),
        Command::Forget { id } => jobs::action(id, "forget"),
        Command::Resubmit { id, yes } => jobs::resubmit(id, yes),
        Command::Cancel { id } => jobs::action(id, "cancel"),
        Command::OutputDir { path } => output_dir(path),
        Command::Batches { json } => batch::batches(json),
        Command::PricePerCredit { value, clear } => batch::price_per_credit(value, clear),
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

/// Local file arguments as absolute paths (a queued job must not depend on
/// the directory `loova` ran in).
fn absolute_paths(paths: &[std::path::PathBuf]) -> Vec<String> {
    paths.iter().map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()).display().to_string()).collect()
}

fn print_json(value: &impl serde::Serialize) {
    println!("{}", serde_json::to_string_pretty(value).expect("our types serialize"));
}

fn output_dir(path: Option<std::path::PathBuf>) -> Outcome {
    let db = match loova_core::store::Db::open_in(&loova_core::paths::data_dir()) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("error: {e}");
            return Outcome::Failed;
        }
    };
    if let Some(path) = path {
        let Ok(path) = std::path::absolute(&path) else {
            eprintln!("error: output_dir: cannot resolve {}; give a full folder path.", path.display());
            return Outcome::BadInput;
        };
        if let Err(e) = std::fs::create_dir_all(&path) {
            eprintln!("error: output_dir: cannot use {}: {e}. Choose a folder you can write to.", path.display());
            return Outcome::BadInput;
        }
        if let Err(e) = db.set_setting(loova_core::engine::OUTPUT_DIR_SETTING, &path.display().to_string()) {
            eprintln!("error: {e}");
            return Outcome::Failed;
        }
    }
    println!("{}", loova_core::engine::output_root(&db).display());
    Outcome::Ok
}
