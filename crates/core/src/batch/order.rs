//! "Order: as listed / finish soonest". Finish soonest queues the
//! longest expected jobs first (LPT), which is what closes the tail: the
//! last jobs to start are short, so the slots end together. Expectations
//! come from the run-time model (the account's history, else the prior).

use super::BatchRow;
use crate::engine::{run_key, EngineConfig};
use crate::runtime_model;
use crate::store::{Db, StoreError};
use crate::JobSpec;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum QueueOrder {
    /// The person's own order (the file's rows, the variations' order).
    #[default]
    Listed,
    /// Longest expected first.
    Soonest,
}

impl std::str::FromStr for QueueOrder {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "listed" | "as-listed" | "as_listed" => Ok(QueueOrder::Listed),
            "soonest" | "finish-soonest" | "finish_soonest" => Ok(QueueOrder::Soonest),
            other => Err(format!("\"{other}\" is not an order; use listed or soonest")),
        }
    }
}

/// Expected run time (seconds as on Loova) of `spec` on the account.
pub fn expected_run_secs(config: &EngineConfig, history: &[runtime_model::Observation], spec: &JobSpec) -> f64 {
    let prior = config.default_expected_secs(&spec.model, spec.duration);
    runtime_model::expected_secs(prior, &run_key(spec), history)
}

/// The account's history, for [`expected_run_secs`].
pub fn history(db: &Db, account_id: &str) -> Result<Vec<runtime_model::Observation>, StoreError> {
    db.run_time_history(account_id, 200)
}

/// Reorders `rows` in place for `order` (stable: equal expectations keep
/// their order).
pub fn order_rows(db: &Db, account_id: &str, rows: &mut [BatchRow], order: QueueOrder) -> Result<(), StoreError> {
    if order == QueueOrder::Listed {
        return Ok(());
    }
    let (config, history) = (EngineConfig::default(), history(db, account_id)?);
    let mut keyed: Vec<(f64, BatchRow)> = rows.iter().map(|r| (expected_run_secs(&config, &history, &r.spec), r.clone())).collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (slot, (_, row)) in rows.iter_mut().zip(keyed) {
        *slot = row;
    }
    Ok(())
}

/// Indices of `secs` in queue order for `order` (longest first when soonest).
pub fn order_indices(secs: &[f64], order: QueueOrder) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..secs.len()).collect();
    if order == QueueOrder::Soonest {
        idx.sort_by(|a, b| secs[*b].total_cmp(&secs[*a]));
    }
    idx
}

/// When the last of `secs` (in queue order) is expected to finish with
/// `slots` tasks at a time, each job starting when a slot frees.
pub fn expected_finish_secs(secs_in_order: &[f64], slots: usize) -> f64 {
    let mut ends = vec![0.0f64; slots.max(1)];
    for s in secs_in_order {
        let first = ends.iter_mut().min_by(|a, b| a.total_cmp(b)).expect("at least one slot");
        *first += s;
    }
    ends.into_iter().fold(0.0, f64::max)
}

/// When a batch is expected to finish (seconds as on Loova, from its first
/// start), in each order: what the previews show next to the choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderForecast {
    pub listed_secs: u32,
    pub soonest_secs: u32,
}

/// [`OrderForecast`] of `specs` (in the person's order) on the account with
/// `limit` tasks at a time. Only this batch is counted: jobs already
/// waiting on the account would delay both orders alike.
pub fn expected_finish<'a>(
    db: &Db,
    config: &EngineConfig,
    account_id: &str,
    specs: impl IntoIterator<Item = &'a JobSpec>,
    limit: usize,
) -> Result<OrderForecast, StoreError> {
    let history = history(db, account_id)?;
    let secs: Vec<f64> = specs.into_iter().map(|s| expected_run_secs(config, &history, s)).collect();
    let finish = |order| {
        let in_order: Vec<f64> = order_indices(&secs, order).into_iter().map(|i| secs[i]).collect();
        expected_finish_secs(&in_order, limit).round().min(f64::from(u32::MAX)) as u32
    };
    Ok(OrderForecast { listed_secs: finish(QueueOrder::Listed), soonest_secs: finish(QueueOrder::Soonest) })
}

/// [`expected_finish`] with the account's limit: the price list's, or the
/// person's lower one (as the scheduler counts it).
pub fn forecast<'a>(
    db: &Db,
    prices: &crate::pricing::LoadedPriceList,
    account_id: &str,
    specs: impl IntoIterator<Item = &'a JobSpec>,
) -> Result<OrderForecast, StoreError> {
    let own = db.account(account_id)?.and_then(|a| a.concurrency_limit);
    let limit = crate::pricing::limit::effective_limit(prices.list.concurrency_limit, own) as usize;
    expected_finish(db, &EngineConfig::default(), account_id, specs, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soonest_puts_the_longest_first_and_finishes_sooner() {
        let secs = [30.0, 30.0, 30.0, 30.0, 30.0, 30.0, 90.0];
        assert_eq!(order_indices(&secs, QueueOrder::Listed), (0..7).collect::<Vec<_>>());
        let soonest = order_indices(&secs, QueueOrder::Soonest);
        assert_eq!(soonest[0], 6);
        let listed: Vec<f64> = secs.to_vec();
        let sorted: Vec<f64> = soonest.iter().map(|i| secs[*i]).collect();
        assert_eq!(expected_finish_secs(&listed, 6), 120.0, "the long one starts last");
        assert_eq!(expected_finish_secs(&sorted, 6), 90.0);
    }

    #[test]
    fn orders_are_read_from_words() {
        assert_eq!("soonest".parse::<QueueOrder>(), Ok(QueueOrder::Soonest));
        assert_eq!("Listed".parse::<QueueOrder>(), Ok(QueueOrder::Listed));
        assert!("fastest".parse::<QueueOrder>().is_err());
    }

    #[test]
    fn expectations_follow_the_prior_without_history() {
        let config = EngineConfig::default();
        let spec = |model: &str, duration| JobSpec { model: model.into(), duration, ..JobSpec::default() };
        let long = expected_run_secs(&config, &[], &spec("seedance_2_0", 15));
        let short = expected_run_secs(&config, &[], &spec("seedance_2_0_fast", 4));
        assert!((long - 150.0).abs() < 1e-9 && (short - 42.0).abs() < 1e-9, "{long} {short}");
    }

    #[test]
    fn the_forecast_counts_each_order_on_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in(dir.path()).unwrap();
        let spec = |model: &str, duration| JobSpec { model: model.into(), duration, ..JobSpec::default() };
        // Five short jobs (42 s by the prior), then a long one (150 s), on 5
        // slots: listed, the long one waits for a short one (42 + 150);
        // soonest, it starts at once and the fifth short one waits instead.
        let mut specs = vec![spec("seedance_2_0_fast", 4); 5];
        specs.push(spec("seedance_2_0", 15));
        let f = expected_finish(&db, &EngineConfig::default(), "no-such-account", &specs, 5).unwrap();
        assert_eq!(f, OrderForecast { listed_secs: 192, soonest_secs: 150 });
        let f = expected_finish(&db, &EngineConfig::default(), "no-such-account", &specs, 6).unwrap();
        assert_eq!(f, OrderForecast { listed_secs: 150, soonest_secs: 150 });
        let f = expected_finish(&db, &EngineConfig::default(), "no-such-account", &specs[..0], 6).unwrap();
        assert_eq!(f, OrderForecast { listed_secs: 0, soonest_secs: 0 });
    }
}
