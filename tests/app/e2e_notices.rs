//! The real app: Settings → Remote notices adds a Slack-shaped target on a
//! loopback recorder, "Send test" delivers and says so, a failing target
//! shows why; the address never stays in the page or reaches the data folder.

use crate::support;
use loova_testkit::{files_containing, keyring_service, Recorder};
use support::App;

const SECRET: &str = "SECRETE2ESLACK0001";

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver, WebKitWebDriver and a Secret Service (scripts/test)"]
fn a_target_is_added_tested_and_its_address_never_shown() {
    let rec = Recorder::start();
    let data = loova_testkit::data_dir();
    let service = keyring_service("notices");
    let app = App::launch(data.path(), &[("LOOVA_DESK_KEYRING_SERVICE", &service)]);

    app.click("nav-settings");
    app.type_into("notice-name", "Team");
    app.click_css("input[name=notice-kind][value=slack]");
    app.type_into("notice-url", &rec.url(&format!("/services/T/B/{SECRET}")));
    app.click_css("[data-testid=notice-add] button[type=submit]");
    app.wait_text("notice-target-Team", |t| t.contains("Slack incoming webhook at 127.0.0.1"));
    assert_eq!(app.eval("return document.querySelector('[data-testid=notice-url]').value"), "", "cleared once sent");

    app.click("notice-test");
    app.wait_text("notice-test-result", |t| t == "Test notice delivered.");
    let got = rec.at("/services/");
    assert_eq!(got.len(), 1);
    assert!(got[0].json["text"].as_str().unwrap().contains("Test from Loova Desk"), "{}", got[0].raw);
    app.screenshot("settings-remote-notices");

    let html = app.eval("return document.documentElement.outerHTML").to_string();
    assert!(!html.contains(SECRET), "the address is not in the page");
    drop(app);
    assert!(files_containing(data.path(), SECRET).is_empty(), "the address is in no file of the data folder");
}
