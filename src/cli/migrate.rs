//! `vault-oidc migrate cognito --terraform DIR --out DIR [--force]`.

use std::path::PathBuf;
use std::process::ExitCode;

use vault_oidc::migrate::{migrate_cognito, Options, Sources};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: MigrateCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum MigrateCommand {
    /// From a Cognito Terraform setup: writes oidc.hcl, the rewritten Terraform and MIGRATION.md.
    Cognito(CognitoArgs),
}

#[derive(clap::Args, Debug)]
pub struct CognitoArgs {
    /// The Terraform directory holding the Cognito setup (read only, never written).
    #[arg(long, value_name = "DIR")]
    pub terraform: PathBuf,
    /// Where to write oidc.hcl, the rewritten Terraform and MIGRATION.md.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a non-empty --out.
    #[arg(long)]
    pub force: bool,
    /// `source` of the vault-oidc Terraform module in the rewritten Terraform.
    #[arg(long, value_name = "SOURCE", default_value = "./modules/vault-oidc")]
    pub vault_oidc_source: String,
    /// `source` of the agent-authorizer Terraform module in the rewritten Terraform.
    #[arg(
        long,
        value_name = "SOURCE",
        default_value = "./modules/agent-authorizer"
    )]
    pub agent_authorizer_source: String,
}

pub async fn run(args: Args, _global: &super::GlobalOpts) -> anyhow::Result<ExitCode> {
    match args.command {
        MigrateCommand::Cognito(a) => {
            let summary = migrate_cognito(&Options {
                terraform: a.terraform,
                out: a.out.clone(),
                force: a.force,
                sources: Sources {
                    vault_oidc: a.vault_oidc_source,
                    agent_authorizer: a.agent_authorizer_source,
                },
            })?;
            println!(
                "Migrated {} pool(s) and {} client(s) into {}: oidc.hcl, {} Terraform/other file(s), MIGRATION.md.",
                summary.pools,
                summary.clients,
                a.out.display(),
                summary.files.len().saturating_sub(2)
            );
            println!(
                "{} setting(s) cannot be represented in Vault and {} need review: read {}.",
                summary.not_representable,
                summary.to_review,
                a.out.join("MIGRATION.md").display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
