//! The `loova` binary; everything is in the library (`loova_cli::run`).

fn main() -> std::process::ExitCode {
    loova_cli::run(std::env::args_os().skip(1))
}
