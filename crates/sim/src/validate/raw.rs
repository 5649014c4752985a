//! A create request reduced to its fields (`Raw`), before the rules of
//! `check` apply, and the field names each encoding uses.

use super::{Invalid, MediaKind};

/// Which names an encoding uses for the fields that are spelled differently
/// across Loova's documents. The first name is the encoding's own.
pub(super) struct Spellings {
    pub(super) mode: &'static [&'static str],
    pub(super) ratio: &'static [&'static str],
}

/// The reference (JSON and flat multipart).
pub(super) const DOCUMENTED: Spellings = Spellings { mode: &["function_mode"], ratio: &["ratio"] };
/// JSON as Loova's newest script sends it.
pub(super) const JSON_CAMEL: Spellings = Spellings { mode: &["functionMode"], ratio: &["ratio"] };
/// JSON read with either spelling of the mode.
pub(super) const JSON_ANY: Spellings = Spellings { mode: &["function_mode", "functionMode"], ratio: &["ratio"] };
/// Loova's reference notes (multipart).
pub(super) const CAMEL: Spellings = Spellings { mode: &["functionMode"], ratio: &["ratio", "aspect_ratio"] };
/// Loova's script (`params` JSON).
pub(super) const SCRIPT: Spellings = Spellings { mode: &["functionMode"], ratio: &["ratio"] };
/// A service that understands every dialect.
pub(super) const ANY: Spellings = Spellings { mode: &["function_mode", "functionMode"], ratio: &["ratio", "aspect_ratio"] };

/// A request field, whatever it is called in the encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Text(Text),
    Duration,
    Urls(Urls),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Text {
    Model,
    Prompt,
    Mode,
    Ratio,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Urls {
    Images,
    Videos,
    Audios,
}

impl Field {
    pub(super) fn of(name: &str, sp: &Spellings) -> Option<Field> {
        Some(match name {
            "model" => Field::Text(Text::Model),
            "prompt" => Field::Text(Text::Prompt),
            "duration" => Field::Duration,
            "image_urls" => Field::Urls(Urls::Images),
            "video_urls" => Field::Urls(Urls::Videos),
            "audio_urls" => Field::Urls(Urls::Audios),
            n if sp.mode.contains(&n) => Field::Text(Text::Mode),
            n if sp.ratio.contains(&n) => Field::Text(Text::Ratio),
            _ => return None,
        })
    }
}

/// A text field's value with the name it was sent under (errors name it).
#[derive(Debug, Clone)]
pub(super) struct Given {
    pub(super) name: String,
    pub(super) value: String,
}

/// The request reduced to its fields, before the rules are applied.
#[derive(Debug, Default)]
pub(super) struct Raw {
    pub(super) model: Option<Given>,
    pub(super) prompt: Option<Given>,
    pub(super) function_mode: Option<Given>,
    pub(super) ratio: Option<Given>,
    pub(super) duration: Option<i64>,
    pub(super) image_urls: usize,
    pub(super) video_urls: usize,
    pub(super) audio_urls: usize,
    pub(super) files: Vec<MediaKind>,
    pub(super) ignored: Vec<String>,
}

impl Raw {
    /// Set a text field. The same name twice is refused; a second spelling
    /// of the same field is accepted only with the same value.
    pub(super) fn set_text(&mut self, field: Text, name: &str, value: String) -> Result<(), Invalid> {
        let slot = match field {
            Text::Model => &mut self.model,
            Text::Prompt => &mut self.prompt,
            Text::Mode => &mut self.function_mode,
            Text::Ratio => &mut self.ratio,
        };
        match slot {
            None => {
                *slot = Some(Given { name: name.to_string(), value });
                Ok(())
            }
            Some(prev) if prev.name == name => Err(Invalid::new(name, "given more than once")),
            Some(prev) if prev.value == value => Ok(()),
            Some(prev) => Err(Invalid::new(name, format!("disagrees with `{}`, which names the same setting", prev.name))),
        }
    }

    pub(super) fn add_urls(&mut self, list: Urls, n: usize) {
        match list {
            Urls::Images => self.image_urls += n,
            Urls::Videos => self.video_urls += n,
            Urls::Audios => self.audio_urls += n,
        }
    }

    pub(super) fn ignore(&mut self, name: &str) {
        if !self.ignored.iter().any(|n| n == name) {
            self.ignored.push(name.to_string());
        }
    }
}
