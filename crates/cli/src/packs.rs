//! `loova packs`.

use crate::format::{thousands, usd};
use crate::{price_list, print_json, Done};
use clap::Args;
use loova_core::advise_packs;

#[derive(Args)]
pub struct PacksArgs {
    /// API credits needed.
    #[arg(long)]
    credits: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: PacksArgs) -> Done {
    let prices = price_list();
    let advice = advise_packs(&prices.list, args.credits);
    if args.json {
        print_json(&advice);
        return Ok(());
    }
    if advice.packs.is_empty() {
        println!("Nothing to buy for 0 credits.");
        return Ok(());
    }
    println!("Cheapest way to get {} API credits: {} credits for {}", thousands(args.credits), thousands(advice.credits), usd(advice.usd));
    for p in &advice.packs {
        println!("  {} × {} credits ({} each)", p.count, thousands(p.credits), usd(p.price));
    }
    println!("API credit packs only: App Credits cannot pay for API jobs.");
    Ok(())
}
