//! `vault-oidc login`: the authorization-code flow with PKCE (S256), `state` and `nonce`.
//!
//! * Default: opens the browser at the provider's authorization endpoint (the Vault UI) and
//!   receives the code on the loopback redirect URI (the client's registered
//!   `http://127.0.0.1:PORT/PATH`, or `--redirect-uri`).
//! * `--vault-token`: does the authorize step through the API with the current Vault token
//!   (`VAULT_TOKEN`, else `~/.vault-token`), without a browser (CI, tests). `logout` revokes that
//!   token.
//!
//! The ID token is verified (signature, issuer, audience, expiry, `nonce`, `at_hash`) before
//! anything is stored; the tokens go 0600 into the state directory. Prints the username,
//! groups and expiry; never a token.

use std::process::ExitCode;
use std::time::Duration;

use vault_oidc::flows::login::{login, LoginOptions, Mode};
use vault_oidc::flows::store::Store;
use vault_oidc::flows::{format_utc, token_cache::now_unix};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The OIDC provider's name in Vault.
    #[arg(long, default_value = "default")]
    pub provider: String,
    /// The OIDC client's name in Vault (read with the current token for its id and secret).
    #[arg(long)]
    pub client: String,
    /// The client's id, when the client cannot be read with the current token (public clients).
    #[arg(long)]
    pub client_id: Option<String>,
    /// A scope to request (repeatable; `openid` is always requested). Default: every scope the
    /// provider supports.
    #[arg(long = "scope", value_name = "S")]
    pub scopes: Vec<String>,
    /// The redirect URI (default: the client's first loopback redirect URI, else
    /// http://127.0.0.1:8250/oidc/callback).
    #[arg(long)]
    pub redirect_uri: Option<String>,
    /// Authorize through the API with the current Vault token instead of the browser.
    #[arg(long)]
    pub vault_token: bool,
    /// How long to wait for the browser sign-in, in seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub timeout: u64,
}

pub async fn run(args: Args, global: &super::GlobalOpts) -> anyhow::Result<ExitCode> {
    let settings = global.connection();
    let store = Store::open_default()?;
    let opts = LoginOptions {
        provider: args.provider,
        client: args.client,
        client_id: args.client_id,
        scopes: args.scopes,
        redirect_uri: args.redirect_uri,
        mode: if args.vault_token {
            Mode::Api
        } else {
            Mode::Browser {
                timeout: Duration::from_secs(args.timeout),
            }
        },
    };
    let on_url = |url: &str| {
        eprintln!("Opening the browser to sign in. If it does not open, visit:\n  {url}");
    };
    let session = login(&settings, &opts, &store, &on_url).await?;
    let left = session.expires_at.saturating_sub(now_unix());
    println!("Logged in as {}", session.username);
    println!(
        "Groups: {}",
        if session.groups.is_empty() {
            "(none)".to_string()
        } else {
            session.groups.join(", ")
        }
    );
    println!(
        "ID token expires at {} (in {}m{:02}s)",
        format_utc(session.expires_at),
        left / 60,
        left % 60
    );
    eprintln!("Tokens stored in {}", store.dir().display());
    Ok(ExitCode::SUCCESS)
}
