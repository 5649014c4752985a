//! Goal 4 ("batch reading", docs/PERFORMANCE.md): a CSV batch of 100,000 rows read,
//! validated and priced the way `loova preview --file` and the Import
//! screen do it (`batch::load_batch` + `batch::batch_preview`), median of N
//! runs. The rows mix both models, every ratio and length, URL lists,
//! quoted prompts with commas and newlines, and 1 % invalid rows.

use crate::Res;
use loova_core::batch::{batch_preview, load_batch};
use std::fmt::Write;
use std::path::Path;
use std::time::Instant;

pub const GOAL_MS: f64 = 300.0;

/// A batch file of `rows` rows (plus the header).
pub fn write_file(path: &Path, rows: usize) -> Res<()> {
    let models = ["seedance_2_0", "seedance_2_0_fast"];
    let ratios = ["21:9", "16:9", "4:3", "1:1", "3:4", "9:16"];
    let mut s = String::from("name,prompt,model,function_mode,ratio,duration,image_urls,video_urls\n");
    for i in 0..rows {
        // Every 100th row is invalid (a length out of range).
        let duration = if i % 100 == 99 { 40 } else { 4 + i % 12 };
        let prompt = if i % 10 == 0 {
            format!("\"Shot {i}, take two: a fox crosses a snowy field at dawn,\nslow dolly, \"\"golden\"\" light\"")
        } else {
            format!("Shot {i}: a lighthouse keeper climbs the stairs at dusk while the storm gathers over the sea")
        };
        let images = if i % 3 == 0 { format!("https://cdn.example.com/refs/{i}-a.png|https://cdn.example.com/refs/{i}-b.png") } else { String::new() };
        let video = if i % 7 == 0 { format!("https://cdn.example.com/refs/{i}.mp4") } else { String::new() };
        let _ = writeln!(s, "row {i},{prompt},{},omni_reference,{},{duration},{images},{video}", models[i % 2], ratios[i % 6]);
    }
    std::fs::write(path, s)?;
    Ok(())
}

pub struct Figures {
    pub rows: usize,
    pub bytes: u64,
    pub median_ms: f64,
    pub p95_ms: f64,
    pub valid: u64,
    pub credits: u64,
}

pub fn measure(dir: &Path, rows: usize, runs: usize) -> Res<Figures> {
    let path = dir.join("batch.csv");
    write_file(&path, rows)?;
    let prices = loova_core::load_price_list(dir);
    let mut ms = Vec::with_capacity(runs);
    let (mut valid, mut credits) = (0, 0);
    for run in 0..=runs {
        let t = Instant::now();
        let file = load_batch(&path, &prices)?;
        let preview = batch_preview(&file, &prices, None, None);
        let took = t.elapsed().as_secs_f64() * 1000.0;
        (valid, credits) = (preview.valid_rows, preview.total_credits);
        // The first run warms the page cache and the allocator.
        if run > 0 {
            ms.push(took);
        }
    }
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
    Ok(Figures { rows, bytes: std::fs::metadata(&path)?.len(), median_ms: at(0.5), p95_ms: at(0.95), valid, credits })
}

pub fn table(f: &Figures, runs: usize) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "## Batch reading: {} CSV rows ({:.1} MB), read + validated + priced, median of {runs} runs\n", f.rows, f.bytes as f64 / 1e6);
    let _ = writeln!(t, "| what | median | p95 | goal | ratio |");
    let _ = writeln!(t, "|---|---:|---:|---:|---:|");
    let _ = writeln!(t, "| load_batch + batch_preview | {:.1} ms | {:.1} ms | ≤ {GOAL_MS} ms | {:.2} |", f.median_ms, f.p95_ms, f.median_ms / GOAL_MS);
    let _ = writeln!(t, "\n{} valid rows, {} credits.", f.valid, f.credits);
    t
}

/// The goal as `loova-bench csv` runs it.
pub fn run(opts: &crate::Opts) -> Res<crate::Goal> {
    let dir = loova_testkit::data_dir();
    let (rows, runs) = if opts.smoke { (1_000, 3) } else { (100_000, 11) };
    let f = measure(dir.path(), rows, runs)?;
    let mut figures = serde_json::Map::new();
    // Under --smoke the figure is of 1,000 rows (it lands in target/bench/smoke).
    figures.insert("csv_100k_ms".into(), serde_json::json!(f.median_ms));
    let detail = serde_json::json!({"rows": f.rows, "bytes": f.bytes, "runs": runs, "median_ms": f.median_ms, "p95_ms": f.p95_ms, "valid_rows": f.valid, "credits": f.credits});
    Ok(crate::Goal { name: "csv", table: table(&f, runs), figures, detail })
}
