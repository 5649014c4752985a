//! `loova-bench policy`: the engine's polling policy played in simulated
//! time, without a simulator or a clock — thousands of runs a second — to
//! try an idea against the oracle before the real benchmark measures it.
//! It calls the engine's own planning (`runtime_model::predict`,
//! `engine::next_poll`) and mirrors its loop
//! (`engine/poll.rs`): each running task is polled at its plan, never twice
//! within `min_poll` nor further apart than `longest_poll_gap`; a finish
//! teaches the model and every sleeping poll plans again; the freed slot is
//! refilled at once. It is a model of the engine, not a measurement of it:
//! only `loova-bench queue` is.
//!
//! Beside the engine it plays a bound, "told at the first finish": the same
//! engine until a task of a job's model has finished, and from that moment
//! the job is planned on its true distribution (what the oracle knows), at
//! the engine's budget. No learning rule can know more than that after one
//! finish, so what the bound leaves over the oracle is the cost of the time
//! before it, which only the API could remove (docs/PERFORMANCE.md).

use super::jobs::Job;
use super::oracle::{oracle, Drawn};
use loova_core::engine::{next_poll, Cohort, EngineConfig};
use loova_core::runtime_model::polls::{next_after, Uniform};
use loova_core::runtime_model::{predict, Observation, RunKey};
use loova_testkit::Rng;

/// One run's outcome, in simulated seconds.
pub struct Played {
    /// Per job, in order: its noticing delay.
    pub delays: Vec<f64>,
    pub polls_per_job: f64,
    pub delay_mean: f64,
    pub makespan: f64,
    pub drawn: Vec<Drawn>,
}

struct Running {
    job: usize,
    start: f64,
    finish: f64,
    last_poll: Option<f64>,
    seen: Option<f64>,
    next: f64,
}

fn key(job: &Job) -> RunKey {
    RunKey { model: job.model.into(), duration: job.duration, video_reference: false }
}

/// What plans a running job's polls.
#[derive(Clone, Copy, PartialEq)]
pub enum Planner {
    /// The engine's own planning (`engine::next_poll`).
    Engine,
    /// The engine until a task of the job's model has finished, then the
    /// job's true distribution (the bound above).
    ToldAtFirstFinish,
}

/// Plays `jobs` in order on `cap` slots against a service `factor` × the
/// prior (±`jitter` uniform, drawn from `seed`).
pub fn play(jobs: &[Job], factor: f64, jitter: f64, cap: usize, config: &EngineConfig, seed: u64, planner: Planner) -> Played {
    play_after(jobs, factor, jitter, cap, config, seed, Vec::new(), planner).0
}

/// [`play`], the account having finished `history` (newest first) before;
/// also returns the history after the run.
#[allow(clippy::too_many_arguments)]
pub fn play_after(
    jobs: &[Job],
    factor: f64,
    jitter: f64,
    cap: usize,
    config: &EngineConfig,
    seed: u64,
    mut history: Vec<Observation>,
    planner: Planner,
) -> (Played, Vec<Observation>) {
    let mut rng = loova_testkit::rng_from(seed);
    let prior = |j: &Job| config.default_expected_secs(j.model, j.duration);
    let truth: Vec<Uniform> = jobs.iter().map(|j| Uniform::around(prior(j) * factor, jitter)).collect();
    let runs: Vec<f64> = truth.iter().map(|u| rng.gen_range(u.lo..=u.hi)).collect();
    let mut running: Vec<Running> = Vec::new();
    let (mut polls, mut delays, mut makespan, mut next_job) = (0usize, vec![0.0; jobs.len()], 0.0f64, 0usize);

    let plan = |r: &Running, running: &[Running], history: &[Observation], now: f64| -> f64 {
        let job = &jobs[r.job];
        let pred = predict(prior(job), &key(job), history);
        let mut cohort: Vec<&Running> = running.iter().filter(|o| jobs[o.job].model == job.model).collect();
        cohort.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.job.cmp(&b.job)));
        let cohort = Cohort { rank: cohort.iter().position(|o| o.job == r.job).unwrap_or(0), of: cohort.len() };
        let seen = r.seen.map_or(0.0, |s| s - r.start);
        let told = planner == Planner::ToldAtFirstFinish && history.iter().any(|o| o.key.model == job.model);
        let at = r.start + if told { next_after(&truth[r.job], config.polls_per_job, seen) } else { next_poll(config, &pred, cohort, seen) };
        let floor = r.last_poll.map_or(now, |l| l + config.min_poll.as_secs_f64());
        at.max(floor).max(now).min(now + config.longest_poll_gap.as_secs_f64())
    };

    // LOOVA_POLICY_TRACE=from,to: every poll of those jobs, 3 × slower, first seed.
    let traced: Option<(usize, usize)> = std::env::var("LOOVA_POLICY_TRACE").ok().and_then(|v| {
        let (a, b) = v.split_once(',')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    });
    let traced = traced.filter(|_| seed == 0 && (factor - 3.0).abs() < 1e-9);
    let mut now = 0.0;
    loop {
        while running.len() < cap && next_job < jobs.len() {
            running.push(Running { job: next_job, start: now, finish: now + runs[next_job], last_poll: None, seen: None, next: now });
            next_job += 1;
            let i = running.len() - 1;
            running[i].next = plan(&running[i], &running, &history, now);
        }
        let Some(i) = (0..running.len()).min_by(|a, b| running[*a].next.total_cmp(&running[*b].next)) else { break };
        now = running[i].next;
        polls += 1;
        if traced.is_some_and(|(a, b)| (a..=b).contains(&running[i].job)) {
            let j = &jobs[running[i].job];
            let pred = predict(prior(j), &key(j), &history);
            eprintln!(
                "t={now:.1} poll job {} (start {:.1}, run {:.1}, predicted median {:.1} sd {:.3}, truth {:.1}){}",
                running[i].job,
                running[i].start,
                now - running[i].start,
                pred.median(),
                pred.log_sigma,
                runs[running[i].job],
                if now >= running[i].finish { " DONE" } else { "" }
            );
        }
        if now >= running[i].finish {
            let r = running.remove(i);
            delays[r.job] = now - r.finish;
            makespan = makespan.max(now);
            let job = &jobs[r.job];
            let lo = r.seen.map_or(0.0, |s| s - r.start);
            history.insert(0, Observation { key: key(job), prior_secs: prior(job), lo_secs: lo, hi_secs: now - r.start });
            // Learned: every sleeping poll plans again (new jobs plan above).
            for k in 0..running.len() {
                running[k].next = plan(&running[k], &running, &history, now);
            }
        } else {
            running[i].seen = Some(now);
            running[i].last_poll = Some(now);
            running[i].next = plan(&running[i], &running, &history, now);
        }
    }
    let n = jobs.len().max(1) as f64;
    let drawn = truth.iter().zip(&runs).map(|(t, r)| Drawn { truth: *t, run: *r }).collect();
    (Played { delays: delays.clone(), polls_per_job: polls as f64 / n, delay_mean: delays.iter().sum::<f64>() / n, makespan, drawn }, history)
}

/// One case's figures, averaged over seeds.
#[derive(Default)]
struct Averages {
    polls: f64,
    delay: f64,
    span: f64,
    bound: f64,
}

/// Plays one case with `planner` over `seeds` seeds, each against the
/// oracle at the polls that run spent.
fn average(jobs: &[Job], factor: f64, config: &EngineConfig, seeds: u64, planner: Planner, debug: &str) -> Averages {
    let mut a = Averages::default();
    for seed in 0..seeds {
        // LOOVA_POLICY_WARM=1: the account ran the same batch before (the
        // steady state, nothing left to learn).
        let p = if std::env::var_os("LOOVA_POLICY_WARM").is_some() {
            let (_, h) = play_after(jobs, factor, super::JITTER, super::CAP, config, seed + 1000, Vec::new(), planner);
            play_after(jobs, factor, super::JITTER, super::CAP, config, seed, h, planner).0
        } else {
            play(jobs, factor, super::JITTER, super::CAP, config, seed, planner)
        };
        let o = oracle(&p.drawn, super::CAP, p.polls_per_job);
        if std::env::var_os("LOOVA_POLICY_DEBUG").is_some() && seed == 0 && planner == Planner::Engine {
            let sixes: Vec<String> = p.delays.chunks(6).map(|c| format!("{:.1}", c.iter().sum::<f64>() / c.len() as f64)).collect();
            eprintln!("{debug}: oracle {:.1}; mean delay per 6 jobs: {}", o.delay_mean, sixes.join(" "));
        }
        let sum: f64 = p.drawn.iter().map(|d| d.run).sum();
        let longest = p.drawn.iter().map(|d| d.run).fold(0.0, f64::max);
        a.polls += p.polls_per_job / seeds as f64;
        a.delay += p.delay_mean / o.delay_mean / seeds as f64;
        a.span += p.makespan / o.makespan / seeds as f64;
        a.bound += p.makespan / (sum / super::CAP as f64).max(longest) / seeds as f64;
    }
    a
}

/// Each prior case and order, averaged over `seeds` runs: the engine's
/// polls per job, delay ÷ the oracle's, makespan ÷ the oracle's, and the
/// same two for the bound told the truth at the first finish.
pub fn report(listed: &[Job], soonest: &[Job], fast: &[Job], seeds: u64) -> String {
    let mut config = EngineConfig::default();
    // Trying other poll budgets without a rebuild.
    let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<f64>().ok());
    config.polls_per_job = var("LOOVA_POLICY_PER_JOB").unwrap_or(config.polls_per_job);
    config.polls_scout = var("LOOVA_POLICY_SCOUT").unwrap_or(config.polls_scout);
    config.polls_waiting = var("LOOVA_POLICY_WAITING").unwrap_or(config.polls_waiting);
    let mut t = String::from(
        "| case | order | polls/job | delay ÷ oracle | makespan ÷ oracle | ÷ lower bound | told at the first finish: delay ÷ oracle | makespan ÷ oracle |\n|---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut cases: Vec<(&str, f64, &str, &[Job])> = Vec::new();
    for (name, factor) in super::CASES {
        cases.push((name, factor, "soonest", soonest));
        cases.push((name, factor, "listed", listed));
    }
    cases.push(("20 × faster", 1.0 / 20.0, "listed", fast));
    for (name, factor, order, jobs) in cases {
        let e = average(jobs, factor, &config, seeds, Planner::Engine, &format!("{name} {order}"));
        let told = average(jobs, factor, &config, seeds, Planner::ToldAtFirstFinish, "");
        t += &format!("| {name} | {order} | {:.2} | {:.2} | {:.3} | {:.3} | {:.2} | {:.3} |\n", e.polls, e.delay, e.span, e.bound, told.delay, told.span);
    }
    t
}
