//! Video URLs: a real MP4, Range requests, expiry (404 or 403).
use crate::common;
use common::*;

async fn finished_video(sim: &loova_sim::SimHandle) -> String {
    let c = client();
    let id = create(&c, sim, KEY, prompt()).await.body["data"]["task_id"].as_str().unwrap().to_string();
    let data = wait_final(&c, sim, KEY, &id).await;
    data["result"]["video_url"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn serves_a_real_mp4_with_ranges() {
    let sim = sim_with(1000, |_| {}).await;
    let url = finished_video(&sim).await;
    let c = client();
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "video/mp4");
    assert_eq!(r.headers()["accept-ranges"], "bytes");
    let full = r.bytes().await.unwrap();
    assert!(full.len() > 1000);
    assert_eq!(&full[4..8], b"ftyp", "an MP4 starts with an ftyp box");

    let r = c.get(&url).header("range", "bytes=0-99").send().await.unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.headers()["content-range"], format!("bytes 0-99/{}", full.len()));
    assert_eq!(r.bytes().await.unwrap(), full.slice(0..100));

    let r = c.get(&url).header("range", "bytes=100-").send().await.unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().await.unwrap(), full.slice(100..));

    let r = c.get(&url).header("range", "bytes=-10").send().await.unwrap();
    assert_eq!(r.bytes().await.unwrap(), full.slice(full.len() - 10..));

    let r = c.get(&url).header("range", format!("bytes={}-", full.len())).send().await.unwrap();
    assert_eq!(r.status(), 416);

    let r = c.get(format!("{}/files/task_nope.mp4", sim.root_url())).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn no_video_before_the_task_succeeds() {
    let sim = sim_with(1000, |c| c.timings.time_scale = 1.0).await;
    let c = client();
    let id = create(&c, &sim, KEY, prompt()).await.body["data"]["task_id"].as_str().unwrap().to_string();
    let r = c.get(format!("{}/files/{id}.mp4", sim.root_url())).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn urls_expire_with_404_by_default_or_403() {
    let sim = sim_with(1000, |c| c.video_url_ttl_secs = 0.3).await;
    let url = finished_video(&sim).await;
    let c = client();
    wait_for(10, "URL expires", || {
        let (c, url) = (c.clone(), url.clone());
        async move { c.get(&url).send().await.unwrap().status() == 404 }
    })
    .await;
    let r = c.get(&url).send().await.unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], 404);
    assert!(body["message"].as_str().unwrap().contains("expired"));

    sim.update_config(|c| c.expired_status = 403).unwrap();
    assert_eq!(c.get(&url).send().await.unwrap().status(), 403);
    // Fresh URLs work until they expire.
    sim.update_config(|c| c.video_url_ttl_secs = 3600.0).unwrap();
    assert_eq!(c.get(&url).send().await.unwrap().status(), 200);
}
