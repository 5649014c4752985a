//! Every integration test of this crate in one binary (one link instead
//! of one per file): each former test file is a module.

mod api_client;
mod batch;
mod bounded_downloads;
mod budgets;
mod common;
mod compat;
mod compat_api;
mod engine_keys;
mod engine_media;
mod engine_queue;
mod fuzz_corpus;
mod library;
mod media;
mod media_server;
mod overflow;
mod reliability_attach;
mod reliability_chaos;
mod reliability_classes;
mod reliability_disk;
mod reliability_hold;
mod reliability_outage;
mod remote_notices;
mod runtime_model;
mod settings;
mod spending;
mod spending_export;
mod studio;
mod studio_common;
mod studio_failures;
mod studio_orphans;
mod studio_tls;
mod variations;
