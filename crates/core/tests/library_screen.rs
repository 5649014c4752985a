//! The Library screen's core: pages with search, filters and sorts; the
//! media protocol's answers (ranges, scope, posters); delete to the trash;
//! locating a moved video. Real SQLite, real files, a real MP4.

use loova_core::engine::OUTPUT_DIR_SETTING;
use loova_core::library::actions::{self, ActionError};
use loova_core::library::query::{self, LibraryQuery, LibrarySort, OnDisk};
use loova_core::library::{poster, serve, Sidecar};
use loova_core::store::Db;
use std::path::{Path, PathBuf};

const TOKEN: &str = "t0ken";
const BASE: &str = "http://127.0.0.1:9/t0ken/";
const SAMPLE: &[u8] = include_bytes!("../../sim/assets/sample.mp4");

struct Rig {
    _dir: tempfile::TempDir,
    data: PathBuf,
    out: PathBuf,
    db: Db,
}

fn sidecar(name: &str, prompt: &str, ratio: &str, cost: i64, at: i64) -> Sidecar {
    let json = serde_json::json!({
        "format": 1, "app_version": "0.1.0", "name": name, "prompt": prompt, "model": "seedance_2_0",
        "function_mode": "omni_reference", "ratio": ratio, "duration": 5, "image_urls": [], "video_urls": [],
        "audio_urls": [], "local_files": [], "task_id": format!("task-{name}"), "trace_id": null,
        "estimate_credits": cost, "price_list_date": null, "credits_cost": cost, "account": "Studio", "batch": null,
        "created_at": at, "submitted_at": at, "finished_at": at, "downloaded_at": at
    });
    serde_json::from_value(json).unwrap()
}

/// Three videos in the output folder: Fox (16:9, 75), Boat (9:16, 150), Owl (16:9, 30), oldest first.
fn rig() -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let (data, out) = (dir.path().join("data"), dir.path().join("out"));
    std::fs::create_dir_all(out.join("Studio")).unwrap();
    let db = Db::open_in(&data).unwrap();
    db.set_setting(OUTPUT_DIR_SETTING, &out.display().to_string()).unwrap();
    for (i, (name, prompt, ratio, cost)) in
        [("Fox", "A red fox running through fresh snow", "16:9", 75), ("Boat", "A paper boat on a river", "9:16", 150), ("Owl", "An owl at night", "16:9", 30)]
            .into_iter()
            .enumerate()
    {
        let video = out.join("Studio").join(format!("{name}.mp4"));
        std::fs::write(&video, SAMPLE).unwrap();
        let s = sidecar(name, prompt, ratio, cost, 1_000 + i as i64);
        s.write_beside(&video).unwrap();
        db.upsert_library(&video.display().to_string(), &s).unwrap();
    }
    Rig { _dir: dir, data, out, db }
}

fn names(r: &Rig, q: LibraryQuery) -> Vec<String> {
    query::page(&r.db, &r.data, BASE, &LibraryQuery { limit: 50, ..q }).unwrap().items.into_iter().map(|i| i.name).collect()
}

fn id_of(r: &Rig, name: &str) -> i64 {
    let page = query::page(&r.db, &r.data, BASE, &LibraryQuery { limit: 50, ..Default::default() }).unwrap();
    page.items.into_iter().find(|i| i.name == name).unwrap().id
}

#[test]
fn pages_search_filter_and_sort_in_sql() {
    let r = rig();
    assert_eq!(names(&r, LibraryQuery::default()), ["Owl", "Boat", "Fox"], "newest first");
    assert_eq!(names(&r, LibraryQuery { sort: LibrarySort::Oldest, ..Default::default() }), ["Fox", "Boat", "Owl"]);
    assert_eq!(names(&r, LibraryQuery { sort: LibrarySort::CostHigh, ..Default::default() }), ["Boat", "Fox", "Owl"]);
    assert_eq!(names(&r, LibraryQuery { sort: LibrarySort::CostLow, ..Default::default() }), ["Owl", "Fox", "Boat"]);
    assert_eq!(names(&r, LibraryQuery { sort: LibrarySort::Name, ..Default::default() }), ["Boat", "Fox", "Owl"]);
    assert_eq!(names(&r, LibraryQuery { search: Some("fresh".into()), ..Default::default() }), ["Fox"]);
    assert_eq!(names(&r, LibraryQuery { ratio: Some("16:9".into()), ..Default::default() }), ["Owl", "Fox"]);
    assert_eq!(names(&r, LibraryQuery { account: Some("studio".into()), model: Some("seedance_2_0".into()), ..Default::default() }).len(), 3);
    assert!(names(&r, LibraryQuery { model: Some("seedance_2_0_fast".into()), ..Default::default() }).is_empty());
    assert_eq!(names(&r, LibraryQuery { from_ms: Some(1_001), until_ms: Some(1_002), ..Default::default() }), ["Boat"]);
    let page = query::page(&r.db, &r.data, BASE, &LibraryQuery { offset: 1, limit: 1, ..Default::default() }).unwrap();
    assert_eq!((page.total, page.items.len(), page.items[0].name.as_str()), (3, 1, "Boat"), "a window of the whole count");
    assert_eq!(page.choices.ratios, ["16:9", "9:16"]);
    assert_eq!(page.choices.accounts, ["Studio"]);
    assert_eq!(page.items[0].on_disk, OnDisk::Present);
    assert_eq!(page.items[0].video_url, format!("{BASE}video/{}", page.items[0].id));
}

fn header<'a>(a: &'a serve::MediaAnswer, name: &str) -> Option<&'a str> {
    a.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

#[test]
fn the_protocol_serves_ranges_of_known_videos_only() {
    let r = rig();
    let id = id_of(&r, "Fox");
    let len = SAMPLE.len();
    let a = serve::answer(&r.db, &r.data, TOKEN, &format!("/t0ken/video/{id}"), Some("bytes=100-199"));
    assert_eq!(a.status, 206);
    assert_eq!(header(&a, "Content-Range"), Some(format!("bytes 100-199/{len}").as_str()));
    assert_eq!(a.body, SAMPLE[100..200]);
    assert_eq!(header(&a, "Content-Type"), Some("video/mp4"));
    let a = serve::answer(&r.db, &r.data, TOKEN, &format!("/t0ken/video/{id}"), Some("bytes=-10"));
    assert_eq!((a.status, a.body.as_slice()), (206, &SAMPLE[len - 10..]));
    assert_eq!(serve::answer(&r.db, &r.data, TOKEN, &format!("/t0ken/video/{id}"), None).status, 200);
    let a = serve::answer(&r.db, &r.data, TOKEN, &format!("/t0ken/video/{id}"), Some(&format!("bytes={len}-")));
    assert_eq!((a.status, header(&a, "Content-Range")), (416, Some(format!("bytes */{len}").as_str())));

    let known = format!("/t0ken/video/{id}");
    for path in ["/t0ken/video/999", "/t0ken/video/../../etc/passwd", "/t0ken/video/1%2F..", "/t0ken/etc/passwd", "/t0ken/video/", "/t0ken/other/1"] {
        assert_eq!(serve::answer(&r.db, &r.data, TOKEN, path, None).status, 404, "{path}");
    }
    // Without this run's token, nothing is served.
    for path in [&known[7..], "/wrong/video/1", "/t0kenvideo/1"] {
        assert_eq!(serve::answer(&r.db, &r.data, TOKEN, path, None).status, 404, "{path}");
    }
    // A library row outside the output folder is refused.
    let outside = r.data.join("elsewhere.mp4");
    std::fs::write(&outside, SAMPLE).unwrap();
    r.db.upsert_library(&outside.display().to_string(), &sidecar("Elsewhere", "x", "16:9", 1, 5)).unwrap();
    let other = id_of(&r, "Elsewhere");
    assert_eq!(serve::answer(&r.db, &r.data, TOKEN, &format!("/t0ken/video/{other}"), None).status, 403);
    // So is one that leads out through a link.
    #[cfg(unix)]
    {
        let link = r.out.join("Studio").join("link.mp4");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        r.db.upsert_library(&link.display().to_string(), &sidecar("Link", "x", "16:9", 1, 6)).unwrap();
        assert_eq!(serve::answer(&r.db, &r.data, TOKEN, &format!("/t0ken/video/{}", id_of(&r, "Link")), None).status, 403);
    }
}

#[test]
fn posters_are_cached_and_served() {
    let r = rig();
    let id = id_of(&r, "Owl");
    assert_eq!(serve::answer(&r.db, &r.data, TOKEN, &format!("/t0ken/poster/{id}"), None).status, 404);
    assert!(matches!(poster::save(&r.db, &r.data, BASE, id, b"<html>"), Err(poster::PosterError::NotAnImage)));
    let png = [&b"\x89PNG\r\n\x1a\n"[..], &[0u8; 32]].concat();
    let url = poster::save(&r.db, &r.data, BASE, id, &png).unwrap();
    assert!(url.contains(&format!("poster/{id}?v=")), "{url}");
    let a = serve::answer(&r.db, &r.data, TOKEN, &format!("/t0ken/poster/{id}"), None);
    assert_eq!((a.status, header(&a, "Content-Type")), (200, Some("image/png")));
    assert_eq!(a.body, png);
    let item = query::page(&r.db, &r.data, BASE, &LibraryQuery { search: Some("owl".into()), limit: 5, ..Default::default() }).unwrap().items.remove(0);
    assert!(item.poster_url.is_some());
}

#[test]
fn delete_moves_the_video_and_its_recipe_to_the_trash() {
    let r = rig();
    // The trash of this test only (freedesktop: $XDG_DATA_HOME/Trash).
    std::env::set_var("XDG_DATA_HOME", r.data.join("xdg"));
    let id = id_of(&r, "Boat");
    let video = r.out.join("Studio").join("Boat.mp4");
    actions::delete(&r.db, &r.data, id).unwrap();
    assert!(!video.exists() && !video.with_extension("mp4.json").exists());
    assert!(r.db.library_row(id).unwrap().unwrap().deleted_at.is_some(), "the row stays: deleted from disk");
    assert_eq!(names(&r, LibraryQuery::default()), ["Owl", "Fox"]);
    assert_eq!(serve::answer(&r.db, &r.data, TOKEN, &format!("/t0ken/video/{id}"), None).status, 404);
    assert!(matches!(actions::delete(&r.db, &r.data, id), Err(ActionError::NotFound(_))));
}

#[test]
fn a_moved_video_is_missing_until_it_is_located() {
    let r = rig();
    let id = id_of(&r, "Fox");
    let studio = r.out.join("Studio");
    let moved = r.out.join("kept").join("Fox.mp4");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(studio.join("Fox.mp4"), &moved).unwrap();
    let fox =
        |r: &Rig| query::page(&r.db, &r.data, BASE, &LibraryQuery { search: Some("fox".into()), limit: 5, ..Default::default() }).unwrap().items.remove(0);
    assert_eq!(fox(&r).on_disk, OnDisk::Missing);

    let check = |path: &Path| actions::locate(&r.db, &r.data, id, &path.display().to_string());
    // Another take with the same bytes has another task's recipe beside it.
    assert!(matches!(check(&studio.join("Owl.mp4")), Err(ActionError::NotTheSame { .. })));
    let short = r.out.join("short.mp4");
    std::fs::write(&short, &SAMPLE[..1000]).unwrap();
    assert!(matches!(check(&short), Err(ActionError::NotTheSame { .. })), "another size");
    let outside = r.data.join("Fox.mp4");
    std::fs::write(&outside, SAMPLE).unwrap();
    assert!(matches!(check(&outside), Err(ActionError::OutsideOutput { .. })));

    check(&moved).unwrap();
    let item = fox(&r);
    assert_eq!(item.on_disk, OnDisk::Present);
    // The same file, stored as people write it: on Windows without the
    // `\\?\` prefix std's canonicalize() adds.
    assert_eq!(Path::new(&item.path).canonicalize().unwrap(), moved.canonicalize().unwrap());
    assert!(!item.path.starts_with(r"\\?\"), "{}", item.path);
    assert!(moved.with_extension("mp4.json").exists(), "the recipe is written beside it");
    assert_eq!(serve::answer(&r.db, &r.data, TOKEN, &format!("/t0ken/video/{id}"), Some("bytes=0-9")).status, 206);
}

#[test]
fn open_in_composer_brings_back_the_recipe() {
    let r = rig();
    let (spec, name, account) = actions::composer_spec(&r.db, id_of(&r, "Boat")).unwrap();
    assert_eq!((spec.prompt.as_str(), spec.ratio.as_str(), spec.duration), ("A paper boat on a river", "9:16", 5));
    assert_eq!(name.as_deref(), Some("Boat"));
    assert_eq!(account, None, "no account of that name here");
}

/// A library row is only a path in SQLite (or in a rebuilt folder's
/// sidecar): "Delete" must not trash a file outside the output folder,
/// whether the row names it directly or through a link inside the folder.
#[test]
fn delete_refuses_files_outside_the_output_folder_and_they_survive() {
    let r = rig();
    std::env::set_var("XDG_DATA_HOME", r.data.join("xdg"));
    let precious = r.data.join("precious.mp4");
    std::fs::write(&precious, SAMPLE).unwrap();
    let row_for = |path: &Path, name: &str| {
        r.db.upsert_library(&path.display().to_string(), &sidecar(name, "a prompt", "16:9", 10, 5_000)).unwrap();
        id_of(&r, name)
    };
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut attempts = vec![("named directly", precious.clone()), ("through ..", r.out.join("Studio").join("..").join("..").join("data").join("precious.mp4"))];
    #[cfg(unix)]
    {
        let link = r.out.join("Studio").join("link.mp4");
        std::os::unix::fs::symlink(&precious, &link).unwrap();
        std::os::unix::fs::symlink(&r.data, r.out.join("data-link")).unwrap();
        attempts.push(("a link to it inside the folder", link));
        attempts.push(("inside a linked folder", r.out.join("data-link").join("precious.mp4")));
    }
    for (i, (how, path)) in attempts.into_iter().enumerate() {
        let id = row_for(&path, &format!("Evil{i}"));
        let e = actions::delete(&r.db, &r.data, id).unwrap_err();
        assert!(matches!(e, ActionError::NotInOutput { .. }), "{how}: {e}");
        assert_eq!(e.code(), loova_core::ErrorCode::InvalidInput);
        assert!(precious.is_file() && std::fs::read(&precious).unwrap() == SAMPLE, "{how}: the file survives");
        assert!(r.db.library_row(id).unwrap().unwrap().deleted_at.is_none(), "{how}: the row is not marked deleted");
    }
}

/// Rebuild reads only what is inside the folder: a video that is a link to
/// a file elsewhere is skipped, so no row can name that file.
#[cfg(unix)]
#[test]
fn rebuild_skips_a_video_that_links_outside_the_folder() {
    let r = rig();
    let precious = r.data.join("precious.mp4");
    std::fs::write(&precious, SAMPLE).unwrap();
    let link = r.out.join("Studio").join("Linked.mp4");
    std::os::unix::fs::symlink(&precious, &link).unwrap();
    sidecar("Linked", "a linked video", "16:9", 10, 6_000).write_beside(&link).unwrap();
    let fresh = tempfile::tempdir().unwrap();
    let db = Db::open_in(fresh.path()).unwrap();
    let report = loova_core::library::rebuild(&db, &r.out).unwrap();
    assert_eq!(report.videos, 3, "{report:?}");
    assert_eq!(report.skipped.len(), 1, "{report:?}");
    assert!(report.skipped[0].reason.contains("link"), "{report:?}");
}
