//! The price list: data, not code. One JSON file is embedded in the binary; a
//! person may drop a newer one into the data directory (Loova says prices
//! change). Either way it is validated before anything is priced with it.
//! Reading that file is loova-core's (`load_price_list`); the list's shape,
//! its checks and the arithmetic on it are here.

pub mod estimate;
pub mod limit;
pub mod packs;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The list this build ships with.
pub const EMBEDDED_PRICE_LIST: &str = include_str!("../../data/price-list.json");

/// The only format this build understands.
const FORMAT: u32 = 1;

/// Bounds far above Loova's prices (15–30 credits/s, packs up to $3,200)
/// that keep every estimate and pack total within exact decimal arithmetic:
/// a rate of 4·10⁹ credits/s at 10²⁰ dollars a credit overflowed it (found
/// by fuzzing; crates/fuzz/regressions/price_list/).
const MAX_CREDITS_PER_SECOND: u32 = 100_000;
const MAX_PACK_PRICE: u64 = 10_000_000;

/// Models the Loova API accepts; a price list must price each of them.
pub const API_MODELS: [&str; 2] = ["seedance_2_0", "seedance_2_0_fast"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceList {
    pub format: u32,
    pub effective_date: String,
    pub source: String,
    pub currency: String,
    pub concurrency_limit: u32,
    pub models: Vec<ModelPrice>,
    pub api_credit_packs: Vec<CreditPack>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPrice {
    pub id: String,
    pub name: String,
    pub credits_per_second: u32,
    pub credits_per_second_with_video_reference: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditPack {
    pub credits: u64,
    /// Dollars, exact.
    pub price: Decimal,
    /// As printed by Loova (rounded to 3 places); checked against price / credits.
    pub price_per_credit: Decimal,
}

impl CreditPack {
    /// Exact price per credit (not the rounded figure Loova prints).
    pub fn exact_price_per_credit(&self) -> Decimal {
        self.price / Decimal::from(self.credits)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PriceListError {
    #[error("the price list {origin} is not valid JSON for this app: {reason}. Fix the file or remove it to use the built-in list.")]
    Parse { origin: String, reason: String },
    #[error("the price list {origin} has a bad entry at {entry}: {problem}. Fix that entry or remove the file to use the built-in list.")]
    BadEntry { origin: String, entry: String, problem: String },
    #[error("could not read the price list {origin}: {reason}")]
    Io { origin: String, reason: String },
}

impl PriceListError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            PriceListError::Parse { .. } => crate::ErrorCode::PriceListInvalid,
            PriceListError::BadEntry { .. } => crate::ErrorCode::PriceListBadEntry,
            PriceListError::Io { .. } => crate::ErrorCode::PriceListUnreadable,
        }
    }
}

/// Where a price list came from, shown beside every preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case", tag = "kind", content = "path")]
pub enum PriceListOrigin {
    BuiltIn,
    File(String),
}

/// Which list priced a preview: its date, source and origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PriceListInfo {
    pub effective_date: String,
    pub source: String,
    pub origin: PriceListOrigin,
}

/// A validated price list together with where it came from and, when a
/// person's file was refused, why (the built-in list is used instead).
#[derive(Debug, Clone)]
pub struct LoadedPriceList {
    pub list: PriceList,
    pub info: PriceListInfo,
    pub warning: Option<String>,
}

impl LoadedPriceList {
    /// The list this build ships with; `warning` says why a person's file
    /// was not used, when there was one.
    pub fn built_in(warning: Option<String>) -> LoadedPriceList {
        let list = PriceList::embedded();
        LoadedPriceList {
            info: PriceListInfo { effective_date: list.effective_date.clone(), source: list.source.clone(), origin: PriceListOrigin::BuiltIn },
            list,
            warning,
        }
    }
}

impl PriceList {
    pub fn embedded() -> PriceList {
        PriceList::parse(EMBEDDED_PRICE_LIST, "built into Loova Desk").expect("the embedded price list is validated by a unit test")
    }

    /// Parses and validates; `origin` names the list in messages.
    pub fn parse(text: &str, origin: &str) -> Result<PriceList, PriceListError> {
        let list: PriceList = serde_json::from_str(text).map_err(|e| PriceListError::Parse { origin: origin.to_string(), reason: e.to_string() })?;
        list.validate(origin)?;
        Ok(list)
    }

    pub fn model(&self, id: &str) -> Option<&ModelPrice> {
        self.models.iter().find(|m| m.id == id)
    }

    /// Cheapest and dearest exact price per credit across the packs.
    pub fn price_per_credit_range(&self) -> (Decimal, Decimal) {
        let rates = self.api_credit_packs.iter().map(CreditPack::exact_price_per_credit);
        let min = rates.clone().min().expect("validated: at least one pack");
        let max = rates.max().expect("validated: at least one pack");
        (min, max)
    }

    fn validate(&self, origin: &str) -> Result<(), PriceListError> {
        let bad = |entry: String, problem: String| PriceListError::BadEntry { origin: origin.to_string(), entry, problem };
        if self.format != FORMAT {
            return Err(bad("format".into(), format!("format {} is not understood by this version (expected {FORMAT})", self.format)));
        }
        if self.effective_date.trim().is_empty() {
            return Err(bad("effective_date".into(), "it is empty".into()));
        }
        if self.source.trim().is_empty() {
            return Err(bad("source".into(), "it is empty".into()));
        }
        if self.currency != "USD" {
            return Err(bad("currency".into(), format!("\"{}\" is not supported; prices must be in USD", self.currency)));
        }
        if !(1..=100).contains(&self.concurrency_limit) {
            return Err(bad("concurrency_limit".into(), format!("{} is outside 1..=100", self.concurrency_limit)));
        }
        for (i, m) in self.models.iter().enumerate() {
            let entry = format!("models[{i}] ({})", m.id);
            if self.models.iter().filter(|o| o.id == m.id).count() > 1 {
                return Err(bad(entry, "the model is listed twice".into()));
            }
            if m.credits_per_second == 0 || m.credits_per_second_with_video_reference == 0 {
                return Err(bad(entry, "credits per second must be positive".into()));
            }
            if m.credits_per_second_with_video_reference > MAX_CREDITS_PER_SECOND {
                return Err(bad(entry, format!("credits per second must be at most {MAX_CREDITS_PER_SECOND}")));
            }
            if m.credits_per_second_with_video_reference < m.credits_per_second {
                return Err(bad(entry, "the video-reference rate is lower than the plain rate".into()));
            }
        }
        for id in API_MODELS {
            if self.model(id).is_none() {
                return Err(bad("models".into(), format!("the model {id} has no price")));
            }
        }
        if self.api_credit_packs.is_empty() {
            return Err(bad("api_credit_packs".into(), "there are no packs".into()));
        }
        for (i, p) in self.api_credit_packs.iter().enumerate() {
            let entry = format!("api_credit_packs[{i}] ({} credits)", p.credits);
            if p.credits == 0 || p.credits > 100_000_000 {
                return Err(bad(entry, "credits must be between 1 and 100,000,000".into()));
            }
            if p.price <= Decimal::ZERO || p.price.scale() > 2 {
                return Err(bad(entry, format!("price {} must be positive with at most 2 decimal places", p.price)));
            }
            if p.price > Decimal::from(MAX_PACK_PRICE) {
                return Err(bad(entry, format!("price {} is above {MAX_PACK_PRICE} dollars", p.price)));
            }
            let printed = p.price_per_credit;
            let exact = p.exact_price_per_credit();
            if (printed - exact).abs() > Decimal::new(5, 4) {
                return Err(bad(entry, format!("price_per_credit {printed} does not match price / credits = {}", exact.round_dp(4))));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
