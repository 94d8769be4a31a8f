//! `vault-oidc doctor`: one line per check; exit 1 if any check failed.

use std::process::ExitCode;

use vault_oidc::doctor::Status;

#[derive(clap::Args, Debug)]
pub struct Args {}

pub async fn run(_args: Args, global: &super::GlobalOpts) -> anyhow::Result<ExitCode> {
    let checks = vault_oidc::doctor::run(&global.connection()).await;
    for c in &checks {
        println!("{c}");
    }
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
