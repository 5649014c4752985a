//! The media server's request checks, as the shell calls them: a request
//! whose `Host` is not the server's own (a DNS-rebinding page) is refused,
//! and only the app's own page may read the bytes (no wildcard
//! `Access-Control-Allow-Origin`). Real SQLite, a real MP4 in an output
//! folder.

use loova_core::engine::OUTPUT_DIR_SETTING;
use loova_core::library::serve::{self, MediaAnswer, MediaRequest, APP_ORIGINS};
use loova_core::library::Sidecar;
use loova_core::store::Db;

const TOKEN: &str = "9f2c4d7e1a3b5c6d8e0f1a2b3c4d5e6f";
const PORT: u16 = 48213;
const SAMPLE: &[u8] = include_bytes!("../../../sim/assets/sample.mp4");

struct Rig {
    dir: tempfile::TempDir,
    db: Db,
    id: i64,
}

fn rig() -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let (data, out) = (dir.path().join("data"), dir.path().join("out"));
    std::fs::create_dir_all(out.join("Studio")).unwrap();
    let db = Db::open_in(&data).unwrap();
    db.set_setting(OUTPUT_DIR_SETTING, &out.display().to_string()).unwrap();
    let video = out.join("Studio").join("Fox.mp4");
    std::fs::write(&video, SAMPLE).unwrap();
    let sidecar: Sidecar = serde_json::from_value(serde_json::json!({
        "format": 1, "app_version": "0.1.0", "name": "Fox", "prompt": "a fox", "model": "seedance_2_0",
        "function_mode": "omni_reference", "ratio": "16:9", "duration": 5, "image_urls": [], "video_urls": [],
        "audio_urls": [], "local_files": [], "task_id": "task-fox", "trace_id": null,
        "estimate_credits": 75, "price_list_date": null, "credits_cost": 75, "account": "Studio", "batch": null,
        "created_at": 1, "submitted_at": 1, "finished_at": 1, "downloaded_at": 1
    }))
    .unwrap();
    db.upsert_library(&video.display().to_string(), &sidecar).unwrap();
    let id = db.library_row_at(&video.display().to_string()).unwrap().unwrap().id;
    Rig { dir, db, id }
}

fn ask(r: &Rig, host: Option<&str>, origin: Option<&str>) -> MediaAnswer {
    let path = format!("/{TOKEN}/video/{}", r.id);
    let request = MediaRequest { host, origin, path: &path, range: Some("bytes=0-9") };
    serve::answer_request(&r.db, &r.dir.path().join("data"), TOKEN, PORT, &request)
}

fn header<'a>(a: &'a MediaAnswer, name: &str) -> Option<&'a str> {
    a.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

#[test]
fn a_request_for_another_host_is_refused() {
    let r = rig();
    let own = format!("127.0.0.1:{PORT}");
    assert_eq!(ask(&r, Some(&own), None).status, 206);
    assert_eq!(ask(&r, Some(&format!("localhost:{PORT}")), None).status, 206);
    // A page on attacker.example whose name was rebound to 127.0.0.1.
    for foreign in [format!("attacker.example:{PORT}"), "127.0.0.1:1".to_string(), format!("127.0.0.1.nip.io:{PORT}"), String::new()] {
        let a = ask(&r, Some(&foreign), None);
        assert_eq!((a.status, a.body.len()), (421, 0), "{foreign}");
    }
    assert_eq!(ask(&r, None, None).status, 421, "no Host at all");
}

#[test]
fn only_the_app_s_own_page_may_read_the_bytes() {
    let r = rig();
    let own = format!("127.0.0.1:{PORT}");
    for origin in [None, Some("https://attacker.example"), Some("null"), Some("http://127.0.0.1:5173")] {
        let a = ask(&r, Some(&own), origin);
        assert_eq!(header(&a, "Access-Control-Allow-Origin"), None, "{origin:?}");
    }
    for origin in APP_ORIGINS {
        let a = ask(&r, Some(&own), Some(origin));
        assert_eq!(header(&a, "Access-Control-Allow-Origin"), Some(origin));
        assert_eq!(header(&a, "Vary"), Some("Origin"), "caches keep one answer per origin");
    }
    // Never a wildcard, whatever the answer.
    let direct = serve::answer(&r.db, &r.dir.path().join("data"), TOKEN, &format!("/{TOKEN}/video/{}", r.id), None);
    assert!(direct.headers.iter().all(|(_, v)| v != "*"), "{:?}", direct.headers);
    let wrong = serve::answer(&r.db, &r.dir.path().join("data"), TOKEN, "/9f2c4d7e1a3b5c6d8e0f1a2b3c4d5e6e/video/1", None);
    assert_eq!(wrong.status, 404, "a token that differs in its last character");
}
