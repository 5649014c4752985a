//! The client's own checks (base URLs, transport errors).

use super::*;

#[test]
fn base_urls() {
    assert_eq!(LoovaClient::new("https://api.loova.ai/api/").unwrap().base_url(), DEFAULT_BASE_URL);
    assert_eq!(LoovaClient::new(" http://127.0.0.1:8787/api ").unwrap().base_url(), "http://127.0.0.1:8787/api");
    for bad in ["", "api.loova.ai/api", "ftp://x/api", "https://user:pw@x/api", "https://x/api?a=1", "http://"] {
        let e = LoovaClient::new(bad).unwrap_err();
        assert!(matches!(e, ApiError::BadBaseUrl { .. }), "{bad}: {e}");
        assert_eq!(e.class(), ErrorClass::Config);
    }
    // Plain http only to this computer: the key is in every request.
    for local in ["http://localhost:8787/api", "http://127.0.0.2:9/api", "http://[::1]:9/api"] {
        assert!(LoovaClient::new(local).is_ok(), "{local}");
    }
    for remote in ["http://api.loova.ai/api", "http://10.0.0.1:8787/api", "http://192.168.1.20/api", "http://localhost.evil.example/api"] {
        let e = LoovaClient::new(remote).unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::InsecureBaseUrl, "{remote}");
        assert_eq!(e.class(), ErrorClass::Config);
        assert!(e.to_string().contains("unencrypted") && e.to_string().contains("https://"), "{e}");
    }
    let c = LoovaClient::new(DEFAULT_BASE_URL).unwrap();
    assert_eq!(c.timeouts(), Timeouts::default());
    let t = Timeouts { connect: Duration::from_secs(1), request: Duration::from_secs(2) };
    assert_eq!(c.timeouts_changed(t).unwrap().timeouts(), t);
}

#[test]
fn create_body_has_every_field() {
    let spec = JobSpec { prompt: "p".into(), video_urls: vec!["https://x/v.mp4".into()], ..JobSpec::default() };
    let c = LoovaClient::new(DEFAULT_BASE_URL).unwrap();
    let req = c.create_request(&spec, Dialect::Flat, None, None).unwrap().build().unwrap();
    let body: serde_json::Value = serde_json::from_slice(req.body().unwrap().as_bytes().unwrap()).unwrap();
    // Until the account's service has shown which name of the mode it reads, both.
    assert_eq!(
        body,
        serde_json::json!({"model":"seedance_2_0","prompt":"p","function_mode":"omni_reference","functionMode":"omni_reference",
            "ratio":"16:9","duration":5,"image_urls":[],"video_urls":["https://x/v.mp4"],"audio_urls":[]})
    );
    for (learned, has, lacks) in [(ModeField::Snake, "function_mode", "functionMode"), (ModeField::Camel, "functionMode", "function_mode")] {
        let req = c.create_request(&spec, Dialect::Flat, Some(learned), None).unwrap().build().unwrap();
        let body: serde_json::Value = serde_json::from_slice(req.body().unwrap().as_bytes().unwrap()).unwrap();
        assert_eq!((body.get(has), body.get(lacks)), (Some(&serde_json::json!("omni_reference")), None), "{learned:?}");
    }
    assert_eq!(req.url().as_str(), "https://api.loova.ai/api/v1/video/seedance-2");
}

#[test]
fn the_other_base_form_adds_or_removes_api() {
    assert_eq!(other_base_form("https://api.loova.ai/api"), "https://api.loova.ai");
    assert_eq!(other_base_form("https://api.loova.ai/api/"), "https://api.loova.ai");
    assert_eq!(other_base_form("https://api.loova.ai"), "https://api.loova.ai/api");
    assert_eq!(other_base_form("http://127.0.0.1:9/x"), "http://127.0.0.1:9/x/api");
}
