//! Local media: content sniffing of real (tiny, committed) files, including
//! ones whose extension lies, and the multipart create as loova-sim receives it.

use std::path::{Path, PathBuf};

use loova_core::api::LoovaClient;
use loova_core::media::{self, MediaError, MediaKind, MediaLimits};
use loova_core::secret::Sensitive;
use loova_core::JobSpec;
use loova_sim::SimConfig;

const KEY: &str = "sk-test-media-upload-0001";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media").join(name)
}

#[test]
fn every_supported_format_is_recognized_by_content() {
    use MediaKind::*;
    let cases = [
        ("red.png", Image, "PNG", "image/png"),
        ("blue.jpg", Image, "JPEG", "image/jpeg"),
        ("green.webp", Image, "WebP", "image/webp"),
        ("yellow.gif", Image, "GIF", "image/gif"),
        ("clip.mp4", Video, "MP4", "video/mp4"),
        ("clip.mov", Video, "MOV", "video/quicktime"),
        ("clip.webm", Video, "WebM", "video/webm"),
        ("tone.mp3", Audio, "MP3", "audio/mpeg"),
        ("tone-noid3.mp3", Audio, "MP3", "audio/mpeg"),
        ("tone.wav", Audio, "WAV", "audio/wav"),
        ("tone.m4a", Audio, "M4A", "audio/mp4"),
        ("tone.ogg", Audio, "OGG", "audio/ogg"),
    ];
    for (name, kind, format, mime) in cases {
        let s = media::sniff(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((s.kind, s.format.as_str(), s.mime.as_str()), (kind, format, mime), "{name}");
        assert_eq!(s.size, std::fs::metadata(fixture(name)).unwrap().len());
        assert!(s.size < 20 * 1024, "{name} should stay tiny");
    }
}

#[test]
fn lying_extensions_do_not_fool_the_sniffer() {
    for (name, kind, format) in [
        ("png-named.mp4", MediaKind::Image, "PNG"),
        ("mp4-named.png", MediaKind::Video, "MP4"),
        ("mp3-named.jpg", MediaKind::Audio, "MP3"),
        ("webm-named.wav", MediaKind::Video, "WebM"),
    ] {
        let s = media::sniff(&fixture(name)).unwrap();
        assert_eq!((s.kind, s.format.as_str()), (kind, format), "{name}");
    }
    let e = media::sniff(&fixture("text-named.png")).unwrap_err();
    assert!(matches!(e, MediaError::Unsupported { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("text-named.png") && msg.contains("PNG, JPEG, WebP, GIF") && msg.contains("MP3, WAV, M4A, OGG"), "{msg}");
}

#[test]
fn wrong_kind_missing_and_oversized_files_are_refused_with_a_reason() {
    let limits = MediaLimits::default();
    let e = media::check(&fixture("png-named.mp4"), MediaKind::Video, &limits).unwrap_err();
    assert!(matches!(e, MediaError::WrongKind { found: MediaKind::Image, .. }), "{e}");
    assert!(e.to_string().contains("an image"), "{e}");
    let e = media::check(&fixture("nope.png"), MediaKind::Image, &limits).unwrap_err();
    assert!(matches!(e, MediaError::Unreadable { .. }) && e.to_string().contains("nope.png"), "{e}");
    let small = MediaLimits { video_bytes: 1000, ..limits };
    let e = media::check(&fixture("clip.mp4"), MediaKind::Video, &small).unwrap_err();
    assert!(matches!(e, MediaError::TooLarge { limit: 1000, .. }), "{e}");
    assert!(e.to_string().contains("clip.mp4") && e.to_string().contains("1000 bytes"), "{e}");
    assert!(media::check(&fixture("clip.mp4"), MediaKind::Video, &limits).is_ok());
}

#[test]
fn copies_are_independent_of_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let orig = dir.path().join("mine.png");
    std::fs::copy(fixture("red.png"), &orig).unwrap();
    let spec = JobSpec { prompt: "p".into(), image_files: vec![orig.display().to_string()], ..JobSpec::default() };
    let data = dir.path().join("data");
    let copied = media::copy_into(&data, 7, &spec).unwrap();
    let copy = PathBuf::from(&copied.image_files[0]);
    assert!(copy.starts_with(data.join("media").join("7")), "{copy:?}");
    assert_eq!(copy.file_name().unwrap(), "image1-mine.png");
    std::fs::write(&orig, b"changed").unwrap();
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(fixture("red.png")).unwrap());
    media::remove_copies(&data, 7);
    assert!(!data.join("media").join("7").exists());
}

#[tokio::test]
async fn a_job_with_local_files_is_sent_as_multipart_and_charged_by_what_arrived() {
    let sim = loova_sim::start(SimConfig::for_tests(&[(KEY, 10_000)])).await.unwrap();
    let client = LoovaClient::new(&sim.base_url()).unwrap();
    let spec = JobSpec {
        prompt: "@image1 walks into @video1".into(),
        duration: 8,
        image_urls: vec!["https://example.com/a.png".into(), "https://example.com/b.png".into()],
        image_files: vec![fixture("red.png").display().to_string(), fixture("blue.jpg").display().to_string()],
        video_files: vec![fixture("clip.mp4").display().to_string()],
        audio_files: vec![fixture("tone.mp3").display().to_string()],
        ..JobSpec::default()
    };
    assert!(spec.validate().is_empty());
    let created = client.create(&Sensitive::new(KEY), &spec).await.expect("created");
    // seedance_2_0 with a video reference: 30 credits/s × 8 s (text only would be 15/s).
    assert_eq!(created.credits_cost, Some(240));
    let st = sim.state();
    let k = st.key(KEY).unwrap();
    assert_eq!((k.tasks_created, k.credits_available), (1, 10_000 - 240));
    let prices = loova_core::load_price_list(tempfile::tempdir().unwrap().path());
    assert_eq!(loova_core::estimate(&spec, &prices.list, &prices.info).unwrap().credits, 240);

    let forms = sim.received_forms();
    assert_eq!(forms.len(), 1);
    let f = &forms[0];
    let field = |n: &str| f.fields.iter().filter(|(k, _)| k == n).map(|(_, v)| v.as_str()).collect::<Vec<_>>();
    assert_eq!(field("model"), ["seedance_2_0"]);
    assert_eq!(field("prompt"), ["@image1 walks into @video1"]);
    assert_eq!(field("function_mode"), ["omni_reference"]);
    assert_eq!(field("ratio"), ["16:9"]);
    assert_eq!(field("duration"), ["8"]);
    assert_eq!(field("image_urls"), ["https://example.com/a.png", "https://example.com/b.png"]);
    assert!(field("video_urls").is_empty() && field("audio_urls").is_empty());
    let got: Vec<(Option<&str>, Option<&str>, usize)> = f.files.iter().map(|p| (p.file_name.as_deref(), p.content_type.as_deref(), p.size)).collect();
    let size = |n: &str| std::fs::metadata(fixture(n)).unwrap().len() as usize;
    assert_eq!(
        got,
        [
            (Some("red.png"), Some("image/png"), size("red.png")),
            (Some("blue.jpg"), Some("image/jpeg"), size("blue.jpg")),
            (Some("clip.mp4"), Some("video/mp4"), size("clip.mp4")),
            (Some("tone.mp3"), Some("audio/mpeg"), size("tone.mp3")),
        ]
    );
}

#[tokio::test]
async fn a_json_job_is_still_json_and_a_missing_file_sends_nothing() {
    let sim = loova_sim::start(SimConfig::for_tests(&[(KEY, 10_000)])).await.unwrap();
    let client = LoovaClient::new(&sim.base_url()).unwrap();
    let plain = JobSpec { prompt: "a fox".into(), ..JobSpec::default() };
    client.create(&Sensitive::new(KEY), &plain).await.expect("created");
    assert!(sim.received_forms().is_empty(), "no multipart for a job without files");
    let gone = JobSpec { prompt: "a fox".into(), image_files: vec!["/nonexistent/x.png".into()], ..JobSpec::default() };
    let e = client.create(&Sensitive::new(KEY), &gone).await.unwrap_err();
    assert_eq!(e.class(), loova_core::api::ErrorClass::Invalid, "needs a person, not a retry: {e}");
    assert!(e.to_string().contains("/nonexistent/x.png"), "{e}");
    assert_eq!(sim.state().key(KEY).unwrap().tasks_created, 1);
    assert!(sim.received_forms().is_empty());
}

#[tokio::test]
async fn an_upload_cut_off_by_the_service_has_an_unknown_outcome() {
    use loova_core::api::ErrorClass;
    use loova_sim::FaultKind;
    let sim = loova_sim::start(SimConfig::for_tests(&[(KEY, 10_000)])).await.unwrap();
    let client = LoovaClient::new(&sim.base_url()).unwrap();
    let spec = JobSpec { prompt: "p".into(), video_files: vec![fixture("clip.mp4").display().to_string()], ..JobSpec::default() };
    for fault in [FaultKind::Dropped, FaultKind::CreatedThenDropped, FaultKind::Truncated] {
        sim.update_config(|c| c.faults.create.script.push_back(fault)).unwrap();
        let e = client.create(&Sensitive::new(KEY), &spec).await.unwrap_err();
        assert_eq!(e.class(), ErrorClass::OutcomeUnknown, "{fault:?}: {e}");
    }
    // Only CreatedThenDropped (and Truncated) got as far as creating a task.
    assert_eq!(sim.state().key(KEY).unwrap().tasks_created, 2);
}

#[tokio::test]
async fn upload_progress_counts_every_byte_of_every_file() {
    let sim = loova_sim::start(SimConfig::for_tests(&[(KEY, 10_000)])).await.unwrap();
    let client = LoovaClient::new(&sim.base_url()).unwrap();
    // A file big enough to arrive in several chunks.
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.mp4");
    let mut bytes = std::fs::read(fixture("clip.mp4")).unwrap();
    bytes.resize(3 * 1024 * 1024, 0);
    std::fs::write(&big, &bytes).unwrap();
    let image = fixture("red.png");
    let total = bytes.len() as u64 + std::fs::metadata(&image).unwrap().len();
    let spec = JobSpec {
        prompt: "@image1 in @video1".into(),
        image_files: vec![image.display().to_string()],
        video_files: vec![big.display().to_string()],
        ..JobSpec::default()
    };
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(u64, u64)>::new()));
    let log = seen.clone();
    let progress: loova_core::api::UploadProgress = std::sync::Arc::new(move |sent, of| log.lock().unwrap().push((sent, of)));
    client.create_with_progress(&Sensitive::new(KEY), &spec, Some(progress)).await.expect("created");
    let seen = seen.lock().unwrap().clone();
    assert!(seen.len() > 2, "several reports for a 3 MB upload: {}", seen.len());
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "bytes sent only grow");
    assert!(seen.iter().all(|&(_, of)| of == total));
    assert_eq!(seen.last().unwrap().0, total, "every byte reported");
    assert_eq!(sim.received_forms()[0].files.iter().map(|f| f.size as u64).sum::<u64>(), total);
}

/// `clip.mp4` (its `mdat` comes before `moov`) with bytes appended to the
/// end of its `mdat` that read like a movie header claiming an hour. Such
/// bytes occur in real media data by chance; the samples and every offset
/// stay valid, so this is still a well-formed 0.8 s MP4.
fn mp4_with_mvhd_inside_mdat() -> Vec<u8> {
    let orig = std::fs::read(fixture("clip.mp4")).unwrap();
    let mut fake = b"mvhd".to_vec();
    fake.extend_from_slice(&[0; 4]); // version 0, no flags
    fake.extend_from_slice(&[0; 8]); // created, modified
    fake.extend_from_slice(&1000u32.to_be_bytes()); // timescale
    fake.extend_from_slice(&3_600_000u32.to_be_bytes()); // one hour
    fake.extend_from_slice(&[0; 16]);
    let (mut at, mut out) = (0, Vec::new());
    while at + 8 <= orig.len() {
        let size = u32::from_be_bytes(orig[at..at + 4].try_into().unwrap()) as usize;
        let (kind, body) = (&orig[at + 4..at + 8], &orig[at + 8..at + size]);
        if kind == b"mdat" {
            out.extend_from_slice(&((size + fake.len()) as u32).to_be_bytes());
            out.extend_from_slice(kind);
            out.extend_from_slice(body);
            out.extend_from_slice(&fake);
        } else {
            out.extend_from_slice(&orig[at..at + size]);
        }
        at += size;
    }
    assert!(out.windows(4).position(|w| w == b"mvhd") < out.windows(4).position(|w| w == b"moov"), "the fake header comes first");
    out
}

#[test]
fn the_length_comes_from_the_movie_header_not_from_bytes_inside_the_media_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tricky.mp4");
    std::fs::write(&path, mp4_with_mvhd_inside_mdat()).unwrap();
    assert_eq!(media::sniff(&path).unwrap().format, "MP4");
    let secs = loova_core::media_duration::duration_secs(&path).expect("a length");
    assert!((secs - 0.8).abs() < 0.01, "{secs} s, expected 0.8 s");
}
