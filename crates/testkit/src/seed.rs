//! Seeded randomness. Tests that draw random durations, kill times or job
//! mixes get them from here, so a failing run can be replayed exactly:
//! every [`rng`] prints the seed it used (cargo shows a failing test's output).

use rand::rngs::StdRng;
use rand::SeedableRng;
use std::sync::OnceLock;

/// Set it to replay a run: `LOOVA_TEST_SEED=1234 cargo test …`.
pub const SEED_ENV: &str = "LOOVA_TEST_SEED";

/// This process's seed: `LOOVA_TEST_SEED` if set, else drawn once at random.
pub fn seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| match std::env::var(SEED_ENV) {
        Ok(s) => s.trim().parse().unwrap_or_else(|_| panic!("{SEED_ENV}={s:?} is not a whole number")),
        Err(_) => rand::random(),
    })
}

/// A generator from this process's [`seed`]. Each call starts the same
/// sequence, so what a test draws does not depend on which other tests ran
/// first or in parallel.
pub fn rng() -> StdRng {
    let seed = seed();
    eprintln!("loova-testkit: random seed {seed} (replay with {SEED_ENV}={seed})");
    StdRng::seed_from_u64(seed)
}

/// A generator from a fixed seed (the benchmark's job mix is the same in
/// every run, for both clients it compares).
pub fn rng_from(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

#[cfg(test)]
mod tests {
    use rand::Rng;

    #[test]
    fn the_same_seed_draws_the_same_numbers() {
        let a: Vec<u32> = (0..5)
            .map({
                let mut r = super::rng();
                move |_| r.gen_range(4..=15)
            })
            .collect();
        let b: Vec<u32> = (0..5)
            .map({
                let mut r = super::rng();
                move |_| r.gen_range(4..=15)
            })
            .collect();
        assert_eq!(a, b);
        assert_eq!(super::rng_from(5).gen::<u64>(), super::rng_from(5).gen::<u64>());
    }
}
