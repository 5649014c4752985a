//! With `--json`, a failure is a JSON document with its code (one of
//! loova-core's `ErrorCode`s) and its sentence, so scripts branch on the
//! code, never on the text.

use crate::common;
fn loova(data: &std::path::Path, args: &[&str]) -> (i32, String) {
    let (code, out, _) = common::run(common::loova(data).args(args));
    (code, out)
}

#[test]
fn json_errors_carry_their_code() {
    let data = loova_testkit::data_dir();
    let (code, out) = loova(data.path(), &["jobs", "--state", "sleeping", "--json"]);
    assert_eq!(code, 2, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["code"], "invalid_input");
    assert!(v["error"]["message"].as_str().unwrap().contains("unknown state \"sleeping\""), "{out}");

    let (code, out) = loova(data.path(), &["jobs", "--account", "Nobody", "--json"]);
    assert_eq!(code, 2, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["code"], "account_not_found");

    // Success: one document, and no error document after it.
    let (code, out) = loova(data.path(), &["batches", "--json"]);
    assert_eq!((code, out.trim()), (0, "[]"), "no error document after a successful one");
}
