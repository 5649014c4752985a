//! What each fuzz target does with its input, in one place: the libFuzzer
//! targets (`fuzz_targets/*.rs`, run by `scripts/fuzz` on nightly) and the
//! stable corpus test (`crates/core/tests/fuzz_corpus.rs`, which includes
//! this file) call the same functions, so every committed seed and every
//! crash found is replayed by `scripts/test` without nightly.
//!
//! A target passes an input when nothing panics (libFuzzer also stops on
//! a hang or on memory past its limit). Results are looked at — messages
//! formatted, estimates computed — so that the code behind a successful
//! parse is exercised too, not only the parse.

use loova_core::api;
use loova_core::batch::{self, BatchFormat};
use loova_core::{estimate_parts, media, media_duration, media_info, LoadedPriceList, PriceList};
use std::path::Path;
use std::sync::OnceLock;

/// Every target, by the name of its corpus folder and fuzz binary.
pub const TARGETS: [&str; 5] = ["batch", "api", "media", "price_list", "variations"];

/// Runs `target` on `data`. `scratch` is a folder the media target may
/// write its one file into (the readers under test take paths).
pub fn run(target: &str, data: &[u8], scratch: &Path) {
    match target {
        "batch" => batch(data),
        "api" => api(data),
        "media" => media(data, scratch),
        "price_list" => price_list(data),
        "variations" => variations(data, scratch),
        other => panic!("no fuzz target named {other}"),
    }
}

fn prices() -> &'static LoadedPriceList {
    static PRICES: OnceLock<LoadedPriceList> = OnceLock::new();
    // A folder that does not exist: the built-in list, and nothing written.
    PRICES.get_or_init(|| loova_core::load_price_list(Path::new("/nonexistent/loova-fuzz")))
}

/// The batch reader: CSV, JSON Lines and detection by content, each row
/// validated and priced, then the batch preview and every message.
pub fn batch(data: &[u8]) {
    // Relative local file names resolve under a folder that does not exist.
    let source = Path::new("/nonexistent/loova-fuzz/batch");
    for format in [Some(BatchFormat::Csv), Some(BatchFormat::Jsonl), None] {
        let file = batch::parse_batch(data, source, format, prices());
        for e in file.errors() {
            let _ = (e.message(), e.located("batch.csv"));
        }
        let _ = batch::batch_preview(&file, prices(), None, None);
    }
}

/// The API answers: one body as the answer to each request, with a success
/// status and with failure statuses, and every error's class and wording.
pub fn api(data: &[u8]) {
    for status in [200, 201, 400, 401, 429, 500, 502] {
        let errors = [api::read::credits(status, data).err(), api::read::created(status, data).err(), api::read::task(status, data, "task-1").err()];
        for e in errors.into_iter().flatten() {
            let _ = (e.class(), e.to_string(), e.trace_id(), e.http_status());
        }
    }
}

/// Media sniffing (from bytes and from a file), the length readers and the
/// MP4 check a download must pass, on one file holding `data`.
pub fn media(data: &[u8], scratch: &Path) {
    let _ = media::sniff_bytes(data);
    let path = scratch.join("input");
    std::fs::write(&path, data).expect("the scratch folder is writable");
    let _ = media::sniff(&path);
    let _ = media_duration::duration_secs(&path);
    let _ = loova_core::library::mp4::check(&path);
    let _ = media_info::inspect(&path.display().to_string(), &media::MediaLimits::default());
}

/// The price list: parse and validate, then everything a valid list is used
/// for (every estimate a job can ask for, the price range, the pack advisor).
pub fn price_list(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let list = match PriceList::parse(text, "fuzz input") {
        Ok(list) => list,
        Err(e) => {
            let _ = (e.to_string(), e.code());
            return;
        }
    };
    let info = prices().info.clone();
    let _ = list.price_per_credit_range();
    for model in &list.models {
        for seconds in loova_core::job::MIN_DURATION..=loova_core::job::MAX_DURATION {
            for video_reference in [false, true] {
                let _ = estimate_parts(&model.id, seconds, video_reference, &list, &info);
            }
        }
    }
    for needed in [1, 999, 12_345, 1_000_000] {
        let _ = loova_core::advise_packs(&list, needed);
    }
}

/// Wildcard files the variations target's templates can name: nested, and
/// one that names itself through another (a cycle the reader must refuse).
const WILDCARDS: [(&str, &str); 4] =
    [("colour", "red\nblue\n# a comment\n{dark|light} green\n"), ("weather", "rain\n__colour__ snow\n"), ("loop", "__pool__\n"), ("pool", "x __loop__\n")];

/// The variation template parser and expander: the input as a template (with
/// the wildcard files above), then as a `--vary` field list; an expansion is
/// priced as a batch.
pub fn variations(data: &[u8], scratch: &Path) {
    use loova_core::variations::{self, FieldValues, VariationRequest, Wildcards};
    let Ok(text) = std::str::from_utf8(data) else { return };
    let dir = scratch.join("wildcards");
    for (name, lines) in WILDCARDS {
        let path = dir.join(format!("{name}.txt"));
        if !path.exists() {
            std::fs::create_dir_all(&dir).expect("the scratch folder is writable");
            std::fs::write(path, lines).expect("the scratch folder is writable");
        }
    }
    if let Ok(t) = variations::parse(text) {
        let _ = (t.is_plain(), t.plain_text(), t.literal_text());
    }
    let req = VariationRequest { template: text.to_string(), base: loova_core::JobSpec::default(), vary: Vec::new(), takes: 1, name: None };
    match variations::expand(&req, &mut Wildcards::in_dir(dir)) {
        Ok(expansion) => {
            let _ = loova_core::variation_sets::as_batch(&expansion, prices());
        }
        Err(e) => {
            let _ = (e.to_string(), e.code(), e.field().to_string());
        }
    }
    if let Err(e) = FieldValues::parse(text) {
        let _ = e.to_string();
    }
}
