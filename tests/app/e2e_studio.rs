//! The real app: an account connected to a studio's PostgreSQL (a
//! throwaway cluster) through its card's form; the Queue's slot meter then
//! counts the studio's slots, "here" first — and the database password is
//! never in the page or the data folder.

use crate::support;
use loova_testkit::{above_our_cap, files_containing, keyring_service, sim_config, start_postgres, wait_for, PG_PASSWORD};
use support::{App, SANDBOX_TIME_SCALE};

const KEY: &str = "sk-live-e2e-studio-5d2e91";

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver, WebKitWebDriver, a Secret Service and PostgreSQL (scripts/test)"]
fn an_account_shares_its_slots_through_the_form_and_the_meter_says_here() {
    let Some(pg) = start_postgres() else { return };
    let sim = loova_testkit::spawn_sim(above_our_cap(sim_config(&[(KEY, 5000)], SANDBOX_TIME_SCALE)));
    let data = loova_testkit::data_dir();
    let videos = tempfile::tempdir().unwrap();
    let service = keyring_service("studio");
    let videos_dir = videos.path().display().to_string();
    let app = App::launch(data.path(), &[("LOOVA_DESK_KEYRING_SERVICE", &service), ("LOOVA_DESK_OUTPUT_DIR", &videos_dir)]);

    app.click("nav-accounts");
    app.click("add-account");
    app.type_into("account-name", "Acme");
    app.type_into("account-key", KEY);
    app.click_css("details summary");
    app.type_into("account-base-url", &sim.base_url());
    app.click("add-account-submit");
    app.wait_text("api-available", |t| t == "5,000");

    // A wrong URL: the field's error says the rule and how to write it.
    app.click("studio-open");
    app.type_into("studio-url", "mysql://editor@db/loova");
    app.type_into("studio-account", "acme");
    app.click("studio-connect");
    let msg = app.wait_text("studio-url-error", |t| !t.is_empty());
    assert!(msg.contains("postgres://"), "{msg}");

    // The URL without its password, the password in its own field.
    app.type_into("studio-url", &pg.url_without_password());
    app.type_into("studio-password", PG_PASSWORD);
    app.type_into("studio-computer", "edit-linux-1");
    app.eval("document.activeElement.blur(); document.querySelector('[data-testid=studio-root-cert]').scrollIntoView({block: 'center'})");
    app.screenshot("studio-form");
    app.click("studio-connect");
    let state = app.wait_text("studio-state", |t| t.starts_with("Connected"));
    assert!(state.contains("0/6 in use — 0 here"), "{state}");
    assert!(app.text("studio-link").contains("edit-linux-1"));

    // Paused while a job is queued, so the meter shows it waiting here first.
    app.click("pause-account");
    app.wait_text("account-state", |t| t == "Paused");
    app.click("nav-composer");
    app.type_into("prompt", "A lighthouse beam sweeping over a stormy sea");
    app.type_into("job-name", "Lighthouse");
    app.click_when_enabled("add-to-queue");
    wait_for("the job to be queued", || app.exists("queued-message"));
    app.click("nav-queue");
    app.wait_text("studio-waiting", |t| t.contains("waiting: 1 here"));
    app.click("pause-queue");
    // Sent under a studio lease: the meter counts it "here".
    app.wait_text("studio-slots", |t| t.starts_with("— 1 here"));

    let page = app.eval("return document.documentElement.outerHTML").as_str().unwrap_or_default().to_string();
    assert!(!page.contains(PG_PASSWORD) && !page.contains(KEY), "a secret reached the webview");
    assert!(files_containing(data.path(), PG_PASSWORD).is_empty(), "the password is in {:?}", files_containing(data.path(), PG_PASSWORD));
}
