//! What a person does on the page: find, read, click, type, choose. Every
//! step waits for the page to be ready for it (never a sleep).

use super::{wait_for, wait_for_within, App};
use fantoccini::elements::Element;
use fantoccini::Locator;
use serde_json::{json, Value};
use std::time::Duration;

/// The CSS selector of a `data-testid`.
fn by_test_id(test_id: &str) -> String {
    format!("[data-testid=\"{test_id}\"]")
}

impl App {
    /// What a command answers a script in the page that calls it directly
    /// (as an attacker's script would): `OK <json>` or `ERR <json>`.
    pub fn invoke(&self, command: &str, args: Value) -> String {
        let script =
            format!("return window.__TAURI_INTERNALS__.invoke('{command}', {args}).then(r => 'OK ' + JSON.stringify(r), e => 'ERR ' + JSON.stringify(e));");
        self.eval(&script).as_str().unwrap_or_default().to_string()
    }

    /// Runs a script in the page and returns its value.
    pub fn eval(&self, script: &str) -> Value {
        self.eval_with(script, vec![])
    }

    fn eval_with(&self, script: &str, args: Vec<Value>) -> Value {
        self.run(self.client().execute(script, args)).unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// The first element matching a CSS selector, once it exists.
    fn el_css(&self, css: &str) -> Element {
        wait_for(&format!("element {css}"), || self.run(self.client().find(Locator::Css(css))).map_err(|e| e.to_string()))
    }

    pub fn exists(&self, test_id: &str) -> bool {
        let found = self.run(self.client().find_all(Locator::Css(&by_test_id(test_id))));
        found.is_ok_and(|all| !all.is_empty())
    }

    pub fn text(&self, test_id: &str) -> String {
        let css = by_test_id(test_id);
        // Svelte may replace the element between finding and reading it.
        wait_for(&format!("the text of {test_id}"), || {
            let element = self.el_css(&css);
            self.run(element.text()).map_err(|e| e.to_string())
        })
    }

    /// Waits until the element's text satisfies `ok`; returns it.
    pub fn wait_text(&self, test_id: &str, ok: impl Fn(&str) -> bool) -> String {
        wait_for(&format!("the text of {test_id}"), || {
            if !self.exists(test_id) {
                return Err(format!("{test_id} not on the page"));
            }
            let t = self.text(test_id);
            if ok(&t) {
                Ok(t)
            } else {
                Err(t)
            }
        })
    }

    /// Waits until a control can be used (it may be disabled while the app
    /// is still loading what it needs), then clicks it.
    pub fn click_when_enabled(&self, test_id: &str) {
        let script = "const e = document.querySelector(arguments[0]); return !!e && !e.disabled;";
        let css = by_test_id(test_id);
        wait_for(&format!("{test_id} to be enabled"), || self.eval_with(script, vec![json!(css)]).as_bool() == Some(true));
        self.click(test_id);
    }

    /// Clicks like a person: the element is brought into view first and a
    /// refused click is retried. If WebKit keeps reporting it intercepted
    /// (an Xvfb overlay window was seen doing that), the element's own click
    /// is dispatched, so a refused click is never silently ignored.
    pub fn click(&self, test_id: &str) {
        self.click_css(&by_test_id(test_id));
    }

    /// [`App::click`] on the first element matching a CSS selector.
    pub fn click_css(&self, css: &str) {
        let scroll = "const e = document.querySelector(arguments[0]); if (e) e.scrollIntoView({block: 'center'});";
        // WebDriver clicks at the point where the element was when it
        // looked: a layout that moves it meanwhile (an answer from Rust
        // re-rendering a block above it) sends the click to whatever is
        // there now, and the click is lost without a trace. So it clicks
        // only once the element stood still for two frames.
        let settled = "const [css, done] = arguments; const e = document.querySelector(css);
            if (!e) return done(false);
            const at = () => { const r = e.getBoundingClientRect(); return `${r.x},${r.y},${r.width},${r.height}`; };
            const before = at();
            requestAnimationFrame(() => requestAnimationFrame(() => done(at() === before)));";
        let js_click = "const e = document.querySelector(arguments[0]); if (!e || e.disabled) return false; e.click(); return true;";
        let mut refused = 0;
        wait_for(&format!("a click on {css}"), || {
            let element = self.el_css(css);
            self.eval_with(scroll, vec![json!(css)]);
            if self.run(self.client().execute_async(settled, vec![json!(css)])).ok().and_then(|v| v.as_bool()) != Some(true) {
                return Err("still moving".to_string());
            }
            match self.run(element.click()) {
                Ok(()) => Ok(()),
                Err(_) if refused >= 10 => match self.eval_with(js_click, vec![json!(css)]).as_bool() {
                    Some(true) => Ok(()),
                    _ => Err("not clickable".to_string()),
                },
                Err(e) => {
                    refused += 1;
                    Err(e.to_string())
                }
            }
        });
    }

    /// Replaces a field's value as a person typing would.
    /// WebDriver's own clear fires no `input` event in WebKit, and a bare
    /// "\n" types nothing: empty the field the way an edit would, then type
    /// line by line with the Enter key between lines.
    pub fn type_into(&self, test_id: &str, text: &str) {
        let css = by_test_id(test_id);
        let element = self.el_css(&css);
        let clear = "const el = document.querySelector(arguments[0]);
            el.value = ''; el.dispatchEvent(new Event('input', {bubbles: true}));";
        self.eval_with(clear, vec![json!(css)]);
        if !text.is_empty() {
            let keys = text.replace('\n', "\u{E007}");
            self.run(element.send_keys(&keys)).unwrap_or_else(|e| panic!("typing into {test_id} failed: {e}"));
        }
    }

    /// Chooses an option of a <select> by value, firing the change event.
    pub fn select(&self, test_id: &str, value: &str) {
        let script = "const el = document.querySelector(arguments[0]);
            el.value = arguments[1]; el.dispatchEvent(new Event('change', {bubbles: true}));";
        self.el_css(&by_test_id(test_id));
        self.eval_with(script, vec![json!(by_test_id(test_id)), json!(value)]);
    }

    /// Waits until the page is loaded, its fonts are ready and two frames
    /// have been drawn since, so a capture shows what a person sees (a
    /// capture taken before the first paint is one black rectangle).
    pub(super) fn wait_for_paint(&self) {
        let ready = "return document.readyState === 'complete' && document.fonts.status === 'loaded';";
        wait_for("the page to be loaded", || self.eval(ready).as_bool() == Some(true));
        let frames = "const done = arguments[arguments.length - 1];
            requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
        wait_for_within("two frames to be drawn", Duration::from_secs(10), || self.run(self.client().execute_async(frames, vec![])).map_err(|e| e.to_string()));
    }
}
