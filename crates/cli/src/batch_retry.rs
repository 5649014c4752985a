//! `loova batch retry BATCH [--yes]`: a batch's definite failures queued
//! again as new jobs (`loova_core::batch::retry_failed`), priced first.

use crate::context::open;
use crate::{price_list, print_json, Done, Failure};
use clap::Subcommand;
use loova_core::batch;

#[derive(Subcommand)]
pub enum BatchCommand {
    /// Queue again every job of a batch that failed for good (not unknown
    /// outcomes), as new jobs linked to the failed ones. Shows the cost and
    /// what today's budget lets through; --yes queues them.
    Retry {
        /// The batch id (`loova batches`).
        batch: String,
        /// Queue them (a new charge each); without it, only the preview.
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: BatchCommand) -> Done {
    let BatchCommand::Retry { batch: id, yes, json } = command;
    let (db, _) = open().map_err(Failure::failed)?;
    let prices = price_list();
    let preview = batch::retry_preview(&db, &prices, &id)?;
    if !yes || preview.failed.is_empty() {
        if json {
            print_json(&preview);
        } else {
            println!("{}.", preview.summary.trim_end_matches('.'));
            if !preview.failed.is_empty() {
                println!("Each is a new task and a new charge. Run again with --yes to queue them.");
            }
        }
        return Ok(());
    }
    match batch::retry_failed(&db, &prices, &id) {
        Ok(made) if json => {
            print_json(&made.iter().map(|(failed, new)| serde_json::json!({ "retry_of": failed, "job": new })).collect::<Vec<_>>());
            Ok(())
        }
        Ok(made) => {
            println!("{}: queued {} new job(s).", preview.summary, made.len());
            for (failed, new) in &made {
                println!("  job {new} retries job {failed}");
            }
            Ok(())
        }
        Err(e) => Err(Failure::from(e)),
    }
}
