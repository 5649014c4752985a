//! Variations: one prompt template becomes an ordered, named, priced batch.
//!
//! - `parse`: the template language (`{a|b}`, `__name__`, escapes).
//! - `expand`: wildcards looked up, the count, the prompts in order.
//! - `fields`: several durations, ratios, models or modes; takes.
//! - in loova-core, `variations::Wildcards` reads the wildcard files and
//!   `variation_sets` makes the expansion a batch — priced, checked against
//!   a balance and queued through `batch`, the one implementation of both.
//!   (The batch reader's `expand` column uses this language, so the
//!   language must not use batches.)
//!
//! Order: the prompt's groups (first slowest), then the varying fields in
//! the order given, then the take (fastest). Names: `Fox — red · rain ·
//! 9:16 · take 2`, from the values that vary.

pub mod expand;
pub mod fields;
pub mod parse;

pub use expand::{WildcardSource, MAX_WILDCARD_BYTES, MAX_WILDCARD_DEPTH};
pub use fields::{FieldValues, VaryField};
pub use parse::{parse, segments, Node, Pos, Segment, SegmentKind, SyntaxError, Template};

use crate::job::JobSpec;
use crate::ErrorCode;
use serde::{Deserialize, Serialize};

/// Above this many jobs, queueing needs the person's confirmation.
pub const CONFIRM_ABOVE: u64 = 1_000;
/// Above this many jobs, a variation set is refused.
pub const MAX_JOBS: u64 = 10_000;
/// At most this many takes of each combination.
pub const MAX_TAKES: u32 = 100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VariationError {
    #[error("{}{error}", where_(file, line))]
    Syntax { file: Option<String>, line: Option<usize>, error: SyntaxError },
    #[error("{}{at}: there is no wildcard \"__{name}__\": {path} does not exist; create it with one value per line, or write \\_\\_ for the characters", used_in.as_ref().map(|f| format!("{f}: ")).unwrap_or_default())]
    UnknownWildcard { name: String, path: String, at: Pos, used_in: Option<String> },
    #[error("the wildcard file {path} has no values (only blank lines and # comments); add one value per line")]
    EmptyWildcard { name: String, path: String },
    #[error("cannot read the wildcard file {path}: {reason}")]
    WildcardUnreadable { path: String, reason: String },
    #[error("the wildcards use each other in a cycle: {}; remove one of these uses", .chain.join(" → "))]
    WildcardCycle { chain: Vec<String> },
    #[error("wildcards nest deeper than {MAX_WILDCARD_DEPTH} levels: {}; use fewer levels", .chain.join(" → "))]
    WildcardTooDeep { chain: Vec<String> },
    #[error("{field}: {message}")]
    BadVary { field: String, message: String },
    #[error("this makes {count} jobs, more than {CONFIRM_ABOVE}; confirm to queue them all (`--yes` in the CLI), or use fewer values")]
    NeedsConfirmation { count: u64 },
    #[error("this makes {count} jobs; at most {MAX_JOBS} can be queued at once: use fewer values or takes")]
    TooMany { count: u64 },
}

fn where_(file: &Option<String>, line: &Option<usize>) -> String {
    match (file, line) {
        (Some(f), Some(l)) => format!("{f} line {l}, "),
        (Some(f), None) => format!("{f}: "),
        _ => String::new(),
    }
}

impl VariationError {
    pub fn code(&self) -> ErrorCode {
        match self {
            VariationError::Syntax { .. } => ErrorCode::TemplateSyntax,
            VariationError::UnknownWildcard { .. } | VariationError::EmptyWildcard { .. } | VariationError::WildcardUnreadable { .. } => {
                ErrorCode::WildcardNotFound
            }
            VariationError::WildcardCycle { .. } => ErrorCode::WildcardCycle,
            VariationError::WildcardTooDeep { .. } => ErrorCode::WildcardTooDeep,
            VariationError::BadVary { .. } => ErrorCode::BadVariation,
            VariationError::NeedsConfirmation { .. } => ErrorCode::VariationsNeedConfirmation,
            VariationError::TooMany { .. } => ErrorCode::VariationsTooMany,
        }
    }

    /// The field the Composer marks.
    pub fn field(&self) -> &str {
        match self {
            VariationError::BadVary { field, .. } => field,
            VariationError::NeedsConfirmation { .. } | VariationError::TooMany { .. } => "takes",
            _ => "prompt",
        }
    }

    /// Everything but a refused read of a wildcard file is the person's input.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, VariationError::WildcardUnreadable { .. })
    }
}

/// What the person asks for: a template, the job's other fields, the fields
/// that vary and the number of takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VariationRequest {
    pub template: String,
    /// The fields that do not vary (its prompt is ignored).
    pub base: JobSpec,
    pub vary: Vec<FieldValues>,
    pub takes: u32,
    /// The jobs' and the batch's name; default: from the template's text.
    pub name: Option<String>,
}

/// One expanded job, 1-based `index` in queue order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VariationJob {
    pub index: u64,
    pub name: String,
    /// The values that vary, in name order (groups, fields, then the take).
    pub values: Vec<String>,
    pub take: u32,
    pub spec: JobSpec,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Expansion {
    /// The batch's name (and the first part of every job's).
    pub name: String,
    pub template: String,
    pub count: u64,
    /// More than `CONFIRM_ABOVE` jobs: queueing asks first.
    pub needs_confirmation: bool,
    pub jobs: Vec<VariationJob>,
}

/// The number of jobs a request makes, without building them (so a huge
/// request is refused with its number, cheaply).
pub fn count(req: &VariationRequest, wildcards: &mut dyn WildcardSource) -> Result<u64, VariationError> {
    let (seq, _) = prepare(req, wildcards)?;
    Ok(total(&seq, req))
}

fn prepare(req: &VariationRequest, wildcards: &mut dyn WildcardSource) -> Result<(Vec<expand::Resolved>, Template), VariationError> {
    if req.takes == 0 || req.takes > MAX_TAKES {
        return Err(VariationError::BadVary { field: "takes".into(), message: format!("{} takes: choose 1 to {MAX_TAKES}", req.takes) });
    }
    fields::check_distinct(&req.vary)?;
    for f in &req.vary {
        FieldValues::new(f.field, f.values.clone())?;
    }
    let template = parse(&req.template).map_err(|error| VariationError::Syntax { file: None, line: None, error })?;
    Ok((expand::resolve(&template, wildcards)?, template))
}

fn total(seq: &[expand::Resolved], req: &VariationRequest) -> u64 {
    let fields = req.vary.iter().fold(1u64, |n, f| n.saturating_mul(f.values.len() as u64));
    expand::count(seq).saturating_mul(fields).saturating_mul(u64::from(req.takes))
}

/// Every job of a request, in order and named. More than `MAX_JOBS` is
/// refused with the number; more than `CONFIRM_ABOVE` is marked
/// `needs_confirmation` (see `confirm`).
pub fn expand(req: &VariationRequest, wildcards: &mut dyn WildcardSource) -> Result<Expansion, VariationError> {
    let (seq, template) = prepare(req, wildcards)?;
    let count = total(&seq, req);
    if count > MAX_JOBS {
        return Err(VariationError::TooMany { count });
    }
    let base_name = req.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(String::from).unwrap_or_else(|| name_from(&template));
    let prompts = expand::prompts(&seq);
    let takes: Vec<u32> = (1..=req.takes).collect();
    let parts: Vec<&[String]> = req.vary.iter().map(|f| f.values.as_slice()).collect();
    let field_picks = expand::product(&parts);
    let mut jobs = Vec::with_capacity(count as usize);
    for p in &prompts {
        for picks in &field_picks {
            for &take in &takes {
                let mut spec = JobSpec { prompt: p.text.clone(), ..req.base.clone() };
                let mut values = p.labels.clone();
                for &(i, k) in picks {
                    let f = &req.vary[i];
                    f.field.apply(&mut spec, &f.values[k]);
                    if f.values.len() > 1 {
                        values.push(f.field.label(&f.values[k]));
                    }
                }
                if req.takes > 1 {
                    values.push(format!("take {take}"));
                }
                let name = if values.is_empty() { base_name.clone() } else { format!("{base_name} — {}", values.join(" · ")) };
                jobs.push(VariationJob { index: jobs.len() as u64 + 1, name, values, take, spec });
            }
        }
    }
    Ok(Expansion { name: base_name, template: req.template.clone(), count, needs_confirmation: count > CONFIRM_ABOVE, jobs })
}

/// The rule for queueing: more than `CONFIRM_ABOVE` jobs need `confirmed`.
pub fn confirm(expansion: &Expansion, confirmed: bool) -> Result<(), VariationError> {
    if expansion.needs_confirmation && !confirmed {
        return Err(VariationError::NeedsConfirmation { count: expansion.count });
    }
    Ok(())
}

/// A name from the template's shared text (at most 40 characters), so
/// files and the Library read well without one being typed.
fn name_from(template: &Template) -> String {
    let text = template.literal_text();
    let text = text.trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace());
    let mut name: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        name = name.trim_end().to_string();
        name.push('…');
    }
    if name.is_empty() {
        "Variations".into()
    } else {
        name
    }
}

#[cfg(test)]
mod tests_props;
