//! `vault-oidc export` (placeholder: not implemented yet).

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {}

pub async fn run(_args: Args, _global: &super::GlobalOpts) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`export` is not implemented yet")
}
