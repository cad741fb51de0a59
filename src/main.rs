//! The `sotong` binary: see `sotong --help`.

fn main() -> std::process::ExitCode {
    sotong::cli::main()
}
