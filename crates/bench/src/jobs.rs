//! The job mix: both models, durations 4..=15 s, from a fixed seed, so every
//! run (and both clients) get the same 60 jobs.

pub const MODELS: [&str; 2] = ["seedance_2_0", "seedance_2_0_fast"];

#[derive(Debug, Clone)]
pub struct Job {
    pub prompt: String,
    pub model: &'static str,
    pub duration: u32,
}

/// splitmix64: tiny, good enough, and stable across crate versions (a
/// `rand` upgrade could silently change the mix).
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub fn mix(n: usize, seed: u64) -> Vec<Job> {
    let mut s = seed;
    (0..n)
        .map(|i| Job {
            prompt: format!("bench job {i}: a red fox in the snow"),
            model: MODELS[(next(&mut s) % 2) as usize],
            duration: 4 + (next(&mut s) % 12) as u32,
        })
        .collect()
}
