//! Variations: the template language is loova-domain's (re-exported here,
//! so `loova_core::variations::…` keeps every path); what is here reads the
//! wildcard files of a data directory ([`Wildcards`]).
//! `crate::variation_sets` makes an expansion a batch.

pub use loova_domain::variations::*;

mod wildcards;
pub use wildcards::{Wildcards, WILDCARDS_DIR};

#[cfg(test)]
mod tests;
