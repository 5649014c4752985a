//! The pack advisor: the cheapest combination of API credit packs that covers
//! a need. Exact (integer cents), and the true optimum — checked against brute
//! force in the tests.

use super::{CreditPack, PriceList};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PackCount {
    pub credits: u64,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub price: Decimal,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PackAdvice {
    pub needed: u64,
    /// Credits bought (≥ needed).
    pub credits: u64,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub usd: Decimal,
    /// Largest pack first.
    pub packs: Vec<PackCount>,
}

/// Cheapest purchase with at least `needed` credits. Among equally cheap
/// purchases it prefers more credits, then fewer packs.
pub fn advise_packs(list: &PriceList, needed: u64) -> PackAdvice {
    let packs = &list.api_credit_packs;
    let unit = packs.iter().fold(0, |g, p| gcd(g, p.credits));
    let sizes: Vec<u64> = packs.iter().map(|p| p.credits / unit).collect();
    let cents: Vec<u64> = packs.iter().map(price_cents).collect();
    let need_units = needed.div_ceil(unit);

    // Above `threshold` units an optimal purchase always contains the best-rate
    // pack (exchange argument: any `best` or more other packs contain a subset
    // whose size is a multiple of the best pack's, replaceable at no extra
    // cost), so peel those off and solve the small remainder exactly.
    let best = (0..packs.len())
        .min_by(|&a, &b| (u128::from(cents[a]) * u128::from(sizes[b])).cmp(&(u128::from(cents[b]) * u128::from(sizes[a]))).then(sizes[b].cmp(&sizes[a])))
        .expect("validated: at least one pack");
    let largest = *sizes.iter().max().expect("at least one pack");
    let threshold = sizes[best] * largest;
    let mut counts = vec![0u64; packs.len()];
    let mut rest = need_units;
    if rest > threshold {
        let peel = (rest - threshold).div_ceil(sizes[best]);
        counts[best] += peel;
        rest -= (peel * sizes[best]).min(rest);
    }
    for (i, n) in cover_exactly(&sizes, &cents, rest).into_iter().enumerate() {
        counts[i] += n;
    }
    summarize(needed, packs, &counts)
}

/// Best (cost, −units, packs) for covering `need` units, by dynamic programming
/// over "at least u units".
fn cover_exactly(sizes: &[u64], cents: &[u64], need: u64) -> Vec<u64> {
    #[derive(Clone, Copy)]
    struct Best {
        cost: u64,
        units: u64,
        packs: u64,
        choice: usize,
    }
    let n = usize::try_from(need).expect("need fits in memory after peeling");
    let mut best = vec![Best { cost: 0, units: 0, packs: 0, choice: usize::MAX }; n + 1];
    for u in 1..=n {
        let mut pick: Option<Best> = None;
        for (i, (&size, &cost)) in sizes.iter().zip(cents).enumerate() {
            let prev = best[u.saturating_sub(size as usize)];
            let cand = Best { cost: prev.cost + cost, units: prev.units + size, packs: prev.packs + 1, choice: i };
            let better = match pick {
                None => true,
                Some(p) => (cand.cost, std::cmp::Reverse(cand.units), cand.packs) < (p.cost, std::cmp::Reverse(p.units), p.packs),
            };
            if better {
                pick = Some(cand);
            }
        }
        best[u] = pick.expect("at least one pack");
    }
    let mut counts = vec![0u64; sizes.len()];
    let mut u = n;
    while u > 0 {
        let i = best[u].choice;
        counts[i] += 1;
        u = u.saturating_sub(sizes[i] as usize);
    }
    counts
}

fn summarize(needed: u64, packs: &[CreditPack], counts: &[u64]) -> PackAdvice {
    let mut chosen: Vec<PackCount> =
        packs.iter().zip(counts).filter(|(_, &n)| n > 0).map(|(p, &n)| PackCount { credits: p.credits, price: p.price, count: n }).collect();
    chosen.sort_by_key(|p| std::cmp::Reverse(p.credits));
    let credits = chosen.iter().map(|p| p.credits * p.count).sum();
    let mut usd: Decimal = chosen.iter().map(|p| p.price * Decimal::from(p.count)).sum();
    usd.rescale(2);
    PackAdvice { needed, credits, usd, packs: chosen }
}

/// A pack's price in integer cents (validated to have at most 2 decimals).
pub fn price_cents(pack: &CreditPack) -> u64 {
    let cents = pack.price * Decimal::from(100);
    u64::try_from(cents.trunc()).expect("validated: positive price")
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}
