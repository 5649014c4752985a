//! What a job's view tells the UI: the facts it displays without deciding
//! them itself.

use super::*;
use crate::engine::JobAction;

fn row(state: JobState, spec: JobSpec) -> JobRow {
    JobRow {
        retry_of: None,
        moved_from: None,
        id: 7,
        account_id: "a1".into(),
        batch_id: None,
        name: None,
        spec,
        position: 1,
        estimate_credits: Some(240),
        price_list_date: None,
        state,
        task_id: None,
        raw_status: None,
        credits_cost: None,
        created_at: 0,
        submitted_at: None,
        started_at: None,
        finished_at: None,
        updated_at: 0,
        attempts: 0,
        next_attempt_at: None,
        last_error: None,
        last_error_code: None,
        trace_id: None,
        video_url: None,
        video_path: None,
        bytes_done: None,
        bytes_total: None,
        expected_secs: None,
        settings_note: None,
    }
}

fn spec() -> JobSpec {
    JobSpec { prompt: "a fox".into(), ..JobSpec::default() }
}

/// The bug: a local video is priced at the video-reference rate, but the
/// Queue row said "no video reference" because the UI looked only at URLs.
#[test]
fn a_local_video_file_is_a_video_reference_in_the_view() {
    let local = JobView::from_row(row(JobState::Queued, JobSpec { video_files: vec!["/data/media/7/clip.mp4".into()], ..spec() }));
    assert!(local.has_video_reference);
    let url = JobView::from_row(row(JobState::Queued, JobSpec { video_urls: vec!["https://v/1.mp4".into()], ..spec() }));
    assert!(url.has_video_reference);
    let image = JobView::from_row(row(JobState::Queued, JobSpec { image_files: vec!["/data/media/7/a.png".into()], ..spec() }));
    assert!(!image.has_video_reference);
    let json = serde_json::to_value(&local).unwrap();
    assert_eq!(json["has_video_reference"], serde_json::json!(true));
}

/// The bindings promise every list of the spec: a job without local files
/// still carries `image_files: []` (and the others).
#[test]
fn a_views_spec_has_every_list_even_when_empty() {
    let json = serde_json::to_value(JobView::from_row(row(JobState::Queued, spec()))).unwrap();
    for key in ["image_urls", "video_urls", "audio_urls", "image_files", "video_files", "audio_files"] {
        assert_eq!(json["spec"].get(key), Some(&serde_json::json!([])), "spec.{key} missing from {}", json["spec"]);
    }
    assert_eq!(json["allowed_actions"], serde_json::json!(["edit", "cancel", "move_top", "move_up", "move_down", "move_bottom"]));
}

#[test]
fn actions_follow_the_state() {
    let actions = |state| JobView::from_row(row(state, spec())).allowed_actions;
    assert_eq!(
        actions(JobState::Queued),
        [JobAction::Edit, JobAction::Cancel, JobAction::MoveTop, JobAction::MoveUp, JobAction::MoveDown, JobAction::MoveBottom]
    );
    assert_eq!(actions(JobState::Failed), [JobAction::Retry]);
    assert_eq!(actions(JobState::OutcomeUnknown), [JobAction::Resubmit, JobAction::Attach, JobAction::Forget]);
    // A task Loova did not finish in time: it exists and was charged, so it
    // is attached again or marked failed, never sent again.
    let mut overdue = row(JobState::OutcomeUnknown, spec());
    overdue.task_id = Some("task_1".into());
    assert_eq!(JobView::from_row(overdue).allowed_actions, [JobAction::Attach, JobAction::MarkFailed]);
    assert_eq!(actions(JobState::Downloaded), [JobAction::OpenVideo, JobAction::ShowInFolder]);
    assert!(actions(JobState::Running).is_empty());
    let reopen = |state| JobView::from_row(row(state, spec())).can_open_in_composer;
    assert!(reopen(JobState::Downloaded) && reopen(JobState::Canceled) && reopen(JobState::Invalid));
    assert!(!reopen(JobState::Running) && !reopen(JobState::Queued) && !reopen(JobState::OutcomeUnknown));
}

#[test]
fn progress_moves_with_the_clock_and_stops_short_of_done() {
    let running = JobView::from_row(JobRow { started_at: Some(1_000_000), expected_secs: Some(100.0), ..row(JobState::Running, spec()) });
    assert_eq!(running.progress_at(1_000_000 + 25_000), Some(0.25));
    assert_eq!(running.progress_at(1_000_000 + 500_000), Some(0.99), "only the service says when it is done");
    assert_eq!(running.progress_at(0), Some(0.0));
    let uploading = JobView::from_row(JobRow { bytes_done: Some(50), bytes_total: Some(200), ..row(JobState::Submitting, spec()) });
    assert_eq!(uploading.progress, Some(0.25));
    assert_eq!(JobView::from_row(row(JobState::Downloading, spec())).progress, Some(0.0));
    assert_eq!(JobView::from_row(row(JobState::Downloaded, spec())).progress, Some(1.0));
    assert_eq!(JobView::from_row(row(JobState::Queued, spec())).progress, None);
}

#[test]
fn only_status_words_this_client_does_not_know_are_flagged() {
    let with = |raw: &str, state| JobView::from_row(JobRow { raw_status: Some(raw.into()), ..row(state, spec()) }).unrecognized_status;
    assert_eq!(with("rendering", JobState::Running).as_deref(), Some("rendering"));
    assert_eq!(with("running", JobState::Running), None);
    assert_eq!(with("queued", JobState::Running), None);
    assert_eq!(with("rendering", JobState::Failed), None, "only while it runs");
}
