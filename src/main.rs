//! The `vault-oidc` binary: parse the command line, dispatch, print one error line on failure.

use std::process::ExitCode;

use clap::Parser;

mod cli;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::dispatch(cli).await {
        Ok(code) => code,
        Err(err) => {
            // `{:#}` prints the context chain on one line; library errors never carry secrets.
            eprintln!("Error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
