//! `vault-oidc validate`: offline checks of the config.

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {}

pub async fn run(_args: Args, global: &super::GlobalOpts) -> anyhow::Result<ExitCode> {
    let config = global.load_config()?;
    let count = config.keys.len()
        + config.scopes.len()
        + config.assignments.len()
        + config.clients.len()
        + config.providers.len()
        + config.roles.len();
    println!("{}: valid ({count} objects)", global.config.display());
    Ok(ExitCode::SUCCESS)
}
