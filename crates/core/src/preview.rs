//! The Composer's live preview: every violation plus the price, computed
//! together so the GUI and the CLI show the same thing.

use crate::job::{JobSpec, MAX_DURATION, MIN_DURATION};
use crate::pricing::{
    estimate::{estimate, Estimate},
    LoadedPriceList,
};
use crate::Violation;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Preview {
    /// Present whenever the model and duration can be priced, even if other
    /// fields still need fixing: the person sees the cost while typing.
    pub estimate: Option<Estimate>,
    pub violations: Vec<Violation>,
    /// Limits Loova's page leaves out that the references may exceed
    /// (Seedance 2.0's upstream ones), each with its source: warnings,
    /// never refusals.
    pub warnings: Vec<crate::reference_limits::ReferenceWarning>,
    /// Set when the person's price list file was refused.
    pub price_list_warning: Option<String>,
}

pub fn preview(spec: &JobSpec, prices: &LoadedPriceList) -> Preview {
    let priceable = (MIN_DURATION..=MAX_DURATION).contains(&spec.duration);
    Preview {
        estimate: priceable.then(|| estimate(spec, &prices.list, &prices.info)).flatten(),
        violations: spec.validate(),
        warnings: crate::reference_limits::warnings(spec),
        price_list_warning: prices.warning.clone(),
    }
}

/// The spending side of a cost preview (the Composer's and the batch
/// preview's): what the account spent today and this month, what is left of
/// its budget, and how many of the previewed jobs would start now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SpendingPreview {
    pub budget: crate::spending::BudgetStatus,
    /// Estimates of the account's jobs already queued: they go first.
    pub queued_ahead: i64,
    /// Of the previewed jobs, in order, how many fit what is left after the
    /// queue ahead (`None` without a cap: all of them may start).
    pub jobs_that_fit: Option<u64>,
    pub jobs: u64,
}

pub fn spending_preview(
    db: &crate::store::Db,
    account_id: &str,
    zone: crate::spending::Zone,
    estimates: &[Option<i64>],
) -> Result<SpendingPreview, crate::store::StoreError> {
    let budget = crate::spending::budget_status(db, account_id, zone, crate::store::now_ms())?;
    let queued_ahead = db.queued_estimates(account_id)?;
    let jobs_that_fit = budget.has_cap().then(|| {
        let mut after = budget.clone();
        after.reserve(queued_ahead);
        after.fits(estimates) as u64
    });
    Ok(SpendingPreview { budget, queued_ahead, jobs_that_fit, jobs: estimates.len() as u64 })
}
