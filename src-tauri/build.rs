/// The only commands the webview may call, and only where a capability in
/// src-tauri/capabilities/ grants them.
const COMMANDS: &[&str] = &["preview_job", "advise_packs", "price_list"];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build configuration");
}
