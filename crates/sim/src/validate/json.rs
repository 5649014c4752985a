//! JSON objects: the documented JSON body, and the `params` field of Loova's
//! script (a JSON string inside a multipart form).

use serde_json::{Map, Value};

use super::raw::{Field, Raw, Spellings, DOCUMENTED, JSON_ANY, JSON_CAMEL};
use super::{check, Dialect, Invalid};
use crate::config::JsonDialect;

/// Validate a JSON body (already parsed) as a service that reads either
/// spelling of the mode.
pub fn from_json(body: &Value) -> Result<super::ValidCreate, Invalid> {
    from_json_as(JsonDialect::Any, body)
}

/// Validate a JSON body as a service that reads the mode as `understood`
/// says. The other spelling is refused as an unknown parameter: a definite
/// refusal naming it, which nothing is created or charged for.
pub fn from_json_as(understood: JsonDialect, body: &Value) -> Result<super::ValidCreate, Invalid> {
    let obj = body.as_object().ok_or_else(|| Invalid::new("body", "must be a JSON object"))?;
    let (spellings, foreign) = match understood {
        JsonDialect::Snake => (&DOCUMENTED, Some(("functionMode", "function_mode"))),
        JsonDialect::Camel => (&JSON_CAMEL, Some(("function_mode", "functionMode"))),
        JsonDialect::Any => (&JSON_ANY, None),
    };
    if let Some((other, own)) = foreign.filter(|(other, _)| obj.contains_key(*other)) {
        return Err(Invalid::new(other, format!("is not a parameter of this API (the mode is `{own}`)")));
    }
    let mut raw = Raw::default();
    read_object(obj, spellings, &mut raw)?;
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
