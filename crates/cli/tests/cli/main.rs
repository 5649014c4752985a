//! Every integration test of this crate in one binary (one link instead
//! of one per file): each former test file is a module.

mod cli_accounts;
mod cli_attach;
mod cli_batch;
mod cli_batch_retry;
mod cli_errors;
mod cli_https_only;
mod cli_jobs_change;
mod cli_library;
mod cli_mcp;
mod cli_notices;
mod cli_output_dir;
mod cli_overflow;
mod cli_preview;
mod cli_queue;
mod cli_settings;
mod cli_studio;
mod cli_usage;
mod cli_variations;
mod cli_wine;
mod common;
