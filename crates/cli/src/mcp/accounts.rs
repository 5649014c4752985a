//! `list_accounts`: names, both credit pools (API Credits with when they were
//! read), the budgets left and the slots in use. Never a key, nor its hint:
//! the answer is built field by field from `AccountView`, not serialized whole.

use super::reply;
use super::server::LoovaMcp;
use loova_core::spending::{budget_status, BudgetStatus, Zone};
use rmcp::model::CallToolResult;
use serde::Serialize;

#[derive(Debug, Serialize)]
struct AccountLine {
    name: String,
    sandbox: bool,
    /// active, paused, …
    state: loova_core::accounts::AccountState,
    api_available_credits: Option<i64>,
    api_total_credits: Option<i64>,
    /// How long ago the API Credits were read, in minutes (None: never).
    api_credits_age_minutes: Option<i64>,
    /// Why the last read failed, if it did.
    balance_error: Option<String>,
    app_credits: Option<i64>,
    budget: Option<BudgetStatus>,
    /// Jobs holding one of the account's slots now, and how many it has.
    slots_in_use: i64,
    slots: i64,
}

pub fn list_accounts(server: &LoovaMcp) -> CallToolResult {
    let db = server.db();
    let list = match server.accounts().list() {
        Ok(l) => l,
        Err(e) => return reply::failure(&e),
    };
    let now = loova_core::store::now_ms();
    let limit = server.prices().list.concurrency_limit;
    let mut lines = Vec::with_capacity(list.len());
    for a in list {
        let (in_use, _, _) = db.in_flight(&a.id).unwrap_or_default();
        let own = db.account(&a.id).ok().flatten().and_then(|r| r.concurrency_limit);
        let budget = budget_status(db, &a.id, Zone::Local, now).ok().filter(BudgetStatus::has_cap);
        lines.push(AccountLine {
            api_credits_age_minutes: a.api_credits_read_at.map(|t| (now - t).max(0) / 60_000),
            slots: loova_core::pricing::limit::effective_limit(limit, own),
            slots_in_use: in_use,
            name: a.name,
            sandbox: a.sandbox,
            state: a.state,
            api_available_credits: a.api_available_credits,
            api_total_credits: a.api_total_credits,
            balance_error: a.balance_error,
            app_credits: a.app_credits,
            budget,
        });
    }
    let said = if lines.is_empty() {
        "No accounts yet. A person adds one in the Loova Desk app, or with `loova accounts add --name NAME --key-stdin` (keys are never given to this server)."
            .to_string()
    } else {
        let parts: Vec<String> = lines
            .iter()
            .map(|l| {
                let api = l.api_available_credits.map_or("API Credits not read yet".into(), |c| format!("{c} API Credits"));
                let left = l.budget.as_ref().and_then(BudgetStatus::room).map_or(String::new(), |r| format!(", {r} credits left in its budget"));
                format!("{}: {api}{left}, {} of {} slots in use", l.name, l.slots_in_use, l.slots)
            })
            .collect();
        parts.join("; ")
    };
    reply::ok(said, &serde_json::json!({"accounts": lines}))
}
