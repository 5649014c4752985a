//! `loova notices …` as a person runs it: the address goes in on standard
//! input and never comes back out; a test notice and `loova run`'s batch
//! summary reach a real loopback recorder.

use crate::common::*;
use loova_testkit::{files_containing, sim_config, Recorder};
use std::io::Write;
use std::process::{Output, Stdio};

const KEY: &str = "sk-live-cli-notices-0001";
const SECRET: &str = "SECRETCLIHOOK0001";
const TOKEN: &str = "tkCLITOKEN0001";

fn with_stdin(env: &Env, args: &[&str], stdin: &str) -> Output {
    let mut child = env.cmd(args).stdin(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn add_list_test_run_and_remove_without_showing_the_address() {
    let sim = loova_testkit::start_sim(sim_config(&[(KEY, 1_000_000)], 0.01)).await;
    let env = Env::new("notices").fast().with_account("Main", &sim.base_url(), KEY).await;
    let rec = Recorder::start();
    let url = rec.url(&format!("/hook/{SECRET}"));
    let mut seen = String::new();

    // An address typed as NAME is refused (it is in the shell's history already).
    let (code, _, err) = env.run(&["notices", "add", &url, "--kind", "webhook"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("standard input"), "{err}");
    let o = with_stdin(&env, &["notices", "add", "Hook", "--kind", "webhook", "--token"], &format!("{url}\n{TOKEN}\n"));
    assert!(o.status.success(), "{}", text(&o));
    seen += &text(&o);
    let o = with_stdin(&env, &["notices", "add", "Far", "--kind", "slack"], "http://example.com/services/x\n");
    assert_eq!(o.status.code(), Some(2), "plain http to another computer: {}", text(&o));

    let o = env.ok(&["notices", "test", "Hook"]);
    seen += &text(&o);
    assert!(text(&o).contains("delivered"), "{}", text(&o));
    let got = rec.at("/hook/");
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].json["version"].as_i64(), got[0].json["kind"].as_str()), (Some(1), Some("test")));
    assert_eq!(got[0].authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));

    let o = env.ok(&["notices", "list"]);
    seen += &text(&o);
    assert!(text(&o).contains("Hook — Webhook (JSON) at 127.0.0.1") && text(&o).contains("delivered"), "{}", text(&o));
    let o = env.ok(&["notices", "list", "--json"]);
    seen += &text(&o);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(list["targets"][0]["last_ok"], true);
    assert_eq!(list["targets"][0]["kinds"].as_array().unwrap().len(), 5);
    seen += &text(&env.ok(&["notices", "kinds", "Hook", "batch_finished"]));
    seen += &text(&env.ok(&["notices", "quiet", "22:00-07:00"]));
    assert!(text(&env.ok(&["notices", "quiet"])).contains("22:00-07:00"));
    assert!(text(&env.ok(&["notices", "quiet", "off"])).contains("off"));
    assert_eq!(env.run(&["notices", "quiet", "25:00-07:00"]).0, 2);

    // `loova run` sends the batch's one summary before it ends.
    let f = env.file("spring.csv", "prompt,model,duration\na heron,seedance_2_0,5\na crane,seedance_2_0,5\n");
    env.ok(&["enqueue", "--file", &f, "--account", "Main", "--batch-name", "Spring"]);
    let o = env.output_async(&["run", "--until-idle"]).await;
    assert!(o.status.success(), "{}", text(&o));
    seen += &text(&o);
    let summaries: Vec<_> = rec.at("/hook/").into_iter().filter(|r| r.json["kind"] == "batch_finished").collect();
    assert_eq!(summaries.len(), 1, "{summaries:#?}");
    assert_eq!((summaries[0].json["batch"]["name"].as_str(), summaries[0].json["batch"]["done"].as_i64()), (Some("Spring"), Some(2)));

    seen += &text(&env.ok(&["notices", "remove", "Hook"]));
    assert_eq!(env.run(&["notices", "test", "Hook"]).0, 2, "gone");
    for s in [SECRET, TOKEN, KEY] {
        assert!(!seen.contains(s), "{s} was printed: {seen}");
        assert!(files_containing(env.data.path(), s).is_empty(), "{s} is in a file of the data folder");
    }
}
