//! `loova jobs edit` and `loova jobs move`: change a job before it is sent
//! (`loova_core::engine::edit`, `engine::place`). Both refuse a job that
//! may have been sent, saying so.

use crate::context::open;
use crate::{price_list, print_json, Done, Failure};
use clap::{Args, Subcommand};
use loova_core::engine::{self, JobView};
use loova_core::store::Place;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum JobsCommand {
    /// Change a job that has not been sent: only the fields given change;
    /// it keeps its place in the queue and is priced again.
    Edit(Box<EditArgs>),
    /// Move a job that has not been sent within its account's queue.
    Move(MoveArgs),
}

#[derive(Args)]
pub struct EditArgs {
    id: i64,
    #[arg(long)]
    prompt: Option<String>,
    /// seedance_2_0 or seedance_2_0_fast.
    #[arg(long)]
    model: Option<String>,
    /// Video length in seconds, 4 to 15.
    #[arg(long)]
    duration: Option<u32>,
    /// 21:9, 16:9, 4:3, 1:1, 3:4 or 9:16.
    #[arg(long)]
    ratio: Option<String>,
    /// omni_reference or first_last_frames.
    #[arg(long = "mode")]
    function_mode: Option<String>,
    /// A new name (and video file name); "" clears it.
    #[arg(long)]
    name: Option<String>,
    /// Image reference URLs (repeatable): given, they replace the job's.
    #[arg(long = "image-url")]
    image_urls: Vec<String>,
    /// Video reference URLs (repeatable): given, they replace the job's.
    #[arg(long = "video-url")]
    video_urls: Vec<String>,
    /// Audio reference URLs (repeatable): given, they replace the job's.
    #[arg(long = "audio-url")]
    audio_urls: Vec<String>,
    /// Local image files (repeatable): given, they replace the job's.
    #[arg(long = "image-file")]
    image_files: Vec<PathBuf>,
    /// Local video files (repeatable): given, they replace the job's.
    #[arg(long = "video-file")]
    video_files: Vec<PathBuf>,
    /// Local audio files (repeatable): given, they replace the job's.
    #[arg(long = "audio-file")]
    audio_files: Vec<PathBuf>,
    /// Drop every reference (URLs and files) not given again here.
    #[arg(long)]
    clear_references: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("to").required(true).multiple(false)))]
pub struct MoveArgs {
    id: i64,
    /// To the front of its account's queue (sent next).
    #[arg(long, group = "to")]
    top: bool,
    /// To the back of its account's queue.
    #[arg(long, group = "to")]
    bottom: bool,
    /// Just before this queued job of the same account.
    #[arg(long, group = "to", value_name = "JOB")]
    before: Option<i64>,
}

pub fn run(command: JobsCommand) -> Done {
    match command {
        JobsCommand::Edit(a) => edit(*a),
        JobsCommand::Move(a) => move_job(a),
    }
}

fn edit(a: EditArgs) -> Done {
    let (db, _) = open().map_err(Failure::failed)?;
    let current = match engine::job(&db, a.id) {
        Ok(j) => j,
        Err(e) => return crate::jobs::engine_fail(e),
    };
    let mut spec = current.spec.clone();
    if a.clear_references {
        for list in [&mut spec.image_urls, &mut spec.video_urls, &mut spec.audio_urls, &mut spec.image_files, &mut spec.video_files, &mut spec.audio_files] {
            list.clear();
        }
    }
    let set = |to: &mut String, v: Option<String>| {
        if let Some(v) = v {
            *to = v;
        }
    };
    set(&mut spec.prompt, a.prompt);
    set(&mut spec.model, a.model);
    set(&mut spec.ratio, a.ratio);
    set(&mut spec.function_mode, a.function_mode);
    if let Some(d) = a.duration {
        spec.duration = d;
    }
    let replace = |to: &mut Vec<String>, given: Vec<String>| {
        if !given.is_empty() {
            *to = given;
        }
    };
    replace(&mut spec.image_urls, a.image_urls);
    replace(&mut spec.video_urls, a.video_urls);
    replace(&mut spec.audio_urls, a.audio_urls);
    replace(&mut spec.image_files, crate::absolute_paths(&a.image_files));
    replace(&mut spec.video_files, crate::absolute_paths(&a.video_files));
    replace(&mut spec.audio_files, crate::absolute_paths(&a.audio_files));
    match engine::edit(&db, a.id, &spec, a.name.as_deref(), &price_list()) {
        Ok(job) => done(&job, a.json, &current),
        Err(e) => crate::jobs::engine_fail(e),
    }
}

fn done(job: &JobView, json: bool, before: &JobView) -> Done {
    if json {
        print_json(job);
        return Ok(());
    }
    let credits = |j: &JobView| j.estimate_credits.map_or("?".to_string(), |c| c.to_string());
    println!("Job {} changed: {} (about {} credits, was {}). It keeps its place in the queue.", job.id, job.title, credits(job), credits(before));
    Ok(())
}

fn move_job(a: MoveArgs) -> Done {
    let (db, _) = open().map_err(Failure::failed)?;
    let place = match (a.top, a.bottom, a.before) {
        (true, _, _) => Place::Top,
        (_, true, _) => Place::Bottom,
        (_, _, Some(other)) => Place::Before(other),
        _ => Place::Bottom,
    };
    match engine::place(&db, a.id, place) {
        Ok(job) => {
            let to = match place {
                Place::Top => "to the top of its queue".to_string(),
                Place::Bottom => "to the bottom of its queue".to_string(),
                Place::Before(other) => format!("before job {other}"),
            };
            println!("Job {} moved {to}.", job.id);
            Ok(())
        }
        Err(e) => crate::jobs::engine_fail(e),
    }
}
