//! macOS: the menu bar menu's "Install the loova command…". The CLI ships
//! inside the app (`Loova Desk.app/Contents/MacOS/loova`, beside the app's
//! own binary), which no shell looks in; a link at /usr/local/bin/loova —
//! on macOS's default PATH (/etc/paths) — makes `loova` work in every new
//! terminal. That folder may be missing or root's: then macOS asks once for
//! an administrator's password (osascript's "with administrator
//! privileges"). The same by hand, as the README says:
//! `sudo ln -sf "/Applications/Loova Desk.app/Contents/MacOS/loova" /usr/local/bin/loova`.

/// Where the link goes.
pub const LINK: &str = "/usr/local/bin/loova";

/// The AppleScript that makes the link as an administrator. The target is
/// escaped for an AppleScript string and then quoted for the shell by
/// AppleScript itself (`quoted form of`), so an app folder with spaces or
/// quotes in its name is one argument.
fn admin_script(target: &str) -> String {
    let escaped = target.replace('\\', "\\\\").replace('"', "\\\"");
    format!("do shell script \"mkdir -p /usr/local/bin && ln -sf \" & quoted form of \"{escaped}\" & \" {LINK}\" with administrator privileges")
}

/// Makes the link and says what happened, for a dialog. Blocks while macOS
/// asks for the password: call it off the main thread.
#[cfg(target_os = "macos")]
pub fn install() -> Result<String, String> {
    use std::path::Path;
    let exe = std::env::current_exe().map_err(|e| format!("Loova Desk cannot tell where it is installed ({e})."))?;
    let target = exe.with_file_name("loova");
    if !target.is_file() {
        return Err(format!(
            "{} is missing, so there is nothing to link. Install Loova Desk from its .dmg (this copy has no loova command).",
            target.display()
        ));
    }
    let link = Path::new(LINK);
    let done = format!("The loova command is installed: {LINK} → {}. Open a new terminal and run `loova --help`.", target.display());
    if std::fs::read_link(link).is_ok_and(|t| t == target) {
        return Ok(done);
    }
    // Without a password when the folder is writable and nothing but an
    // old link is in the way.
    let free = link.symlink_metadata().map(|m| m.file_type().is_symlink()).unwrap_or(true);
    let direct = free
        && std::fs::create_dir_all("/usr/local/bin").is_ok()
        && (link.symlink_metadata().is_err() || std::fs::remove_file(link).is_ok())
        && std::os::unix::fs::symlink(&target, link).is_ok();
    if direct {
        return Ok(done);
    }
    let script = admin_script(&target.to_string_lossy());
    let out = std::process::Command::new("/usr/bin/osascript")
        .arg("-e")
        .arg(&script)
        .output()
        .map_err(|e| format!("macOS could not be asked for permission ({e}). {}", by_hand(&target)))?;
    if out.status.success() {
        return Ok(done);
    }
    let why = String::from_utf8_lossy(&out.stderr);
    if why.contains("-128") {
        return Err(format!("Not installed: the password prompt was cancelled. {}", by_hand(&target)));
    }
    Err(format!("Not installed: {}. {}", why.trim(), by_hand(&target)))
}

#[cfg(target_os = "macos")]
fn by_hand(target: &std::path::Path) -> String {
    format!("To do it in Terminal: sudo ln -sf '{}' {LINK}", target.display())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_admin_script_quotes_the_app_path_for_applescript_and_the_shell() {
        let script = super::admin_script("/Applications/Loova Desk.app/Contents/MacOS/loova");
        assert_eq!(
            script,
            "do shell script \"mkdir -p /usr/local/bin && ln -sf \" & quoted form of \"/Applications/Loova Desk.app/Contents/MacOS/loova\" & \" /usr/local/bin/loova\" with administrator privileges"
        );
        // A quote or backslash in a folder name cannot end the string early.
        let odd = super::admin_script(r#"/Users/a"b\c/Loova Desk.app/Contents/MacOS/loova"#);
        assert!(odd.contains(r#"quoted form of "/Users/a\"b\\c/Loova Desk.app"#), "{odd}");
    }
}
