//! The other fields that vary: several durations, ratios, models or modes,
//! each a factor of the product, given as `duration=5,8` (the CLI's
//! `--vary`) or as lists (the Composer). Each value is checked with the
//! job's own rule (`JobSpec::validate`), so a bad one is refused before
//! anything is expanded.

use super::VariationError;
use crate::job::JobSpec;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum VaryField {
    Duration,
    Ratio,
    Model,
    /// The function mode.
    Mode,
}

impl VaryField {
    pub const ALL: [VaryField; 4] = [VaryField::Duration, VaryField::Ratio, VaryField::Model, VaryField::Mode];

    pub fn as_str(self) -> &'static str {
        match self {
            VaryField::Duration => "duration",
            VaryField::Ratio => "ratio",
            VaryField::Model => "model",
            VaryField::Mode => "mode",
        }
    }

    /// The `JobSpec` field a violation names.
    fn spec_field(self) -> &'static str {
        match self {
            VaryField::Mode => "function_mode",
            other => other.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<VaryField> {
        match s.trim().to_ascii_lowercase().as_str() {
            "duration" => Some(VaryField::Duration),
            "ratio" => Some(VaryField::Ratio),
            "model" => Some(VaryField::Model),
            "mode" | "function_mode" => Some(VaryField::Mode),
            _ => None,
        }
    }

    /// Sets this field of `spec` to `value` (a duration that is not a whole
    /// number is refused by `FieldValues::new` before this is called).
    pub(crate) fn apply(self, spec: &mut JobSpec, value: &str) {
        match self {
            VaryField::Duration => spec.duration = value.parse().unwrap_or(0),
            VaryField::Ratio => spec.ratio = value.into(),
            VaryField::Model => spec.model = value.into(),
            VaryField::Mode => spec.function_mode = value.into(),
        }
    }

    /// How the value reads in a job's name: `8 s`, `9:16`, the model id.
    pub(crate) fn label(self, value: &str) -> String {
        match self {
            VaryField::Duration => format!("{value} s"),
            _ => value.to_string(),
        }
    }
}

/// One field and the values it takes, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FieldValues {
    pub field: VaryField,
    pub values: Vec<String>,
}

impl FieldValues {
    /// Checks each value with the job's rule for that field; a value given
    /// twice is refused (it would queue the same job twice: use takes).
    pub fn new(field: VaryField, values: Vec<String>) -> Result<FieldValues, VariationError> {
        let values: Vec<String> = values.into_iter().map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
        let bad = |message: String| VariationError::BadVary { field: field.as_str().into(), message };
        if values.is_empty() {
            return Err(bad(format!("{} has no values; give them separated by commas, as in {}=5,8", field.as_str(), field.as_str())));
        }
        for (i, v) in values.iter().enumerate() {
            if values[..i].contains(v) {
                return Err(bad(format!("{} \"{v}\" is given twice; give each value once (use takes for the same job several times)", field.as_str())));
            }
            if field == VaryField::Duration && v.parse::<u32>().is_err() {
                return Err(bad(format!("\"{v}\" is not a whole number of seconds")));
            }
            let mut probe = JobSpec { prompt: "probe".into(), ..JobSpec::default() };
            field.apply(&mut probe, v);
            if let Some(violation) = probe.validate().into_iter().find(|x| x.field == field.spec_field()) {
                return Err(bad(format!("{}. {}", violation.message, violation.fix)));
            }
        }
        Ok(FieldValues { field, values })
    }

    /// `duration=5,8`, `ratio=16:9,9:16` (the CLI's `--vary`).
    pub fn parse(text: &str) -> Result<FieldValues, VariationError> {
        let usage = || {
            let fields: Vec<&str> = VaryField::ALL.iter().map(|f| f.as_str()).collect();
            format!("write FIELD=VALUE,VALUE with FIELD one of {}, as in duration=5,8", fields.join(", "))
        };
        let Some((name, values)) = text.split_once('=') else {
            return Err(VariationError::BadVary { field: text.trim().into(), message: format!("\"{text}\" has no \"=\"; {}", usage()) });
        };
        let field = VaryField::parse(name)
            .ok_or_else(|| VariationError::BadVary { field: name.trim().into(), message: format!("\"{}\" cannot vary; {}", name.trim(), usage()) })?;
        FieldValues::new(field, values.split(',').map(String::from).collect())
    }
}

/// Refuses a field given twice: its values belong in one list.
pub(crate) fn check_distinct(vary: &[FieldValues]) -> Result<(), VariationError> {
    for (i, f) in vary.iter().enumerate() {
        if vary[..i].iter().any(|g| g.field == f.field) {
            let name = f.field.as_str();
            return Err(VariationError::BadVary { field: name.into(), message: format!("{name} varies twice; give all its values once, as in {name}=a,b") });
        }
    }
    Ok(())
}
