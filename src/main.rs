use std::process::ExitCode;

fn main() -> ExitCode {
    aeo_console::cli::main()
}
