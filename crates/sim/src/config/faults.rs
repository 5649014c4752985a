//! Which faults each endpoint produces (the plans live in `crate::faults`).

use crate::faults::{Endpoint, FaultPlan};
use serde::{Deserialize, Serialize};

/// Faults per endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct Faults {
    pub create: FaultPlan,
    pub status: FaultPlan,
    pub credits: FaultPlan,
    pub download: FaultPlan,
}

impl Faults {
    pub fn plan_mut(&mut self, endpoint: Endpoint) -> &mut FaultPlan {
        match endpoint {
            Endpoint::Create => &mut self.create,
            Endpoint::Status => &mut self.status,
            Endpoint::Credits => &mut self.credits,
            Endpoint::Download => &mut self.download,
        }
    }

    /// Every plan with its endpoint's name (for checks and messages).
    pub fn plans(&self) -> [(&'static str, &FaultPlan); 4] {
        [("create", &self.create), ("status", &self.status), ("credits", &self.credits), ("download", &self.download)]
    }
}
