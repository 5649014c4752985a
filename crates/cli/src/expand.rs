//! `loova expand --prompt TEMPLATE …`: the expansion as a CSV batch file
//! (every column, one row per job, named) that `loova enqueue --file`
//! accepts, so a person can look at it, edit it, then queue it.

use crate::variations::VaryFlags;
use crate::{Done, Failure, Msg};
use clap::Args;
use loova_core::batch::{write_csv, WriteRow};
use loova_core::ErrorCode;
use std::path::PathBuf;

#[derive(Args)]
pub struct ExpandArgs {
    /// The template: {red|blue} alternatives, __name__ wildcards (<data dir>/wildcards/name.txt), \{ \| \} \_ for the characters.
    #[arg(long)]
    prompt: String,
    #[command(flatten)]
    job: crate::job_flags::JobFlags,
    #[command(flatten)]
    vary: VaryFlags,
    /// The jobs' name (`NAME — red · 9:16`); default: from the template.
    #[arg(long)]
    name: Option<String>,
    /// Write the CSV here (default: standard output).
    #[arg(long, short)]
    out: Option<PathBuf>,
}

pub fn run(a: ExpandArgs) -> Done {
    let expansion = crate::variations::expansion(&a.vary, &a.prompt, a.job.into_spec(String::new()), a.name.as_deref())?;
    let rows: Vec<WriteRow> = expansion.jobs.iter().map(|j| WriteRow { name: Some(j.name.clone()), account: None, spec: j.spec.clone() }).collect();
    let csv = write_csv(&rows);
    match &a.out {
        None => print!("{csv}"),
        Some(path) => {
            if let Err(e) = std::fs::write(path, &csv) {
                return Err(Failure::new(Msg(ErrorCode::Io, format!("cannot write {}: {e}", path.display())), false));
            }
            eprintln!("Wrote {} jobs to {} (queue them with `loova enqueue --file {} --account …`).", expansion.count, path.display(), path.display());
        }
    }
    Ok(())
}
