//! `usage`: what was charged, grouped by local day, week, month, model,
//! account or batch — loova-core's `spending::usage`, the same totals as
//! `loova usage`.

use super::reply;
use super::server::LoovaMcp;
use loova_core::spending::{self, GroupBy, UsageQuery, Zone};
use loova_core::ErrorCode;
use rmcp::model::CallToolResult;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageInput {
    /// Only this account (its name).
    pub account: Option<String>,
    /// First day, included (YYYY-MM-DD, local time).
    pub since: Option<String>,
    /// Last day, included (YYYY-MM-DD, local time).
    pub until: Option<String>,
    /// day (default), week (starting Monday), month, model, account or batch.
    pub by: Option<String>,
}

pub fn usage(server: &LoovaMcp, input: &UsageInput) -> CallToolResult {
    let by_text = input.by.as_deref().unwrap_or("day");
    let Some(by) = GroupBy::parse(by_text) else {
        return reply::error(ErrorCode::InvalidInput, format!("by \"{by_text}\" is not known: use day, week, month, model, account or batch."), Some("by"));
    };
    let account_id = match &input.account {
        Some(name) => match server.accounts().find(name) {
            Ok(a) => Some(a.id),
            Err(e) => return reply::failure(&e),
        },
        None => None,
    };
    let q = UsageQuery { account_id, since: input.since.clone(), until: input.until.clone(), by, ..Default::default() };
    match spending::usage(server.db(), &q, Zone::Local) {
        Ok(report) => {
            let t = &report.total;
            let said = format!("{} credits charged for {} job(s) (estimated {}, refunded {}).", t.credits, t.jobs, t.estimate_credits, t.refunded_credits);
            reply::ok(said, &report)
        }
        Err(e) => reply::error(e.code(), e.to_string(), None),
    }
}
