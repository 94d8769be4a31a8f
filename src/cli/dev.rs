//! `vault-oidc dev`: the whole thing on a laptop. Starts a local OpenBao dev server, seeds a demo
//! user, applies the example config and waits for Ctrl-C.

use std::path::PathBuf;
use std::process::ExitCode;

use vault_oidc::dev::DevServer;
use vault_oidc::vault::{ConnectionSettings, Vault};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The config to apply.
    #[arg(long, default_value = "examples/oidc.hcl")]
    pub example: PathBuf,
    /// Where the dev server's token, demo password and log are kept.
    #[arg(long, default_value = ".vault-oidc-dev")]
    pub state_dir: PathBuf,
    /// Exit once the server is provisioned instead of waiting for Ctrl-C (for scripts and tests).
    #[arg(long)]
    pub no_wait: bool,
}

pub async fn run(args: Args, global: &super::GlobalOpts) -> anyhow::Result<ExitCode> {
    let opts = global.load_options();
    let config = vault_oidc::config::load(&args.example, &opts)?;
    vault_oidc::config::validate(&config)?;

    let server = DevServer::start(&args.state_dir).await?;
    println!(
        "OpenBao dev server at {} (log: {}/server.log)",
        server.addr,
        args.state_dir.display()
    );
    let password = server.seed_demo_user("demo", "engineers").await?;
    vault_oidc::fsutil::write_atomic(
        &args.state_dir.join("demo-password"),
        password.as_bytes(),
        true,
    )?;

    let settings = ConnectionSettings {
        address: server.addr.clone(),
        token: Some(server.token.clone()),
        ..Default::default()
    };
    let vault = Vault::connect(&settings)?;
    let (plan, live, _) = vault_oidc::plan::compute(&vault, &config, false).await?;
    let report = vault_oidc::apply::apply(&vault, &plan, &live, &|line| println!("  {line}")).await;
    if let Some((what, err)) = report.failed.first() {
        anyhow::bail!("applying {}: {what}: {err}", args.example.display());
    }
    let state = args.state_dir.display();
    println!(
        "\nApplied {} ({} objects).",
        args.example.display(),
        plan.changes.len()
    );
    for name in config.providers.keys() {
        let issuer = format!("{}/v1/identity/oidc/provider/{name}", server.addr);
        println!("\nProvider {name:?}\n  issuer:    {issuer}\n  discovery: {issuer}/.well-known/openid-configuration");
    }
    println!(
        "\nTry it (in another terminal):\n  export VAULT_ADDR={addr} VAULT_TOKEN=$(cat {state}/token)\n  vault-oidc plan -c {ex}\n  vault-oidc doctor\n\nSign in as user \"demo\" (group \"engineers\"); the password is in {state}/demo-password:\n  {addr}/ui/vault/auth?with=userpass",
        addr = server.addr,
        ex = args.example.display(),
    );
    if args.no_wait {
        return Ok(ExitCode::SUCCESS);
    }
    println!("\nPress Ctrl-C to stop the server.");
    tokio::signal::ctrl_c().await?;
    println!("Stopping the dev server.");
    drop(server);
    Ok(ExitCode::SUCCESS)
}
