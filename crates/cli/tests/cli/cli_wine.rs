//! The Windows `loova.exe` (cross-built with mingw-w64 by scripts/cross) run
//! under Wine, as a Windows user of the CLI would, against loova-sim on
//! loopback with the simulator's own limit far above the app's 6:
//! the key goes to the Credential Manager (Wine's) and into no file; a batch
//! file with Windows line endings is queued; `run` is SIGKILLed part way and
//! restarted; at most 6 tasks run at once; every video is saved under a
//! Windows output path (drive letter, backslashes, a space) and the jobs
//! named after reserved device names (CON, aux.mp4, COM1, nul) are saved
//! under names Windows accepts; a second runner is refused by the engine
//! lock.
//!
//! Linux only (Wine runs Windows programs on Linux); it does nothing unless
//! `LOOVA_WINE_EXE` names the `loova.exe` to run, in a folder that also holds
//! the test-only `bcryptprimitives.dll` (scripts/cross sets both up).
//!
//! What Wine cannot show, and this test therefore does not claim: file locks
//! held by an indexer, antivirus or OneDrive, the real Credential Manager's
//! storage (Wine keeps credentials RC4-encrypted in its registry), UAC, and
//! anything of the app's window (WebView2, notifications).
#![cfg(target_os = "linux")]

use loova_testkit::{above_our_cap, files_under, part_files, sim_config, wait_for, wait_for_within};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const KEY: &str = "sk-live-wine-3c9f1e7a5b2d";
const ACCOUNT: &str = "Wine Studio";
/// A Windows output folder: drive letter, backslashes, spaces.
const OUTPUT_DIR: &str = r"C:\Loova Out\Final Renders";
/// Job names Windows reserves for devices (`CON.mp4` opens the console, under
/// Wine as on Windows), then ordinary ones up to the batch's size.
const RESERVED_NAMES: [&str; 4] = ["CON", "aux.mp4", "COM1", "nul"];
const JOBS: usize = 14;
/// Jobs run for 5 % of Loova's times (3 s for a 4-second fast job): long
/// enough for 6 to overlap and for a kill to land part way.
const TIME_SCALE: f64 = 0.05;
/// Wine starts a program in about a second once its prefix exists.
const WINE_TIMEOUT: Duration = Duration::from_secs(180);

struct Wine {
    exe: PathBuf,
    /// WINEPREFIX and HOME, both removed at the end.
    root: tempfile::TempDir,
}

impl Wine {
    fn prefix(&self) -> PathBuf {
        self.root.path().join("prefix")
    }

    fn drive_c(&self) -> PathBuf {
        self.prefix().join("drive_c")
    }

    /// `C:\a\b` as Wine stores it on this machine.
    fn on_linux(&self, windows_path: &str) -> PathBuf {
        let rest = windows_path.strip_prefix(r"C:\").unwrap_or_else(|| panic!("not a C: path: {windows_path}"));
        rest.split('\\').fold(self.drive_c(), |p, part| p.join(part))
    }

    /// A Wine command with this test's prefix and home and none of the
    /// caller's Loova settings (the data folder, keychain service and
    /// output folder are the Windows defaults or what the test sets).
    fn command(&self, program: &Path, args: &[&str]) -> Command {
        let mut c = Command::new("wine");
        c.arg(program).args(args);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("LOOVA_") {
                c.env_remove(name);
            }
        }
        c.env("WINEPREFIX", self.prefix())
            .env("HOME", self.root.path().join("home"))
            .env("WINEDEBUG", "-all")
            // No Mono or Gecko install prompt: console programs need neither.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("LOOVA_DESK_ENGINE_TIME_SCALE", TIME_SCALE.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    fn loova_cmd(&self, args: &[&str]) -> Command {
        self.command(&self.exe, args)
    }

    fn loova(&self, args: &[&str]) -> Output {
        output_within(self.loova_cmd(args).spawn().expect("wine starts"), WINE_TIMEOUT)
    }

    /// `loova … --json`, parsed.
    fn json(&self, args: &[&str]) -> Value {
        let o = self.loova(args);
        assert!(o.status.success(), "loova.exe {args:?}: {}", text(&o));
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("loova.exe {args:?} printed no JSON ({e}): {}", text(&o)))
    }

    /// The Windows data folder, `C:\users\<user>\AppData\Roaming\app.loova.desk`.
    fn data_dir(&self) -> PathBuf {
        let users = self.drive_c().join("users");
        let found = std::fs::read_dir(&users)
            .expect("Wine made C:\\users")
            .flatten()
            .map(|e| e.path().join(r"AppData/Roaming/app.loova.desk"))
            .find(|p| p.join("loova-desk.sqlite3").is_file());
        found.unwrap_or_else(|| panic!("no Loova data folder under {}: {:?}", users.display(), files_under(&users)))
    }
}

impl Drop for Wine {
    /// Stops this prefix's wineserver so the folder can be removed.
    fn drop(&mut self) {
        let mut c = Command::new("wineserver");
        c.arg("-k").env("WINEPREFIX", self.prefix()).stdout(Stdio::null()).stderr(Stdio::null());
        let _ = c.status();
    }
}

fn text(o: &Output) -> String {
    format!("exit {:?}\n{}{}", o.status.code(), String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Waits for `child` (reading its pipes on threads so it never blocks on a
/// full pipe), killing it and failing after `timeout`.
fn output_within(mut child: Child, timeout: Duration) -> Output {
    let read = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = read(child.stdout.take().map(|p| Box::new(p) as _));
    let err = read(child.stderr.take().map(|p| Box::new(p) as _));
    let status = wait_for_within("the Wine program to exit", timeout, || child.try_wait().expect("wait for wine"));
    Output { status, stdout: out.join().unwrap(), stderr: err.join().unwrap() }
}

/// The key as it could sit in a file: UTF-8, UTF-16LE (Windows strings),
/// and both as a registry file writes binary values (`hex:73,6b,…`).
fn key_encodings() -> Vec<(&'static str, Vec<u8>)> {
    let utf16: Vec<u8> = KEY.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let reg_hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(",").into_bytes();
    vec![
        ("UTF-8", KEY.as_bytes().to_vec()),
        ("UTF-16", utf16.clone()),
        ("registry hex of UTF-8", reg_hex(KEY.as_bytes())),
        ("registry hex of UTF-16", reg_hex(&utf16)),
    ]
}

/// Wine's registry files wrap long hex values (`\` and a newline, then
/// spaces); joined back, a hex run is one line again.
fn unwrapped_registry(path: &Path) -> Vec<u8> {
    let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    text.replace("\\\n", "").replace([' ', '\t'], "").into_bytes()
}

fn batch_csv() -> String {
    // Windows line endings, as Excel or Notepad save it.
    let mut csv = String::from("prompt,model,duration,name\r\n");
    for i in 0..JOBS {
        let name = RESERVED_NAMES.get(i).map_or_else(|| format!("Shot {i}"), |n| n.to_string());
        csv += &format!("wine shot {i}: a fox in the snow,seedance_2_0_fast,4,{name}\r\n");
    }
    csv
}

#[test]
fn loova_exe_under_wine_keeps_the_key_out_of_files_survives_a_kill_and_saves_under_windows_names() {
    let Some(exe) = std::env::var_os("LOOVA_WINE_EXE").map(PathBuf::from) else {
        eprintln!("skipped: LOOVA_WINE_EXE is not set (scripts/cross builds loova.exe for Windows and runs this test under Wine)");
        return;
    };
    assert!(exe.is_file(), "LOOVA_WINE_EXE={} is not a file", exe.display());
    let shim = exe.with_file_name("bcryptprimitives.dll");
    assert!(shim.is_file(), "{} is missing: Wine 8 lacks it and Rust programs need it (scripts/cross builds the test-only one)", shim.display());
    let wine = Wine { exe, root: tempfile::Builder::new().prefix("loova-wine-").tempdir().unwrap() };
    let started = std::time::Instant::now();
    let phase = |what: &str| eprintln!("wine: {:>6.1} s  {what}", started.elapsed().as_secs_f64());
    std::fs::create_dir_all(wine.root.path().join("home")).unwrap();
    let boot = wine.command(Path::new("wineboot"), &["--init"]).spawn().expect("wine is installed (scripts/cross installs it)");
    let o = output_within(boot, WINE_TIMEOUT);
    assert!(o.status.success(), "wineboot: {}", text(&o));

    phase("prefix ready");
    // File times have a granularity; a second's margin keeps a file written
    // by `accounts add` from looking older than this.
    let prefix_ready = std::time::SystemTime::now() - Duration::from_secs(1);
    let sim = loova_testkit::spawn_sim(above_our_cap(sim_config(&[(KEY, 1_000_000)], TIME_SCALE)));
    let sim_state = || sim.state().key(KEY).cloned().expect("the simulator knows the key");

    // The key goes in on standard input and is checked with the simulator.
    let mut add = wine.loova_cmd(&["accounts", "add", "--name", ACCOUNT, "--base-url", &sim.base_url(), "--key-stdin"]).stdin(Stdio::piped()).spawn().unwrap();
    add.stdin.take().unwrap().write_all(KEY.as_bytes()).unwrap();
    let o = output_within(add, WINE_TIMEOUT);
    assert!(o.status.success(), "accounts add: {}", text(&o));
    assert!(!text(&o).contains(KEY), "the key was printed: {}", text(&o));
    let data = wine.data_dir();

    // Stored in Wine's Credential Manager (advapi32 CredWrite): an entry
    // under its registry key, and the key text in no file written since
    // the prefix was made (Wine's own 700 MB of system files predate the
    // key) nor in the registry files, in any encoding.
    let user_reg = wine.prefix().join("user.reg");
    wait_for("Wine to save the credential in its registry", || {
        String::from_utf8_lossy(&std::fs::read(&user_reg).unwrap_or_default()).contains("Credential Manager")
    });
    let reg = String::from_utf8_lossy(&std::fs::read(&user_reg).unwrap()).into_owned();
    let entries: Vec<&str> = reg.lines().filter(|l| l.starts_with("[Software\\\\Wine\\\\Credential Manager\\\\")).collect();
    assert!(entries.iter().any(|l| l.contains("app.loova.desk")), "a credential of the app's service in Wine's registry: {entries:?}");
    eprintln!("wine: Credential Manager entries in user.reg: {entries:?}");
    let written_since = |f: &PathBuf| std::fs::metadata(f).and_then(|m| m.modified()).is_ok_and(|t| t >= prefix_ready);
    let mut files: Vec<PathBuf> = files_under(&wine.drive_c()).into_iter().filter(written_since).collect();
    files.extend(files_under(&wine.root.path().join("home")));
    files.extend(["user.reg", "system.reg", "userdef.reg"].map(|f| wine.prefix().join(f)));
    assert!(files.iter().any(|f| f.starts_with(&data)), "the data folder was written: {files:?}");
    for (encoding, needle) in key_encodings() {
        let leaks: Vec<&PathBuf> =
            files.iter().filter(|f| f.is_file() && unwrapped_registry(f).windows(needle.len()).any(|w| w == needle.as_slice())).collect();
        assert!(leaks.is_empty(), "the key ({encoding}) is in {leaks:?}");
    }
    phase("key checked");
    // A Windows output folder, and a batch file with CRLF lines at a Windows path.
    let o = wine.loova(&["output-dir", OUTPUT_DIR]);
    assert!(o.status.success(), "output-dir: {}", text(&o));
    std::fs::create_dir_all(wine.on_linux(r"C:\batches")).unwrap();
    std::fs::write(wine.on_linux(r"C:\batches\shots.csv"), batch_csv()).unwrap();
    let queued = wine.json(&["enqueue", "--account", ACCOUNT, "--file", r"C:\batches\shots.csv", "--json"]);
    assert_eq!(wine.json(&["jobs", "--json"]).as_array().map(Vec::len), Some(JOBS), "queued: {queued}");

    phase("batch queued");
    // The first runner, killed part way; while it runs a second is refused.
    let mut first = wine.loova_cmd(&["run"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    wait_for_within("the first runner to create a task", WINE_TIMEOUT, || sim_state().tasks_created >= 1);
    let second = wine.loova(&["run", "--until-idle"]);
    assert_eq!(second.status.code(), Some(1), "a second runner: {}", text(&second));
    assert!(text(&second).contains("already running the queue"), "{}", text(&second));
    wait_for_within("4 tasks created", WINE_TIMEOUT, || sim_state().tasks_created >= 4);
    assert!(first.try_wait().unwrap().is_none(), "the first runner was still running");
    first.kill().unwrap(); // SIGKILL to the Wine process that is loova.exe
    first.wait().unwrap();
    let created_at_kill = sim_state().tasks_created as usize;
    assert!(created_at_kill < JOBS, "the kill landed part way: {created_at_kill} of {JOBS} created");

    // Restarted: runs to the end. A job killed mid-create is "outcome
    // unknown"; the person looks it up on the service, as the docs say:
    // found → attach its task (its video is fetched), not found → send again.
    let finish = || {
        let o = wine.loova(&["run", "--until-idle"]);
        assert!(o.status.success(), "run --until-idle: {}", text(&o));
    };
    phase("killed; restarting");
    finish();
    let task_of = |prompt: &str| -> Vec<String> { sim_state().tasks.iter().filter(|t| t.prompt == prompt).map(|t| t.task_id.clone()).collect() };
    let jobs = wine.json(&["jobs", "--json"]);
    let unknown: Vec<&Value> = jobs.as_array().unwrap().iter().filter(|j| j["state"] == "outcome_unknown").collect();
    for j in &unknown {
        let id = j["id"].to_string();
        let tasks = task_of(j["spec"]["prompt"].as_str().unwrap());
        let args: Vec<&str> = match tasks.first() {
            Some(task) => vec!["attach", &id, task],
            None => vec!["resubmit", &id, "--yes"],
        };
        let o = wine.loova(&args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
    }
    if !unknown.is_empty() {
        finish();
    }

    phase("all done");
    let k = sim_state();
    assert_eq!(k.tasks_created as usize, JOBS, "every job created exactly once through the kill");
    assert_eq!(k.max_running_at_once, 6, "at most 6 at once, against a simulator that allows {}", loova_testkit::SIM_LIMIT_ABOVE_OUR_CAP);
    let jobs = wine.json(&["jobs", "--json"]);
    let out_root = format!(r"{OUTPUT_DIR}\{ACCOUNT}\");
    let mut saved = std::collections::BTreeMap::new();
    for j in jobs.as_array().unwrap() {
        assert_eq!(task_of(j["spec"]["prompt"].as_str().unwrap()).len(), 1, "job {} sent once", j["id"]);
        assert_eq!(j["state"], "downloaded", "job {}: {j}", j["id"]);
        let path = j["video_path"].as_str().unwrap();
        assert!(path.starts_with(&out_root), "a plain Windows path (no \\\\?\\ prefix) under the output folder: {path}");
        let file = wine.on_linux(path);
        let bytes = std::fs::metadata(&file).unwrap_or_else(|e| panic!("{path}: {e}")).len();
        assert_eq!(bytes as usize, loova_sim::routes::files::SAMPLE_MP4.len(), "{path}");
        saved.insert(j["name"].as_str().unwrap().to_string(), path[out_root.len()..].to_string());
    }
    assert_eq!(saved.len(), JOBS, "{saved:?}");
    for (name, file) in [("CON", "_CON.mp4"), ("aux.mp4", "_aux.mp4.mp4"), ("COM1", "_COM1.mp4"), ("nul", "_nul.mp4"), ("Shot 4", "Shot 4.mp4")] {
        assert_eq!(saved.get(name).map(String::as_str), Some(file), "{saved:?}");
    }
    let parts = part_files(&wine.on_linux(OUTPUT_DIR));
    assert!(parts.is_empty(), "no partial download left: {parts:?}");
    eprintln!("wine: {JOBS} jobs, killed after {created_at_kill} created, {} outcome(s) unknown then decided, saved as {saved:?}", unknown.len());
}
