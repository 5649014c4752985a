//! Templates on the command line: `loova preview|enqueue|expand --prompt
//! TEMPLATE [--vary FIELD=V1,V2]… [--takes N]`. The expansion, its pricing
//! and its queueing are loova-core's (`loova_core::variations`); this file
//! reads the flags and prints.

use crate::context::open;
use crate::format::thousands;
use crate::{price_list, print_json, Done, Failure};
use clap::Args;
use loova_core::batch::{self, BatchSummary};
use loova_core::variation_sets;
use loova_core::variations::{self, parse, Expansion, FieldValues, VariationError, VariationRequest, Wildcards};
use loova_core::JobSpec;

#[derive(Args, Clone)]
pub struct VaryFlags {
    /// A field with several values, each a factor of the product:
    /// duration=5,8 · ratio=16:9,9:16 · model=seedance_2_0,seedance_2_0_fast · mode=… (repeatable).
    #[arg(long = "vary", value_name = "FIELD=V1,V2", requires = "prompt")]
    pub vary: Vec<String>,
    /// Each combination N times (1 to 100).
    #[arg(long, default_value_t = 1)]
    pub takes: u32,
}

impl VaryFlags {
    /// The prompt varies: `--vary`, `--takes` or template syntax in it. A
    /// plain prompt keeps the one-job commands exactly as they were (with
    /// its escapes written as their characters).
    pub fn plain_prompt(&self, prompt: &str) -> Option<String> {
        if !self.vary.is_empty() || self.takes != 1 {
            return None;
        }
        parse(prompt).ok()?.plain_text()
    }

    pub fn request(&self, template: &str, base: JobSpec, name: Option<&str>) -> Result<VariationRequest, VariationError> {
        let vary = self.vary.iter().map(|v| FieldValues::parse(v)).collect::<Result<Vec<_>, _>>()?;
        Ok(VariationRequest { template: template.into(), base, vary, takes: self.takes, name: name.map(String::from) })
    }
}

/// The expansion of a command line's template, wildcards from the data folder.
pub fn expansion(flags: &VaryFlags, template: &str, base: JobSpec, name: Option<&str>) -> Result<Expansion, Failure> {
    let fail = |e: VariationError| Failure::from(e);
    let req = flags.request(template, base, name).map_err(fail)?;
    variations::expand(&req, &mut Wildcards::of_data_dir(&loova_core::paths::data_dir())).map_err(fail)
}

fn print_errors(errors: &[batch::RowError]) {
    for e in errors {
        eprintln!("job {}: {}: {}", e.line, e.column, e.message());
    }
}

/// `loova preview --prompt TEMPLATE …`: count, totals (against `account`
/// when given), the first jobs; with `--json` every job.
pub fn preview(flags: &VaryFlags, template: &str, base: JobSpec, account: Option<&str>, json: bool) -> Done {
    let prices = price_list();
    let expansion = expansion(flags, template, base, None)?;
    let (balance, ppc) = crate::batch::balance_and_price(account)?;
    let p = variation_sets::preview(&expansion, &prices, balance.as_ref(), ppc, json);
    if json {
        print_json(&p);
    } else {
        println!("{} jobs from \"{}\" (batch \"{}\")", thousands(p.count), expansion.template, p.name);
        crate::batch::print_human(&p.batch);
        println!("First {} of {}:", p.jobs.len(), p.count);
        for j in &p.jobs {
            let s = &j.spec;
            println!("  {:>5}. {}  [{} · {} s · {}]", j.index, j.name, s.model, s.duration, s.ratio);
        }
        if p.count > p.jobs.len() as u64 {
            println!("  … and {} more (--json lists every job; `loova expand` writes them as a CSV).", thousands(p.count - p.jobs.len() as u64));
        }
        if p.needs_confirmation {
            println!("More than {} jobs: `loova enqueue` asks for --yes.", thousands(variations::CONFIRM_ABOVE));
        }
    }
    if p.errors.is_empty() {
        return Ok(());
    }
    print_errors(&p.errors);
    eprintln!("{} of {} jobs break a rule; nothing can be queued until they are fixed.", p.batch.invalid_rows, p.count);
    Err(Failure::reported(true))
}

/// `loova enqueue --prompt TEMPLATE …`: every job as ONE batch.
#[allow(clippy::too_many_arguments)]
pub fn enqueue(
    flags: &VaryFlags,
    template: &str,
    base: JobSpec,
    account: &str,
    name: Option<&str>,
    yes: bool,
    order: loova_core::batch::QueueOrder,
    json: bool,
) -> Done {
    let prices = price_list();
    let expansion = expansion(flags, template, base, name)?;
    let (db, accounts) = open().map_err(Failure::failed)?;
    let acc = accounts.find(account)?;
    match variation_sets::enqueue_in_order(&db, &acc.id, &expansion, &prices, yes, order) {
        Ok(summary) => {
            queued(&summary, &acc.name, json);
            Ok(())
        }
        Err(e) => {
            print_errors(e.errors());
            Err(Failure::from(e))
        }
    }
}

fn queued(s: &BatchSummary, account: &str, json: bool) {
    if json {
        print_json(s);
    } else {
        println!("Queued batch \"{}\" ({}) on {account}: {} jobs, about {} credits.", s.batch.name, s.batch.id, s.queued, thousands(s.total_credits));
    }
}
