//! multipart/form-data creates in their three dialects (see
//! [`MultipartDialect`]). Which dialect a form *arrived in* is read from its
//! field names; what the service *understands* is configured. A field the
//! configured dialect does not know is ignored, as a real service ignores
//! unknown fields — which is how a mode can be silently lost.

use serde_json::Value;

use super::json::read_object;
use super::raw::{Field, Raw, Spellings, Text, ANY, CAMEL, DOCUMENTED, SCRIPT};
use super::ValidCreate;
use super::{check, Dialect, Invalid, MediaKind};
use crate::config::{Compat, MultipartDialect};

/// Validate a multipart request as a service that understands every
/// dialect would: text fields in order of arrival (list fields repeated, or
/// one JSON array), and the kinds of the `files` parts.
pub fn from_form(fields: &[(String, String)], files: &[MediaKind]) -> Result<ValidCreate, Invalid> {
    from_form_as(MultipartDialect::Any, fields, files)
}

/// Validate a multipart request as the configured service reads it: its
/// dialect, and a camel service told to may refuse the legacy `aspect_ratio`.
pub fn from_form_compat(compat: &Compat, fields: &[(String, String)], files: &[MediaKind]) -> Result<ValidCreate, Invalid> {
    let legacy = fields.iter().any(|(name, _)| name == "aspect_ratio");
    if compat.refuse_aspect_ratio && compat.multipart_dialect == MultipartDialect::Camel && legacy {
        return Err(Invalid::new("aspect_ratio", "is the legacy name of `ratio` and no longer accepted: send `ratio`"));
    }
    from_form_as(compat.multipart_dialect, fields, files)
}

/// Validate a multipart request as a service that understands `understood`.
pub fn from_form_as(understood: MultipartDialect, fields: &[(String, String)], files: &[MediaKind]) -> Result<ValidCreate, Invalid> {
    let arrived = arrived_in(fields);
    let mut raw = match (understood, arrived) {
        (MultipartDialect::Params, _) => read_params(fields, &SCRIPT)?,
        (MultipartDialect::Any, Dialect::Params) => read_params(fields, &ANY)?,
        (MultipartDialect::Flat, _) => read_flat(fields, &DOCUMENTED)?,
        (MultipartDialect::Camel, _) => read_flat(fields, &CAMEL)?,
        (MultipartDialect::Any, _) => read_flat(fields, &ANY)?,
    };
    raw.files = files.to_vec();
    check(raw, arrived)
}

/// The dialect a form is written in, from its field names.
pub fn arrived_in(fields: &[(String, String)]) -> Dialect {
    let has = |n: &str| fields.iter().any(|(name, _)| name == n);
    if has("params") {
        Dialect::Params
    } else if has("functionMode") || has("aspect_ratio") {
        Dialect::Camel
    } else {
        Dialect::Flat
    }
}

/// Flat fields: one text field per setting, list fields repeated.
fn read_flat(fields: &[(String, String)], sp: &Spellings) -> Result<Raw, Invalid> {
    let mut raw = Raw::default();
    for (name, value) in fields {
        match Field::of(name, sp) {
            None => raw.ignore(name),
            Some(Field::Duration) => {
                if raw.duration.is_some() {
                    return Err(Invalid::new("duration", "given more than once"));
                }
                raw.duration = Some(value.trim().parse::<i64>().map_err(|_| Invalid::new("duration", "must be an integer number of seconds (4 to 15)"))?);
            }
            Some(Field::Urls(list)) => raw.add_urls(list, url_field(name, value)?),
            Some(Field::Text(t)) => raw.set_text(t, name, value.clone())?,
        }
    }
    Ok(raw)
}

/// One list field: a URL, or a JSON array of URLs.
fn url_field(name: &str, value: &str) -> Result<usize, Invalid> {
    if value.trim().is_empty() {
        return Err(Invalid::new(name, "must not be empty"));
    }
    if !value.trim_start().starts_with('[') {
        return Ok(1);
    }
    let v: Value = serde_json::from_str(value).map_err(|_| Invalid::new(name, "must be URLs (repeat the field) or a JSON array of strings"))?;
    let arr = v.as_array().ok_or_else(|| Invalid::new(name, "must be an array of strings"))?;
    if arr.iter().any(|x| !x.as_str().is_some_and(|s| !s.trim().is_empty())) {
        return Err(Invalid::new(name, "every item must be a non-empty string (URL)"));
    }
    Ok(arr.len())
}

/// Loova's script: `model` beside a `params` JSON object holding the rest.
/// Without `params` nothing but the model is read, so the answer is the
/// first missing field (`prompt` is required).
fn read_params(fields: &[(String, String)], sp: &Spellings) -> Result<Raw, Invalid> {
    let mut raw = Raw::default();
    let mut model: Option<&str> = None;
    let mut params_seen = false;
    for (name, value) in fields {
        match name.as_str() {
            "params" if params_seen => {
                return Err(Invalid::new("params", "given more than once"));
            }
            "params" => {
                params_seen = true;
                let v: Value = serde_json::from_str(value).map_err(|_| Invalid::new("params", "must be a JSON object"))?;
                let obj = v.as_object().ok_or_else(|| Invalid::new("params", "must be a JSON object"))?;
                read_object(obj, sp, &mut raw)?;
            }
            "model" if model.is_some() => {
                return Err(Invalid::new("model", "given more than once"));
            }
            "model" => model = Some(value),
            _ => raw.ignore(name),
        }
    }
    if let Some(m) = model {
        match &raw.model {
            Some(inner) if inner.value != m => return Err(Invalid::new("model", "disagrees with `model` in `params`")),
            Some(_) => {}
            None => raw.set_text(Text::Model, "model", m.to_string())?,
        }
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::FunctionMode;

    fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn form_counts_files_as_references() {
        let fields = f(&[("prompt", "x"), ("image_urls", "http://a")]);
        let v = from_form(&fields, &[MediaKind::Video]).unwrap();
        assert!(v.has_video_ref());
        assert_eq!(v.images, 1);
        let e = from_form(&f(&[("prompt", "x")]), &[MediaKind::Audio]).unwrap_err();
        assert_eq!(e.field, "audio_urls");
    }

    #[test]
    fn each_dialect_as_each_service_reads_it() {
        use MultipartDialect::*;
        let camel = f(&[("prompt", "x"), ("functionMode", "first_last_frames"), ("aspect_ratio", "9:16")]);
        let params = f(&[("model", "seedance_2_0_fast"), ("params", r#"{"prompt":"x","functionMode":"first_last_frames","ratio":"1:1","duration":8}"#)]);
        let flat = f(&[("prompt", "x"), ("function_mode", "first_last_frames")]);

        let v = from_form_as(Flat, &camel, &[]).unwrap();
        assert_eq!((v.function_mode, v.ratio.as_str()), (FunctionMode::OmniReference, "16:9"));
        assert_eq!(v.ignored_fields, ["functionMode", "aspect_ratio"]);
        assert_eq!(v.dialect, Dialect::Camel);
        for d in [Camel, Any] {
            let v = from_form_as(d, &camel, &[]).unwrap();
            assert_eq!((v.function_mode, v.ratio.as_str()), (FunctionMode::FirstLastFrames, "9:16"));
        }
        let v = from_form_as(Camel, &flat, &[]).unwrap();
        assert_eq!(v.function_mode, FunctionMode::OmniReference, "function_mode ignored");

        for d in [Params, Any] {
            let v = from_form_as(d, &params, &[]).unwrap();
            assert_eq!(
                (v.dialect, v.function_mode, v.ratio.as_str(), v.duration, v.model.as_str()),
                (Dialect::Params, FunctionMode::FirstLastFrames, "1:1", 8, "seedance_2_0_fast")
            );
        }
        for d in [Flat, Camel] {
            assert_eq!(from_form_as(d, &params, &[]).unwrap_err().message(), "invalid parameter `prompt`: is required");
        }
        for form in [&flat, &camel] {
            assert_eq!(from_form_as(Params, form, &[]).unwrap_err().message(), "invalid parameter `prompt`: is required");
        }
        let bad = f(&[("params", "[1]")]);
        assert_eq!(from_form_as(Any, &bad, &[]).unwrap_err().field, "params");
    }

    #[test]
    fn a_camel_service_can_refuse_the_legacy_aspect_ratio() {
        let legacy = f(&[("prompt", "x"), ("functionMode", "first_last_frames"), ("aspect_ratio", "9:16")]);
        let current = f(&[("prompt", "x"), ("functionMode", "first_last_frames"), ("ratio", "9:16")]);
        let strict = Compat { multipart_dialect: MultipartDialect::Camel, refuse_aspect_ratio: true, ..Compat::default() };
        assert_eq!(from_form_compat(&strict, &legacy, &[]).unwrap_err().field, "aspect_ratio");
        let v = from_form_compat(&strict, &current, &[]).unwrap();
        assert_eq!((v.function_mode, v.ratio.as_str(), v.dialect), (FunctionMode::FirstLastFrames, "9:16", Dialect::Camel));
        let lenient = Compat { refuse_aspect_ratio: false, ..strict };
        assert_eq!(from_form_compat(&lenient, &legacy, &[]).unwrap().ratio, "9:16");
    }

    #[test]
    fn two_spellings_must_agree() {
        let same = f(&[("prompt", "x"), ("ratio", "1:1"), ("aspect_ratio", "1:1")]);
        assert_eq!(from_form(&same, &[]).unwrap().ratio, "1:1");
        let differ = f(&[("prompt", "x"), ("function_mode", "omni_reference"), ("functionMode", "first_last_frames")]);
        assert_eq!(from_form(&differ, &[]).unwrap_err().field, "functionMode");
        let twice = f(&[("prompt", "x"), ("prompt", "x")]);
        assert_eq!(from_form(&twice, &[]).unwrap_err().reason, "given more than once");
    }
}
