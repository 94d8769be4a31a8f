//! Command-line parsing and dispatch. Each subcommand lives in its own module with an `Args`
//! struct and a `run` function; the real work is in the library (`vault_oidc::*`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod apply;
pub mod dev;
pub mod doctor;
pub mod export;
pub mod generate;
pub mod login;
pub mod logout;
pub mod migrate;
pub mod plan;
pub mod token;
pub mod validate;
pub mod verify;

#[derive(Parser, Debug)]
#[command(
    name = "vault-oidc",
    version,
    about = "Vault/OpenBao as your OIDC provider: provision, generate, verify, migrate"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every subcommand. Connection settings follow the Vault CLI: flags win over
/// `VAULT_*` variables, which win over `BAO_*` fallbacks.
#[derive(clap::Args, Debug, Clone)]
pub struct GlobalOpts {
    /// The configuration file.
    #[arg(
        short = 'c',
        long = "config",
        global = true,
        default_value = "oidc.hcl"
    )]
    pub config: PathBuf,
    /// Set a variable: `--var name=value` (repeatable).
    #[arg(long = "var", global = true, value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Load variables from a tfvars-syntax file (repeatable; later files win).
    #[arg(long = "var-file", global = true, value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Vault address (else VAULT_ADDR, BAO_ADDR, https://127.0.0.1:8200).
    #[arg(long = "address", global = true)]
    pub address: Option<String>,
    /// Vault namespace (else VAULT_NAMESPACE, BAO_NAMESPACE).
    #[arg(long = "namespace", global = true)]
    pub namespace: Option<String>,
    /// PEM file of CA certificates to trust (else VAULT_CACERT, BAO_CACERT).
    #[arg(long = "ca-cert", global = true)]
    pub ca_cert: Option<PathBuf>,
    /// Do not verify the server's TLS certificate (else VAULT_SKIP_VERIFY, BAO_SKIP_VERIFY).
    #[arg(long = "tls-skip-verify", global = true)]
    pub tls_skip_verify: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check the configuration offline.
    Validate(validate::Args),
    /// Show what `apply` would change.
    Plan(plan::Args),
    /// Make Vault match the configuration.
    Apply(apply::Args),
    /// Write the live Vault OIDC configuration as a config file.
    Export(export::Args),
    /// Check connectivity, permissions and provider health, one line per check.
    Doctor(doctor::Args),
    /// Start a local OpenBao dev server, apply examples/oidc.hcl and wait for Ctrl-C.
    Dev(dev::Args),
    /// Verify a JWT against a trusted issuer and print the principal.
    Verify(verify::Args),
    /// Generate Terraform or environment-variable definitions from the config.
    Generate(generate::Args),
    /// Migrate an existing setup to Vault OIDC.
    Migrate(migrate::Args),
    /// Sign in with the authorization-code flow (PKCE) and store the tokens.
    Login(login::Args),
    /// Print an identity token for an agent, cached until a fifth of its lifetime is left.
    Token(token::Args),
    /// Remove stored tokens and revoke the Vault token `login` created.
    Logout(logout::Args),
}

impl GlobalOpts {
    pub fn load_options(&self) -> vault_oidc::config::LoadOptions {
        vault_oidc::config::LoadOptions {
            var_files: self.var_files.clone(),
            vars: self.vars.clone(),
        }
    }

    /// Loads and validates the config; any problem is a `file:line:col` diagnostic.
    pub fn load_config(&self) -> anyhow::Result<vault_oidc::config::Config> {
        let config = vault_oidc::config::load(&self.config, &self.load_options())?;
        vault_oidc::config::validate(&config)?;
        Ok(config)
    }

    pub fn connection(&self) -> vault_oidc::vault::ConnectionSettings {
        vault_oidc::vault::ConnectionSettings::resolve(&vault_oidc::vault::ConnectionFlags {
            address: self.address.clone(),
            namespace: self.namespace.clone(),
            ca_cert: self.ca_cert.clone(),
            skip_verify: self.tls_skip_verify,
        })
    }

    pub fn connect(&self) -> anyhow::Result<vault_oidc::vault::Vault> {
        Ok(vault_oidc::vault::Vault::connect(&self.connection())?)
    }
}

pub async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let g = &cli.global;
    match cli.command {
        Command::Validate(a) => validate::run(a, g).await,
        Command::Plan(a) => plan::run(a, g).await,
        Command::Apply(a) => apply::run(a, g).await,
        Command::Export(a) => export::run(a, g).await,
        Command::Doctor(a) => doctor::run(a, g).await,
        Command::Dev(a) => dev::run(a, g).await,
        Command::Verify(a) => verify::run(a, g).await,
        Command::Generate(a) => generate::run(a, g).await,
        Command::Migrate(a) => migrate::run(a, g).await,
        Command::Login(a) => login::run(a, g).await,
        Command::Token(a) => token::run(a, g).await,
        Command::Logout(a) => logout::run(a, g).await,
    }
}
