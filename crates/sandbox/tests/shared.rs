//! Two processes on one data directory (the app and `loova`) share one
//! Sandbox simulator instead of each overwriting the other's state file.
//! Two `SandboxHost`s in one process stand in for them: the OS lock is per
//! open file, so they contend exactly as two processes do.

use loova_core::api::LoovaClient;
use loova_core::secret::Sensitive;
use loova_core::JobSpec;
use loova_sandbox::{SandboxHost, SANDBOX_CREDITS};

async fn available(base: &str, key: &Sensitive) -> i64 {
    LoovaClient::new(base).unwrap().credits(key).await.unwrap().api_available_credits
}

#[tokio::test]
async fn a_second_process_uses_the_first_ones_simulator_and_takes_over_when_it_exits() {
    let dir = tempfile::tempdir().unwrap();
    let (app_key, cli_key) = (Sensitive::new("sk-sandbox-app-0001"), Sensitive::new("sk-sandbox-cli-0002"));

    let app = SandboxHost::new(dir.path());
    app.grant(&app_key, false).await.unwrap();
    let app_url = app.base_url().await.unwrap();

    let cli = SandboxHost::new(dir.path());
    assert_eq!(cli.base_url().await.unwrap(), app_url, "one simulator for the data directory");
    // Granting through the other process's simulator (key in a header).
    cli.grant(&cli_key, false).await.unwrap();
    assert_eq!(available(&app_url, &cli_key).await, SANDBOX_CREDITS);

    // The CLI spends; the app's simulator sees it, because it is the same one.
    let spec = JobSpec { prompt: "a paper boat".into(), duration: 4, ..JobSpec::default() };
    let created = LoovaClient::new(&cli.base_url().await.unwrap()).unwrap().create(&cli_key, &spec).await.unwrap();
    assert_eq!(available(&app_url, &cli_key).await, SANDBOX_CREDITS - 60);

    // The app exits; the CLI takes the simulator over from the saved state.
    drop(app);
    let taken_over = cli.base_url().await.unwrap();
    assert_eq!(available(&taken_over, &cli_key).await, SANDBOX_CREDITS - 60, "the spend survived");
    assert_eq!(available(&taken_over, &app_key).await, SANDBOX_CREDITS);
    let task = LoovaClient::new(&taken_over).unwrap().task(&cli_key, &created.task_id).await.unwrap();
    assert_eq!(task.task_id, created.task_id);

    // A video link from the old process points at the new one.
    let old = format!("{}/files/{}.mp4", app_url.trim_end_matches("/api"), created.task_id);
    let now = cli.current_video_url(&old).await.unwrap();
    assert_eq!(now, format!("{}/files/{}.mp4", taken_over.trim_end_matches("/api"), created.task_id));
}
