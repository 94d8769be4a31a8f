//! OpenBao's client-credentials grant: a confidential client written with
//! `client_credentials = true` gets an access token (a JWT whose `sub` and `aud` are its own
//! client id — a machine principal) from the provider's token endpoint.

use super::token_cache::{now_unix, CachedToken};
use super::{http_client, token_request, FlowError};
use crate::vault::api::oidc::flows::TokenExchangeRequest;
use crate::vault::api::oidc::requests::{ListProvidersRequest, ReadClientRequest};
use crate::vault::{ConnectionSettings, Vault, VaultError};

/// Finds the provider that allows `client_id` (a non-`default` one first).
pub async fn provider_for(vault: &Vault, client_id: &str) -> Result<String, FlowError> {
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
        .ok_or(FlowError::NoProviderForClient)
}

/// Runs the grant for client `client` (its id and secret read from Vault with the current
/// token). Returns the access token with its lifetime.
pub async fn client_credentials_token(
    settings: &ConnectionSettings,
    vault: &Vault,
    client: &str,
    provider: Option<&str>,
    scopes: &[String],
) -> Result<CachedToken, FlowError> {
    let c = vault
        .read(ReadClientRequest {
            name: client.to_string(),
        })
        .await
        .map_err(|e| match e {
            VaultError::NotFound { .. } => FlowError::ClientNotFound {
                client: client.to_string(),
            },
            source => FlowError::ReadClient {
                client: client.to_string(),
                source,
            },
        })?;
    let Some(secret) = c
        .client_secret
        .clone()
        .filter(|_| c.client_type == "confidential")
    else {
        return Err(FlowError::NotConfidential {
            client: client.to_string(),
            client_type: c.client_type,
        });
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
        // The message, not only the OAuth error code: Vault may name these in other answers.
        let message = e.to_string();
        if message.contains("invalid_grant") || message.contains("unauthorized_client") {
            FlowError::ClientCredentialsNotAllowed {
                client: client.to_string(),
                source: Box::new(e),
            }
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
