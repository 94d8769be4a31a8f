//! `vault-oidc logout`: removes the stored tokens (session and token cache) and revokes the
//! Vault token that `login --vault-token` signed in with. Vault's provider has no end-session
//! endpoint: revoking that Vault token is what ends the session. Running it twice is fine.

use std::process::ExitCode;

use vault_oidc::flows::store::Store;
use vault_oidc::vault::api::oidc::flows::RevokeSelfRequest;
use vault_oidc::vault::{ConnectionSettings, Vault, VaultError};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only remove the stored tokens; do not revoke the Vault token.
    #[arg(long)]
    pub keep_vault_token: bool,
}

pub async fn run(args: Args, global: &super::GlobalOpts) -> anyhow::Result<ExitCode> {
    let store = Store::open_default()?;
    let session = store.load_session().unwrap_or(None);
    let mut failed = false;
    let mut revoked = false;
    if let Some(s) = &session {
        if let (Some(token), false) = (&s.vault_token, args.keep_vault_token) {
            let base = global.connection();
            let settings = ConnectionSettings {
                address: s.vault_address.clone(),
                token: Some(token.clone()),
                ..base
            };
            let result = match Vault::connect(&settings) {
                Ok(v) => v.write(RevokeSelfRequest {}).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => revoked = true,
                // 403: the token is already revoked or expired.
                Err(VaultError::PermissionDenied { .. }) => revoked = true,
                Err(e) => {
                    eprintln!("warning: could not revoke the Vault token: {e}");
                    failed = true;
                }
            }
        }
    }
    let removed = store.clear()?;
    match (&session, removed) {
        (None, 0) => println!("Not logged in; nothing to remove."),
        _ => println!(
            "Logged out: removed {removed} stored token file(s) from {}",
            store.dir().display()
        ),
    }
    if revoked {
        println!("Revoked the Vault token used to sign in.");
    }
    if let Some(s) = &session {
        if s.vault_token.is_none() {
            println!(
                "The browser's Vault session is separate: sign out at {}/ui/vault/logout",
                s.vault_address
            );
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
