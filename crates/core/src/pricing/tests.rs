//! The price list on disk: a person's file replaces the built-in list, a
//! broken one is refused (the list's own rules are tested in loova-domain).

use super::estimate::estimate;
use super::*;
use crate::job::JobSpec;

fn spec(model: &str, duration: u32, video: bool) -> JobSpec {
    JobSpec {
        model: model.into(),
        prompt: "p".into(),
        duration,
        video_urls: if video { vec!["https://v.example/a.mp4".into()] } else { vec![] },
        ..JobSpec::default()
    }
}

#[test]
fn a_price_list_in_the_data_dir_replaces_the_built_in_one() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(load_price_list(dir.path()).info.origin, PriceListOrigin::BuiltIn);

    let mut v: serde_json::Value = serde_json::from_str(EMBEDDED_PRICE_LIST).unwrap();
    v["effective_date"] = "2027-01-01".into();
    v["source"] = "newer list".into();
    v["models"][0]["credits_per_second_with_video_reference"] = 40.into();
    let newer = dir.path().join("new.json");
    std::fs::write(&newer, v.to_string()).unwrap();
    let (_, installed) = install_price_list(&newer, dir.path()).unwrap();

    let loaded = load_price_list(dir.path());
    assert_eq!(loaded.info.origin, PriceListOrigin::File(installed.display().to_string()));
    assert_eq!(loaded.info.effective_date, "2027-01-01");
    assert!(loaded.warning.is_none());
    let e = estimate(&spec("seedance_2_0", 8, true), &loaded.list, &loaded.info).unwrap();
    assert_eq!(e.credits, 320);
    assert_eq!(e.price_list.source, "newer list");
}

#[test]
fn a_broken_price_list_file_is_refused_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(PRICE_LIST_FILE), "{not json").unwrap();
    let loaded = load_price_list(dir.path());
    assert_eq!(loaded.info.origin, PriceListOrigin::BuiltIn);
    assert!(loaded.warning.unwrap().contains("not valid JSON"));

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, EMBEDDED_PRICE_LIST.replace("\"credits\": 300,", "\"credits\": 0,")).unwrap();
    let before = std::fs::read(dir.path().join(PRICE_LIST_FILE)).unwrap();
    assert!(install_price_list(&bad, dir.path()).is_err());
    assert_eq!(std::fs::read(dir.path().join(PRICE_LIST_FILE)).unwrap(), before, "nothing written");
}
