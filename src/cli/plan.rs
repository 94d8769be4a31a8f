//! `vault-oidc plan`: what `apply` would change. Exit codes follow Terraform.

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print the plan as JSON.
    #[arg(long)]
    pub json: bool,
    /// Exit 0 when there are no changes, 2 when there are, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Also destroy objects that are in Vault but not in the config.
    #[arg(long)]
    pub prune: bool,
}

pub async fn run(args: Args, global: &super::GlobalOpts) -> anyhow::Result<ExitCode> {
    let config = global.load_config()?;
    let vault = global.connect()?;
    let (plan, _, dir) = vault_oidc::plan::compute(&vault, &config, args.prune).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&plan.to_json())?);
    } else {
        print!("{}", plan.render(&dir));
    }
    Ok(if args.detailed_exitcode && plan.has_changes() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
