//! Sign-in and token flows: `login` (authorization code + PKCE), `token`, `logout`.
//!
//! - [`pkce`]: verifier/challenge and random `state`/`nonce` values.
//! - [`authorize`]: the authorization step, through the API with a Vault token, or in the
//!   browser (the Vault UI) with a loopback redirect listener; the code exchange.
//! - [`login`]: the whole sign-in: discovery, authorize, exchange, ID-token verification with
//!   `oidc_checker` (`nonce`, `at_hash`), storing the session.
//! - [`store`]: the state directory (0700) and the session file (0600).
//! - [`token_cache`]: cached identity/access tokens, reused until a fifth of their lifetime is
//!   left.
//! - [`client_credentials`]: OpenBao's client-credentials grant.
//! - [`FlowError`]: why a flow failed.
//!
//! Nothing is stored unless every check passed; no token or secret is ever printed except by
//! `vault-oidc token`, which prints only the token.

pub mod authorize;
pub mod client_credentials;
mod error;
pub mod login;
pub mod pkce;
pub mod store;
pub mod token_cache;

pub use error::FlowError;

use std::path::PathBuf;
use std::time::Duration;

use rustify::endpoint::Endpoint;
use vaultrs::client::Client;

use crate::vault::api::oidc::flows::{
    DiscoveryRequest, DiscoveryResponse, OAuthError, TokenExchangeRequest, TokenResponse,
};
use crate::vault::{ConnectionSettings, Vault, VaultError};

/// An error of an OAuth endpoint: the OAuth error object when Vault sent one.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("{context} refused (HTTP {status}): {error}")]
    OAuth {
        context: String,
        status: u16,
        error: OAuthError,
    },
    #[error(transparent)]
    Vault(#[from] VaultError),
}

/// Executes an endpoint whose answer is a bare JSON object (no `data` envelope), keeping OAuth
/// error objects (`{"error", "error_description"}`) intact.
pub async fn exec_bare<E: Endpoint>(
    vault: &Vault,
    context: &str,
    endpoint: E,
) -> Result<E::Response, EndpointError> {
    let method = format!("{:?}", endpoint.method());
    let path = endpoint.path();
    let client = vault.client();
    let res = endpoint
        .with_middleware(client.middle())
        .exec(client.http())
        .await;
    let res = match res {
        Ok(r) => r,
        Err(rustify::errors::ClientError::ServerResponseError { code, content }) => {
            if let Some(err) = content
                .as_deref()
                .and_then(|c| serde_json::from_str::<OAuthError>(c).ok())
                .filter(|e| !e.error.is_empty())
            {
                return Err(EndpointError::OAuth {
                    context: context.to_string(),
                    status: code,
                    error: err,
                });
            }
            let errors = content
                .as_deref()
                .and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok())
                .and_then(|v| v.get("errors").cloned())
                .and_then(|e| serde_json::from_value::<Vec<String>>(e).ok())
                .unwrap_or_default();
            return Err(vault
                .classify(
                    &method,
                    &path,
                    vaultrs::error::ClientError::APIError { code, errors },
                )
                .into());
        }
        Err(e) => {
            return Err(vault
                .classify(
                    &method,
                    &path,
                    vaultrs::error::ClientError::RestClientError { source: e },
                )
                .into())
        }
    };
    res.parse().map_err(|e| {
        EndpointError::Vault(VaultError::Api {
            method,
            path,
            status: 200,
            message: format!("unexpected answer: {e}"),
        })
    })
}

/// The provider's discovery document (unauthenticated, so it works before any sign-in).
pub async fn discover(
    http: &reqwest::Client,
    settings: &ConnectionSettings,
    provider: &str,
) -> Result<DiscoveryResponse, FlowError> {
    let ep = DiscoveryRequest {
        name: provider.to_string(),
    };
    let url = format!("{}/v1/{}", settings.address, ep.path());
    let mut r = http.get(&url);
    if let Some(ns) = &settings.namespace {
        r = r.header("X-Vault-Namespace", ns);
    }
    let resp = r.send().await.map_err(|e| cannot_reach(settings, &e))?;
    let status = resp.status().as_u16();
    if status == 404 || status == 400 {
        return Err(FlowError::ProviderNotFound {
            provider: provider.to_string(),
            address: settings.address.clone(),
            status,
        });
    }
    if status != 200 {
        return Err(FlowError::DiscoveryStatus {
            provider: provider.to_string(),
            status,
        });
    }
    resp.json()
        .await
        .map_err(|source| FlowError::InvalidDiscovery {
            provider: provider.to_string(),
            source,
        })
}

/// An HTTP client for the unauthenticated OAuth endpoints (token endpoint), honouring the
/// connection's CA certificate and skip-verify settings.
pub fn http_client(settings: &ConnectionSettings) -> Result<reqwest::Client, FlowError> {
    let mut b = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .danger_accept_invalid_certs(settings.skip_verify);
    if let Some(ca) = &settings.ca_cert {
        let pem = read_ca_cert(ca)?;
        for cert in reqwest::Certificate::from_pem_bundle(&pem).map_err(|source| {
            FlowError::ParseCaCert {
                path: ca.clone(),
                source,
            }
        })? {
            b = b.add_root_certificate(cert);
        }
    }
    b.build().map_err(FlowError::HttpClient)
}

/// Sends a token-endpoint request (form body; HTTP basic for confidential clients).
pub async fn token_request(
    http: &reqwest::Client,
    settings: &ConnectionSettings,
    req: &TokenExchangeRequest,
) -> Result<TokenResponse, FlowError> {
    let url = format!("{}/v1/{}", settings.address, req.path());
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(req.form().iter().map(|(k, v)| (*k, v.as_str())))
        .finish();
    let mut r = http
        .post(&url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(ns) = &settings.namespace {
        r = r.header("X-Vault-Namespace", ns);
    }
    if let Some(secret) = &req.client_secret {
        r = r.basic_auth(
            form_component(&req.client_id),
            Some(form_component(secret.expose())),
        );
    }
    let resp = r.send().await.map_err(|e| cannot_reach(settings, &e))?;
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    if status != 200 {
        if let Ok(err) = serde_json::from_str::<OAuthError>(&text) {
            if !err.error.is_empty() {
                return Err(FlowError::TokenRefused {
                    grant_type: req.grant_type.clone(),
                    status,
                    error: err,
                });
            }
        }
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("errors").map(|e| e.to_string()))
            .unwrap_or_else(|| format!("HTTP {status}"));
        return Err(FlowError::TokenEndpoint {
            grant_type: req.grant_type.clone(),
            status,
            message,
        });
    }
    serde_json::from_str(&text).map_err(|error| FlowError::TokenAnswer {
        grant_type: req.grant_type.clone(),
        error,
    })
}

/// RFC 6749 §2.3.1: client id and secret are form-encoded before basic authentication.
fn form_component(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn cannot_reach(settings: &ConnectionSettings, err: &reqwest::Error) -> FlowError {
    FlowError::Unreachable {
        address: settings.address.clone(),
        reason: innermost(err),
    }
}

fn read_ca_cert(ca: &std::path::Path) -> Result<Vec<u8>, FlowError> {
    std::fs::read(ca).map_err(|source| FlowError::ReadCaCert {
        path: ca.to_path_buf(),
        source,
    })
}

fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &dyn std::error::Error = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Builds an `oidc_checker` builder with the connection's TLS settings.
pub fn checker_builder(
    settings: &ConnectionSettings,
) -> Result<oidc_checker::CheckerBuilder, FlowError> {
    let mut b = oidc_checker::Checker::builder().danger_accept_invalid_certs(settings.skip_verify);
    if let Some(ca) = &settings.ca_cert {
        b = b.ca_pem(read_ca_cert(ca)?);
    }
    Ok(b)
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The default state directory (see [`store::state_dir`]).
pub fn default_state_dir() -> Result<PathBuf, FlowError> {
    store::state_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formatting() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
    }
}
