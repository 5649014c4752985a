//! `loova output-dir`: the same rule as the app's "Change" field
//! (`loova_core::output_dir`), so a path means one folder everywhere.

use crate::common;
use std::path::Path;

fn loova(data: &Path, cwd: &Path, args: &[&str]) -> (i32, String, String) {
    common::run(common::loova(data).args(args).current_dir(cwd).env_remove("LOOVA_DESK_OUTPUT_DIR"))
}

#[test]
fn a_relative_folder_is_refused_with_the_full_path_to_type() {
    let data = loova_testkit::data_dir();
    let work = tempfile::tempdir().unwrap();
    let (code, _, err) = loova(data.path(), work.path(), &["output-dir", "renders"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("\"renders\" is a relative path"), "{err}");
    assert!(err.contains(&work.path().join("renders").display().to_string()), "names the full path from here: {err}");
    assert!(!work.path().join("renders").exists(), "nothing is created");
}

#[test]
fn a_full_path_is_created_saved_and_printed() {
    let data = loova_testkit::data_dir();
    let work = tempfile::tempdir().unwrap();
    let target = work.path().join("videos").join("out");
    let (code, out, err) = loova(data.path(), work.path(), &["output-dir", target.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), target.display().to_string());
    assert!(target.is_dir());
    let (code, out, _) = loova(data.path(), work.path(), &["output-dir"]);
    assert_eq!((code, out.trim()), (0, target.display().to_string().as_str()));
}
