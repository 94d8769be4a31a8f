//! `vault-oidc export`: write the live OIDC configuration as a config file.

use std::path::PathBuf;
use std::process::ExitCode;

use vault_oidc::config::{render::render, Config};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Write to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "out")]
    pub out: Option<PathBuf>,
}

pub async fn run(args: Args, global: &super::GlobalOpts) -> anyhow::Result<ExitCode> {
    let vault = global.connect()?;
    let live = vault_oidc::state::read_live(&vault).await?;
    let dir = vault_oidc::state::resolve_directory(&vault, &Config::default(), &live).await?;
    let (config, warnings) = vault_oidc::export::export(&live, &dir, vault.address());
    for w in &warnings {
        eprintln!("Warning: {w}");
    }
    let text = render(
        &config,
        &format!("Exported from {} by vault-oidc export.", vault.address()),
    );
    match &args.out {
        Some(path) => {
            vault_oidc::fsutil::write_atomic(path, text.as_bytes(), false)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            eprintln!("Wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
