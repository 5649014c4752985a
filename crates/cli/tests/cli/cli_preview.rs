//! `loova preview` and `loova packs` as a person runs them.

use crate::common;
fn loova(args: &[&str]) -> (i32, String, String) {
    let data = loova_testkit::data_dir();
    common::run(common::loova(data.path()).args(args))
}

#[test]
fn preview_json_reports_240_credits_for_8s_with_a_video_reference() {
    let (code, out, _) = loova(&["preview", "--model", "seedance_2_0", "--duration", "8", "--video-ref", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["credits_per_second"], 30);
    assert_eq!(v["seconds"], 8);
    assert_eq!(v["credits"], 240);
    assert_eq!(v["pool"], "api");
    assert_eq!(v["usd_min"], "7.68");
    assert_eq!(v["usd_max"], "19.20");
}

#[test]
fn invalid_input_exits_2_with_every_violation_on_stderr() {
    let (code, out, err) = loova(&["preview", "--prompt", "", "--duration", "3", "--ratio", "2:1"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    for field in ["prompt:", "duration:", "ratio:"] {
        assert!(err.contains(field), "{field} missing in {err}");
    }
}

#[test]
fn packs_json_is_the_cheapest_cover() {
    let (code, out, _) = loova(&["packs", "--credits", "50001", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["credits"], 50300);
    assert_eq!(v["usd"], "1624.00");
    assert_eq!(v["packs"].as_array().unwrap().len(), 2);
}

fn media(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/media").join(name).display().to_string()
}

#[test]
fn a_local_video_file_prices_like_a_video_reference() {
    let (code, out, err) =
        loova(&["preview", "--prompt", "p", "--duration", "8", "--image-file", &media("red.png"), "--video-file", &media("clip.mp4"), "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["credits_per_second"].as_i64(), v["credits"].as_i64()), (Some(30), Some(240)));
    let (code, _, err) = loova(&["preview", "--prompt", "p", "--image-file", &media("mp4-named.png"), "--audio-file", &media("text-named.png")]);
    assert_eq!(code, 2);
    assert!(err.contains("mp4-named.png") && err.contains("a video"), "{err}");
    assert!(err.contains("text-named.png") && err.contains("Formats that work"), "{err}");
    let (code, _, err) = loova(&["preview", "--prompt", "p", "--audio-file", &media("tone.mp3")]);
    assert_eq!(code, 2);
    assert!(err.contains("audio_files:") && err.contains("omni_reference"), "{err}");
}
