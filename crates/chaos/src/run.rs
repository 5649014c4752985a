//! One campaign, start to end: simulator, account, jobs, the engine killed
//! and restarted, the simulator's outage, the person, then the checks.

use crate::checks;
use crate::loova::{sigkill, sigterm, text, Loova};
use crate::person::{Decisions, Person};
use crate::sim::{Sim, SimSetup};
use crate::Args;
use anyhow::{bail, Context};
use loova_core::store::{Db, JobFilter};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Simulated durations × this: a 60 s Seedance task runs 3 s.
const TIME_SCALE: f64 = 0.05;
const ACCOUNT: &str = "chaos";

pub struct Report {
    pub line: String,
    pub violations: Vec<String>,
    pub work_dir: PathBuf,
}

#[derive(PartialEq)]
enum Outage {
    NotYet,
    Down(Instant),
    Over,
}

pub async fn campaign(args: &Args) -> anyhow::Result<Report> {
    let started = Instant::now();
    let work = tempfile::Builder::new().prefix("loova-chaos-").tempdir()?;
    let bin_dir = std::env::current_exe()?.parent().context("the driver's folder")?.to_path_buf();
    let mut rng = StdRng::seed_from_u64(args.seed);
    let key = format!("sk-chaos-{:016x}", rng.gen::<u64>());

    let mut sim = Sim::start(SimSetup {
        bin: bin_dir.join("loova-sim"),
        key: key.clone(),
        user: "chaos-studio".into(),
        seed: args.seed,
        fault_rate: 0.05,
        fail_rate: 0.10,
        time_scale: TIME_SCALE,
        slow_ms: 300,
        state_file: work.path().join("sim-state.json"),
        log: work.path().join("sim.log"),
        script_variant: args.script_variant,
        late_variant: args.late_variant,
    })
    .await?;
    let data = work.path().join("data");
    std::fs::create_dir_all(&data)?;
    let loova = Loova {
        bin: bin_dir.join("loova"),
        data: data.clone(),
        service: format!("loova-chaos-{}-{}", args.seed, std::process::id()),
        time_scale: TIME_SCALE,
        engine_log: work.path().join("engine.log"),
    };
    add_account(&loova, &sim, &key).await?;
    loova.ok(&["output-dir", &data.join("videos").to_string_lossy()]).await?;
    crate::jobs::enqueue(&loova, ACCOUNT, args.jobs, args.seed, &mut rng).await?;
    let db = Db::open_in(&data)?;

    let mut person = Person { loova: &loova, db: &db, account: ACCOUNT, key: &key, settle_ms: 1_800, done: Decisions::default() };
    let mut violations = Vec::new();
    let mut engine = Some(loova.start_engine()?);
    // Kills spread over the whole run: about 0.8 s of queue per job (6 at
    // once, a few seconds each), shared among K+1 gaps.
    let mean_gap = (args.jobs as f64 * 0.8 / (args.kills as f64 + 1.0)).max(0.8);
    let gap = |rng: &mut StdRng| Duration::from_secs_f64(rng.gen_range(0.3..2.0 * mean_gap - 0.3));
    let mut next_kill = Instant::now() + gap(&mut rng);
    let (mut kills, mut sim_restarts) = (0usize, 0usize);
    // The outage starts after half the kills (so kills land before, during
    // and after it).
    let outage_after = args.kills.div_ceil(2);
    let mut outage = Outage::NotYet;
    let bound = Duration::from_secs_f64(60.0 + args.outage_secs + args.jobs as f64 * 2.0 + args.kills as f64 * 1.5);
    let mut last_look = Instant::now();
    let mut faults = std::collections::BTreeMap::new();
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Some(status) = engine.as_mut().map(|c| c.try_wait()).transpose()?.flatten() {
            bail!("`loova run` exited by itself ({status}); see {}", loova.engine_log.display());
        }
        let all_final = db.jobs(&JobFilter::default())?.iter().all(|j| j.state.is_final());
        if kills < args.kills && Instant::now() >= next_kill {
            sigkill(engine.take().expect("the engine runs")).await?;
            kills += 1;
            engine = Some(loova.start_engine()?);
            // Once the queue is done, the remaining kills come quickly.
            next_kill = Instant::now() + if all_final { Duration::from_millis(300) } else { gap(&mut rng) };
        }
        match outage {
            Outage::NotYet if kills >= outage_after && (args.kills > 0 || started.elapsed() > Duration::from_secs(5)) => {
                sim.fault_tally(&mut faults).await?;
                sim.stop().await?;
                outage = Outage::Down(Instant::now());
            }
            Outage::Down(since) if since.elapsed().as_secs_f64() >= args.outage_secs => {
                sim.restart().await?;
                sim_restarts += 1;
                outage = Outage::Over;
            }
            _ => {}
        }
        // The dashboard is down with the service.
        if sim.is_up() && last_look.elapsed() >= Duration::from_millis(400) {
            if let Err(e) = person.look(&sim).await {
                violations.push(format!("{e:#}"));
                break;
            }
            last_look = Instant::now();
        }
        if all_final && kills >= args.kills && outage == Outage::Over {
            break;
        }
        if started.elapsed() > bound {
            violations.push(format!("not done within {} s (the bound for this campaign)", bound.as_secs()));
            break;
        }
    }
    if let Some(c) = engine.take() {
        sigterm(c).await?;
    }
    if !sim.is_up() {
        sim.restart().await?;
    }

    sim.fault_tally(&mut faults).await?;
    let ledger = sim.state().await?;
    let jobs = db.jobs(&JobFilter::default())?;
    let found = checks::check(&sim, &ledger, &jobs, &[work.path()], &key).await?;
    violations.extend(found.violations);
    // The keychain entry goes with the account.
    let removed = loova.run(&["accounts", "remove", ACCOUNT]).await?;
    if !removed.status.success() {
        violations.push(format!("`loova accounts remove {ACCOUNT}` failed: {}", text(&removed)));
    }
    sim.stop().await?;

    let d = &person.done;
    let f = &found.figures;
    let line = format!(
        "chaos: variant={} seed={} jobs={} kills={kills} engine_restarts={kills} sim_restarts={sim_restarts} unknowns={} attached={} resubmitted={} keys_entered_again={} accounts_resumed={} tasks_created={} max_running={} faults_injected={} videos_verified={} multipart_tasks={} jobs_failed={} outage_s={} duration_s={:.0}",
        if args.late_variant {
            "late2026"
        } else if args.script_variant {
            "script"
        } else {
            "documented"
        },
        args.seed,
        args.jobs,
        d.attached + d.resubmitted,
        d.attached,
        d.resubmitted,
        d.keys_entered_again,
        d.resumed,
        f.tasks_created,
        f.max_running,
        faults.values().sum::<u64>(),
        f.videos_verified,
        f.multipart,
        f.jobs_failed,
        args.outage_secs,
        started.elapsed().as_secs_f64(),
    );
    let work_dir = if violations.is_empty() { work.path().to_path_buf() } else { work.keep() };
    if args.show_faults {
        for (what, n) in &faults {
            eprintln!("chaos: fault {what}: {n}");
        }
    }
    Ok(Report { line, violations, work_dir })
}

/// `loova accounts add`, the key on standard input. The key check meets the
/// simulator's faults like any request, so it is tried again (as a person
/// would) until Loova answers.
async fn add_account(loova: &Loova, sim: &Sim, key: &str) -> anyhow::Result<()> {
    let base = sim.account_base_url();
    let mut last = String::new();
    for _ in 0..40 {
        let o = loova.with_key(&["accounts", "add", "--name", ACCOUNT, "--base-url", &base, "--key-stdin"], key).await?;
        if o.status.success() {
            return Ok(());
        }
        last = text(&o);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("could not add the account in 40 tries; last answer: {last}")
}
