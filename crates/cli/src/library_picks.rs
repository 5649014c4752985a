//! `loova library pick|rate|export`: keeping the best takes
//! (`loova_core::library::picks`).

use crate::{print_json, Done, Failure, Msg};
use clap::Subcommand;
use loova_core::library::picks;
use loova_core::store::Db;
use loova_core::ErrorCode;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum PicksCommand {
    /// Pick a take (★), or --off to take the pick away. ID: `loova library` shows it (#12).
    Pick {
        id: i64,
        #[arg(long)]
        off: bool,
    },
    /// Rate a take 1 to 5, or --clear its rating.
    Rate {
        id: i64,
        #[arg(value_parser = clap::value_parser!(u8).range(1..=5), required_unless_present = "clear")]
        stars: Option<u8>,
        #[arg(long, conflicts_with = "stars")]
        clear: bool,
    },
    /// The takes of a variation set (batch) that are not picked, to the
    /// system trash; lists them first, --yes moves them.
    ClearRest {
        /// The set's batch name (`loova library` shows it).
        #[arg(long)]
        batch: String,
        #[arg(long)]
        yes: bool,
    },
    /// Copy the picked takes, each with its sidecar, into a folder, named by their recipe.
    Export {
        /// The picked takes (the only export there is; say it to be sure).
        #[arg(long, required = true)]
        picks: bool,
        /// The folder to write into (made if missing; nothing is overwritten).
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        /// Hard-link instead of copying where the disk allows (no space used).
        #[arg(long)]
        link: bool,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(db: &Db, command: PicksCommand) -> Done {
    let done = match command {
        PicksCommand::Pick { id, off } => {
            picks::set_pick(db, id, !off).map(|_| format!("Video #{id} {}.", if off { "is no longer picked" } else { "picked ★" }))
        }
        PicksCommand::Rate { id, stars, .. } => {
            picks::set_rating(db, id, stars).map(|_| stars.map_or(format!("Video #{id}'s rating cleared."), |n| format!("Video #{id} rated {n}/5.")))
        }
        PicksCommand::ClearRest { batch, yes } => {
            let listed = if yes {
                picks::clear_rest_of_set(db, &loova_core::paths::data_dir(), &batch)
            } else {
                picks::rest_of_set(db, &batch).map(|rest| rest.iter().map(|r| r.path.clone()).collect())
            };
            return match listed {
                Ok(names) if names.is_empty() => {
                    println!("Every take of \"{batch}\" is picked: nothing to clear.");
                    Ok(())
                }
                Ok(names) => {
                    let head = if yes { "Moved to the trash, with their sidecars:" } else { "Not picked, would go to the trash with their sidecars:" };
                    println!("{head}");
                    for n in &names {
                        println!("  {n}");
                    }
                    if !yes {
                        println!("Run again with --yes to move these {} to the trash; the picks stay.", names.len());
                    }
                    Ok(())
                }
                Err(e) => Err(Failure::from(e)),
            };
        }
        PicksCommand::Export { to, link, json, .. } => {
            return match picks::export_picks(db, &std::path::absolute(&to).unwrap_or(to.clone()), link) {
                Ok(report) if json => {
                    print_json(&report);
                    Ok(())
                }
                Ok(report) if report.exported.is_empty() && report.missing.is_empty() => {
                    let text = "No picked takes to export. Pick some first: loova library pick ID (or ★ in the Library).".to_string();
                    Err(Failure::new(Msg(ErrorCode::InvalidInput, text), true))
                }
                Ok(report) => {
                    let how = if report.linked { "linked" } else { "copied" };
                    println!("{} picked take(s) {how} into {}, each with its sidecar.", report.exported.len(), report.folder);
                    for m in &report.missing {
                        eprintln!("not on disk (locate it first): {m}");
                    }
                    Ok(())
                }
                Err(e) => Err(Failure::from(e)),
            };
        }
    };
    match done {
        Ok(line) => {
            println!("{line}");
            Ok(())
        }
        Err(e) => Err(Failure::from(e)),
    }
}
