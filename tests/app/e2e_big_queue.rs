//! The real app with a 10,000-job batch waiting: the Queue screen lists what
//! matters (the next jobs to be sent) and counts everything, instead of
//! drawing 10,000 rows and resending them at every change; its filter finds
//! any of them, listed or not.

use crate::support;
use loova_core::store::{AccountStatus, Db, NewAccount};
use support::App;

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver and WebKitWebDriver (scripts/test)"]
fn a_ten_thousand_job_batch_lists_the_next_hundred_counts_the_rest_and_filters_all() {
    let data = loova_testkit::data_dir();
    {
        let db = Db::open_in(data.path()).unwrap();
        // Paused, so nothing is sent (and no key is needed).
        let account = NewAccount { id: "big", name: "Studio", base_url: "http://127.0.0.1:9/api", key_hint: "0000", sandbox: false, verified: true };
        db.insert_account(&account).unwrap();
        db.set_account_state("big", AccountStatus::Paused).unwrap();
        let mut csv = String::from("prompt,duration\n");
        for i in 1..=10_000 {
            csv.push_str(&format!("Shot {i}: a paper boat in the rain,{}\n", 4 + i % 12));
        }
        let prices = loova_core::load_price_list(data.path());
        let file = loova_core::batch::parse_batch(csv.as_bytes(), std::path::Path::new("big.csv"), None, &prices);
        loova_core::batch::enqueue_batch(&db, "big", &file, None, false, &prices).unwrap();
    }
    let app = App::launch(data.path(), &[("LOOVA_DESK_KEYRING_SERVICE", &loova_testkit::keyring_service("big"))]);
    app.click("nav-queue");
    app.wait_text("queue-counts", |t| t.contains("10,000 waiting"));
    app.wait_text("not-listed", |t| t.starts_with("9,900 more not listed"));
    // The rows in view come at once, the others a few frames later.
    let listed = "return document.querySelectorAll('[data-state=queued]').length";
    loova_testkit::wait_for("the next 100 listed", || app.eval(listed).as_u64() == Some(100));
    let first = app.eval("return document.querySelector('[data-state=queued] .title').textContent").as_str().unwrap_or_default().to_string();
    assert!(first.starts_with("Shot 1:"), "the next to be sent comes first: {first}");

    // The filter looks past the 100 listed rows: shot 9999 is far down.
    let queued = "return document.querySelectorAll('[data-state=queued]').length";
    app.type_into("filter-text", "shot 9999:");
    app.wait_text("filter-note", |t| t.contains("matching “shot 9999:”"));
    loova_testkit::wait_for("one matching row", || app.eval(queued).as_u64() == Some(1));
    let found = app.eval("return document.querySelector('[data-state=queued] .title').textContent").as_str().unwrap_or_default().to_string();
    assert!(found.starts_with("Shot 9999:"), "{found}");
    app.screenshot("queue-filter");
    app.type_into("filter-text", "zebra");
    app.wait_text("filter-note", |t| t.starts_with("No job matches “zebra”"));
    assert!(!app.exists("queue-Studio"), "an account with no match shows no card");
    // Emptied, the Queue lists the next 100 again; the counts never changed.
    app.type_into("filter-text", "");
    loova_testkit::wait_for("every listed row again", || app.eval(queued).as_u64() == Some(100));
    assert!(app.text("queue-counts").contains("10,000 waiting"));
}
