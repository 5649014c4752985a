//! `loova`: Loova Desk from a terminal. Every number comes from loova-core,
//! exactly as the desktop app shows it.
//!
//! A library so that one binary can be both: the `loova` binary of this
//! crate calls [`run`], and so does the app's `loova-desk --cli …` (the Linux
//! packages' `/usr/bin/loova`), which ships one copy of loova-core instead of
//! two (docs/ARCHITECTURE.md, "One binary").

mod accounts;
mod batch;
mod batch_retry;
mod budget;
mod context;
mod expand;
mod failure;
mod format;
mod job_flags;
mod jobs;
mod jobs_change;
mod library;
mod library_picks;
mod mcp;
mod notices;
mod packs;
mod preview;
mod prices;
mod settings;
mod studio;
mod usage;
mod variations;

use clap::{Parser, Subcommand};
use loova_core::engine::JobAction;
use loova_core::ErrorCode;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

pub use failure::{Done, Failure};

/// Set when the command was given `--json`: errors are then also printed
/// as JSON on stdout (`{"error": {"code", "message", "field"}}`).
static JSON: AtomicBool = AtomicBool::new(false);
/// A JSON document was printed: stdout holds one document, so an error
/// after it (already described in it) is not printed as a second one.
static JSON_PRINTED: AtomicBool = AtomicBool::new(false);

#[derive(Parser)]
#[command(
    name = "loova",
    version = loova_core::VERSION,
    about = "Price, queue and watch Seedance 2.0 jobs on the Loova API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show what a job (or a batch file, --file) will cost. Exit code 2 when invalid.
    Preview(preview::PreviewArgs),
    /// Write the jobs a prompt template makes ({a|b}, __wildcard__, --vary, --takes) as a CSV for `loova enqueue --file`.
    Expand(expand::ExpandArgs),
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
    /// List jobs; `jobs edit` and `jobs move` change one not sent yet.
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
    /// End a job whose task Loova has not finished in time as failed (after
    /// checking it on Loova). Nothing is sent.
    MarkFailed { id: i64 },
    /// Submit a job whose outcome is unknown again: it may be charged twice.
    Resubmit {
        id: i64,
        /// Yes, it may be charged twice.
        #[arg(long)]
        yes: bool,
    },
    /// A job whose outcome is unknown: "I found it on Loova". Follows that task
    /// (nothing is sent again) when it is on the job's account and matches the job.
    Attach {
        id: i64,
        /// The task id shown on Loova's dashboard.
        task_id: String,
    },
    /// Cancel a job that has not been sent yet.
    Cancel { id: i64 },
    /// Serve AI assistants over MCP (stdio): price, queue and watch jobs through this queue.
    Mcp(mcp::McpArgs),
    /// Show, or set, the folder finished videos are saved in (one sub-folder per account).
    OutputDir { path: Option<std::path::PathBuf> },
    /// A batch: `batch retry BATCH` queues its failures again.
    #[command(subcommand)]
    Batch(batch_retry::BatchCommand),
    /// List batches with their progress.
    Batches {
        #[arg(long)]
        json: bool,
    },
    /// List the saved videos with their recipes (search, filters); --rebuild reads a folder's sidecars back in.
    Library(library::LibraryArgs),
    /// Share an account's slots with the studio's other computers through PostgreSQL.
    #[command(subcommand)]
    Studio(studio::StudioCommand),
    /// Remote notices to ntfy, a webhook, Discord or Slack: add, list, test, remove; quiet hours.
    #[command(subcommand)]
    Notices(notices::NoticesCommand),
    /// Show or change a setting (the same as the app's Settings screen).
    Settings(settings::SettingsArgs),
    /// What was charged, by day, week, month, model, account or batch (local days).
    Usage(usage::UsageArgs),
    /// Show or set an account's daily and monthly caps in credits (the queue obeys them).
    Budget(budget::BudgetArgs),
    /// Alert when an account's API Credits fall below N (or --clear).
    Alert(budget::AlertArgs),
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

/// An error as the CLI reports it: a sentence, its code and whether it is
/// bad input; every error of loova-core has its `Coded` impl there.
pub use loova_core::Coded;

/// A failure the CLI itself finds (an argument), with its code.
pub struct Msg(pub ErrorCode, pub String);

impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.1)
    }
}

impl loova_core::Coded for Msg {
    fn code(&self) -> ErrorCode {
        self.0
    }
}

/// Runs one command. `args` are the words after the program's name (what
/// `std::env::args_os().skip(1)` gives); help and errors call it `loova`.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    // First, while this is the only thread: the key leaves the environment
    // so no process started from here inherits it.
    let _ = loova_core::accounts::take_env_key();
    let args: Vec<std::ffi::OsString> = args.into_iter().collect();
    JSON.store(args.iter().any(|a| a == "--json"), Ordering::Relaxed);
    // Before clap: its "unexpected argument" error would repeat a key.
    if args.first().is_some_and(|a| a == "mcp") {
        if let Some(refusal) = mcp::secrets::refuse_args(&args) {
            eprintln!("{refusal}");
            return ExitCode::from(2);
        }
    }
    let cli = Cli::parse_from(std::iter::once(std::ffi::OsString::from("loova")).chain(args));
    context::apply_settings();
    let outcome = match cli.command {
        Command::Preview(args) => preview::run(args),
        Command::Expand(args) => expand::run(args),
        Command::Packs(args) => packs::run(args),
        Command::Prices(cmd) => prices::run(cmd),
        Command::Accounts(cmd) => accounts::run(cmd),
        Command::Balance { name, json } => accounts::balance(name, json),
        Command::Enqueue(args) => jobs::enqueue(args),
        Command::Jobs(args) => match args.command {
            Some(command) => jobs_change::run(command),
            None => jobs::list(args),
        },
        Command::Run { until_idle } => jobs::run(until_idle),
        Command::Retry { id } => jobs::action(id, JobAction::Retry),
        Command::Forget { id } => jobs::action(id, JobAction::Forget),
        Command::MarkFailed { id } => jobs::action(id, JobAction::MarkFailed),
        Command::Resubmit { id, yes } => jobs::resubmit(id, yes),
        Command::Cancel { id } => jobs::action(id, JobAction::Cancel),
        Command::Attach { id, task_id } => jobs::attach(id, &task_id),
        Command::OutputDir { path } => output_dir(path),
        Command::Batches { json } => batch::batches(json),
        Command::Batch(command) => batch_retry::run(command),
        Command::Mcp(args) => mcp::run(args),
        Command::Library(args) => library::run(args),
        Command::Settings(args) => settings::run(args),
        Command::Notices(cmd) => notices::run(cmd),
        Command::Studio(cmd) => studio::run(cmd),
        Command::PricePerCredit { value, clear } => batch::price_per_credit(value, clear),
        Command::Usage(args) => usage::run(args),
        Command::Budget(args) => budget::budget(args),
        Command::Alert(args) => budget::alert(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
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
    JSON_PRINTED.store(true, Ordering::Relaxed);
    println!("{}", serde_json::to_string_pretty(value).expect("our types serialize"));
}

/// The same rule as the app's "Change" field (`loova_core::output_dir`): a
/// relative path is refused, with the full path to type instead.
fn output_dir(path: Option<std::path::PathBuf>) -> Done {
    let db = loova_core::store::Db::open_in(&loova_core::paths::data_dir()).map_err(Failure::failed)?;
    if let Some(path) = path {
        if let Err(e) = loova_core::output_dir::set_output_dir(&db, &path.to_string_lossy()) {
            let bad = e.is_bad_input();
            let outcome = Failure::new(e, bad);
            if let (true, Ok(here)) = (path.is_relative(), std::path::absolute(&path)) {
                eprintln!("From this folder that is: loova output-dir \"{}\"", here.display());
            }
            return Err(outcome);
        }
    }
    println!("{}", loova_core::output_dir::output_root(&db).display());
    Ok(())
}
