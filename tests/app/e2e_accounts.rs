//! The real app: accounts against a loova-sim process, both balances side by
//! side, the Sandbox, a wrong key — and the key never leaves the keychain.

use crate::support;
use loova_sim::SimConfig;
use loova_testkit::{files_containing, keychain_entries, keyring_service, wait_for};
use std::path::PathBuf;
use support::App;

const KEY: &str = "sk-live-e2e-7f3a9c2d4b1e8f60";
const NEW_KEY: &str = "sk-live-e2e-rotated-0d0e";

#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver, WebKitWebDriver and a Secret Service (scripts/test)"]
fn accounts_balances_sandbox_and_no_key_leaks() {
    let sim = loova_testkit::spawn_sim(SimConfig::for_tests(&[(KEY, 5000), (NEW_KEY, 2500)]));
    let data = loova_testkit::data_dir();
    let service = keyring_service("accounts");
    let app = App::launch(data.path(), &[("LOOVA_DESK_KEYRING_SERVICE", &service)]);

    app.click("nav-accounts");
    app.click("add-account");
    app.type_into("account-name", "Studio");
    app.type_into("account-key", KEY);
    app.click_css("details summary");
    app.type_into("account-base-url", &sim.base_url());
    app.click("add-account-submit");

    // Both pools side by side: API Credits read from the service.
    app.wait_text("api-available", |t| t == "5,000");
    assert_eq!(app.text("api-total"), "5,000");
    assert_eq!(app.text("key-hint"), "••••8f60");
    assert!(app.text("app-credits").contains("enter what the Loova app shows"));

    // App Credits are typed in from the Loova app, with their date.
    app.click("edit-app-credits");
    app.type_into("app-credits-input", "1200");
    app.click("app-credits-save");
    app.wait_text("app-credits-value", |t| t == "1,200");
    assert!(app.text("app-credits").contains("entered by you"));

    // A lower limit of its own: 0 is refused at the field, 3 is kept.
    assert!(app.text("own-limit-summary").contains("6 at once per user"));
    app.click("own-limit-edit");
    app.type_into("own-limit-input", "0");
    app.click("own-limit-save");
    let refused = app.wait_text("own-limit-error", |t| !t.is_empty());
    assert!(refused.contains("at least 1"), "{refused}");
    app.type_into("own-limit-input", "3");
    app.click("own-limit-save");
    app.wait_text("own-limit-summary", |t| t.contains("At most 3 at once (your limit; Loova allows 6 per user)"));
    app.click("own-limit-edit");
    app.click("own-limit-clear");
    app.wait_text("own-limit-summary", |t| t.starts_with("Loova's limit"));

    // A wrong key is refused with the service's reason; nothing is saved.
    app.click("add-account");
    app.type_into("account-name", "Client");
    app.type_into("account-key", "sk-wrong-0000");
    app.click_css("details summary");
    app.type_into("account-base-url", &sim.base_url());
    app.click("add-account-submit");
    let msg = app.wait_text("add-account-error", |t| !t.is_empty());
    assert!(msg.contains("rejected the API key"), "{msg}");
    app.click_css("form[data-testid=add-account-form] button.quiet");

    // The Sandbox: one click, 10,000 play credits, labelled everywhere.
    app.click("try-sandbox");
    app.wait_text("sandbox-badge", |t| t == "SANDBOX");
    let sandbox_card = wait_sandbox_credits(&app);
    assert!(sandbox_card.contains("10,000"), "{sandbox_card}");
    // The key is nowhere but the keychain: not in the page, not in the data dir.
    let page = app.eval("return document.documentElement.outerHTML").as_str().unwrap_or_default().to_string();
    app.screenshot("accounts");
    assert!(!page.contains(KEY) && !page.contains(&KEY[..KEY.len() - 4]), "the key reached the webview");

    // Rotate Studio's key: the new one is checked, then replaces the old.
    let studio = "[data-testid=\"account-Studio\"]";
    app.click_css(&format!("{studio} footer button:nth-child(2)"));
    app.type_into("replace-key-input", NEW_KEY);
    app.click_css(&format!("{studio} form.inline button.primary"));
    app.wait_text("key-hint", |t| t == "••••0d0e");
    app.wait_text("api-available", |t| t == "2,500");
    let found = keychain_entries(&service);
    assert!(found.contains(NEW_KEY) && !found.contains(KEY), "{found}");

    // Remove it: the keychain entry goes too.
    app.click_css(&format!("{studio} [data-testid=remove-account]"));
    app.click("confirm-remove");
    wait_for("Studio to disappear", || !app.exists("account-Studio"));
    assert!(!keychain_entries(&service).contains(NEW_KEY));
    let page = app.eval("return document.documentElement.outerHTML").as_str().unwrap_or_default().to_string();
    assert!(!page.contains(NEW_KEY), "the new key reached the webview");
    drop(app);
    assert_eq!(files_containing(data.path(), KEY.as_bytes()), Vec::<PathBuf>::new());
    assert_eq!(files_containing(data.path(), NEW_KEY.as_bytes()), Vec::<PathBuf>::new());
    assert_eq!(files_containing(data.path(), b"sk-sandbox-"), Vec::<PathBuf>::new());
}

fn wait_sandbox_credits(app: &App) -> String {
    wait_for("the Sandbox's API credits", || {
        let text = app
            .eval("const c = [...document.querySelectorAll('article')].find(a => a.textContent.includes('SANDBOX')); return c ? c.textContent : ''")
            .as_str()
            .unwrap_or_default()
            .to_string();
        if text.contains("10,000") {
            Ok(text)
        } else {
            Err(text)
        }
    })
}

/// What the page alone may not decide: where a key is sent, where videos
/// are saved. A script in the page that tries gets a refusal.
#[test]
#[ignore = "drives the built app: needs Xvfb, tauri-driver, WebKitWebDriver and a Secret Service (scripts/test)"]
fn the_page_alone_cannot_send_a_key_elsewhere_or_move_the_videos() {
    let data = loova_testkit::data_dir();
    let service = keyring_service("window-limits");
    let app = App::launch(data.path(), &[("LOOVA_DESK_KEYRING_SERVICE", &service)]);
    app.click("nav-accounts");
    let request = |url: &str| serde_json::json!({ "request": { "name": "Elsewhere", "key": KEY, "base_url": url, "save_unverified": true } });

    // Another service's URL: the native confirmation is asked, and declined.
    let declined = app.invoke("add_account", request("https://api.example.invalid"));
    assert!(declined.starts_with("ERR") && declined.contains("was not confirmed") && declined.contains("base_url"), "{declined}");
    assert!(keychain_entries(&service).is_empty(), "nothing stored");
    // Plain HTTP to a host that is not this computer: refused outright.
    let plain = app.invoke("add_account", request("http://api.example.invalid"));
    assert!(plain.starts_with("ERR") && plain.contains("https"), "{plain}");
    // Confirmed by the person, the same URL goes through to being tried.
    App::will_pick(data.path(), std::path::Path::new("confirm"));
    let confirmed = app.invoke("add_account", request("https://api.example.invalid"));
    assert!(!confirmed.contains("was not confirmed"), "{confirmed}");

    // A studio's certificate authority file too comes only from the picker.
    let studio = |url: &str, cert: Option<&str>| {
        serde_json::json!({ "request": { "account_id": "any", "url": url, "password": null, "studio_account": "s", "computer": null,
            "ssl_root_cert": cert, "insecure_no_tls": false } })
    };
    let in_url = app.invoke("studio_connect", studio("postgres://u@db.example.invalid/s?sslrootcert=/home/me/.ssh/id_ed25519", None));
    assert!(in_url.starts_with("ERR") && in_url.contains("\"field\":\"url\"") && in_url.contains("Choose"), "{in_url}");
    let typed = app.invoke("studio_connect", studio("postgres://u@db.example.invalid/s", Some("/home/me/.ssh/id_ed25519")));
    assert!(typed.starts_with("ERR") && typed.contains("ssl_root_cert") && typed.contains("no longer open here"), "{typed}");

    // The output folder comes only from the system's folder picker.
    let moved = app.invoke("set_setting", serde_json::json!({ "key": "output_dir", "value": "/tmp/elsewhere" }));
    assert!(moved.starts_with("ERR") && moved.contains("output_dir") && moved.contains("folder picker"), "{moved}");
    let settings = app.invoke("settings_screen", serde_json::json!({}));
    assert!(!settings.contains("/tmp/elsewhere"), "{settings}");
}
