//! `switchboard`: the command line over switchboard-core. See `cli` for the commands.

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(e) => return usage_error(e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(cli::run(args))
}

/// Print a command-line error as clap would, and, when `--json` was asked for, also as the JSON
/// error object every other failure prints, so scripts reading stdout always get JSON.
fn usage_error(e: clap::Error) -> std::process::ExitCode {
    use clap::error::ErrorKind;
    let is_output = matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if !is_output && std::env::args().any(|a| a == "--json") {
        let message = e.render().to_string();
        let first = message
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("error: ");
        println!(
            "{}",
            serde_json::json!({ "error": { "code": "INVALID", "message": first } })
        );
    }
    let _ = e.print();
    std::process::ExitCode::from(if is_output { 0 } else { cli::exit::INVALID })
}
