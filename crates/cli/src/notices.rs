//! `loova notices …`: remote notices to ntfy, a webhook, Discord or Slack
//! (docs/user/notices.md). A target's address carries its secret (a
//! webhook's token, a private topic), so it is read from standard input,
//! never from the command line (shell history, `ps`), goes to the keychain,
//! and is never printed again: lists show the host only.

use crate::context::{open, runtime};
use crate::{print_json, Done, Failure, Msg};
use clap::Subcommand;
use loova_core::remote_notices::{self as rn, AddTarget, RemoteKind, TargetKind, TargetView};
use loova_core::secret::Sensitive;
use loova_core::ErrorCode;
use std::io::{BufRead, IsTerminal, Write};

#[derive(Subcommand)]
pub enum NoticesCommand {
    /// The targets, the kinds each receives and its last result (never the address).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a target. Its address is read from standard input (a private ntfy
    /// topic or a webhook URL is a secret): printf %s "$URL" | loova notices add Phone --kind ntfy
    Add {
        /// A name for it, e.g. "Phone" or "Team Slack".
        name: String,
        #[arg(long, value_parser = ["ntfy", "webhook", "discord", "slack"])]
        kind: String,
        /// Which notices: batch_finished, needs_person, budget, low_balance, studio_down, or all.
        #[arg(long, default_value = "all")]
        kinds: String,
        /// A second line of standard input is an access token (ntfy) or bearer token (webhook).
        #[arg(long)]
        token: bool,
        #[arg(long)]
        json: bool,
    },
    /// Send a test notice to NAME now and say whether it arrived.
    Test {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Change which notices NAME receives (e.g. batch_finished,needs_person; none for nothing).
    Kinds { name: String, kinds: String },
    /// Remove NAME and its address from the keychain.
    Remove { name: String },
    /// Show or set quiet hours (local time, e.g. 22:00-07:00), or `off`.
    Quiet { window: Option<String> },
}

pub fn run(cmd: NoticesCommand) -> Done {
    let (db, accounts) = open().map_err(Failure::failed)?;
    let vault = accounts.vault();
    runtime().block_on(async {
        match cmd {
            NoticesCommand::List { json } => {
                let all = rn::list(&db)?;
                if json {
                    print_json(&all);
                    return Ok(());
                }
                if all.targets.is_empty() {
                    println!("No remote notice target. Add one with: printf %s \"$URL\" | loova notices add NAME --kind ntfy|webhook|discord|slack");
                }
                let now = loova_core::store::now_ms();
                all.targets.iter().for_each(|t| println!("{}", line(t, now)));
                println!("Quiet hours: {}", all.quiet_hours.as_deref().unwrap_or("off"));
            }
            NoticesCommand::Add { name, kind, kinds, token, json } => {
                if name.contains("://") {
                    return Err(Failure::bad_input(Msg(
                        ErrorCode::InvalidInput,
                        "NAME looks like an address: an address is read from standard input, never the command line \
                             (shell history and `ps` show it). If it held a token, make a new webhook or topic."
                            .into(),
                    )));
                }
                let kind = TargetKind::parse(&kind).expect("clap checked it");
                let kinds = RemoteKind::parse_list(&kinds)?;
                let (url, token) = read_secrets(kind, token)?;
                let view = rn::add(&db, vault, AddTarget { name, kind, url, token, kinds: Some(kinds) }).await?;
                if json {
                    print_json(&view);
                } else {
                    println!("Added \"{}\" ({}, {}); its address is in the system keychain.", view.name, view.kind_label, view.host);
                    println!("Send a test: loova notices test \"{}\"", view.name);
                }
            }
            NoticesCommand::Test { name, json } => {
                let view = rn::send_test(&db, vault, &name).await?;
                if json {
                    print_json(&view);
                } else {
                    println!("Test notice delivered to \"{}\" ({}).", view.name, view.host);
                }
            }
            NoticesCommand::Kinds { name, kinds } => {
                let kinds = if kinds.trim() == "none" { Vec::new() } else { RemoteKind::parse_list(&kinds)? };
                let view = rn::set_kinds(&db, &name, &kinds)?;
                println!("{}", line(&view, loova_core::store::now_ms()));
            }
            NoticesCommand::Remove { name } => {
                rn::remove(&db, vault, &name).await?;
                println!("Removed \"{name}\" and its address from the keychain.");
            }
            NoticesCommand::Quiet { window } => {
                let q = match window {
                    Some(w) => rn::set_quiet_hours(&db, Some(&w))?,
                    None => rn::quiet_hours(&db)?,
                };
                match q {
                    Some(q) => println!("Quiet hours: {q} (local time). Notices wait and arrive as one digest when they end."),
                    None => println!("Quiet hours: off"),
                }
            }
        }
        Ok(())
    })
}

/// The address (first line) and, with `--token`, the token (second line).
fn read_secrets(kind: TargetKind, with_token: bool) -> Result<(Sensitive, Option<Sensitive>), Msg> {
    let stdin = std::io::stdin();
    let tty = stdin.is_terminal();
    let mut lines = stdin.lock();
    let mut read = |what: &str| -> Result<Sensitive, Msg> {
        if tty {
            eprint!("{what}: ");
            let _ = std::io::stderr().flush();
        }
        let mut buf = String::new();
        lines.read_line(&mut buf).map_err(|e| Msg(ErrorCode::InvalidInput, format!("could not read standard input: {e}")))?;
        Ok(Sensitive::new(buf.trim()))
    };
    let url = read(&format!("Address ({})", kind.url_help()))?;
    if url.is_blank() {
        return Err(Msg(
            ErrorCode::InvalidInput,
            format!("give the address on standard input: printf %s \"$URL\" | loova notices add NAME --kind {}", kind.as_str()),
        ));
    }
    let token = if with_token { Some(read("Token")?).filter(|t| !t.is_blank()) } else { None };
    Ok((url, token))
}

/// `Phone — ntfy topic at ntfy.sh: batch_finished, budget — delivered 3 min ago`.
fn line(t: &TargetView, now_ms: i64) -> String {
    let kinds = if t.kinds.is_empty() { "nothing".to_string() } else { RemoteKind::join(&t.kinds).replace(',', ", ") };
    let last = match (t.last_at_ms, t.last_ok, &t.last_error) {
        (Some(at), Some(true), _) => format!("delivered {}", ago(now_ms - at)),
        (Some(at), _, Some(e)) => format!("FAILED {}: {e}", ago(now_ms - at)),
        _ => "nothing sent yet".to_string(),
    };
    let waiting = if t.waiting > 0 { format!("; {} waiting", t.waiting) } else { String::new() };
    format!("{} — {} at {}: {kinds} — {last}{waiting}", t.name, t.kind_label, t.host)
}

fn ago(ms: i64) -> String {
    let s = (ms / 1000).max(0);
    match s {
        0..=59 => format!("{s} s ago"),
        60..=3599 => format!("{} min ago", s / 60),
        3600..=172_799 => format!("{} h ago", s / 3600),
        _ => format!("{} days ago", s / 86_400),
    }
}
