/// The only commands the webview may call, and only where a capability in
/// src-tauri/capabilities/ grants them.
const COMMANDS: &[&str] = &[
    "preview_job",
    "advise_packs",
    "price_list",
    "catalog",
    "list_accounts",
    "add_account",
    "import_env_account",
    "rename_account",
    "replace_key",
    "remove_account",
    "set_app_credits",
    "set_account_paused",
    "refresh_balances",
    "create_sandbox",
    "reset_sandbox",
    "queue_overview",
    "enqueue_job",
    "job_action",
    "attach_job",
    "open_dashboard",
    "set_output_dir",
    "pick_batch_file",
    "preview_batch",
    "batch_rows",
    "queue_batch",
    "pick_media_files",
    "inspect_media",
    "settings_screen",
    "set_setting",
    "show_data_folder",
    "import_price_list",
    "quit_app",
    "usage_report",
    "charges_page",
    "balance_history",
    "spending_preview",
    "set_budget",
    "set_alert_below",
    "budget_settings",
    "export_charges",
    "library_page",
    "save_poster",
    "library_action",
    "pick_video_file",
    "locate_video",
    "library_composer_draft",
    "job_composer_draft",
    "set_video_pick",
    "set_video_rating",
    "export_picks",
    "batch_retry_preview",
    "retry_batch",
    "edit_job",
    "rebuild_library",
    "template_segments",
    "preview_variations",
    "queue_variations",
    "studio_connect",
    "studio_disconnect",
    "studio_status",
    "studio_default_computer",
    "pick_studio_root_cert",
    "first_paint",
];

fn main() {
    // tauri-build watches `capabilities/` beside Cargo.toml; ours live under
    // src-tauri/, so without this an edited capability was silently ignored.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build configuration");
}
