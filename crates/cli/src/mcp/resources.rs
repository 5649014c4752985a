//! Resources: `loova://prices`, the price list in force (the one every
//! preview and plan uses), and `loova://recipes/JOB`, the recipe saved beside
//! each downloaded video (its sidecar, `NAME.mp4.json`).

use super::server::LoovaMcp;
use loova_core::library::sidecar;
use loova_core::store::{JobFilter, JobState};
use rmcp::model::{ReadResourceResult, Resource, ResourceContents};
use rmcp::ErrorData;

pub const PRICES_URI: &str = "loova://prices";
const RECIPE_PREFIX: &str = "loova://recipes/";

pub fn recipe_uri(job_id: i64) -> String {
    format!("{RECIPE_PREFIX}{job_id}")
}

pub fn list(server: &LoovaMcp) -> Result<Vec<Resource>, ErrorData> {
    let prices = Resource::new(PRICES_URI, "prices")
        .with_title("Loova price list in force")
        .with_description("Credits per second by model (with and without a video reference), the API credit packs and the concurrency limit.")
        .with_mime_type("application/json");
    let filter = JobFilter { states: vec![JobState::Downloaded], ..Default::default() };
    let jobs = server.db().jobs(&filter).map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
    let recipes = jobs.into_iter().filter_map(|j| {
        let video = j.video_path?;
        let path = sidecar::path_for(std::path::Path::new(&video));
        path.is_file().then(|| {
            let title = loova_core::engine::title_of(j.name.as_deref(), &j.spec.prompt);
            Resource::new(recipe_uri(j.id), format!("recipe-{}", j.id))
                .with_title(format!("Recipe of job {}: {title}", j.id))
                .with_description(format!("How {video} was made: prompt, settings, references, estimate and charge."))
                .with_mime_type("application/json")
        })
    });
    Ok(std::iter::once(prices).chain(recipes).collect())
}

pub fn read(server: &LoovaMcp, uri: &str) -> Result<ReadResourceResult, ErrorData> {
    let json = |text: String| {
        ReadResourceResult::new(vec![ResourceContents::TextResourceContents { uri: uri.into(), mime_type: Some("application/json".into()), text, meta: None }])
    };
    if uri == PRICES_URI {
        let prices = server.prices();
        let body = serde_json::json!({"price_list": prices.list, "info": prices.info, "warning": prices.warning});
        return Ok(json(serde_json::to_string_pretty(&body).expect("a price list serializes")));
    }
    let not_found = |why: String| ErrorData::resource_not_found(why, Some(serde_json::json!({"uri": uri})));
    let id: i64 = uri
        .strip_prefix(RECIPE_PREFIX)
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| not_found(format!("No resource \"{uri}\": use {PRICES_URI} or {RECIPE_PREFIX}JOB_ID (see resources/list).")))?;
    let job = server.db().job(id).map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
    let video = job
        .filter(|j| j.state == JobState::Downloaded)
        .and_then(|j| j.video_path)
        .ok_or_else(|| not_found(format!("Job {id} has no saved video, so no recipe (job_status says where it is).")))?;
    let path = sidecar::path_for(std::path::Path::new(&video));
    let text = std::fs::read_to_string(&path)
        .map_err(|e| not_found(format!("The recipe {} cannot be read ({e}); `loova library --rebuild` rereads a folder.", path.display())))?;
    Ok(json(text))
}
