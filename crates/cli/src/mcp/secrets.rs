//! Keys stay out of the MCP server: it neither starts with one in its
//! arguments (an assistant's config file is not a keychain) nor takes one in
//! a tool call. A refusal names where the key was, never the key.

use serde_json::{Map, Value};
use std::ffi::OsString;

/// Argument names that would carry a secret.
const SECRET_NAMES: [&str; 8] = ["key", "api_key", "apikey", "api-key", "token", "secret", "password", "authorization"];

/// Looks like an API key: Loova's keys start with `sk-`; a pasted header with `Bearer `.
pub fn looks_like_key(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("sk-") || t.to_ascii_lowercase().starts_with("bearer ")
}

/// Why `loova mcp` refuses to start with these arguments (the words after
/// the program's name), if it does: a key, or a flag meant for one.
pub fn refuse_args(args: &[OsString]) -> Option<String> {
    for (i, arg) in args.iter().enumerate() {
        let a = arg.to_string_lossy();
        let flag = a.trim_start_matches('-').split('=').next().unwrap_or_default().to_ascii_lowercase();
        if looks_like_key(&a) || (a.starts_with("--") && SECRET_NAMES.contains(&flag.as_str())) {
            return Some(format!(
                "error: argument {} of `loova mcp` is, or passes, an API key. Refused: keys never go into an assistant's configuration. \
                 Remove it, and add the account once in the Loova Desk app or with `loova accounts add --name NAME --key-stdin` (kept in the OS keychain).",
                i + 1
            ));
        }
    }
    None
}

/// The first argument of a tool call that is, or is named like, a key (its path).
pub fn key_in_arguments(args: &Map<String, Value>) -> Option<String> {
    fn walk(v: &Value, path: &str) -> Option<String> {
        match v {
            Value::String(s) if looks_like_key(s) => Some(path.to_string()),
            Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| walk(x, &format!("{path}[{i}]"))),
            Value::Object(m) => object(m, &format!("{path}.")),
            _ => None,
        }
    }
    fn object(m: &Map<String, Value>, prefix: &str) -> Option<String> {
        m.iter().find_map(|(k, v)| {
            let path = format!("{prefix}{k}");
            if SECRET_NAMES.contains(&k.to_ascii_lowercase().as_str()) {
                return Some(path);
            }
            walk(v, &path)
        })
    }
    object(args, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_key_flags_are_refused_without_being_repeated() {
        let args = |xs: &[&str]| xs.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(refuse_args(&args(&["mcp", "--run"])), None);
        for bad in [&["mcp", "sk-live-abc123"][..], &["mcp", "--key", "x"], &["mcp", "--api-key=abc"], &["mcp", "--token", "t"]] {
            let said = refuse_args(&args(bad)).expect("refused");
            assert!(!said.contains("abc") && !said.contains("sk-live"), "{said}");
        }
    }

    #[test]
    fn a_key_anywhere_in_a_call_is_found_by_its_path() {
        let m = |v: serde_json::Value| v.as_object().unwrap().clone();
        assert_eq!(key_in_arguments(&m(serde_json::json!({"account": "Main", "jobs": [{"prompt": "a fox"}]}))), None);
        assert_eq!(key_in_arguments(&m(serde_json::json!({"jobs": [{"prompt": "sk-live-123"}]}))).as_deref(), Some("jobs[0].prompt"));
        assert_eq!(key_in_arguments(&m(serde_json::json!({"api_key": "anything"}))).as_deref(), Some("api_key"));
    }
}
