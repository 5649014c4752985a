//! `loova prices show|import`.

use crate::format::{thousands, usd};
use crate::{price_list, print_json, Done, Failure};
use clap::Subcommand;
use loova_core::{install_price_list, paths::data_dir, PriceListOrigin};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum PricesCommand {
    /// Print the price list every preview uses.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Validate FILE and make it the price list for this data directory.
    Import { file: PathBuf },
}

pub fn run(cmd: PricesCommand) -> Done {
    match cmd {
        PricesCommand::Show { json } => show(json),
        PricesCommand::Import { file } => match install_price_list(&file, &data_dir()) {
            Ok((list, path)) => {
                println!("Installed the price list of {} ({}) at {}", list.effective_date, list.source, path.display());
                Ok(())
            }
            Err(e) => {
                eprintln!("error: {e}");
                Err(Failure::reported(true))
            }
        },
    }
}

fn show(json: bool) -> Done {
    let loaded = price_list();
    if json {
        print_json(&loaded.list);
        return Ok(());
    }
    let l = &loaded.list;
    let origin = match &loaded.info.origin {
        PriceListOrigin::BuiltIn => "built in".to_string(),
        PriceListOrigin::File(p) => p.clone(),
    };
    println!("Price list of {} ({origin})\n{}\n", l.effective_date, l.source);
    for m in &l.models {
        println!("{:<18} {:>3} credits/s, {:>3} credits/s with a video reference", m.name, m.credits_per_second, m.credits_per_second_with_video_reference);
    }
    println!("\nAPI credit packs:");
    for p in &l.api_credit_packs {
        println!("  {:>8} credits  {:>10}  (${} per credit)", thousands(p.credits), usd(p.price), p.price_per_credit);
    }
    println!("\nAt most {} tasks run at once per Loova user.", l.concurrency_limit);
    Ok(())
}
