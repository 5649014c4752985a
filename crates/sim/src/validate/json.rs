//! JSON objects: the documented JSON body, and the `params` field of Loova's
//! script (a JSON string inside a multipart form).

use serde_json::{Map, Value};

use super::raw::{Field, Raw, Spellings, DOCUMENTED};
use super::{check, Dialect, Invalid};

/// Validate a JSON body (already parsed).
pub fn from_json(body: &Value) -> Result<super::ValidCreate, Invalid> {
    let obj = body.as_object().ok_or_else(|| Invalid::new("body", "must be a JSON object"))?;
    let mut raw = Raw::default();
    read_object(obj, &DOCUMENTED, &mut raw)?;
    check(raw, Dialect::Json)
}

/// Read an object's fields into `raw`; unknown fields are ignored (and
/// noted), like the reference's JSON.
pub(super) fn read_object(obj: &Map<String, Value>, sp: &Spellings, raw: &mut Raw) -> Result<(), Invalid> {
    for (name, value) in obj {
        match Field::of(name, sp) {
            None => raw.ignore(name),
            Some(Field::Duration) => raw.duration = duration(value)?,
            Some(Field::Urls(list)) => raw.add_urls(list, url_list(name, value)?),
            Some(Field::Text(t)) => {
                if let Some(s) = string(name, value)? {
                    raw.set_text(t, name, s)?;
                }
            }
        }
    }
    Ok(())
}

fn string(name: &str, value: &Value) -> Result<Option<String>, Invalid> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(Invalid::new(name, "must be a string")),
    }
}

fn url_list(name: &str, value: &Value) -> Result<usize, Invalid> {
    match value {
        Value::Null => Ok(0),
        Value::Array(items) => {
            for (i, it) in items.iter().enumerate() {
                if !it.as_str().is_some_and(|s| !s.trim().is_empty()) {
                    return Err(Invalid::new(name, format!("item {i} must be a non-empty string (URL)")));
                }
            }
            Ok(items.len())
        }
        _ => Err(Invalid::new(name, "must be an array of strings")),
    }
}

fn duration(value: &Value) -> Result<Option<i64>, Invalid> {
    let wrong = || Invalid::new("duration", "must be an integer number of seconds (4 to 15)");
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => n.as_i64().map(Some).ok_or_else(wrong),
        _ => Err(wrong()),
    }
}
