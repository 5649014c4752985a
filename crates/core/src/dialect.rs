//! The three ways a create with local files can be written as
//! multipart/form-data. Loova's reference, its reference notes and its own
//! script disagree (docs/loova-api.md, "What Loova's own published clients
//! do"), and the real service cannot be asked which it reads, so the engine
//! learns per account which one was accepted (docs/ARCHITECTURE.md,
//! "Compatibility with Loova's own clients").

use reqwest::multipart::Form;
use serde::{Deserialize, Serialize};

use crate::job::JobSpec;

/// One multipart encoding of the create fields (the `files` parts are the
/// same in all of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// (a) The reference: flat snake_case fields (`function_mode`, `ratio`),
    /// lists as repeated keys.
    Flat,
    /// (b) Loova's reference notes and newest script: the same, with the
    /// mode spelled `functionMode`. The ratio goes as `ratio`: the notes
    /// call `aspect_ratio` legacy and the newest script sends `ratio`, so a
    /// service may refuse `aspect_ratio`, while one that still knows the
    /// legacy name knows `ratio` too.
    Camel,
    /// (c) Loova's script: a `model` field and a `params` field holding the
    /// rest as a JSON string.
    Params,
}

impl Dialect {
    /// Documented first: the order a new account tries them in.
    pub const ORDER: [Dialect; 3] = [Dialect::Flat, Dialect::Camel, Dialect::Params];

    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Flat => "flat",
            Dialect::Camel => "camel",
            Dialect::Params => "params",
        }
    }

    pub fn parse(s: &str) -> Option<Dialect> {
        Dialect::ORDER.into_iter().find(|d| d.as_str() == s)
    }

    /// The next one in [`Dialect::ORDER`], wrapping around.
    pub fn next(self) -> Dialect {
        let i = Dialect::ORDER.iter().position(|d| *d == self).unwrap_or(0);
        Dialect::ORDER[(i + 1) % Dialect::ORDER.len()]
    }

    /// The field names this dialect sends at the top level of the form for
    /// `spec` (what a refusal naming a field is checked against).
    pub fn sent_fields(self, spec: &JobSpec) -> Vec<&'static str> {
        let lists = [("image_urls", &spec.image_urls), ("video_urls", &spec.video_urls), ("audio_urls", &spec.audio_urls)];
        let present = lists.iter().filter(|(_, l)| !l.is_empty()).map(|(k, _)| *k);
        let mut fields = match self {
            Dialect::Flat => vec!["model", "prompt", "function_mode", "ratio", "duration"],
            Dialect::Camel => vec!["model", "prompt", "functionMode", "ratio", "duration"],
            // Inside `params` the service reports the inner field's name.
            Dialect::Params => vec!["model", "params", "prompt", "functionMode", "ratio", "duration"],
        };
        fields.extend(present);
        fields.push("files");
        fields
    }

    /// Where `field` goes in this dialect: the same spelling at the top level
    /// of the form in two dialects means a service that did not read it in
    /// one will not read it in the other.
    fn spelling(self, field: &str) -> Option<&'static str> {
        let canonical = match field {
            "functionMode" | "function_mode" => "mode",
            "aspect_ratio" | "ratio" => "ratio",
            "model" => "model",
            "prompt" => "prompt",
            "duration" => "duration",
            "image_urls" => "image_urls",
            "video_urls" => "video_urls",
            "audio_urls" => "audio_urls",
            _ => return None,
        };
        Some(match (self, canonical) {
            (_, "model") => "top:model",
            (Dialect::Params, _) => "params",
            (Dialect::Flat, "mode") => "top:function_mode",
            (Dialect::Camel, "mode") => "top:functionMode",
            (_, "ratio") => "top:ratio",
            (_, "prompt") => "top:prompt",
            (_, "duration") => "top:duration",
            (_, "image_urls") => "top:image_urls",
            (_, "video_urls") => "top:video_urls",
            _ => "top:audio_urls",
        })
    }

    /// After this dialect was refused because the service did not find
    /// `field` (which we sent): the next dialect in order, after this one
    /// and not in `tried`, that sends `field` differently. `None`: every
    /// dialect was tried, or the field is sent the same way in all that are
    /// left (the refusal is about the job, not the encoding).
    pub fn after_refusal(self, field: &str, tried: &[Dialect]) -> Option<Dialect> {
        let here = self.spelling(field)?;
        let mut d = self.next();
        while d != self {
            if !tried.contains(&d) && d.spelling(field) != Some(here) {
                return Some(d);
            }
            d = d.next();
        }
        None
    }

    /// The text fields of the form in this dialect, in order. Files are
    /// added by the caller as `files` parts.
    pub(crate) fn text_fields(self, spec: &JobSpec) -> Form {
        let mut form = Form::new().text("model", spec.model.clone());
        let lists = [("image_urls", &spec.image_urls), ("video_urls", &spec.video_urls), ("audio_urls", &spec.audio_urls)];
        if self == Dialect::Params {
            let mut params = serde_json::json!({
                "prompt": spec.prompt,
                "functionMode": spec.function_mode,
                "ratio": spec.ratio,
                "duration": spec.duration,
            });
            for (key, list) in lists {
                if !list.is_empty() {
                    params[key] = serde_json::json!(list);
                }
            }
            return form.text("params", params.to_string());
        }
        let mode = if self == Dialect::Flat { "function_mode" } else { "functionMode" };
        form = form
            .text("prompt", spec.prompt.clone())
            .text(mode, spec.function_mode.clone())
            .text("ratio", spec.ratio.clone())
            .text("duration", spec.duration.to_string());
        for (key, list) in lists {
            for u in list {
                form = form.text(key, u.clone());
            }
        }
        form
    }
}

/// The name a JSON create gives the mode. The reference says
/// `function_mode`; Loova's newest script and its reference notes send
/// `functionMode` in JSON as well, and the documented status does not echo
/// the mode, so a service that reads only the other name would silently run
/// an `omni_reference` video for a `first_last_frames` job. Until an
/// account's service has shown which name it reads (`None`), both are sent
/// with the same value: a service that reads either runs the mode asked,
/// and one that refuses the name it does not know refuses definitely —
/// nothing created, nothing charged — and the job is sent again at once
/// under the other name, which the account keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ModeField {
    #[serde(rename = "function_mode")]
    Snake,
    #[serde(rename = "functionMode")]
    Camel,
}

impl ModeField {
    pub fn as_str(self) -> &'static str {
        match self {
            ModeField::Snake => "function_mode",
            ModeField::Camel => "functionMode",
        }
    }

    pub fn parse(s: &str) -> Option<ModeField> {
        [ModeField::Snake, ModeField::Camel].into_iter().find(|m| m.as_str() == s)
    }

    pub fn other(self) -> ModeField {
        match self {
            ModeField::Snake => ModeField::Camel,
            ModeField::Camel => ModeField::Snake,
        }
    }

    /// After a JSON create sent with `sent` (`None`: both names) was refused
    /// naming `field`: the one name to send instead, if the refusal was about
    /// a name of the mode that we sent.
    pub fn after_refusal(sent: Option<ModeField>, field: &str) -> Option<ModeField> {
        let refused = ModeField::parse(field)?;
        sent.is_none_or(|s| s == refused).then(|| refused.other())
    }
}

#[cfg(test)]
mod tests {
    use super::Dialect::{self, *};
    use super::ModeField;

    #[test]
    fn a_refused_mode_name_gives_the_other() {
        assert_eq!(ModeField::after_refusal(None, "function_mode"), Some(ModeField::Camel));
        assert_eq!(ModeField::after_refusal(None, "functionMode"), Some(ModeField::Snake));
        assert_eq!(ModeField::after_refusal(Some(ModeField::Camel), "functionMode"), Some(ModeField::Snake));
        assert_eq!(ModeField::after_refusal(Some(ModeField::Camel), "function_mode"), None, "not sent: about something else");
        assert_eq!(ModeField::after_refusal(None, "prompt"), None);
        assert_eq!(ModeField::parse("functionMode").map(ModeField::other), Some(ModeField::Snake));
    }

    #[test]
    fn names_round_trip_and_order_wraps() {
        for d in Dialect::ORDER {
            assert_eq!(Dialect::parse(d.as_str()), Some(d));
        }
        assert_eq!(Dialect::parse("json"), None);
        assert_eq!((Flat.next(), Camel.next(), Params.next()), (Camel, Params, Flat));
    }

    #[test]
    fn a_refusal_skips_dialects_that_send_the_field_the_same_way() {
        // `prompt` is a top-level field in (a) and (b): not read in (a), not in (b) either.
        assert_eq!(Flat.after_refusal("prompt", &[Flat]), Some(Params));
        // The mode is spelled differently in (b).
        assert_eq!(Flat.after_refusal("function_mode", &[Flat]), Some(Camel));
        // The ratio is not: (b) sends `ratio` like (a), not the legacy `aspect_ratio`.
        assert_eq!(Flat.after_refusal("ratio", &[Flat]), Some(Params));
        assert_eq!(Camel.after_refusal("prompt", &[Camel]), Some(Params));
        assert_eq!(Params.after_refusal("prompt", &[Params]), Some(Flat));
        // Everything tried.
        assert_eq!(Params.after_refusal("prompt", &[Flat, Camel, Params]), None);
        // A field no dialect spells differently: the refusal is about the job.
        assert_eq!(Flat.after_refusal("model", &[Flat]), None);
        assert_eq!(Flat.after_refusal("files", &[Flat]), None);
    }

    #[test]
    fn sent_fields_follow_the_dialect() {
        let spec = crate::JobSpec { prompt: "x".into(), image_urls: vec!["https://a/b.png".into()], ..Default::default() };
        assert!(Flat.sent_fields(&spec).contains(&"function_mode"));
        assert!(Camel.sent_fields(&spec).contains(&"functionMode"));
        assert!(Camel.sent_fields(&spec).contains(&"ratio") && !Camel.sent_fields(&spec).contains(&"aspect_ratio"));
        assert!(Params.sent_fields(&spec).contains(&"prompt"));
        assert!(Flat.sent_fields(&spec).contains(&"image_urls"));
        assert!(!Flat.sent_fields(&spec).contains(&"video_urls"));
    }
}
