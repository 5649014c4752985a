//! `loova accounts …` and `loova balance`.

use crate::context::{accounts, runtime};
use crate::format::thousands;
use crate::{price_list, print_json, Done, Failure};
use clap::Subcommand;
use loova_core::accounts::{AccountError, AccountView, AddAccount};
use loova_core::secret::Sensitive;
use std::io::Read;

#[derive(Subcommand)]
pub enum AccountsCommand {
    /// Add an account; the key is checked with Loova, then kept in the OS keychain.
    Add {
        #[arg(long)]
        name: String,
        /// The API base URL (default: Loova's production API).
        #[arg(long)]
        base_url: Option<String>,
        /// Read the API key from standard input (so it stays out of your shell history).
        #[arg(long, conflicts_with = "from_env")]
        key_stdin: bool,
        /// Take the key from the LOOVA_API_KEY environment variable.
        #[arg(long)]
        from_env: bool,
        /// Save even if Loova cannot be reached to check the key now.
        #[arg(long)]
        unverified: bool,
    },
    /// List accounts with their balances as last read.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove an account and its key from the keychain.
    Remove { name: String },
    /// Rename an account.
    Rename { name: String, new_name: String },
    /// Stop sending this account's waiting jobs (running ones are still followed and saved).
    Pause { name: String },
    /// Send this account's waiting jobs again: after a pause, or after topping up credits.
    Resume { name: String },
    /// Replace an account's key (checked before the old one is overwritten).
    SetKey {
        name: String,
        #[arg(long, required = true)]
        key_stdin: bool,
    },
    /// Run at most N of this account's tasks at once (below Loova's limit), or --clear to use Loova's.
    Limit {
        name: String,
        #[arg(required_unless_present = "clear", conflicts_with = "clear")]
        tasks: Option<i64>,
        #[arg(long)]
        clear: bool,
    },
    /// When this account is out of API credits or over its budget, send its waiting jobs to another (--to NAME), or --off.
    Overflow {
        name: String,
        #[arg(long, required_unless_present = "off", conflicts_with = "off")]
        to: Option<String>,
        #[arg(long)]
        off: bool,
    },
    /// Record the App Credits the Loova app shows (no API reports them).
    SetAppCredits { name: String, amount: i64 },
    /// Create the Sandbox account: a built-in simulator with 10,000 play credits.
    Sandbox,
    /// Reset the Sandbox to 10,000 play credits and no tasks.
    ResetSandbox,
}

pub fn run(cmd: AccountsCommand) -> Done {
    let accounts = accounts().map_err(Failure::failed)?;
    let rt = runtime();
    let result: Result<(), AccountError> = rt.block_on(async {
        match cmd {
            AccountsCommand::Add { name, base_url, key_stdin, from_env, unverified } => {
                let view = if from_env {
                    accounts.import_env_key(&name, base_url, unverified).await?
                } else if key_stdin {
                    let key = read_key()?;
                    accounts.add(AddAccount { name, base_url, key, save_unverified: unverified }).await?
                } else {
                    return Err(AccountError::Invalid { field: "key", message: "Pass --key-stdin (and pipe the key in) or --from-env.".into() });
                };
                let verified = if view.verified { "key verified" } else { "not verified yet" };
                println!("Added \"{}\" ({}, {verified}).", view.name, view.key_hint);
                print_card(&view);
            }
            AccountsCommand::List { json } => {
                let list = accounts.list()?;
                if json {
                    print_json(&list);
                } else if list.is_empty() {
                    println!("No accounts yet. Add one with `loova accounts add --name NAME --key-stdin`, or try `loova accounts sandbox`.");
                } else {
                    list.iter().for_each(print_card);
                }
            }
            AccountsCommand::Remove { name } => {
                let id = accounts.find(&name)?.id;
                let removed = accounts.remove(&id).await?;
                println!("Removed \"{}\".", removed.name);
                if let Some(w) = removed.keychain_warning {
                    eprintln!("warning: {w}");
                }
            }
            AccountsCommand::Pause { name } => {
                let id = accounts.find(&name)?.id;
                let view = accounts.set_paused(&id, true)?;
                println!(
                    "Paused \"{}\": waiting jobs stay queued; running ones are still followed. Resume with: loova accounts resume \"{}\"",
                    view.name, view.name
                );
            }
            AccountsCommand::Resume { name } => {
                let id = accounts.find(&name)?.id;
                let view = accounts.set_paused(&id, false)?;
                println!("Resumed \"{}\": its waiting jobs are sent by the app or `loova run`.", view.name);
            }
            AccountsCommand::Rename { name, new_name } => {
                let id = accounts.find(&name)?.id;
                let view = accounts.rename(&id, &new_name)?;
                println!("Renamed to \"{}\".", view.name);
            }
            AccountsCommand::SetKey { name, .. } => {
                let id = accounts.find(&name)?.id;
                let view = accounts.replace_key(&id, read_key()?).await?;
                println!("Key replaced for \"{}\" ({}).", view.name, view.key_hint);
            }
            AccountsCommand::Limit { name, tasks, clear } => {
                let id = accounts.find(&name)?.id;
                let list = price_list().list.concurrency_limit;
                let view = accounts.set_concurrency_limit(&id, if clear { None } else { tasks })?;
                let row = accounts.db().account(&id)?.and_then(|r| r.concurrency_limit);
                let limit = loova_core::pricing::limit::effective_limit(list, row);
                println!("\"{}\" runs at most {limit} tasks at once (Loova's limit: {list}).", view.name);
            }
            AccountsCommand::Overflow { name, to, off } => {
                let id = accounts.find(&name)?.id;
                let view = accounts.set_overflow(&id, if off { None } else { to.as_deref() })?;
                match view.overflow_to_name {
                    Some(to) => println!(
                        "When \"{}\" is out of API credits or over its budget, its waiting jobs go to \"{to}\" (under {to}'s own budget and limit). Turn off with: loova accounts overflow \"{}\" --off",
                        view.name, view.name
                    ),
                    None => println!("Overflow is off for \"{}\": its waiting jobs stay on it.", view.name),
                }
            }
            AccountsCommand::SetAppCredits { name, amount } => {
                let id = accounts.find(&name)?.id;
                let view = accounts.set_app_credits(&id, amount, None)?;
                println!("Recorded {} App Credits for \"{}\" as of today.", thousands(amount.max(0) as u64), view.name);
            }
            AccountsCommand::Sandbox => {
                let view = accounts.create_sandbox().await?;
                println!("Sandbox ready: \"{}\" with play credits on the built-in simulator.", view.name);
                print_card(&view);
            }
            AccountsCommand::ResetSandbox => {
                let id = accounts.list()?.into_iter().find(|a| a.sandbox).ok_or_else(|| AccountError::NotFound("Sandbox".into()))?.id;
                let view = accounts.reset_sandbox(&id).await?;
                print_card(&view);
            }
        }
        Ok(())
    });
    finish(result)
}

/// `loova balance [NAME] [--json]`: reads the API balance now, then shows both pools.
pub fn balance(name: Option<String>, json: bool) -> Done {
    let accounts = accounts().map_err(Failure::failed)?;
    let result = runtime().block_on(async {
        let list = match &name {
            Some(n) => {
                let id = accounts.find(n)?.id;
                vec![accounts.refresh_balance(&id).await?]
            }
            None => accounts.refresh_all().await?,
        };
        if json {
            print_json(&list);
        } else {
            list.iter().for_each(print_card);
            if name.is_none() && list.len() > 1 {
                let t = loova_core::accounts::totals(&list);
                println!(
                    "All accounts: App Credits {} | API Credits {} available of {}",
                    thousands(t.app_credits as u64),
                    thousands(t.api_available_credits as u64),
                    thousands(t.api_total_credits as u64)
                );
            }
        }
        // A balance that could not be read is a service error (exit 1).
        match list.iter().find(|a| a.balance_error.is_some()) {
            Some(a) => Err(AccountError::Unreachable(format!("could not read the balance of \"{}\" (the reason is above).", a.name))),
            None => Ok(()),
        }
    });
    finish(result)
}

fn read_key() -> Result<Sensitive, AccountError> {
    // The read buffer is wiped when it goes: only the `Sensitive` remains.
    let mut buf = loova_core::secret::Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut buf)
        .map_err(|e| AccountError::Invalid { field: "key", message: format!("could not read the key from standard input: {e}") })?;
    Ok(Sensitive::new(buf.trim()))
}

fn print_card(a: &AccountView) {
    let sandbox = if a.sandbox { " [SANDBOX]" } else { "" };
    let state = serde_json::to_value(a.state).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    println!("{}{sandbox}  {}  {}  {state}", a.name, a.key_hint, a.base_url);
    let api = match (a.api_available_credits, a.api_total_credits) {
        (Some(av), Some(total)) => format!("{} available of {}", thousands(av.max(0) as u64), thousands(total.max(0) as u64)),
        _ => "not read yet".into(),
    };
    let app = match a.app_credits {
        Some(n) => format!(
            "{} ({})",
            thousands(n.max(0) as u64),
            if a.app_credits_source == Some(loova_core::store::AppCreditsSource::Service) { "from Loova" } else { "entered by you" }
        ),
        None => "unknown — `loova accounts set-app-credits`".into(),
    };
    println!("  App Credits: {app}  |  API Credits: {api}");
    if let Some(err) = &a.balance_error {
        println!("  last refresh failed: {err}");
    }
    if let Some(to) = &a.overflow_to_name {
        println!("  overflow: waiting jobs go to \"{to}\" when this account runs dry");
    }
    if let Some(st) = &a.studio {
        println!("  slots shared with studio \"{}\" as {} ({}) — `loova studio status`", st.studio_account, st.computer, st.url_display);
    }
}

fn finish(result: Result<(), AccountError>) -> Done {
    match result {
        Ok(()) => Ok(()),
        Err(e) => Err(Failure::from(e)),
    }
}
