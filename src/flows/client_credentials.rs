//! OpenBao's client-credentials grant: a confidential client written with
//! `client_credentials = true` gets an access token (a JWT whose `sub` and `aud` are its own
//! client id — a machine principal) from the provider's token endpoint.

use super::token_cache::{now_unix, CachedToken};
use super::{http_client, token_request};
use crate::vault::api::oidc::flows::TokenExchangeRequest;
use crate::vault::api::oidc::requests::{ListProvidersRequest, ReadClientRequest};
use crate::vault::{ConnectionSettings, Vault, VaultError};

/// Finds the provider that allows `client_id` (a non-`default` one first).
pub async fn provider_for(vault: &Vault, client_id: &str) -> anyhow::Result<String> {
    let list = vault
        .list(ListProvidersRequest {})
        .await?
        .unwrap_or_default();
    let mut names: Vec<&String> = list
        .keys
        .iter()
        .filter(|n| {
            list.key_info.get(*n).is_some_and(|p| {
                p.allowed_client_ids
                    .iter()
                    .any(|c| c == client_id || c == "*")
            })
        })
        .collect();
    names.sort_by_key(|n| (n.as_str() == "default", n.as_str().to_string()));
    names
        .first()
        .map(|n| n.to_string())
        .ok_or_else(|| anyhow::anyhow!("no OIDC provider allows this client; pass --provider"))
}

/// Runs the grant for client `client` (its id and secret read from Vault with the current
/// token). Returns the access token with its lifetime.
pub async fn client_credentials_token(
    settings: &ConnectionSettings,
    vault: &Vault,
    client: &str,
    provider: Option<&str>,
    scopes: &[String],
) -> anyhow::Result<CachedToken> {
    let c = vault
        .read(ReadClientRequest {
            name: client.to_string(),
        })
        .await
        .map_err(|e| match e {
            VaultError::NotFound { .. } => {
                anyhow::anyhow!("OIDC client {client:?} not found in Vault")
            }
            other => anyhow::Error::from(other).context(format!("reading OIDC client {client:?}")),
        })?;
    let Some(secret) = c
        .client_secret
        .clone()
        .filter(|_| c.client_type == "confidential")
    else {
        anyhow::bail!(
            "client {client:?} is {}: the client-credentials grant needs a confidential client",
            c.client_type
        );
    };
    let provider = match provider {
        Some(p) => p.to_string(),
        None => provider_for(vault, &c.client_id).await?,
    };
    let mut scope = vec!["openid".to_string()];
    scope.extend(
        scopes
            .iter()
            .flat_map(|s| s.split_whitespace().map(str::to_string)),
    );
    scope.dedup();
    let http = http_client(settings)?;
    let now = now_unix();
    let resp = token_request(
        &http,
        settings,
        &TokenExchangeRequest {
            provider,
            grant_type: "client_credentials".into(),
            client_id: c.client_id,
            client_secret: Some(secret),
            scope: Some(scope.join(" ")),
            ..Default::default()
        },
    )
    .await
    .map_err(|e| {
        if e.to_string().contains("invalid_grant") || e.to_string().contains("unauthorized_client")
        {
            e.context(format!(
                "client {client:?} may not use the client-credentials grant \
                 (set client_credentials = true on it)"
            ))
        } else {
            e
        }
    })?;
    Ok(CachedToken::new(
        resp.access_token.expose().to_string(),
        now,
        resp.expires_in,
    ))
}
