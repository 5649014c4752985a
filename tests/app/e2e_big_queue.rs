//! The real app with a 10,000-job batch waiting: the Queue screen lists what
//! matters (the next jobs to be sent) and counts everything, instead of
//! drawing 10,000 rows and resending them at every change.

use crate::support;
use loova_core::store::{AccountStatus, Db, NewAccount};
use support::App;

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver and WebKitWebDriver (scripts/test)"]
fn a_ten_thousand_job_batch_lists_the_next_hundred_and_counts_the_rest() {
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
    let rows = app.eval("return document.querySelectorAll('[data-state=queued]').length").as_u64();
    assert_eq!(rows, Some(100));
    let first = app.eval("return document.querySelector('[data-state=queued] .title').textContent").as_str().unwrap_or_default().to_string();
    assert!(first.starts_with("Shot 1:"), "the next to be sent comes first: {first}");
}
