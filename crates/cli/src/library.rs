//! `loova library`: the saved videos with their recipes (the sidecars beside
//! them), searched by prompt or name; `--rebuild` reads a folder's sidecars
//! back into the database.

use crate::{print_json, Done, Failure, Msg};
use loova_core::library::{self, Sidecar};
use loova_core::store::{Db, LibraryFilter};
use loova_core::ErrorCode;
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LibraryArgs {
    #[command(subcommand)]
    command: Option<crate::library_picks::PicksCommand>,
    /// Only the picked takes (★).
    #[arg(long)]
    picks: bool,
    /// Only takes rated at least N (1–5).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=5))]
    min_rating: Option<u8>,
    /// Read the sidecars (NAME.mp4.json) under FOLDER (default: the output folder) back into the library.
    #[arg(long, value_name = "FOLDER", num_args = 0..=1, conflicts_with_all = ["search", "account", "batch", "since"])]
    rebuild: Option<Option<PathBuf>>,
    /// Words of the prompt or the name (each word may be the start of one).
    #[arg(long)]
    search: Option<String>,
    /// Only this account's videos (its name).
    #[arg(long)]
    account: Option<String>,
    /// Only this batch's videos (its name).
    #[arg(long)]
    batch: Option<String>,
    /// Only videos saved on or after this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    since: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(serde::Serialize)]
struct Entry<'a> {
    id: i64,
    path: &'a str,
    /// The video is where the library says (it may have been moved or deleted).
    exists: bool,
    sidecar: &'a Sidecar,
}

pub fn run(args: LibraryArgs) -> Done {
    let db = Db::open_in(&loova_core::paths::data_dir()).map_err(Failure::failed)?;
    if let Some(command) = args.command {
        return crate::library_picks::run(&db, command);
    }
    if let Some(folder) = args.rebuild {
        return rebuild(&db, folder.unwrap_or_else(|| loova_core::output_dir::output_root(&db)), args.json);
    }
    let since_ms = match args.since.as_deref().map(|d| library::date_to_ms(d).ok_or(d)) {
        None => None,
        Some(Ok(ms)) => Some(ms),
        Some(Err(d)) => {
            return Err(Failure::new(Msg(ErrorCode::InvalidInput, format!("--since \"{d}\" is not a date: use YYYY-MM-DD, e.g. 2026-03-31.")), true))
        }
    };
    let filter = LibraryFilter { search: args.search, account: args.account, batch: args.batch, since_ms, picks_only: args.picks, min_rating: args.min_rating };
    let entries = db.library(&filter).map_err(Failure::failed)?;
    if args.json {
        let out: Vec<Entry> =
            entries.iter().map(|e| Entry { id: e.id, path: &e.path, exists: std::path::Path::new(&e.path).is_file(), sidecar: &e.sidecar }).collect();
        print_json(&out);
        return Ok(());
    }
    if entries.is_empty() {
        eprintln!("No videos match. (A folder of videos from another computer: loova library --rebuild FOLDER)");
    }
    for e in &entries {
        let s = &e.sidecar;
        let missing = if std::path::Path::new(&e.path).is_file() { "" } else { "  [missing from disk]" };
        let kept = match (s.pick, s.rating) {
            (true, Some(n)) => format!("  ★ {n}/5"),
            (true, None) => "  ★".to_string(),
            (false, Some(n)) => format!("  {n}/5"),
            (false, None) => String::new(),
        };
        println!("#{} {}{missing}{kept}", e.id, e.path);
        let cost = s.credits_cost.map_or_else(|| "? credits".into(), |c| format!("{} credits", crate::format::thousands(c.max(0) as u64)));
        let batch = s.batch.as_deref().map(|b| format!(" · batch {b}")).unwrap_or_default();
        println!("  {} · {} · {} · {} s · {cost} · {}{batch}", library::ms_to_date(s.downloaded_at), s.account, s.model, s.duration, s.ratio);
        println!("  {}", s.prompt);
    }
    Ok(())
}

fn rebuild(db: &Db, folder: PathBuf, json: bool) -> Done {
    if !folder.is_dir() {
        let text = format!("{} is not a folder. Give the folder your videos are in: loova library --rebuild FOLDER", folder.display());
        return Err(Failure::new(Msg(ErrorCode::InvalidInput, text), true));
    }
    let report = library::rebuild(db, &folder).map_err(Failure::failed)?;
    if json {
        print_json(&report);
    } else {
        println!("{} videos from {} are in the library.", report.videos, report.folder);
        for s in &report.skipped {
            eprintln!("skipped {}: {}", s.path, s.reason);
        }
    }
    Ok(())
}
