//! The job mix: both models, every length, several ratios, some jobs with a
//! video reference (the other price), some with a local image (sent as
//! multipart, so the script variant's dialect must be learned) and some in
//! `first_last_frames` (so the late-2026 variant's JSON mode name must be). Every prompt
//! is unique: it is how the person (and the checks) find a job's task in the
//! ledger, as a person would recognise it on Loova's dashboard.

use crate::loova::{fixture_image, Loova};
use rand::rngs::StdRng;
use rand::Rng;

pub async fn enqueue(loova: &Loova, account: &str, n: usize, seed: u64, rng: &mut StdRng) -> anyhow::Result<()> {
    let image = fixture_image();
    for i in 0..n {
        let model = if rng.gen_bool(0.5) { "seedance_2_0" } else { "seedance_2_0_fast" };
        let duration = rng.gen_range(4..=15).to_string();
        let ratio = ["16:9", "9:16", "1:1", "4:3"][rng.gen_range(0..4)];
        let prompt = format!("chaos seed {seed} job {i}: a lighthouse in a storm, take {i}");
        let name = format!("chaos-{i}");
        let mut args = vec!["enqueue", "--account", account, "--prompt", &prompt, "--model", model, "--duration", &duration, "--ratio", ratio, "--name", &name];
        let image = image.as_ref().map(|p| p.to_string_lossy().into_owned());
        match (i % 5, &image) {
            (1, _) => args.extend(["--video-url", "https://example.com/reference.mp4"]),
            (3, Some(path)) => args.extend(["--image-file", path.as_str()]),
            // A JSON create whose mode matters: a service that reads only
            // one name of the mode must still run it as asked.
            (4, _) => args.extend(["--mode", "first_last_frames"]),
            _ => {}
        }
        loova.ok(&args).await?;
    }
    Ok(())
}
