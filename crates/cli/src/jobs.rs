//! `loova enqueue`, `jobs`, `run`, `retry`, `forget`, `resubmit`, `attach`, `cancel`.
//! Queueing works while the app runs (its engine notices within a second);
//! `run` runs the queue headless when the app is closed.

use crate::context::{open, runtime};
use crate::{price_list, print_json, Done, Failure, Msg};
use clap::Args;
use loova_core::engine::{self, Engine, EngineConfig, EngineError, EngineEvent, EngineLock, JobAction, JobView, Performed};
use loova_core::store::{JobFilter, JobState};
use loova_core::ErrorCode;
use std::io::IsTerminal;

/// Multiplies the engine's timings (tests and simulators whose jobs run faster).
pub const TIME_SCALE_ENV: &str = "LOOVA_DESK_ENGINE_TIME_SCALE";

#[derive(Args)]
pub struct EnqueueArgs {
    /// The account (name or id).
    #[arg(long)]
    account: String,
    #[arg(long, required_unless_present = "file")]
    prompt: Option<String>,
    #[command(flatten)]
    job: crate::job_flags::JobFlags,
    #[command(flatten)]
    vary: crate::variations::VaryFlags,
    /// A template making more than 1,000 jobs: yes, queue them all.
    #[arg(long)]
    yes: bool,
    /// A name for the job (and its video file); default: from the prompt.
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    json: bool,
    /// A batch file (CSV or JSON Lines): queue every row as one batch.
    #[arg(long, conflicts_with = "prompt")]
    file: Option<std::path::PathBuf>,
    /// With --file: the batch's name (default: the file name); with a template, as --name.
    #[arg(long)]
    batch_name: Option<String>,
    /// With --file: queue the valid rows and list the ones left out.
    #[arg(long, requires = "file")]
    only_valid: bool,
    /// With --file or a template: `listed` (the rows' order) or `soonest`
    /// (longest expected first, so the batch finishes sooner).
    #[arg(long, default_value = "listed")]
    order: loova_core::batch::QueueOrder,
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct JobsArgs {
    #[command(subcommand)]
    pub command: Option<crate::jobs_change::JobsCommand>,
    /// Only jobs in this state (queued, running, outcome_unknown, downloaded, failed, …).
    #[arg(long)]
    state: Option<String>,
    /// Only this account's jobs (name or id).
    #[arg(long)]
    account: Option<String>,
    /// Only jobs whose prompt, name, task id or saved file contain this
    /// text, in any case (the Queue's filter).
    #[arg(long, value_name = "TEXT")]
    find: Option<String>,
    #[arg(long)]
    json: bool,
}

pub(crate) fn engine_fail(e: EngineError) -> Done {
    if let EngineError::InvalidSpec(vs) = &e {
        for v in vs {
            eprintln!("error: {v}");
        }
        return Err(Failure::reported(true));
    }
    if let EngineError::Media(ms) = &e {
        for m in ms {
            eprintln!("error: {m}");
        }
        return Err(Failure::reported(true));
    }
    Err(Failure::from(e))
}

pub fn enqueue(a: EnqueueArgs) -> Done {
    if let Some(file) = &a.file {
        return crate::batch::enqueue(file, &a.account, a.batch_name.as_deref(), a.only_valid, a.order, a.json);
    }
    let mut a = a;
    if let Some(template) = a.prompt.clone() {
        match a.vary.plain_prompt(&template) {
            Some(plain) => a.prompt = Some(plain),
            None => {
                let name = a.name.as_deref().or(a.batch_name.as_deref());
                return crate::variations::enqueue(&a.vary, &template, a.job.into_spec(String::new()), &a.account, name, a.yes, a.order, a.json);
            }
        }
    }
    let (db, accounts) = open().map_err(Failure::failed)?;
    let account = accounts.find(&a.account)?;
    let spec = a.job.into_spec(a.prompt.unwrap_or_default());
    match engine::enqueue(&db, &account.id, &spec, a.name.as_deref(), &price_list()) {
        Ok(job) if a.json => {
            print_json(&job);
            Ok(())
        }
        Ok(job) => {
            let est = job.estimate_credits.map_or(String::new(), |c| format!(", about {c} credits"));
            println!("Queued job {} on {}: {}{est}", job.id, account.name, job.title);
            Ok(())
        }
        Err(e) => engine_fail(e),
    }
}

pub fn list(a: JobsArgs) -> Done {
    let (db, accounts) = open().map_err(Failure::failed)?;
    let mut filter = JobFilter::default();
    if let Some(s) = &a.state {
        match JobState::parse_named(s) {
            Ok(st) => filter.states.push(st),
            Err(why) => return Err(Failure::new(Msg(ErrorCode::InvalidInput, why), true)),
        }
    }
    if let Some(name) = &a.account {
        match accounts.find(name) {
            Ok(acc) => filter.account_id = Some(acc.id),
            Err(e) => return Err(Failure::from(e)),
        }
    }
    filter.text = a.find.clone();
    let jobs = match engine::list_jobs(&db, &filter) {
        Ok(j) => j,
        Err(e) => return engine_fail(e),
    };
    if a.json {
        print_json(&jobs);
        return Ok(());
    }
    if jobs.is_empty() {
        match &a.find {
            Some(text) => println!("No job matches \"{}\" (prompt, name, task id or saved file).", text.trim()),
            None => println!("No jobs."),
        }
    }
    let names: std::collections::HashMap<String, String> = accounts.list().unwrap_or_default().into_iter().map(|v| (v.id.clone(), v.name.clone())).collect();
    for j in &jobs {
        println!("{}", line(j, names.get(&j.account_id).map_or("?", String::as_str)));
    }
    Ok(())
}

fn line(j: &JobView, account: &str) -> String {
    let mut s = format!("{:>5}  {:<15} {:<12} {}", j.id, j.state.as_str(), account, j.title);
    if let Some(p) = j.progress.filter(|_| j.state == JobState::Running || j.state == JobState::Downloading) {
        s.push_str(&format!("  {:.0}%", p * 100.0));
    }
    match (j.estimate_credits, j.credits_cost) {
        (Some(e), Some(c)) if e != c => s.push_str(&format!("  charged {c} (estimated {e})")),
        (_, Some(c)) => s.push_str(&format!("  {c} credits")),
        (Some(e), None) => s.push_str(&format!("  ~{e} credits")),
        _ => {}
    }
    if let Some(m) = &j.moved_note {
        s.push_str(&format!("\n       {m}"));
    }
    if let Some(p) = &j.video_path.as_ref().filter(|_| j.state == JobState::Downloaded) {
        s.push_str(&format!("\n       → {p}"));
    }
    if let Some(e) = &j.error {
        s.push_str(&format!("\n       {e}"));
    }
    s
}

pub fn action(id: i64, action: JobAction) -> Done {
    let (db, _) = open().map_err(Failure::failed)?;
    match engine::perform(&db, id, action) {
        Ok(Performed::Changed(j)) => {
            println!("Job {} {}.", j.id, action.done());
            Ok(())
        }
        Ok(Performed::Open { path, .. }) => {
            println!("{path}");
            Ok(())
        }
        Err(e) => engine_fail(e),
    }
}

/// `loova attach JOB TASK_ID`: "I found it on Loova". Exit 2 when the task
/// is not this job's (or not on its account), 1 when Loova could not be asked.
pub fn attach(id: i64, task_id: &str) -> Done {
    let (db, accounts) = open().map_err(Failure::failed)?;
    match runtime().block_on(engine::attach(&db, &accounts, id, task_id)) {
        Ok(j) => {
            println!("Job {} {}.", j.id, JobAction::Attach.done());
            Ok(())
        }
        Err(e) => engine_fail(e),
    }
}

pub fn resubmit(id: i64, yes: bool) -> Done {
    if !yes {
        eprintln!("Job {id} was sent, but its answer was lost: Loova may already have created (and charged) it.");
        eprintln!("Look for it on Loova's dashboard first. Found it: `loova attach {id} TASK_ID` follows that task (no new charge).");
        eprintln!("Not there: send it again with --yes (if Loova did create it after all, this may charge twice).");
        return Err(Failure::reported(true));
    }
    action(id, JobAction::Resubmit)
}

pub fn run(until_idle: bool) -> Done {
    let dir = loova_core::paths::data_dir();
    let _lock = match EngineLock::acquire(&dir) {
        Ok(l) => l,
        Err(EngineError::AlreadyRunning) => {
            eprintln!("The Loova Desk app (or another `loova run`) is already running the queue for {}.", dir.display());
            eprintln!("It keeps running your jobs; use `loova jobs` to watch them, or close it and run this again.");
            return Err(Failure::reported(false));
        }
        Err(e) => return Err(Failure::failed(e)),
    };
    let (db, accounts) = open().map_err(Failure::failed)?;
    let vault = accounts.vault().clone();
    let engine = new_engine(db.clone(), accounts);
    let rt = runtime();
    let result = rt.block_on(async {
        let (stopped, done) = tokio::sync::oneshot::channel();
        let progress = tokio::spawn(show_progress(engine.clone(), db.clone(), done));
        // Beside the engine, never awaited by it (docs/user/notices.md).
        let notices = loova_core::remote_notices::Dispatcher::start(db.clone(), vault, engine.subscribe(), Default::default());
        let r = engine.run(until_idle, shutdown_signal()).await;
        // Let it print what the last moments changed before the summary.
        let _ = stopped.send(());
        let _ = progress.await;
        // The last batch's summary goes out before `loova run` ends (what
        // a dead target keeps waits in the outbox for the next run).
        notices.finish(REMOTE_NOTICES_GRACE).await;
        r
    });
    match result {
        Ok(()) => {
            summary(&db);
            Ok(())
        }
        Err(e) => Err(Failure::failed(e)),
    }
}

/// How long `loova run` waits at its end for remote notices already due.
const REMOTE_NOTICES_GRACE: std::time::Duration = std::time::Duration::from_secs(15);

/// The engine `loova run` and `loova mcp --run` run: this data folder's
/// price list, timings scaled by [`TIME_SCALE_ENV`].
pub fn new_engine(db: std::sync::Arc<loova_core::store::Db>, accounts: loova_core::accounts::Accounts) -> Engine {
    let scale = std::env::var(TIME_SCALE_ENV).ok().and_then(|s| s.parse::<f64>().ok()).filter(|s| *s > 0.0).unwrap_or(1.0);
    Engine::new(db, accounts, price_list(), EngineConfig::scaled(scale))
}

pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("a SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

fn summary(db: &loova_core::store::Db) {
    let counts = db.count_by_state(None).unwrap_or_default();
    let parts: Vec<String> = JobState::ALL.into_iter().filter(|s| counts.get(*s) > 0).map(|s| format!("{} {s}", counts.get(s))).collect();
    println!("Queue idle: {}", if parts.is_empty() { "no jobs".into() } else { parts.join(", ") });
    // Idle means nothing more happens without a person: say what each wait needs.
    for reason in engine::idle_reasons(db).unwrap_or_default() {
        println!("  {reason}");
    }
}

/// A progress bar on a terminal; one line per change otherwise (logs, CI).
/// Once `done` fires, what is already sent is shown and it returns.
async fn show_progress(engine: Engine, db: std::sync::Arc<loova_core::store::Db>, mut done: tokio::sync::oneshot::Receiver<()>) {
    use tokio::sync::broadcast::error::{RecvError, TryRecvError};
    let mut rx = engine.subscribe();
    let mut stopping = false;
    let tty = std::io::stdout().is_terminal();
    let bar = tty.then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} done · {msg}").expect("a valid template"));
        b
    });
    let mut last: std::collections::HashMap<i64, JobState> = Default::default();
    loop {
        let event = if stopping {
            match rx.try_recv() {
                Ok(e) => e,
                Err(TryRecvError::Lagged(_)) => continue,
                Err(_) => return,
            }
        } else {
            tokio::select! {
                biased;
                r = rx.recv() => match r {
                    Ok(e) => e,
                    Err(RecvError::Lagged(_)) => continue,
                    Err(_) => return,
                },
                _ = &mut done => {
                    stopping = true;
                    continue;
                }
            }
        };
        match event {
            EngineEvent::JobChanged(j) => {
                if let Some(b) = &bar {
                    let counts = db.count_by_state(None).unwrap_or_default();
                    let n = |s: JobState| counts.get(s);
                    b.set_length(counts.total());
                    b.set_position(JobState::ALL.into_iter().filter(|s| s.is_final()).map(n).sum());
                    b.set_message(format!(
                        "{} running · {} queued · {} downloading · {} need a decision",
                        n(JobState::Running) + n(JobState::Submitting),
                        n(JobState::Queued),
                        n(JobState::Downloading) + n(JobState::Succeeded),
                        n(JobState::OutcomeUnknown)
                    ));
                } else if last.insert(j.id, j.state) != Some(j.state) {
                    let mut s = format!("job {} {}: {}", j.id, j.state.as_str(), j.title);
                    if let Some(p) = j.video_path.as_ref().filter(|_| j.state == JobState::Downloaded) {
                        s.push_str(&format!(" → {p}"));
                    }
                    if let Some(e) = j.error.as_ref().filter(|_| j.state != JobState::Queued || j.error_code != Some(ErrorCode::LimitReached)) {
                        s.push_str(&format!(" ({e})"));
                    }
                    println!("{s}");
                }
            }
            EngineEvent::Notice(n) => {
                let text = format!("{}: {}", n.title, n.body);
                match &bar {
                    Some(b) => b.println(text),
                    None => println!("{text}"),
                }
            }
            EngineEvent::AccountChanged { .. } => {}
        }
    }
}
