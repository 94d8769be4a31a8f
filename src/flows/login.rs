//! The whole sign-in: discovery → authorize (API or browser) → code exchange → ID-token
//! verification (`nonce`, `at_hash`, signature, issuer, audience, expiry) → session stored 0600.
//! Any failure stops before anything is written.

use std::time::Duration;

use oidc_checker::{Expect, IssuerConfig, TokenKind};

use super::authorize::{authorization_url, authorize_api, open_browser, AuthParams, Loopback};
use super::store::{Session, Store};
use super::{checker_builder, discover, http_client, token_request, FlowError};
use crate::vault::api::oidc::flows::TokenExchangeRequest;
use crate::vault::api::oidc::requests::ReadClientRequest;
use crate::vault::api::oidc::responses::Secret;
use crate::vault::{ConnectionSettings, Vault, VaultError};

/// The loopback redirect URI used when the client has none registered (and the example's).
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8250/oidc/callback";

/// How the authorization step is done.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Through the API with the current Vault token (no browser).
    Api,
    /// In the browser (Vault UI), the code arriving on a loopback redirect.
    Browser { timeout: Duration },
}

#[derive(Debug, Clone)]
pub struct LoginOptions {
    pub provider: String,
    /// The client's name in Vault (`identity/oidc/client/NAME`).
    pub client: String,
    /// The client's id, when the client cannot be read with the current token (public clients
    /// only: no secret is needed).
    pub client_id: Option<String>,
    /// Scopes besides `openid`; empty: every scope the provider supports.
    pub scopes: Vec<String>,
    pub redirect_uri: Option<String>,
    pub mode: Mode,
}

/// Where the browser must go (for display), reported before waiting.
pub type OnUrl<'a> = &'a (dyn Fn(&str) + Send + Sync);

struct ClientInfo {
    client_id: String,
    secret: Option<Secret>,
    redirect_uris: Vec<String>,
}

async fn resolve_client(
    vault: Option<&Vault>,
    opts: &LoginOptions,
) -> Result<ClientInfo, FlowError> {
    if let Some(id) = &opts.client_id {
        return Ok(ClientInfo {
            client_id: id.clone(),
            secret: None,
            redirect_uris: Vec::new(),
        });
    }
    let Some(vault) = vault else {
        return Err(FlowError::NoTokenForClient {
            client: opts.client.clone(),
        });
    };
    let c = vault
        .read(ReadClientRequest {
            name: opts.client.clone(),
        })
        .await
        .map_err(|e| match e {
            VaultError::NotFound { .. } => FlowError::ClientNotFound {
                client: opts.client.clone(),
            },
            source => FlowError::ReadClient {
                client: opts.client.clone(),
                source,
            },
        })?;
    Ok(ClientInfo {
        client_id: c.client_id,
        secret: if c.client_type == "confidential" {
            c.client_secret
        } else {
            None
        },
        redirect_uris: c.redirect_uris,
    })
}

fn is_loopback(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| {
        u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
    })
}

/// Signs in and stores the session in `store`. Returns the stored session.
pub async fn login(
    settings: &ConnectionSettings,
    opts: &LoginOptions,
    store: &Store,
    on_url: OnUrl<'_>,
) -> Result<Session, FlowError> {
    let vault = match Vault::connect(settings) {
        Ok(v) => Some(v),
        Err(VaultError::NoToken) if matches!(opts.mode, Mode::Browser { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let http = http_client(settings)?;
    let discovery = discover(&http, settings, &opts.provider).await?;
    let client = resolve_client(vault.as_ref(), opts).await?;
    let redirect_uri = opts
        .redirect_uri
        .clone()
        .or_else(|| {
            client
                .redirect_uris
                .iter()
                .find(|u| is_loopback(u))
                .cloned()
        })
        .unwrap_or_else(|| DEFAULT_REDIRECT_URI.to_string());
    // Without --scope, every scope the provider supports (so the username and groups claims
    // of its scope templates are in the ID token).
    let scopes = if opts.scopes.is_empty() {
        &discovery.scopes_supported
    } else {
        &opts.scopes
    };
    let params = AuthParams::new(&opts.provider, &client.client_id, &redirect_uri, scopes);

    let code = match &opts.mode {
        Mode::Api => {
            let vault = vault.as_ref().ok_or(VaultError::NoToken)?;
            authorize_api(vault, &params).await?
        }
        Mode::Browser { timeout } => {
            let listener = Loopback::bind(&redirect_uri).await?;
            let url = authorization_url(&discovery.authorization_endpoint, &params)?;
            on_url(&url);
            open_browser(&url);
            listener.wait_for_code(&params.state, *timeout).await?
        }
    };

    let tokens = token_request(
        &http,
        settings,
        &TokenExchangeRequest {
            provider: opts.provider.clone(),
            grant_type: "authorization_code".into(),
            client_id: client.client_id.clone(),
            client_secret: client.secret.clone(),
            code: Some(code),
            redirect_uri: Some(redirect_uri.clone()),
            code_verifier: Some(Secret(params.pkce.verifier.clone())),
            scope: None,
        },
    )
    .await?;
    let id_token = tokens.id_token.clone().ok_or(FlowError::NoIdToken)?;

    let checker = checker_builder(settings)?
        .issuer(
            IssuerConfig::new(&discovery.issuer)
                .audience(&client.client_id)
                .accept_kind(TokenKind::IdToken),
        )
        .build()?;
    let principal = checker
        .check_with(
            id_token.expose(),
            Expect {
                nonce: Some(&params.nonce),
                access_token: Some(tokens.access_token.expose()),
            },
        )
        .await
        .map_err(|error| FlowError::IdTokenRejected { error })?;

    let session = Session {
        vault_address: settings.address.clone(),
        provider: opts.provider.clone(),
        client: opts.client.clone(),
        client_id: client.client_id,
        issuer: discovery.issuer,
        id_token: id_token.expose().to_string(),
        access_token: tokens.access_token.expose().to_string(),
        expires_at: principal.expires_at.unwrap_or_default(),
        username: principal.username,
        groups: principal.groups,
        vault_token: match opts.mode {
            Mode::Api => settings.token.clone(),
            Mode::Browser { .. } => None,
        },
    };
    store.save_session(&session)?;
    Ok(session)
}
