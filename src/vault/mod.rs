//! Talking to Vault: connection settings as the Vault CLI reads them, one client, and errors that
//! say what failed (address, path and capability) without ever carrying a token or secret.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use rustify::endpoint::Endpoint;
use vaultrs::client::{VaultClient, VaultClientSettingsBuilder};
use vaultrs::error::ClientError;

pub mod api;

/// How to reach Vault. Built from flags, then `VAULT_*`, then `BAO_*` variables.
#[derive(Clone, Default)]
pub struct ConnectionSettings {
    pub address: String,
    pub token: Option<String>,
    pub namespace: Option<String>,
    pub ca_cert: Option<PathBuf>,
    pub skip_verify: bool,
}

// The token must never reach a log or an error message.
impl fmt::Debug for ConnectionSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionSettings")
            .field("address", &self.address)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("namespace", &self.namespace)
            .field("ca_cert", &self.ca_cert)
            .field("skip_verify", &self.skip_verify)
            .finish()
    }
}

/// Flag values that override the environment.
#[derive(Debug, Clone, Default)]
pub struct ConnectionFlags {
    pub address: Option<String>,
    pub namespace: Option<String>,
    pub ca_cert: Option<PathBuf>,
    pub skip_verify: bool,
}

fn env_var(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
}

fn truthy(v: &str) -> bool {
    matches!(
        v.to_ascii_lowercase().as_str(),
        "1" | "true" | "t" | "yes" | "y"
    )
}

impl ConnectionSettings {
    /// Resolves settings the way the Vault CLI does; the token falls back to `~/.vault-token`.
    pub fn resolve(flags: &ConnectionFlags) -> Self {
        let address = flags
            .address
            .clone()
            .or_else(|| env_var(&["VAULT_ADDR", "BAO_ADDR"]))
            .unwrap_or_else(|| "https://127.0.0.1:8200".into());
        let token = env_var(&["VAULT_TOKEN", "BAO_TOKEN"]).or_else(|| {
            let home = std::env::var_os("HOME")?;
            let text = std::fs::read_to_string(PathBuf::from(home).join(".vault-token")).ok()?;
            Some(text.trim().to_string()).filter(|t| !t.is_empty())
        });
        ConnectionSettings {
            address: address.trim_end_matches('/').to_string(),
            token,
            namespace: flags
                .namespace
                .clone()
                .or_else(|| env_var(&["VAULT_NAMESPACE", "BAO_NAMESPACE"])),
            ca_cert: flags
                .ca_cert
                .clone()
                .or_else(|| env_var(&["VAULT_CACERT", "BAO_CACERT"]).map(PathBuf::from)),
            skip_verify: flags.skip_verify
                || env_var(&["VAULT_SKIP_VERIFY", "BAO_SKIP_VERIFY"]).is_some_and(|v| truthy(&v)),
        }
    }
}

/// What went wrong talking to Vault. Messages name the address, path and capability; never a
/// token, secret or request body.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("cannot reach Vault at {address}: {reason}")]
    Unreachable { address: String, reason: String },
    #[error("Vault at {address} is sealed")]
    Sealed { address: String },
    #[error(
        "no Vault token: set VAULT_TOKEN (or BAO_TOKEN) or log in so that ~/.vault-token exists"
    )]
    NoToken,
    #[error("permission denied: the token lacks {capability:?} on {path} (Vault at {address})")]
    PermissionDenied {
        address: String,
        path: String,
        capability: &'static str,
    },
    #[error("{path} not found")]
    NotFound { path: String },
    #[error("Vault refused {method} {path} (status {status}): {message}")]
    Api {
        method: String,
        path: String,
        status: u16,
        message: String,
    },
    #[error("invalid Vault settings: {0}")]
    Settings(String),
}

impl VaultError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, VaultError::NotFound { .. })
    }
}

/// The capability a request method needs, as Vault policies name it.
fn capability(method: &str) -> &'static str {
    match method {
        "GET" => "read",
        "LIST" => "list",
        "DELETE" => "delete",
        _ => "update",
    }
}

/// One authenticated client for one Vault server.
pub struct Vault {
    client: VaultClient,
    address: String,
}

impl Vault {
    pub fn connect(settings: &ConnectionSettings) -> Result<Self, VaultError> {
        let token = settings.token.clone().ok_or(VaultError::NoToken)?;
        let mut b = VaultClientSettingsBuilder::default();
        b.address(&settings.address)
            .token(token)
            .verify(!settings.skip_verify)
            .timeout(Some(Duration::from_secs(30)));
        if let Some(ns) = &settings.namespace {
            b.namespace(Some(ns.clone()));
        }
        if let Some(ca) = &settings.ca_cert {
            b.ca_certs(vec![ca.display().to_string()]);
        }
        let s = b.build().map_err(|e| VaultError::Settings(e.to_string()))?;
        let client = VaultClient::new(s).map_err(|e| VaultError::Settings(e.to_string()))?;
        Ok(Vault {
            client,
            address: settings.address.clone(),
        })
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn client(&self) -> &VaultClient {
        &self.client
    }

    /// Turns a `vaultrs` error into one that names the address, path and capability.
    pub fn classify(&self, method: &str, path: &str, err: ClientError) -> VaultError {
        match err {
            ClientError::APIError { code, errors } => {
                let message = errors.join("; ");
                if code == 503 && message.contains("sealed") {
                    VaultError::Sealed {
                        address: self.address.clone(),
                    }
                } else if code == 403 {
                    VaultError::PermissionDenied {
                        address: self.address.clone(),
                        path: path.to_string(),
                        capability: capability(method),
                    }
                } else if code == 404 {
                    VaultError::NotFound {
                        path: path.to_string(),
                    }
                } else {
                    VaultError::Api {
                        method: method.into(),
                        path: path.into(),
                        status: code,
                        message,
                    }
                }
            }
            ClientError::RestClientError { source } => {
                let reason = match &source {
                    rustify::errors::ClientError::RequestError { source, .. } => {
                        short_reason(source.as_ref())
                    }
                    rustify::errors::ClientError::ServerResponseError { code, .. }
                        if *code == 404 =>
                    {
                        return VaultError::NotFound {
                            path: path.to_string(),
                        }
                    }
                    other => other.to_string(),
                };
                VaultError::Unreachable {
                    address: self.address.clone(),
                    reason,
                }
            }
            ClientError::ResponseEmptyError | ClientError::ResponseDataEmptyError => {
                VaultError::NotFound {
                    path: path.to_string(),
                }
            }
            other => VaultError::Api {
                method: method.into(),
                path: path.into(),
                status: 0,
                message: other.to_string(),
            },
        }
    }

    /// Executes an endpoint that returns data (under Vault's `data` envelope).
    pub async fn read<E: Endpoint>(&self, endpoint: E) -> Result<E::Response, VaultError> {
        let (method, path) = (format!("{:?}", endpoint.method()), endpoint.path());
        vaultrs::api::exec_with_result(&self.client, endpoint)
            .await
            .map_err(|e| self.classify(&method, &path, e))
    }

    /// Executes an endpoint that returns no data.
    pub async fn write<E: Endpoint>(&self, endpoint: E) -> Result<(), VaultError> {
        let (method, path) = (format!("{:?}", endpoint.method()), endpoint.path());
        vaultrs::api::exec_with_empty(&self.client, endpoint)
            .await
            .map_err(|e| self.classify(&method, &path, e))
    }

    /// Lists a path; a path with no entries is an empty list, not an error.
    pub async fn list<E: Endpoint>(&self, endpoint: E) -> Result<Option<E::Response>, VaultError> {
        match self.read(endpoint).await {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The innermost cause of a transport error, which is the useful part ("Connection refused").
fn short_reason(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &dyn std::error::Error = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    let text = cur.to_string();
    if text.is_empty() {
        err.to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let s = ConnectionSettings {
            address: "http://x".into(),
            token: Some("hvs.SECRET".into()),
            ..Default::default()
        };
        let text = format!("{s:?}");
        assert!(!text.contains("SECRET"), "{text}");
        assert!(text.contains("<redacted>"));
    }

    #[test]
    fn capability_names_follow_vault_policies() {
        assert_eq!(capability("GET"), "read");
        assert_eq!(capability("LIST"), "list");
        assert_eq!(capability("POST"), "update");
        assert_eq!(capability("DELETE"), "delete");
    }
}
