//! Every integration test of this crate in one binary (one link instead
//! of one per file): each former test file is a module.

mod cli_mode;
mod e2e_accounts;
mod e2e_batch;
mod e2e_big_queue;
mod e2e_composer;
mod e2e_desktop;
mod e2e_history;
mod e2e_library;
mod e2e_media;
mod e2e_notices;
mod e2e_overflow;
mod e2e_queue;
mod e2e_recovery;
mod e2e_studio;
mod e2e_variations;
mod support;
