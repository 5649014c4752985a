//! Client (b): the naive script people write first. It keeps 6 tasks in
//! flight and checks each one every fixed interval ("once a minute") from
//! its creation; when it sees the end it frees the slot and downloads.
//! Deliberately plain HTTP, no loova-core: it is what the engine must beat.

use super::jobs::Job;
use super::report::Outcome;
use crate::Res;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

type Noticed = Arc<Mutex<Vec<(String, i64)>>>;
type Downloads = Arc<Mutex<JoinSet<Res<()>>>>;

#[derive(Clone)]
pub struct Baseline {
    pub base_url: String,
    pub key: String,
    pub interval: Duration,
    pub cap: usize,
    pub out_dir: PathBuf,
}

/// `data` of a Loova envelope, or an error naming the request.
async fn data(resp: reqwest::Response, what: &str) -> Res<Value> {
    let status = resp.status();
    let body: Value = resp.json().await?;
    if !status.is_success() || body["code"] != 200 {
        return Err(format!("{what}: HTTP {status}: {body}").into());
    }
    Ok(body["data"].clone())
}

impl Baseline {
    pub async fn run(&self, jobs: &[Job]) -> Res<Outcome> {
        std::fs::create_dir_all(&self.out_dir)?;
        let start = Instant::now();
        let http = reqwest::Client::new();
        let next = Arc::new(AtomicUsize::new(0));
        let noticed: Noticed = Arc::default();
        let downloads: Downloads = Arc::default();
        let jobs = Arc::new(jobs.to_vec());
        let mut slots = JoinSet::new();
        for _ in 0..self.cap {
            slots.spawn(self.clone().slot(http.clone(), jobs.clone(), next.clone(), noticed.clone(), downloads.clone()));
        }
        let mut done = 0;
        while let Some(r) = slots.join_next().await {
            r??;
        }
        let mut downloads = std::mem::take(&mut *downloads.lock().unwrap());
        while let Some(r) = downloads.join_next().await {
            r??;
            done += 1;
        }
        let noticed = std::mem::take(&mut *noticed.lock().unwrap());
        Ok(Outcome { makespan: start.elapsed(), downloaded: done, noticed })
    }

    /// One slot: takes the next job, follows it to the end, repeats.
    async fn slot(self, http: reqwest::Client, jobs: Arc<Vec<Job>>, next: Arc<AtomicUsize>, noticed: Noticed, downloads: Downloads) -> Res<()> {
        while let Some(job) = jobs.get(next.fetch_add(1, Ordering::SeqCst)) {
            let task_id = self.create(&http, job).await?;
            let url = self.wait(&http, &task_id).await?;
            noticed.lock().unwrap().push((task_id.clone(), loova_sim::clock::now_ms()));
            // The slot is free from here; the download runs beside it.
            if let Some(url) = url {
                let (http, path) = (http.clone(), self.out_dir.join(format!("{task_id}.mp4")));
                downloads.lock().unwrap().spawn(async move { download(&http, &url, path).await });
            }
        }
        Ok(())
    }

    async fn create(&self, http: &reqwest::Client, job: &Job) -> Res<String> {
        let body = json!({"prompt": job.prompt, "model": job.model, "duration": job.duration});
        let resp = http.post(format!("{}/v1/video/seedance-2", self.base_url)).bearer_auth(&self.key).json(&body).send().await?;
        let d = data(resp, "create").await?;
        Ok(d["task_id"].as_str().ok_or("create: no task_id")?.to_string())
    }

    /// Sleeps an interval, checks, repeats; the video URL when it succeeded.
    async fn wait(&self, http: &reqwest::Client, task_id: &str) -> Res<Option<String>> {
        loop {
            tokio::time::sleep(self.interval).await;
            let resp = http.get(format!("{}/v1/tasks", self.base_url)).query(&[("task_id", task_id)]).bearer_auth(&self.key).send().await?;
            let d = data(resp, "status").await?;
            match d["status"].as_str() {
                Some("succeeded") => return Ok(d["result"]["video_url"].as_str().map(String::from)),
                Some("failed") => return Ok(None),
                _ => {}
            }
        }
    }
}

async fn download(http: &reqwest::Client, url: &str, path: PathBuf) -> Res<()> {
    let resp = http.get(url).send().await?.error_for_status()?;
    std::fs::write(path, resp.bytes().await?)?;
    Ok(())
}
