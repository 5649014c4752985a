//! Where Loova's own published clients and its reference disagree
//! (loova-api.md, "What Loova's own published clients do"), the simulator can
//! take either side, so a client can be tested against each. The defaults are
//! the reference's (and the simulator's behaviour before these knobs), except
//! that multipart accepts every dialect.

use serde::{Deserialize, Serialize};

/// Which multipart/form-data encodings of a create the service understands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum MultipartDialect {
    /// Flat snake_case fields (`function_mode`, `ratio`), repeated keys for
    /// lists. `functionMode` and `aspect_ratio` are ignored like any unknown
    /// field: such a task runs in the default mode and ratio.
    Flat,
    /// The same, with Loova's reference notes' spellings: `functionMode`,
    /// and `aspect_ratio` or `ratio`. `function_mode` is ignored.
    Camel,
    /// Loova's script: a `model` field and a `params` field holding JSON
    /// (`prompt`, `ratio`, `duration`, `functionMode`, URL lists); other text
    /// fields are ignored.
    Params,
    /// All of the above (a `params` field selects the script's encoding).
    #[default]
    Any,
}

/// Which spelling of the mode a JSON create is read with. The reference
/// says `function_mode`; Loova's newest script and its reference notes send
/// `functionMode` in JSON too. A service of one spelling refuses the other
/// as an unknown parameter (a definite refusal that names it).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum JsonDialect {
    /// `function_mode` only (the reference).
    Snake,
    /// `functionMode` only (Loova's newest script).
    Camel,
    /// Either, or both with the same value.
    #[default]
    Any,
}

/// The words of a finished task's `status`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum StatusWords {
    /// `succeeded` / `failed` (the reference).
    #[default]
    Documented,
    /// `success` / `error` (words Loova's script accepts).
    Script,
}

/// Where the create answer puts the task id.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub enum IdField {
    /// `data.task_id` (the reference).
    #[default]
    #[serde(rename = "data.task_id")]
    DataTaskId,
    /// `task_id` beside `code` in the envelope; `data` has no id.
    #[serde(rename = "task_id")]
    TaskId,
    /// `taskId` beside `code` in the envelope; `data` has no id.
    #[serde(rename = "taskId")]
    TaskIdCamel,
}

/// Where the API endpoints hang: the reference's curl examples use
/// `https://api.loova.ai/api/v1/…`, its page text `https://api.loova.ai/v1/…`.
/// The other form answers a plain 404 without the envelope (as a web server
/// in front of the API would), so a client can tell a wrong base path from
/// an API answer.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub enum BasePath {
    /// `/api/v1/…`.
    #[default]
    #[serde(rename = "/api")]
    Api,
    /// `/v1/…`.
    #[serde(rename = "/")]
    Root,
}

impl BasePath {
    /// The prefix before `/v1/…`: `/api` or nothing.
    pub fn prefix(self) -> &'static str {
        match self {
            BasePath::Api => "/api",
            BasePath::Root => "",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Compat {
    pub multipart_dialect: MultipartDialect,
    pub status_words: StatusWords,
    pub id_field: IdField,
    pub base_path: BasePath,
    /// Task status shows `function_mode`, `ratio` and `duration` (the
    /// settings the task runs with) beside `model`. The reference's example
    /// lists only `model`; `false` gives exactly the documented fields.
    pub status_shows_settings: bool,
    /// The status word of a failed task instead of `failed`/`error`: the
    /// same model's upstream service ends tasks `expired` ("task timed
    /// out") or `cancelled`, other clients expect `canceled`, `timeout`,
    /// `fail`. `None`: the words of `status_words`.
    pub failed_word: Option<String>,
    /// The mode spelling(s) JSON creates are read with.
    pub json_dialect: JsonDialect,
    /// The camel multipart dialect refuses `aspect_ratio`, which Loova's
    /// reference notes call legacy (the newest script sends `ratio`).
    pub refuse_aspect_ratio: bool,
}

impl Default for Compat {
    fn default() -> Self {
        Compat {
            multipart_dialect: MultipartDialect::default(),
            status_words: StatusWords::default(),
            id_field: IdField::default(),
            base_path: BasePath::default(),
            status_shows_settings: true,
            failed_word: None,
            json_dialect: JsonDialect::default(),
            refuse_aspect_ratio: false,
        }
    }
}

/// A variant from its configuration word (`"flat"`, `"/api"`, `"taskId"`…),
/// as the CLI flags take them.
pub fn parse_word<T: serde::de::DeserializeOwned>(word: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(word.to_string())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        assert_eq!(parse_word::<IdField>("taskId"), Some(IdField::TaskIdCamel));
        assert_eq!(parse_word::<IdField>("data.task_id"), Some(IdField::DataTaskId));
        assert_eq!(parse_word::<BasePath>("/"), Some(BasePath::Root));
        assert_eq!(parse_word::<MultipartDialect>("params"), Some(MultipartDialect::Params));
        assert_eq!(parse_word::<StatusWords>("script"), Some(StatusWords::Script));
        assert_eq!(parse_word::<JsonDialect>("camel"), Some(JsonDialect::Camel));
        assert_eq!(parse_word::<BasePath>("/v1"), None);
        assert_eq!(
            serde_json::to_value(Compat::default()).unwrap(),
            serde_json::json!({"multipart_dialect": "any", "status_words": "documented",
                "id_field": "data.task_id", "base_path": "/api", "status_shows_settings": true, "failed_word": null,
                "json_dialect": "any", "refuse_aspect_ratio": false})
        );
    }
}
