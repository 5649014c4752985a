//! `queue_jobs`: the priced plan first; the jobs are queued only when the
//! call says `confirm: true` with the plan's total. The rules are loova-core's:
//! each job checked and priced as a batch row (`batch::check_rows`), the plan
//! priced by `batch::batch_preview`, the budget by `preview::spending_preview`
//! and `BudgetStatus::refusal`, the jobs queued in one transaction by
//! `batch::enqueue_batch_from` — as `loova enqueue` and the app do.

use super::pricing::JobInput;
use super::reply;
use super::server::LoovaMcp;
use loova_core::batch::{self, BatchFile, BatchFormat, BatchRow, QueueOrder};
use loova_core::spending::Zone;
use loova_core::ErrorCode;
use rmcp::model::CallToolResult;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The batch list shows this as where the jobs came from.
const SOURCE: &str = "an AI assistant (loova mcp)";

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueInput {
    /// The account whose API Credits pay (its name, see `list_accounts`).
    pub account: String,
    /// The jobs, in the order they should be sent (one or more).
    pub jobs: Vec<JobInput>,
    /// A name for the batch (default: "AI assistant").
    pub batch_name: Option<String>,
    /// `listed` (default: the order given) or `soonest` (longest expected first, so the batch finishes sooner).
    pub order: Option<String>,
    /// false (default): only answer with the priced plan, queue nothing. true: queue the jobs (they will be charged).
    #[serde(default)]
    pub confirm: bool,
    /// With confirm: the plan's `total_credits`, as the plan said. A different number queues nothing (the plan changed).
    pub total_credits: Option<u64>,
}

#[derive(Debug, Serialize)]
struct PlanJob {
    job: u64,
    title: String,
    model: String,
    duration: u32,
    ratio: String,
    video_reference: bool,
    credits: Option<u64>,
}

#[derive(Debug, Serialize)]
struct Plan {
    account: String,
    jobs: Vec<PlanJob>,
    total_credits: u64,
    /// Dollars, API Credits after the plan, the shortfall and the pack advice.
    preview: batch::BatchPreview,
    /// The account's budget and how many of these jobs fit it now.
    spending: loova_core::preview::SpendingPreview,
    /// Who sends the queued jobs, or how to start something that does.
    engine: String,
}

pub fn queue_jobs(server: &LoovaMcp, input: &QueueInput) -> CallToolResult {
    let prices = server.prices();
    let db = server.db();
    let account = match server.accounts().find(&input.account) {
        Ok(a) => a,
        Err(e) => return reply::failure(&e),
    };
    if input.jobs.is_empty() {
        return reply::error(ErrorCode::InvalidInput, "`jobs` is empty: give at least one job (a prompt; the other fields have defaults).", Some("jobs"));
    }
    let order = match input.order.as_deref().map(str::parse::<QueueOrder>).transpose() {
        Ok(o) => o.unwrap_or_default(),
        Err(e) => return reply::error(ErrorCode::InvalidInput, format!("order: {e}."), Some("order")),
    };
    let mut rows: Vec<BatchRow> = input
        .jobs
        .iter()
        .enumerate()
        .map(|(i, j)| BatchRow { line: i as u64 + 1, name: j.name.clone(), account: None, spec: j.spec(), estimate: None, errors: Vec::new() })
        .collect();
    batch::check_rows(&mut rows, &prices);
    let mut file = BatchFile { format: BatchFormat::Jsonl, source: SOURCE.into(), rows, file_errors: Vec::new(), price_list_warning: prices.warning.clone() };
    let errors = file.errors();
    if !errors.is_empty() {
        let lines: Vec<String> = errors.iter().map(|e| format!("job {}: {}: {}", e.line, e.column, e.message())).collect();
        let code = errors.first().map_or(ErrorCode::BatchInvalidRows, |e| e.code);
        return reply::error_with(code, format!("Nothing was queued: {}", lines.join("; ")), Some(errors[0].column.as_str()), &errors);
    }
    if let Err(e) = batch::order::order_rows(db, &account.id, &mut file.rows, order) {
        return reply::failure(&e);
    }
    let balance = match batch::account_balance(db, &account) {
        Ok(b) => b,
        Err(e) => return reply::failure(&e),
    };
    let ppc = batch::price_per_credit(db).ok().flatten();
    let preview = batch::batch_preview(&file, &prices, Some(&balance), ppc);
    let estimates: Vec<Option<i64>> = file.rows.iter().map(|r| r.estimate.as_ref().map(|e| e.credits as i64)).collect();
    let spending = match loova_core::preview::spending_preview(db, &account.id, Zone::Local, &estimates) {
        Ok(s) => s,
        Err(e) => return reply::failure(&e),
    };
    let jobs = file
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| PlanJob {
            job: i as u64 + 1,
            title: loova_core::engine::title_of(r.name.as_deref(), &r.spec.prompt),
            model: r.spec.model.clone(),
            duration: r.spec.duration,
            ratio: r.spec.ratio.clone(),
            video_reference: r.spec.has_video_reference(),
            credits: r.estimate.as_ref().map(|e| e.credits),
        })
        .collect();
    let total = preview.total_credits;
    let plan = Plan { account: account.name.clone(), jobs, total_credits: total, preview, spending, engine: server.engine_status() };

    // Over the budget: the queue would hold these jobs back, so none is queued.
    if plan.spending.jobs_that_fit.is_some_and(|n| n < plan.spending.jobs) {
        // The sentence the queue would show on the first job held back.
        let mut after = plan.spending.budget.clone();
        after.reserve(plan.spending.queued_ahead);
        let reason = estimates
            .iter()
            .find_map(|e| {
                let refusal = after.refusal(*e);
                after.reserve(e.unwrap_or(0));
                refusal
            })
            .map(|r| r.message)
            .unwrap_or_default();
        let fit = plan.spending.jobs_that_fit.unwrap_or(0);
        let said = format!(
            "Nothing was queued: the plan needs {total} credits and only {fit} of its {} jobs fit {}'s budget now; job {} would wait. {reason}.",
            plan.spending.jobs,
            account.name,
            fit + 1
        );
        return reply::error_with(ErrorCode::BudgetReached, said, Some("jobs"), &plan);
    }
    let dollars = match (plan.preview.dollars.usd, plan.preview.dollars.price_per_credit) {
        (Some(usd), Some(_)) => format!("${}", usd.round_dp(2)),
        _ => format!("${} – ${}", plan.preview.dollars.usd_min.round_dp(2), plan.preview.dollars.usd_max.round_dp(2)),
    };
    let n = plan.jobs.len();
    if !input.confirm {
        let said = format!(
            "Plan: {n} job(s) on {}, {total} credits ({dollars}). Nothing is queued yet. To queue them (they will be charged), call queue_jobs again with the same jobs, \"confirm\": true and \"total_credits\": {total}.",
            account.name
        );
        return reply::ok(said, &plan);
    }
    if input.total_credits != Some(total) {
        let given = input.total_credits.map_or("none".to_string(), |t| t.to_string());
        let said = format!("Nothing was queued: total_credits is {given}, but the plan costs {total} credits. Check the plan below, then confirm with \"total_credits\": {total}.");
        return reply::error_with(ErrorCode::InvalidInput, said, Some("total_credits"), &plan);
    }
    let name = input.batch_name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or("AI assistant");
    // An assistant that lost the answer and calls again must not queue (and
    // pay for) the same plan twice: the batch carries the plan's digest.
    let source = format!("{SOURCE}, plan {:016x}", plan_digest(&account.id, name, &file));
    match db.batches().map(|bs| bs.into_iter().find(|b| b.source_file == source)) {
        Ok(Some(done)) => {
            let said = format!(
                "Nothing was queued: this plan was already queued as batch \"{}\" ({}); list_jobs with \"batch\": \"{}\" shows it. To queue the same jobs once more (a new charge), give another batch_name.",
                done.name, done.id, done.id
            );
            return reply::error_with(ErrorCode::InvalidInput, said, Some("batch_name"), &plan);
        }
        Ok(None) => {}
        Err(e) => return reply::failure(&e),
    }
    match batch::enqueue_batch_from(db, &account.id, &file, Some(name), false, &prices, &source) {
        Ok(summary) => {
            server.wake_engine();
            let said = format!(
                "Queued batch \"{}\" ({}) on {}: {} job(s), about {} credits ({dollars}); job ids {:?}. {}",
                summary.batch.name, summary.batch.id, account.name, summary.queued, summary.total_credits, summary.job_ids, plan.engine
            );
            reply::ok(said, &serde_json::json!({"queued": summary, "plan": plan}))
        }
        Err(e) => reply::failure(&e),
    }
}

/// The plan's identity: account, batch name and every job in queue order
/// (FNV-1a over their JSON: stable across builds, unlike std's hasher).
fn plan_digest(account_id: &str, batch_name: &str, file: &BatchFile) -> u64 {
    let jobs: Vec<(&Option<String>, &loova_core::JobSpec)> = file.rows.iter().map(|r| (&r.name, &r.spec)).collect();
    let text = serde_json::to_string(&(account_id, batch_name, jobs)).expect("job specs serialize");
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
