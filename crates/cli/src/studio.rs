//! `loova studio …`: share an account's slots with the other computers of a
//! studio through PostgreSQL. The database password never reaches the screen:
//! every URL printed is the one loova-core keeps, without its password.

use crate::context::{open, runtime};
use crate::{print_json, Done, Failure};
use clap::Subcommand;
use loova_core::studio::{self, StudioError, StudioStatus};
use loova_core::ErrorCode;
use std::io::Read;

/// Where the password comes from instead of the URL (shell history and
/// `ps` show a URL typed on the command line, so one there is refused).
const PASSWORD_ENV: &str = "LOOVA_STUDIO_PASSWORD";

#[derive(Subcommand)]
pub enum StudioCommand {
    /// Share ACCOUNT's slots with the other computers that use the same Loova user.
    Connect {
        /// The Loova Desk account (as `loova accounts list` names it).
        account: String,
        /// postgres://USER@HOST:PORT/DATABASE, without the password (give it with
        /// --password-stdin or LOOVA_STUDIO_PASSWORD). TLS with a verified certificate
        /// is the default; sslmode=verify-ca|verify-full with sslrootcert for a
        /// self-hosted server's own certificate authority.
        #[arg(long)]
        url: String,
        /// The PEM file of the certificate authority that signed a self-hosted
        /// server's certificate (as sslrootcert=… in the URL).
        #[arg(long, value_name = "FILE")]
        ssl_root_cert: Option<std::path::PathBuf>,
        /// Connect without TLS to a database on another computer: the password
        /// exchange and every query cross the network readable. Only on a network you trust.
        #[arg(long)]
        insecure_no_tls: bool,
        /// The studio account's name: every computer of the same Loova user picks the same one.
        #[arg(long = "as", value_name = "NAME")]
        studio_account: String,
        /// This computer's name as the others see it (default: the host name).
        #[arg(long, value_name = "NAME")]
        computer: Option<String>,
        /// Read the database password from standard input (default: LOOVA_STUDIO_PASSWORD).
        #[arg(long)]
        password_stdin: bool,
        #[arg(long)]
        json: bool,
    },
    /// The studio's slots: in use per computer, and the jobs waiting on each.
    Status {
        /// One account (default: every shared one).
        account: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Stop sharing ACCOUNT's slots: forgets the link and the password.
    Disconnect { account: String },
}

pub fn run(cmd: StudioCommand) -> Done {
    let (db, accounts) = open().map_err(Failure::failed)?;
    runtime().block_on(async {
        match cmd {
            StudioCommand::Connect { account, url, ssl_root_cert, insecure_no_tls, studio_account, computer, password_stdin, json } => {
                if studio::StudioUrl::has_password(&url) {
                    // Refused before anything else: the password is already in the shell's history and `ps`.
                    return Err(Failure::from(StudioError::FieldInvalid(
                        "url",
                        format!(
                            "--url must not carry the password: shell history and `ps` show the command line. \
                             Leave it out (postgres://USER@HOST:5432/DATABASE) and give it with --password-stdin \
                             (printf %s \"$PASSWORD\" | loova studio connect … --password-stdin) or in {PASSWORD_ENV}; \
                             then change that database password, since it was typed on a command line."
                        ),
                    )));
                }
                let id = accounts.find(&account)?.id;
                let password = if password_stdin { Some(read_password()?) } else { std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty()) };
                let url = match password {
                    Some(p) => studio::with_password(&url, &p)?,
                    None => url,
                };
                let tls = studio::TlsChoice { root_cert: ssl_root_cert, insecure_no_tls };
                let link = studio::connect(&db, accounts.vault(), &id, &url, &tls, &studio_account, computer.as_deref()).await?;
                if json {
                    print_json(&link);
                    return Ok(());
                }
                println!(
                    "Connected \"{account}\" to studio \"{}\" ({}) as computer \"{}\": its jobs now take slots only when the studio has one free.",
                    link.studio_account, link.url_display, link.computer
                );
                println!("The password is in the system keychain. Every computer of this Loova user connects with: --as \"{}\"", link.studio_account);
                if link.no_tls {
                    println!("WARNING: this link has no TLS: the database's traffic crosses the network readable (--insecure-no-tls).");
                }
            }
            StudioCommand::Status { account, json } => {
                let ids: Vec<String> = match &account {
                    Some(name) => vec![accounts.find(name)?.id],
                    None => accounts.list()?.into_iter().map(|a| a.id).collect(),
                };
                let mut shown = Vec::new();
                for id in ids {
                    // Without ACCOUNT, the accounts that share nothing are left out.
                    if account.is_none() && studio::link(&db, &id)?.is_none() {
                        continue;
                    }
                    let own = db.account(&id)?.and_then(|r| r.concurrency_limit);
                    let limit = loova_core::pricing::limit::effective_limit(crate::price_list().list.concurrency_limit, own);
                    shown.push(studio::status(&db, accounts.vault(), &id, limit).await?);
                }
                if json {
                    print_json(&shown);
                } else if shown.is_empty() {
                    println!("No account shares its slots. Connect one with: loova studio connect ACCOUNT --url postgres://USER@HOST/DB --as NAME");
                }
                if !json {
                    shown.iter().for_each(|s| println!("{}", summary(s)));
                }
                // An unreachable database is a service error (exit 1), as a balance that cannot be read.
                if let Some(s) = shown.iter().find(|s| !s.reachable) {
                    return Err(Failure::from(crate::Msg(
                        ErrorCode::StudioUnreachable,
                        format!("the database of studio \"{}\" cannot be reached (what to do is above).", s.studio_account),
                    )));
                }
            }
            StudioCommand::Disconnect { account } => {
                let id = accounts.find(&account)?.id;
                studio::disconnect(&db, accounts.vault(), &id).await?;
                println!("Disconnected \"{account}\": its slots are counted on this computer alone again, and the password is gone from the keychain.");
            }
        }
        Ok(())
    })
}

fn read_password() -> Result<String, crate::Msg> {
    let mut buf = String::new();
    std::io::stdin()
        .read_to_string(&mut buf)
        .map_err(|e| crate::Msg(ErrorCode::InvalidInput, format!("could not read the password from standard input: {e}")))?;
    // Only the line end: a password may begin or end with a space.
    Ok(buf.trim_end_matches(['\n', '\r']).to_string())
}

/// `Studio "acme" (postgres://editor@db:5432/loova): 4/6 in use — 2 here
/// (edit-linux-1), 2 on edit-mac-2; waiting: 3 here, 10 on edit-mac-2`.
pub fn summary(s: &StudioStatus) -> String {
    let head = format!("Studio \"{}\" ({})", s.studio_account, s.url_display);
    if !s.reachable {
        let why = s.error.as_deref().unwrap_or("the database does not answer");
        return format!(
            "{head}: database unreachable — {why} (this computer sends no new job for this account until it is back; running jobs are still followed)"
        );
    }
    // This computer first (named once, in the first list), then the others that have any.
    let per = |count: fn(&studio::ComputerSlots) -> i64, name_here: bool| {
        let mut parts = Vec::new();
        for c in &s.computers {
            let n = count(c);
            if c.here {
                parts.insert(0, if name_here { format!("{n} here ({})", c.name) } else { format!("{n} here") });
            } else if n > 0 {
                // A silent computer's tasks are followed by the others until they end.
                parts.push(format!("{n} on {}{}", c.name, if c.alive { "" } else { " (not heard from)" }));
            }
        }
        parts.join(", ")
    };
    format!("{head}: {}/{} in use — {}; waiting: {}", s.in_use, s.limit, per(|c| c.running, true), per(|c| c.waiting, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use loova_core::studio::ComputerSlots;

    fn computer(name: &str, here: bool, running: i64, waiting: i64) -> ComputerSlots {
        ComputerSlots { name: name.into(), here, running, waiting, last_seen_ms: 0, alive: true }
    }

    fn status(computers: Vec<ComputerSlots>) -> StudioStatus {
        StudioStatus {
            account_id: "a1".into(),
            studio_account: "acme".into(),
            computer: "edit-linux-1".into(),
            url_display: "postgres://editor@db:5432/loova".into(),
            reachable: true,
            error: None,
            limit: 6,
            in_use: computers.iter().map(|c| c.running).sum(),
            computers,
        }
    }

    #[test]
    fn the_summary_says_what_each_computer_holds_and_waits_for() {
        let s = status(vec![computer("edit-mac-2", false, 2, 10), computer("edit-linux-1", true, 2, 3), computer("idle-3", false, 0, 0)]);
        assert_eq!(
            summary(&s),
            "Studio \"acme\" (postgres://editor@db:5432/loova): 4/6 in use — 2 here (edit-linux-1), 2 on edit-mac-2; waiting: 3 here, 10 on edit-mac-2"
        );
        let mut silent = s.clone();
        silent.computers[0].alive = false;
        assert!(summary(&silent).contains("2 on edit-mac-2 (not heard from)"), "{}", summary(&silent));
    }

    #[test]
    fn an_unreachable_database_says_so_and_what_to_do() {
        let mut s = status(vec![]);
        s.reachable = false;
        s.error = Some("Start the database or check the network, then wait: Loova Desk retries.".into());
        let text = summary(&s);
        assert!(text.contains("database unreachable — Start the database"), "{text}");
        assert!(text.contains("sends no new job"), "{text}");
    }
}
