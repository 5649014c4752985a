//! Why a charge may differ from the estimate. Loova prices "per second" of
//! the video made and says nothing about reference videos; one upstream
//! reseller of the same model also bills the reference video's seconds. The
//! estimate keeps Loova's documented rule, and when a charge exceeds it by
//! exactly the reference videos' seconds at the job's rate, the flag says
//! so, so the person sees the pattern instead of a bare difference.

use crate::job::JobSpec;

/// The reference videos' whole seconds as Loova may count them (rounded or
/// rounded up), when every video reference is a local file whose length
/// can be read. `None` for a video URL (its length is not known here).
fn local_video_seconds(spec: &JobSpec) -> Option<[i64; 2]> {
    if !spec.video_urls.is_empty() || spec.video_files.is_empty() {
        return None;
    }
    let mut total = 0.0;
    for path in &spec.video_files {
        total += crate::media_duration::duration_secs(std::path::Path::new(path))?;
    }
    Some([total.round() as i64, total.ceil() as i64])
}

/// "Loova seems to charge the reference video's 6 s too", when `charged`
/// exceeds `estimate` by exactly the reference videos' seconds × the job's
/// rate (the estimate's credits per second).
pub fn reference_video_note(spec: &JobSpec, estimate: Option<i64>, charged: Option<i64>) -> Option<String> {
    let (estimate, charged) = (estimate?, charged?);
    let secs = i64::from(spec.duration);
    if charged <= estimate || secs <= 0 || estimate % secs != 0 {
        return None;
    }
    let rate = estimate / secs;
    let extra = charged - estimate;
    if rate <= 0 || extra % rate != 0 {
        return None;
    }
    let billed = extra / rate;
    local_video_seconds(spec)?
        .contains(&billed)
        .then(|| format!("Loova seems to charge the reference video's {billed} s too ({rate} credits/s × {billed} s = {extra} credits more than the estimate)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clip() -> String {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media/clip.mp4").display().to_string()
    }

    #[test]
    fn a_charge_over_by_the_reference_videos_seconds_is_named() {
        // clip.mp4 plays 0.8 s: Loova would count 1 s. 30 credits/s × 5 s = 150.
        let spec = JobSpec { prompt: "p".into(), video_files: vec![clip()], ..JobSpec::default() };
        assert_eq!(
            reference_video_note(&spec, Some(150), Some(180)).as_deref(),
            Some("Loova seems to charge the reference video's 1 s too (30 credits/s × 1 s = 30 credits more than the estimate)")
        );
        let two = JobSpec { video_files: vec![clip(), clip()], ..spec.clone() };
        assert!(reference_video_note(&two, Some(150), Some(210)).unwrap().contains("video's 2 s too"));
        // Other differences are not explained this way.
        assert_eq!(reference_video_note(&spec, Some(150), Some(150)), None, "no difference");
        assert_eq!(reference_video_note(&spec, Some(150), Some(240)), None, "3 s more: not the video's length");
        assert_eq!(reference_video_note(&spec, Some(150), Some(120)), None, "charged less");
        assert_eq!(reference_video_note(&spec, Some(150), Some(195)), None, "not a whole second");
        let by_url = JobSpec { video_urls: vec!["https://x/v.mp4".into()], video_files: vec![], ..spec };
        assert_eq!(reference_video_note(&by_url, Some(150), Some(180)), None, "a URL's length is not known");
    }
}
