//! Optional state file: users, keys (as SHA-256 digest and `…` + last-4 hint
//! only, never in clear), credits and tasks, written atomically (temp file +
//! rename) so a crash never leaves a half-written file behind.

use serde_json::{json, Value};
use std::path::Path;

use crate::state::{own_user_id, Persisted};

pub fn load(path: &Path) -> anyhow::Result<Option<Persisted>> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let mut v: Value = serde_json::from_slice(&bytes)?;
            upgrade_keys_without_users(&mut v);
            Ok(Some(serde_json::from_value(v)?))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub fn save(path: &Path, state: &Persisted) -> anyhow::Result<()> {
    let bytes = serde_json::to_vec_pretty(state)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// Files written before users existed keep credits and the timeline on each
/// key: every such key becomes its own user, as it behaved then.
fn upgrade_keys_without_users(v: &mut Value) {
    if v.get("users").is_some() {
        return;
    }
    let mut users = Vec::new();
    for key in v["keys"].as_array_mut().into_iter().flatten() {
        let user = own_user_id(key["key_sha256"].as_str().unwrap_or_default());
        users.push(json!({
            "user": user,
            "credits_available": key["credits_available"],
            "credits_total": key["credits_total"],
            "tasks_created": key["tasks_created"],
            "max_running_at_once": key["max_running_at_once"],
            "clock": key["clock"],
            "active": key["active"],
        }));
        key["user"] = json!(user);
    }
    for task in v["tasks"].as_array_mut().into_iter().flatten() {
        task["user"] = json!(own_user_id(task["key_sha256"].as_str().unwrap_or_default()));
    }
    v["users"] = Value::Array(users);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_from_before_users_loads_with_each_key_its_own_user() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.json");
        let old = json!({
            "saved_at": 1, "seq": 1,
            "keys": [{"key_sha256": "ab", "key_hint": "…1234", "credits_available": 925,
                "credits_total": 1000, "tasks_created": 1, "max_running_at_once": 1,
                "clock": 5, "active": ["t1"], "tasks": ["t1"]}],
            "tasks": [{"id": "t1", "key_sha256": "ab", "seq": 1,
                "request": {"model": "seedance_2_0", "prompt": "p", "function_mode": "omni_reference",
                    "ratio": "16:9", "duration": 5, "images": 0, "videos": 0, "audios": 0},
                "status": "running", "credits_cost": 75, "refunded": false, "created_at": 1,
                "updated_at": 1, "ready_at": 1, "run_ms": 10, "started_at": 1, "finish_at": 11,
                "finished_at": null, "will_fail": false, "error_message": null}]
        });
        std::fs::write(&path, old.to_string()).unwrap();
        let p = load(&path).unwrap().unwrap();
        assert_eq!(p.users[0].user, "key:ab");
        assert_eq!((p.users[0].credits_available, p.users[0].active.len()), (925, 1));
        assert_eq!((p.keys[0].user.as_str(), p.tasks[0].user.as_str()), ("key:ab", "key:ab"));
    }
}
