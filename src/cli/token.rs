//! `vault-oidc token`: prints a token for an agent, and only the token, on stdout, so that
//! `curl -H "Authorization: Bearer $(vault-oidc token --role agent)"` works.
//!
//! * `--role R`: an identity token minted at `identity/oidc/token/R` with the current Vault
//!   token (else the one `login --vault-token` used).
//! * `--client C --client-credentials [--provider P]`: an access token from OpenBao's
//!   client-credentials grant (the client's id and secret are read from Vault).
//!
//! Tokens are cached 0600 in the state directory and returned from the cache, without any
//! request to Vault, until less than a fifth of their lifetime is left.

use std::process::ExitCode;

use vault_oidc::flows::client_credentials::client_credentials_token;
use vault_oidc::flows::store::Store;
use vault_oidc::flows::token_cache::{now_unix, CachedToken, TokenCache};
use vault_oidc::vault::api::oidc::requests::GenerateTokenRequest;
use vault_oidc::vault::{Vault, VaultError};

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["role", "client"])))]
pub struct Args {
    /// Mint an identity token for this role (identity/oidc/token/ROLE).
    #[arg(long, conflicts_with_all = ["client", "client_credentials"])]
    pub role: Option<String>,
    /// The OIDC client (with --client-credentials).
    #[arg(long, requires = "client_credentials")]
    pub client: Option<String>,
    /// Use OpenBao's client-credentials grant for --client.
    #[arg(long, requires = "client")]
    pub client_credentials: bool,
    /// The provider whose token endpoint to use (default: the one that allows the client).
    #[arg(long, requires = "client")]
    pub provider: Option<String>,
    /// An extra scope for the client-credentials grant (repeatable).
    #[arg(long = "scope", value_name = "S", requires = "client")]
    pub scopes: Vec<String>,
    /// Ignore the cache and mint a new token.
    #[arg(long)]
    pub no_cache: bool,
}

pub async fn run(args: Args, global: &super::GlobalOpts) -> anyhow::Result<ExitCode> {
    let mut settings = global.connection();
    let store = Store::open_default()?;
    if settings.token.is_none() {
        // The Vault token `login --vault-token` used, if it was for this Vault.
        if let Some(s) = store.load_session()? {
            if s.vault_address == settings.address {
                settings.token = s.vault_token;
            }
        }
    }
    let vault_token = settings.token.clone().ok_or(VaultError::NoToken)?;
    let cache = TokenCache::new(store.cache_dir());
    let ns = settings.namespace.clone().unwrap_or_default();
    let key: Vec<String> = match (&args.role, &args.client) {
        (Some(role), _) => vec![
            "role".into(),
            settings.address.clone(),
            ns,
            role.clone(),
            vault_token,
        ],
        (None, Some(client)) => {
            let mut k = vec![
                "client_credentials".into(),
                settings.address.clone(),
                ns,
                args.provider.clone().unwrap_or_default(),
                client.clone(),
                vault_token,
            ];
            k.extend(args.scopes.iter().cloned());
            k
        }
        (None, None) => anyhow::bail!("pass --role R, or --client C --client-credentials"),
    };
    let parts: Vec<&str> = key.iter().map(String::as_str).collect();
    let path = cache.path_for(&parts);
    let now = now_unix();
    if !args.no_cache {
        if let Some(t) = cache.get_fresh(&path, now) {
            println!("{}", t.token);
            return Ok(ExitCode::SUCCESS);
        }
    }
    let vault = Vault::connect(&settings)?;
    let token = match (&args.role, &args.client) {
        (Some(role), _) => mint_identity_token(&vault, role, now).await?,
        (None, Some(client)) => {
            client_credentials_token(
                &settings,
                &vault,
                client,
                args.provider.as_deref(),
                &args.scopes,
            )
            .await?
        }
        (None, None) => unreachable!("checked above"),
    };
    cache.put(&path, &token)?;
    println!("{}", token.token);
    Ok(ExitCode::SUCCESS)
}

async fn mint_identity_token(vault: &Vault, role: &str, now: u64) -> anyhow::Result<CachedToken> {
    let r = vault
        .read(GenerateTokenRequest {
            name: role.to_string(),
        })
        .await
        .map_err(|e| match e {
            VaultError::Api {
                status: 400,
                message,
                ..
            } => anyhow::anyhow!(
                "Vault refused an identity token for role {role:?}: {message} \
                 (the Vault token must belong to an identity entity)"
            ),
            VaultError::NotFound { .. } => {
                anyhow::anyhow!("identity token role {role:?} not found")
            }
            other => anyhow::Error::from(other)
                .context(format!("minting an identity token for role {role:?}")),
        })?;
    Ok(CachedToken::new(r.token.expose().to_string(), now, r.ttl))
}
