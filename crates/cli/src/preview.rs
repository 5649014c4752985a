//! `loova preview`.

use crate::format::{thousands, usd};
use crate::{price_list, print_json, Done, Failure};
use clap::Args;
use loova_core::{estimate_parts, preview, Estimate, PriceListOrigin};

#[derive(Args)]
pub struct PreviewArgs {
    /// Price with a video reference, without naming one.
    #[arg(long)]
    video_ref: bool,
    /// The prompt; with it, the whole job is validated, not just priced. A
    /// template ({a|b}, __wildcard__, with --vary/--takes) previews every job it makes.
    #[arg(long)]
    prompt: Option<String>,
    #[command(flatten)]
    job: crate::job_flags::JobFlags,
    #[command(flatten)]
    vary: crate::variations::VaryFlags,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// A batch file (CSV or JSON Lines): preview the whole batch instead of one job.
    #[arg(long)]
    file: Option<std::path::PathBuf>,
    /// With --file or a template: the account whose API Credits the batch is checked against.
    #[arg(long)]
    account: Option<String>,
}

pub fn run(args: PreviewArgs) -> Done {
    if let Some(file) = &args.file {
        return crate::batch::preview(file, args.account.as_deref(), args.json);
    }
    let mut args = args;
    if let Some(template) = args.prompt.clone() {
        match args.vary.plain_prompt(&template) {
            Some(plain) => args.prompt = Some(plain),
            None => return crate::variations::preview(&args.vary, &template, args.job.into_spec(String::new()), args.account.as_deref(), args.json),
        }
    }
    let prices = price_list();
    let price_only = args.prompt.is_none();
    // A price-only preview has no prompt; validate everything else.
    let spec = args.job.into_spec(args.prompt.unwrap_or_else(|| "(price only)".into()));
    let result = preview(&spec, &prices);
    // Local files: readable, a supported format of the right kind, small enough.
    let media = loova_core::media::check_spec(&spec, &loova_core::media::MediaLimits::default());
    if !result.violations.is_empty() || !media.is_empty() {
        for v in &result.violations {
            eprintln!("error: {v}");
        }
        for m in &media {
            eprintln!("error: {m}");
        }
        return Err(Failure::reported(true));
    }
    // Limits Loova does not state (Seedance 2.0's upstream ones): warnings.
    for w in &result.warnings {
        eprintln!("warning: {} (source: {})", w.message, w.source);
    }
    let video_ref = args.video_ref || spec.has_video_reference();
    let estimate = estimate_parts(&spec.model, spec.duration, video_ref, &prices.list, &prices.info).expect("a valid spec has a priced model");
    if args.json {
        print_json(&estimate);
    } else {
        print_human(&estimate, price_only);
    }
    Ok(())
}

fn print_human(e: &Estimate, price_only: bool) {
    let reference = if e.video_reference { "with a video reference" } else { "no video reference" };
    println!("{} · {reference}", e.model_name);
    println!("{} credits/s × {} s = {} credits", e.credits_per_second, e.seconds, thousands(e.credits));
    println!("{} – {} depending on the API credit pack", usd(e.usd_min), usd(e.usd_max));
    println!("{}", e.pool_note);
    let origin = match &e.price_list.origin {
        PriceListOrigin::BuiltIn => "built in".to_string(),
        PriceListOrigin::File(path) => path.clone(),
    };
    println!("Price list of {} ({origin}): {}", e.price_list.effective_date, e.price_list.source);
    if price_only {
        println!("Price only: add --prompt to validate the whole job.");
    }
}
