//! Every choice a job offers and every range it must stay in, from the price
//! list in force and the rules in `job.rs`. The UI lists exactly these and
//! keeps no copy, so a new model, ratio or limit needs no UI change.

use crate::job::{self, JobSpec};
use crate::pricing::{LoadedPriceList, PriceListInfo};
use crate::store::JobState;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ModelChoice {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ModeChoice {
    pub id: String,
    pub label: String,
    /// What the mode does with the references, with its own limits.
    pub hint: String,
}

/// How many references of each kind a job may have (URLs and local files
/// together).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReferenceLimits {
    pub images: u32,
    pub videos: u32,
    pub audios: u32,
    /// `first_last_frames` uses at most this many images.
    pub first_last_frames_images: u32,
}

/// The groups of job states the Queue screen filters by; the overview's
/// counts (`waiting`, `in_flight`, `failed`, `done`) use the same groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum JobGroup {
    Waiting,
    InFlight,
    /// Failed, invalid, expired or outcome unknown: a person decides.
    NeedsYou,
    Done,
}

impl JobGroup {
    pub const ALL: [JobGroup; 4] = [JobGroup::Waiting, JobGroup::InFlight, JobGroup::NeedsYou, JobGroup::Done];

    pub fn states(self) -> &'static [JobState] {
        match self {
            JobGroup::Waiting => &[JobState::Queued],
            JobGroup::InFlight => &JobState::IN_FLIGHT,
            JobGroup::NeedsYou => &[JobState::OutcomeUnknown, JobState::Failed, JobState::Invalid, JobState::Expired],
            JobGroup::Done => &[JobState::Succeeded, JobState::Downloading, JobState::Downloaded],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StateGroup {
    pub id: JobGroup,
    pub states: Vec<JobState>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Catalog {
    /// In the price list's order.
    pub models: Vec<ModelChoice>,
    pub function_modes: Vec<ModeChoice>,
    pub ratios: Vec<String>,
    pub min_duration: u32,
    pub max_duration: u32,
    pub reference_limits: ReferenceLimits,
    /// What a new job starts with (the API's defaults).
    pub defaults: JobSpec,
    /// Jobs in flight per account at most (the price list's limit).
    pub concurrency_limit: u32,
    pub state_groups: Vec<StateGroup>,
    pub price_list: PriceListInfo,
    /// Why the person's price list file was refused, if it was.
    pub price_list_warning: Option<String>,
    /// Loova's API dashboard, where a person finds their tasks and the
    /// credits they used (to resolve an unknown outcome by hand).
    pub dashboard_url: String,
}

/// Loova's API dashboard ("purchase API Credits, create and manage API keys,
/// view API credits usage" — Loova's pricing and limits page).
pub const DASHBOARD_URL: &str = "https://loova.ai/api";

fn mode(id: &str) -> ModeChoice {
    let (label, hint) = match id {
        "first_last_frames" => ("First & last frames", format!("Up to {} images: the first and the last frame.", job::MAX_FIRST_LAST_IMAGES)),
        "omni_reference" => ("Omni reference", "Any mix of images, videos and audio guides the video.".to_string()),
        other => (other, String::new()),
    };
    ModeChoice { id: id.into(), label: label.into(), hint }
}

/// The catalog for the price list in force.
pub fn catalog(prices: &LoadedPriceList) -> Catalog {
    Catalog {
        models: prices.list.models.iter().map(|m| ModelChoice { id: m.id.clone(), name: m.name.clone() }).collect(),
        function_modes: job::FUNCTION_MODES.iter().map(|m| mode(m)).collect(),
        ratios: job::RATIOS.iter().map(|r| r.to_string()).collect(),
        min_duration: job::MIN_DURATION,
        max_duration: job::MAX_DURATION,
        reference_limits: ReferenceLimits {
            images: job::MAX_IMAGES as u32,
            videos: job::MAX_VIDEOS as u32,
            audios: job::MAX_AUDIOS as u32,
            first_last_frames_images: job::MAX_FIRST_LAST_IMAGES as u32,
        },
        defaults: JobSpec::default(),
        concurrency_limit: prices.list.concurrency_limit,
        state_groups: JobGroup::ALL.iter().map(|&g| StateGroup { id: g, states: g.states().to_vec() }).collect(),
        price_list: prices.info.clone(),
        price_list_warning: prices.warning.clone(),
        dashboard_url: DASHBOARD_URL.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built_in() -> LoadedPriceList {
        crate::load_price_list(tempfile::tempdir().unwrap().path())
    }

    #[test]
    fn every_choice_the_catalog_offers_passes_validation() {
        let c = catalog(&built_in());
        assert!(!c.models.is_empty());
        for m in &c.models {
            for mode in &c.function_modes {
                for r in &c.ratios {
                    for d in [c.min_duration, c.max_duration] {
                        let spec = JobSpec {
                            model: m.id.clone(),
                            function_mode: mode.id.clone(),
                            ratio: r.clone(),
                            duration: d,
                            prompt: "x".into(),
                            ..c.defaults.clone()
                        };
                        assert!(spec.validate().is_empty(), "{spec:?}: {:?}", spec.validate());
                        assert!(crate::estimate(&spec, &built_in().list, &built_in().info).is_some(), "{} is priced", m.id);
                    }
                }
            }
        }
        let too_long = JobSpec { duration: c.max_duration + 1, prompt: "x".into(), ..c.defaults.clone() };
        assert_eq!(too_long.validate().len(), 1);
    }

    #[test]
    fn modes_have_labels_and_the_first_last_frames_limit() {
        let c = catalog(&built_in());
        assert!(c.function_modes.iter().all(|m| !m.label.is_empty() && !m.hint.is_empty()));
        let flf = c.function_modes.iter().find(|m| m.id == "first_last_frames").unwrap();
        assert!(flf.hint.contains(&c.reference_limits.first_last_frames_images.to_string()));
    }

    #[test]
    fn every_state_that_needs_a_person_or_runs_is_in_a_group() {
        let grouped: Vec<JobState> = JobGroup::ALL.iter().flat_map(|g| g.states().iter().copied()).collect();
        for s in JobState::ALL {
            // Canceled jobs are finished by the person: only "All states" lists them.
            assert_eq!(grouped.contains(&s), s != JobState::Canceled, "{s}");
        }
    }
}
