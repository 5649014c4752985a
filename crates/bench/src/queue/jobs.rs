//! The job mix: both models, durations 4..=15 s, from a fixed seed, so every
//! run (and both clients) get the same 60 jobs. (The numbers come from the
//! test kit's seeded `rand`; Cargo.lock pins its version, and the report
//! prints the mix per model, so a `rand` upgrade that changed it would show.)

use loova_testkit::Rng;

pub const MODELS: [&str; 2] = ["seedance_2_0", "seedance_2_0_fast"];

#[derive(Debug, Clone)]
pub struct Job {
    pub prompt: String,
    pub model: &'static str,
    pub duration: u32,
}

pub fn mix(n: usize, seed: u64) -> Vec<Job> {
    let mut rng = loova_testkit::rng_from(seed);
    (0..n)
        .map(|i| Job {
            prompt: format!("bench job {i}: a red fox in the snow"),
            model: MODELS[rng.gen_range(0..MODELS.len())],
            duration: rng.gen_range(4..=15),
        })
        .collect()
}
