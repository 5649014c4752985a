//! The simulator's own price rule, written from the pricing page (not shared
//! with loova-core, so a mistake in either shows up as a test failure):
//! charge = credits per second (by model and "any video reference") × duration.

use crate::config::Prices;
use crate::validate::{Model, ValidCreate};

pub fn credits_per_second(prices: &Prices, model: Model, has_video_ref: bool) -> i64 {
    let p = match model {
        Model::Seedance20 => &prices.seedance_2_0,
        Model::Seedance20Fast => &prices.seedance_2_0_fast,
    };
    if has_video_ref {
        p.per_second_with_video
    } else {
        p.per_second
    }
}

pub fn charge(prices: &Prices, req: &ValidCreate) -> i64 {
    credits_per_second(prices, req.model, req.has_video_ref()) * req.duration as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_prices() {
        let p = Prices::default();
        assert_eq!(credits_per_second(&p, Model::Seedance20, false), 15);
        assert_eq!(credits_per_second(&p, Model::Seedance20, true), 30);
        assert_eq!(credits_per_second(&p, Model::Seedance20Fast, false), 10);
        assert_eq!(credits_per_second(&p, Model::Seedance20Fast, true), 20);
    }
}
