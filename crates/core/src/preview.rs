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
    /// Set when the person's price list file was refused.
    pub price_list_warning: Option<String>,
}

pub fn preview(spec: &JobSpec, prices: &LoadedPriceList) -> Preview {
    let priceable = (MIN_DURATION..=MAX_DURATION).contains(&spec.duration);
    Preview {
        estimate: priceable.then(|| estimate(spec, &prices.list, &prices.info)).flatten(),
        violations: spec.validate(),
        price_list_warning: prices.warning.clone(),
    }
}
