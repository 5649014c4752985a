// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// `loova-desk --cli <command>` is the `loova` CLI itself, from the same
/// binary: the Linux packages install `/usr/bin/loova` as a two-line script
/// that runs it (src-tauri/packaging/loova), so a package carries loova-core
/// once (docs/ARCHITECTURE.md, "One binary"). Windows and macOS ship the
/// separate `loova` binary: a GUI-subsystem .exe has no console to print to.
const CLI_FLAG: &str = "--cli";

fn main() -> std::process::ExitCode {
    let mut args = std::env::args_os().skip(1).peekable();
    if args.peek().is_some_and(|a| a == CLI_FLAG) {
        return loova_cli::run(args.skip(1));
    }
    loova_desk_lib::run();
    std::process::ExitCode::SUCCESS
}
