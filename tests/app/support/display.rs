//! A private X server (Xvfb) for one app, and captures of its window with
//! ImageMagick. (WebKitWebDriver's own screenshot hung on some pages under
//! Xvfb, so the X window is grabbed instead.)

use super::wait_for_within;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Display {
    xvfb: Child,
    name: String,
}

impl Display {
    /// Starts Xvfb on a free display number; returns once it accepts clients.
    pub fn start() -> Display {
        // `-displayfd 1`: Xvfb picks a free display itself and writes its
        // number to stdout once it is ready, so no number is guessed.
        let mut xvfb = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb (package xvfb)");
        let mut line = String::new();
        let stdout = xvfb.stdout.take().expect("Xvfb's stdout");
        BufReader::new(stdout).read_line(&mut line).expect("read Xvfb's display number");
        let number: u32 = line.trim().parse().unwrap_or_else(|_| panic!("Xvfb did not start (it said {line:?})"));
        Display { xvfb, name: format!(":{number}") }
    }

    /// `:N`, for `DISPLAY`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Saves the window titled `title` as a PNG at `path`. A capture in
    /// one colour is retried for a moment (a compositor can be a frame
    /// late), then fails the test: a blank picture is never saved as a
    /// screenshot.
    pub fn capture_window(&self, title: &str, path: &Path) {
        std::fs::create_dir_all(path.parent().expect("a file path")).expect("create the screenshot folder");
        wait_for_within(&format!("a capture of the {title} window that is not blank"), Duration::from_secs(10), || {
            let status = Command::new("import").args(["-display", &self.name, "-window", title]).arg(path).status().expect("run ImageMagick's import");
            if !status.success() {
                return Err(format!("import failed: {status}"));
            }
            match loova_testkit::png_colours(path) {
                n if n > 1 => Ok(()),
                n => Err(format!("{} is blank: {n} colour", path.display())),
            }
        });
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}
