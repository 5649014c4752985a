//! The rules of `JobSpec::validate`, one test per rule.

use super::*;

fn valid() -> JobSpec {
    JobSpec { prompt: "a cat".into(), ..JobSpec::default() }
}

fn fields(spec: &JobSpec) -> Vec<String> {
    spec.validate().into_iter().map(|v| v.field).collect()
}

#[test]
fn defaults_match_the_api_reference() {
    let d = JobSpec::default();
    assert_eq!((d.model.as_str(), d.function_mode.as_str(), d.ratio.as_str(), d.duration), ("seedance_2_0", "omni_reference", "16:9", 5));
    let parsed: JobSpec = serde_json::from_str(r#"{"prompt":"x"}"#).unwrap();
    assert_eq!(parsed, JobSpec { prompt: "x".into(), ..JobSpec::default() });
}

#[test]
fn a_valid_spec_has_no_violations() {
    assert!(valid().validate().is_empty());
}

#[test]
fn duration_bounds_are_inclusive() {
    for (d, ok) in [(3, false), (4, true), (15, true), (16, false), (0, false)] {
        assert_eq!(fields(&JobSpec { duration: d, ..valid() }).is_empty(), ok, "duration {d}");
    }
}

#[test]
fn every_ratio_and_mode_value() {
    for r in RATIOS {
        assert!(JobSpec { ratio: r.into(), ..valid() }.validate().is_empty());
    }
    assert_eq!(fields(&JobSpec { ratio: "2:1".into(), ..valid() }), ["ratio"]);
    assert_eq!(fields(&JobSpec { function_mode: "x".into(), ..valid() }), ["function_mode"]);
    assert_eq!(fields(&JobSpec { model: "seedance_1".into(), ..valid() }), ["model"]);
}

#[test]
fn prompt_is_required() {
    assert_eq!(fields(&JobSpec { prompt: "  ".into(), ..valid() }), ["prompt"]);
}

fn urls(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("https://example.com/{i}")).collect()
}

#[test]
fn reference_counts() {
    assert!(JobSpec { image_urls: urls(9), video_urls: urls(3), audio_urls: urls(3), ..valid() }.validate().is_empty());
    assert_eq!(fields(&JobSpec { image_urls: urls(10), ..valid() }), ["image_urls"]);
    assert_eq!(fields(&JobSpec { video_urls: urls(4), ..valid() }), ["video_urls"]);
    assert_eq!(fields(&JobSpec { audio_urls: urls(4), image_urls: urls(1), ..valid() }), ["audio_urls"]);
}

#[test]
fn first_last_frames_allows_two_images() {
    let flf = |n| JobSpec { function_mode: "first_last_frames".into(), image_urls: urls(n), ..valid() };
    assert!(flf(2).validate().is_empty());
    assert_eq!(fields(&flf(3)), ["image_urls"]);
}

#[test]
fn omni_reference_rejects_audio_only() {
    let audio_only = JobSpec { audio_urls: urls(1), ..valid() };
    let v = audio_only.validate();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].field, "audio_urls");
    assert_eq!(v[0].code, ErrorCode::AudioNeedsImageOrVideo);
    assert!(v[0].fix.contains("Add at least one image or video"));
    assert!(JobSpec { audio_urls: urls(1), video_urls: urls(1), ..valid() }.validate().is_empty());
}

#[test]
fn first_last_frames_refuses_audio_without_a_first_frame() {
    let flf = |spec: JobSpec| JobSpec { function_mode: "first_last_frames".into(), ..spec };
    for (spec, field) in [
        (flf(JobSpec { audio_urls: urls(1), ..valid() }), "audio_urls"),
        (flf(JobSpec { audio_files: files(1, "mp3"), ..valid() }), "audio_files"),
        (flf(JobSpec { audio_urls: urls(1), video_urls: urls(1), ..valid() }), "audio_urls"),
    ] {
        let v = spec.validate();
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!((v[0].code, v[0].field.as_str()), (ErrorCode::FirstFrameRequired, field));
        assert!(v[0].fix.starts_with("Add a first frame"), "{}", v[0].fix);
    }
    assert!(flf(JobSpec { audio_urls: urls(1), image_urls: urls(1), ..valid() }).validate().is_empty());
    assert!(flf(JobSpec { audio_files: files(1, "mp3"), image_files: files(1, "png"), ..valid() }).validate().is_empty());
}

#[test]
fn every_violation_is_reported_at_once() {
    let bad = JobSpec {
        model: "m".into(),
        prompt: String::new(),
        function_mode: "first_last_frames".into(),
        ratio: "5:4".into(),
        duration: 20,
        image_urls: urls(3),
        video_urls: vec!["not a url".into()],
        audio_urls: vec![],
        ..JobSpec::default()
    };
    assert_eq!(fields(&bad), ["model", "prompt", "ratio", "duration", "video_urls", "image_urls"]);
    // A rule, then a fix that is one or more sentences of its own.
    for v in bad.validate() {
        assert!(!v.message.ends_with('.') && v.fix.ends_with('.') && v.fix.starts_with(char::is_uppercase), "{v:?}");
    }
    let first_last = bad.validate().pop().unwrap();
    assert_eq!(first_last.fix, "Remove 1 or switch to omni_reference.");
    assert_eq!(
        first_last.to_string(),
        "image_urls: first_last_frames uses at most 2 images (first and last frame); 3 given. Remove 1 or switch to omni_reference."
    );
}

#[test]
fn urls_must_be_web_addresses() {
    assert_eq!(fields(&JobSpec { image_urls: vec!["ftp://x/y".into()], ..valid() }), ["image_urls"]);
    assert_eq!(fields(&JobSpec { image_urls: vec!["https://".into()], ..valid() }), ["image_urls"]);
    assert!(JobSpec { image_urls: vec!["http://127.0.0.1:8080/a.png".into()], ..valid() }.validate().is_empty());
}

fn files(n: usize, ext: &str) -> Vec<String> {
    (0..n).map(|i| format!("/tmp/f{i}.{ext}")).collect()
}

#[test]
fn local_files_count_with_urls() {
    assert!(JobSpec {
        image_urls: urls(5),
        image_files: files(4, "png"),
        video_urls: urls(1),
        video_files: files(2, "mp4"),
        audio_urls: urls(2),
        audio_files: files(1, "mp3"),
        ..valid()
    }
    .validate()
    .is_empty());
    let v = JobSpec { image_urls: urls(5), image_files: files(5, "png"), ..valid() }.validate();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].field, "image_files");
    assert!(v[0].message.contains("10 images given (URLs and local files together)"), "{}", v[0].message);
    assert_eq!(fields(&JobSpec { video_files: files(4, "mp4"), ..valid() }), ["video_files"]);
    assert_eq!(fields(&JobSpec { video_urls: urls(2), video_files: files(2, "mp4"), ..valid() }), ["video_files"]);
    assert_eq!(fields(&JobSpec { audio_urls: urls(2), audio_files: files(2, "mp3"), image_files: files(1, "png"), ..valid() }), ["audio_files"]);
    assert_eq!(fields(&JobSpec { image_files: vec![" ".into()], ..valid() }), ["image_files"]);
}

#[test]
fn first_last_frames_counts_local_images() {
    let flf = |u, f| JobSpec { function_mode: "first_last_frames".into(), image_urls: urls(u), image_files: files(f, "png"), ..valid() };
    assert!(flf(1, 1).validate().is_empty());
    assert!(flf(0, 2).validate().is_empty());
    assert_eq!(fields(&flf(1, 2)), ["image_files"]);
    assert_eq!(fields(&flf(3, 0)), ["image_urls"]);
}

#[test]
fn omni_reference_audio_only_counts_local_files() {
    assert_eq!(fields(&JobSpec { audio_files: files(1, "mp3"), ..valid() }), ["audio_files"]);
    assert_eq!(fields(&JobSpec { audio_files: files(1, "mp3"), audio_urls: urls(1), ..valid() }), ["audio_urls"]);
    assert!(JobSpec { audio_files: files(1, "mp3"), image_files: files(1, "png"), ..valid() }.validate().is_empty());
    assert!(JobSpec { audio_urls: urls(1), video_files: files(1, "mp4"), ..valid() }.validate().is_empty());
}

#[test]
fn a_local_video_is_a_video_reference() {
    assert!(!valid().has_video_reference());
    assert!(JobSpec { video_files: files(1, "mp4"), ..valid() }.has_video_reference());
    assert!(!JobSpec { image_files: files(1, "png"), ..valid() }.has_video_reference());
}

/// The UI's bindings say every list is there (`image_files: string[]`):
/// the JSON must say so too, also when a list is empty.
#[test]
fn every_list_is_in_the_json_even_when_empty() {
    let json = serde_json::to_value(valid()).unwrap();
    for key in ["image_urls", "video_urls", "audio_urls", "image_files", "video_files", "audio_files"] {
        assert_eq!(json.get(key), Some(&serde_json::json!([])), "{key} missing from {json}");
    }
    let with = JobSpec { video_files: vec!["/a/b.mp4".into()], ..valid() };
    let back: JobSpec = serde_json::from_str(&serde_json::to_string(&with).unwrap()).unwrap();
    assert_eq!(back, with);
    // Rows written before the lists were always sent still read.
    let old: JobSpec = serde_json::from_str(r#"{"prompt":"a cat","image_urls":[],"video_urls":[],"audio_urls":[]}"#).unwrap();
    assert_eq!(old, valid());
}
