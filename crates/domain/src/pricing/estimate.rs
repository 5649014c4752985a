//! What a job will cost, computed offline from the price list.

use super::{PriceList, PriceListInfo};
use crate::job::JobSpec;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The credit pool that pays. Everything Loova Desk submits goes through the
/// API, so it is always paid from API Credits; App Credits exist only so the
/// UI can say plainly that they cannot pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CreditPool {
    Api,
    App,
}

pub const POOL_NOTE: &str = "Paid from API Credits. App Credits cannot pay for API jobs, and Loova never switches pools.";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Estimate {
    pub model: String,
    pub model_name: String,
    pub video_reference: bool,
    pub credits_per_second: u32,
    pub seconds: u32,
    pub credits: u64,
    pub pool: CreditPool,
    pub pool_note: String,
    /// Dollars at the cheapest pack's price per credit (exact decimal string).
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub usd_min: Decimal,
    /// Dollars at the dearest pack's price per credit (exact decimal string).
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub usd_max: Decimal,
    /// "30 credits/s × 8 s = 240 credits", ready to show.
    pub formula: String,
    pub price_list: PriceListInfo,
}

/// Prices a job. Returns `None` when the model is not on the list (validation
/// reports that case with a fix; pricing never guesses a rate).
pub fn estimate(spec: &JobSpec, list: &PriceList, info: &PriceListInfo) -> Option<Estimate> {
    estimate_parts(&spec.model, spec.duration, spec.has_video_reference(), list, info)
}

/// Prices by the three things the price depends on, for previews that have
/// no full job yet ("what would 8 s with a video reference cost?").
pub fn estimate_parts(model: &str, seconds: u32, video_reference: bool, list: &PriceList, info: &PriceListInfo) -> Option<Estimate> {
    let model = list.model(model)?;
    let credits_per_second = if video_reference { model.credits_per_second_with_video_reference } else { model.credits_per_second };
    let credits = u64::from(credits_per_second) * u64::from(seconds);
    let (min_rate, max_rate) = list.price_per_credit_range();
    Some(Estimate {
        model: model.id.clone(),
        model_name: model.name.clone(),
        video_reference,
        credits_per_second,
        seconds,
        credits,
        pool: CreditPool::Api,
        pool_note: POOL_NOTE.to_string(),
        usd_min: dollars(credits, min_rate),
        usd_max: dollars(credits, max_rate),
        formula: format!("{credits_per_second} credits/s × {seconds} s = {credits} credits"),
        price_list: info.clone(),
    })
}

/// Credits × price per credit, rounded to cents (half away from zero, the way
/// a shop rounds a total) and always shown with two decimals.
pub fn dollars(credits: u64, price_per_credit: Decimal) -> Decimal {
    let mut d = (Decimal::from(credits) * price_per_credit).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    d.rescale(2);
    d
}
