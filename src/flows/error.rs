//! Why a sign-in, token or logout flow failed.
//!
//! Messages name the address, provider, client, path or OAuth error at fault; never a token,
//! code, verifier or secret. The binary prints errors with `{:#}` (the message, then every
//! [`std::error::Error::source`] joined with `": "`), so a variant either carries its cause as a
//! `#[source]` and leaves it out of its own message (a context), or puts the cause in its message
//! and does not expose it as a source; never both, which would print the cause twice.

use std::path::PathBuf;

use crate::vault::api::oidc::flows::OAuthError;
use crate::vault::VaultError;

/// What went wrong in `login`, `token` or `logout`.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// Vault did not answer an unauthenticated request (discovery, token endpoint).
    #[error("cannot reach Vault at {address}: {reason}")]
    Unreachable { address: String, reason: String },

    /// The provider has no discovery document at this Vault.
    #[error("OIDC provider {provider:?} not found at {address} (HTTP {status})")]
    ProviderNotFound {
        provider: String,
        address: String,
        status: u16,
    },

    /// Reading the discovery document failed with another HTTP status.
    #[error("reading the discovery document of provider {provider:?}: HTTP {status}")]
    DiscoveryStatus { provider: String, status: u16 },

    /// The discovery document could not be decoded.
    #[error("the discovery document of provider {provider:?} is not valid")]
    InvalidDiscovery {
        provider: String,
        #[source]
        source: reqwest::Error,
    },

    /// The CA certificate of the connection settings could not be read.
    #[error("reading CA certificate {}", path.display())]
    ReadCaCert {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The CA certificate of the connection settings is not a PEM bundle.
    #[error("parsing CA certificate {}", path.display())]
    ParseCaCert {
        path: PathBuf,
        #[source]
        source: reqwest::Error,
    },

    /// The HTTP client for the OAuth endpoints could not be built.
    #[error(transparent)]
    HttpClient(reqwest::Error),

    /// The authorization endpoint answered an OAuth error (API mode) or redirected with one
    /// (browser mode). `hint` is empty or starts with `"; "`.
    #[error("authorization refused: {error}{hint}")]
    AuthorizationRefused { error: OAuthError, hint: String },

    /// The token endpoint answered an OAuth error.
    #[error("token endpoint ({grant_type}) refused (HTTP {status}): {error}")]
    TokenRefused {
        grant_type: String,
        status: u16,
        error: OAuthError,
    },

    /// The token endpoint failed without an OAuth error object; `message` is Vault's `errors`
    /// (as JSON) or the HTTP status.
    #[error("token endpoint ({grant_type}) failed (HTTP {status}): {message}")]
    TokenEndpoint {
        grant_type: String,
        status: u16,
        message: String,
    },

    /// The token endpoint answered 200 with something that is not a token response.
    #[error("token endpoint ({grant_type}): unexpected answer: {error}")]
    TokenAnswer {
        grant_type: String,
        error: serde_json::Error,
    },

    /// The token endpoint answered without an ID token.
    #[error("the token endpoint returned no ID token")]
    NoIdToken,

    /// The client may not use the client-credentials grant (`invalid_grant` or
    /// `unauthorized_client` from the token endpoint, which is the source).
    #[error(
        "client {client:?} may not use the client-credentials grant \
         (set client_credentials = true on it)"
    )]
    ClientCredentialsNotAllowed {
        client: String,
        #[source]
        source: Box<FlowError>,
    },

    /// The `state` that came back is not the one sent.
    #[error(
        "state mismatch: the authorization answer does not belong to this sign-in \
         (possible CSRF or a stale browser tab); nothing was stored"
    )]
    StateMismatch,

    /// The redirect had neither an error nor a code.
    #[error("the redirect carried no authorization code")]
    NoCode,

    /// The browser sign-in did not come back in time.
    #[error("no redirect received within {seconds}s; sign-in abandoned")]
    RedirectTimeout { seconds: u64 },

    /// The provider's authorization endpoint is not a URL.
    #[error("bad authorization endpoint {endpoint:?}")]
    BadAuthorizationEndpoint {
        endpoint: String,
        #[source]
        source: url::ParseError,
    },

    /// The redirect URI is not a URL.
    #[error("bad redirect URI {redirect_uri:?}")]
    BadRedirectUri {
        redirect_uri: String,
        #[source]
        source: url::ParseError,
    },

    /// The redirect URI cannot be served by the loopback listener.
    #[error(
        "the redirect URI {redirect_uri} is not a loopback http URI \
         (http://127.0.0.1:PORT/PATH), so the browser sign-in cannot receive the code"
    )]
    NotLoopback { redirect_uri: String },

    /// The loopback listener could not bind the redirect URI's host and port.
    #[error("cannot listen on {host}:{port} for the redirect")]
    Listen {
        host: String,
        port: u16,
        #[source]
        source: std::io::Error,
    },

    /// The loopback listener could not accept a connection.
    #[error(transparent)]
    Accept(std::io::Error),

    /// The ID token failed verification (signature, issuer, audience, expiry, `nonce`,
    /// `at_hash`). The check error is in the message, so it is not a `#[source]`.
    #[error("the ID token was rejected ({}): {error}; nothing was stored", error.category())]
    IdTokenRejected { error: oidc_checker::CheckError },

    /// The ID-token checker could not be configured.
    #[error(transparent)]
    Checker(#[from] oidc_checker::ConfigError),

    /// The OIDC client does not exist in Vault.
    #[error("OIDC client {client:?} not found in Vault")]
    ClientNotFound { client: String },

    /// Reading the OIDC client from Vault failed.
    #[error("reading OIDC client {client:?}")]
    ReadClient {
        client: String,
        #[source]
        source: VaultError,
    },

    /// The client must be looked up in Vault, and there is no Vault token to do it.
    #[error("no Vault token to look up client {client:?}: set VAULT_TOKEN, or pass --client-id")]
    NoTokenForClient { client: String },

    /// The client-credentials grant was asked for a public client.
    #[error(
        "client {client:?} is {client_type}: the client-credentials grant needs a confidential \
         client"
    )]
    NotConfidential { client: String, client_type: String },

    /// No provider lists the client in its `allowed_client_ids`.
    #[error("no OIDC provider allows this client; pass --provider")]
    NoProviderForClient,

    /// Neither `$VAULT_OIDC_STATE_DIR`, `$XDG_STATE_HOME` nor `$HOME` is set.
    #[error(
        "cannot find a state directory: set {} or HOME",
        super::store::STATE_DIR_ENV
    )]
    NoStateDir,

    /// Reading, writing or removing something in the state directory failed.
    #[error("{action} {}", path.display())]
    StateIo {
        /// What was being done: `"reading"`, `"writing"`, `"removing"`, …
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A file for the state directory could not be encoded.
    #[error("encoding {}", path.display())]
    Encode {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },

    /// The session file is not a session.
    #[error("{} is corrupt: {error}", path.display())]
    CorruptSession {
        path: PathBuf,
        error: serde_json::Error,
    },

    #[error(transparent)]
    Vault(#[from] VaultError),
}

impl FlowError {
    /// A [`FlowError::StateIo`] for `path`.
    pub(crate) fn state_io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> FlowError {
        let path = path.into();
        move |source| FlowError::StateIo {
            action,
            path,
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message as the binary prints it (anyhow's `{:#}`: the message, then each source).
    fn chain(e: &dyn std::error::Error) -> String {
        let mut out = e.to_string();
        let mut cur = e.source();
        while let Some(s) = cur {
            out.push_str(": ");
            out.push_str(&s.to_string());
            cur = s.source();
        }
        out
    }

    #[test]
    fn messages_match_the_former_anyhow_ones() {
        let oauth = OAuthError {
            error: "invalid_grant".into(),
            error_description: "bad secret".into(),
        };
        let refused = FlowError::TokenRefused {
            grant_type: "client_credentials".into(),
            status: 400,
            error: oauth.clone(),
        };
        assert_eq!(
            refused.to_string(),
            "token endpoint (client_credentials) refused (HTTP 400): invalid_grant: bad secret"
        );
        let wrapped = FlowError::ClientCredentialsNotAllowed {
            client: "cli".into(),
            source: Box::new(refused),
        };
        assert_eq!(
            chain(&wrapped),
            "client \"cli\" may not use the client-credentials grant (set client_credentials = \
             true on it): token endpoint (client_credentials) refused (HTTP 400): invalid_grant: \
             bad secret"
        );
        assert_eq!(
            FlowError::NotConfidential {
                client: "cli".into(),
                client_type: "public".into()
            }
            .to_string(),
            "client \"cli\" is public: the client-credentials grant needs a confidential client"
        );
        assert_eq!(
            FlowError::NoStateDir.to_string(),
            "cannot find a state directory: set VAULT_OIDC_STATE_DIR or HOME"
        );
        let denied = FlowError::AuthorizationRefused {
            error: OAuthError {
                error: "access_denied".into(),
                error_description: String::new(),
            },
            hint: String::new(),
        };
        assert_eq!(chain(&denied), "authorization refused: access_denied");
        let io = FlowError::state_io("writing", "/s/session.json")(std::io::Error::other("full"));
        assert_eq!(chain(&io), "writing /s/session.json: full");
    }
}
