use super::estimate::{dollars, estimate, CreditPool};
use super::packs::{advise_packs, price_cents};
use super::*;
use crate::job::JobSpec;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn list() -> PriceList {
    PriceList::embedded()
}

fn info() -> PriceListInfo {
    LoadedPriceList::built_in(None).info
}

fn spec(model: &str, duration: u32, video: bool) -> JobSpec {
    JobSpec {
        model: model.into(),
        prompt: "p".into(),
        duration,
        video_urls: if video { vec!["https://v.example/a.mp4".into()] } else { vec![] },
        ..JobSpec::default()
    }
}

#[test]
fn embedded_list_is_valid_and_matches_the_published_table() {
    let l = list();
    assert_eq!(l.concurrency_limit, 6);
    let m = l.model("seedance_2_0").unwrap();
    assert_eq!((m.credits_per_second, m.credits_per_second_with_video_reference), (15, 30));
    let f = l.model("seedance_2_0_fast").unwrap();
    assert_eq!((f.credits_per_second, f.credits_per_second_with_video_reference), (10, 20));
    assert_eq!(l.api_credit_packs.len(), 11);
    assert_eq!(l.price_per_credit_range(), (d("0.032"), d("0.08")));
}

#[test]
fn estimate_uses_the_video_reference_rate() {
    let e = estimate(&spec("seedance_2_0", 8, true), &list(), &info()).unwrap();
    assert_eq!((e.credits_per_second, e.seconds, e.credits), (30, 8, 240));
    assert_eq!(e.formula, "30 credits/s × 8 s = 240 credits");
    assert_eq!(e.pool, CreditPool::Api);
    assert!(e.pool_note.contains("App Credits cannot pay"));
    assert_eq!((e.usd_min.to_string(), e.usd_max.to_string()), ("7.68".into(), "19.20".into()));
    let plain = estimate(&spec("seedance_2_0", 8, false), &list(), &info()).unwrap();
    assert_eq!(plain.credits, 120);
    let fast = estimate(&spec("seedance_2_0_fast", 15, true), &list(), &info()).unwrap();
    assert_eq!(fast.credits, 300);
    let fast_plain = estimate(&spec("seedance_2_0_fast", 4, false), &list(), &info()).unwrap();
    assert_eq!(fast_plain.credits, 40);
    assert!(estimate(&spec("nope", 5, false), &list(), &info()).is_none());
}

#[test]
fn dollars_are_exact_cents() {
    assert_eq!(dollars(75, d("0.072")).to_string(), "5.40");
    assert_eq!(dollars(1, d("0.032")).to_string(), "0.03");
    assert_eq!(dollars(5, d("0.001")).to_string(), "0.01"); // 0.005 rounds half up
    assert_eq!(dollars(3, d("0.0333333333333333333")).to_string(), "0.10");
}

fn with_entry(edit: impl FnOnce(&mut serde_json::Value)) -> Result<PriceList, PriceListError> {
    let mut v: serde_json::Value = serde_json::from_str(EMBEDDED_PRICE_LIST).unwrap();
    edit(&mut v);
    PriceList::parse(&v.to_string(), "test.json")
}

fn bad_entry(r: Result<PriceList, PriceListError>) -> String {
    match r {
        Err(PriceListError::BadEntry { entry, .. }) => entry,
        other => panic!("expected a bad entry, got {other:?}"),
    }
}

#[test]
fn validation_names_the_bad_entry() {
    assert_eq!(bad_entry(with_entry(|v| v["models"][1]["credits_per_second"] = 0.into())), "models[1] (seedance_2_0_fast)");
    assert_eq!(bad_entry(with_entry(|v| v["api_credit_packs"][2]["price_per_credit"] = "0.1".into())), "api_credit_packs[2] (3000 credits)");
    assert_eq!(bad_entry(with_entry(|v| v["api_credit_packs"][0]["price"] = "-1".into())), "api_credit_packs[0] (300 credits)");
    assert_eq!(bad_entry(with_entry(|v| v["concurrency_limit"] = 0.into())), "concurrency_limit");
    assert_eq!(bad_entry(with_entry(|v| v["format"] = 2.into())), "format");
    assert_eq!(
        bad_entry(with_entry(|v| {
            v["models"].as_array_mut().unwrap().pop();
        })),
        "models"
    );
    assert_eq!(bad_entry(with_entry(|v| v["api_credit_packs"] = serde_json::json!([]))), "api_credit_packs");
    let err = with_entry(|v| v["models"][0]["credits_per_second_with_video_reference"] = 5.into()).unwrap_err();
    assert!(err.to_string().contains("test.json") && err.to_string().contains("models[0] (seedance_2_0)"), "{err}");
    assert!(matches!(with_entry(|v| v["surprise"] = 1.into()), Err(PriceListError::Parse { .. })));
}

/// Absurd rates and prices are refused instead of overflowing the exact
/// arithmetic of an estimate later (a panic found by fuzzing).
#[test]
fn rates_and_prices_beyond_any_real_list_are_refused() {
    let huge_rate = |v: &mut serde_json::Value| {
        v["models"][0]["credits_per_second"] = 4_000_000_000u32.into();
        v["models"][0]["credits_per_second_with_video_reference"] = 4_000_000_000u32.into();
    };
    assert_eq!(bad_entry(with_entry(huge_rate)), "models[0] (seedance_2_0)");
    let huge_price = |v: &mut serde_json::Value| v["api_credit_packs"] = serde_json::json!([{"credits": 1, "price": "1e20", "price_per_credit": "1e20"}]);
    assert!(matches!(with_entry(huge_price), Err(PriceListError::Parse { .. }) | Err(PriceListError::BadEntry { .. })));
    let huge_price = |v: &mut serde_json::Value| {
        v["api_credit_packs"] = serde_json::json!([{"credits": 1, "price": "100000000000000000000", "price_per_credit": "100000000000000000000"}])
    };
    assert_eq!(bad_entry(with_entry(huge_price)), "api_credit_packs[0] (1 credits)");
    // The largest list still allowed prices every job without overflow.
    let largest = with_entry(|v| {
        v["models"][0]["credits_per_second"] = 100_000.into();
        v["models"][0]["credits_per_second_with_video_reference"] = 100_000.into();
        v["api_credit_packs"] = serde_json::json!([{"credits": 1, "price": "10000000", "price_per_credit": "10000000"}]);
    })
    .unwrap();
    let e = estimate(&spec("seedance_2_0", 15, true), &largest, &info()).unwrap();
    assert_eq!((e.credits, e.usd_max.to_string()), (1_500_000, "15000000000000.00".to_string()));
    assert_eq!(advise_packs(&largest, 1_000_000).usd.to_string(), "10000000000000.00");
}

#[test]
fn pack_advice_examples() {
    let l = list();
    let a = advise_packs(&l, 240);
    assert_eq!((a.credits, a.usd.to_string()), (300, "24.00".into()));
    let a = advise_packs(&l, 50_001);
    // 50,000 + 300 costs $1,624; 60,000 costs $1,920: the small top-up wins.
    assert_eq!((a.credits, a.usd.to_string()), (50_300, "1624.00".into()));
    let a = advise_packs(&l, 0);
    assert_eq!((a.credits, a.packs.len()), (0, 0));
    // Far beyond the dynamic-programming window: still exact.
    let a = advise_packs(&l, 1_000_000_000);
    assert_eq!(a.usd.to_string(), "32000000.00");
}

/// Every multiset of packs whose total stays below `max_total`, folded into
/// the cheapest price for each exact total (in credits).
fn brute_force_exact_totals(packs: &[(u64, u64)], max_total: u64) -> Vec<u64> {
    let mut best = vec![u64::MAX; max_total as usize];
    fn walk(packs: &[(u64, u64)], total: u64, cost: u64, max: u64, best: &mut [u64]) {
        let slot = &mut best[total as usize];
        *slot = (*slot).min(cost);
        if let Some((&(credits, price), rest)) = packs.split_first() {
            let mut t = total;
            let mut c = cost;
            loop {
                walk(rest, t, c, max, best);
                t += credits;
                c += price;
                if t >= max {
                    break;
                }
            }
        }
    }
    walk(packs, 0, 0, max_total, &mut best);
    best
}

#[test]
fn pack_advisor_is_optimal_for_every_need_up_to_200000() {
    let l = list();
    let packs: Vec<(u64, u64)> = l.api_credit_packs.iter().map(|p| (p.credits, price_cents(p))).collect();
    let largest = packs.iter().map(|p| p.0).max().unwrap();
    const MAX_NEED: u64 = 200_000;
    // An optimal purchase never exceeds need + largest pack (drop a pack otherwise).
    let exact = brute_force_exact_totals(&packs, MAX_NEED + largest);
    let mut cover = exact.clone();
    for t in (0..cover.len() - 1).rev() {
        cover[t] = cover[t].min(cover[t + 1]);
    }
    for need in 1..=MAX_NEED {
        let a = advise_packs(&l, need);
        let cents: u64 =
            a.packs.iter().map(|p| price_cents(&CreditPack { credits: p.credits, price: p.price, price_per_credit: Decimal::ZERO }) * p.count).sum();
        let credits: u64 = a.packs.iter().map(|p| p.credits * p.count).sum();
        assert!(credits >= need && credits == a.credits, "need {need}: {a:?}");
        assert_eq!(a.usd * Decimal::from(100), Decimal::from(cents), "need {need}");
        assert_eq!(cents, cover[need as usize], "need {need}: advisor {a:?} vs brute force");
    }
}
