//! Every integration test of this crate in one binary (one link instead
//! of one per file): each former test file is a module.

mod binary;
mod common;
mod compat;
mod control;
mod credits;
mod faults;
mod files;
mod limits;
mod shapes;
mod users;
mod validation;
