//! The OIDC provider's user-facing endpoints (authorize, discovery, token) and token
//! self-revocation, as `vault-oidc login`, `token` and `logout` use them.
//!
//! OpenBao/Vault behaviour these types follow:
//! - `GET identity/oidc/provider/P/authorize` with the user's Vault token answers **200 with a
//!   bare JSON object** `{"code", "state"}` (no `data` envelope, no redirect); refusals are 400
//!   with an OAuth error object `{"error", "error_description"}` (`access_denied`,
//!   `invalid_redirect_uri`, `invalid_scope`, `invalid_request`, `unauthorized_client`).
//! - `POST identity/oidc/provider/P/token` takes a form body (`application/x-www-form-urlencoded`)
//!   and answers `{"access_token", "expires_in", "id_token", "token_type"}` — there is no refresh
//!   token. Because rustify only sends JSON bodies, [`TokenExchangeRequest`] is a plain form
//!   type sent by the flows' HTTP client.
//! - `POST auth/token/revoke-self` revokes the calling token.

use std::fmt;

use derive_builder::Builder;
use rustify_derive::Endpoint;
use serde::{Deserialize, Serialize};

use super::responses::Secret;

/// ## Authorize (the authorization endpoint, through the API)
///
/// Called with the signed-in user's Vault token instead of through the Vault UI.
///
/// * Path: identity/oidc/provider/{self.name}/authorize
/// * Method: GET
/// * Response: [AuthorizeResponse] (bare, not under `data`)
#[derive(Builder, Debug, Default, Endpoint, Serialize)]
#[endpoint(
    path = "identity/oidc/provider/{self.name}/authorize",
    method = "GET",
    response = "AuthorizeResponse",
    builder = "true"
)]
#[builder(setter(into), default)]
pub struct AuthorizeRequest {
    #[endpoint(skip)]
    #[serde(skip)]
    pub name: String,
    #[endpoint(query)]
    pub client_id: String,
    #[endpoint(query)]
    pub redirect_uri: String,
    #[endpoint(query)]
    pub response_type: String,
    /// Space-separated; must contain `openid`.
    #[endpoint(query)]
    pub scope: String,
    #[endpoint(query)]
    pub state: String,
    #[endpoint(query)]
    pub nonce: String,
    #[endpoint(query)]
    pub code_challenge: String,
    #[endpoint(query)]
    pub code_challenge_method: String,
}

/// Response from [AuthorizeRequest].
#[derive(Deserialize, Clone, Default)]
pub struct AuthorizeResponse {
    pub code: Secret,
    #[serde(default)]
    pub state: String,
}

impl fmt::Debug for AuthorizeResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizeResponse")
            .field("code", &self.code)
            .field("state", &self.state)
            .finish()
    }
}

/// An OAuth error answer (`{"error", "error_description"}`).
#[derive(Deserialize, Debug, Clone, Default)]
pub struct OAuthError {
    pub error: String,
    #[serde(default)]
    pub error_description: String,
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.error_description.is_empty() {
            f.write_str(&self.error)
        } else {
            write!(f, "{}: {}", self.error, self.error_description)
        }
    }
}

/// ## Read a provider's discovery document (unauthenticated)
///
/// * Path: identity/oidc/provider/{self.name}/.well-known/openid-configuration
/// * Method: GET
/// * Response: [DiscoveryResponse] (bare, not under `data`)
#[derive(Builder, Debug, Endpoint)]
#[endpoint(
    path = "identity/oidc/provider/{self.name}/.well-known/openid-configuration",
    method = "GET",
    response = "DiscoveryResponse",
    builder = "true"
)]
#[builder(setter(into))]
pub struct DiscoveryRequest {
    #[endpoint(skip)]
    pub name: String,
}

/// Response from [DiscoveryRequest].
#[derive(Deserialize, Debug, Clone, Default)]
pub struct DiscoveryResponse {
    pub issuer: String,
    /// The Vault UI's authorization page.
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    #[serde(default)]
    pub grant_types_supported: Vec<String>,
}

/// ## Exchange a code or run the client-credentials grant (the token endpoint)
///
/// Sent as a form body to `identity/oidc/provider/P/token`; confidential clients authenticate
/// with HTTP basic (`client_secret_basic`), public clients send `client_id` in the body.
///
/// * Path: identity/oidc/provider/{provider}/token
/// * Method: POST (form)
/// * Response: [TokenResponse] (bare)
#[derive(Clone, Default)]
pub struct TokenExchangeRequest {
    pub provider: String,
    /// `authorization_code` or `client_credentials`.
    pub grant_type: String,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub code: Option<Secret>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<Secret>,
    pub scope: Option<String>,
}

impl TokenExchangeRequest {
    pub fn path(&self) -> String {
        format!("identity/oidc/provider/{}/token", self.provider)
    }

    /// The form fields (client authentication is not among them for confidential clients).
    pub fn form(&self) -> Vec<(&'static str, String)> {
        let mut f = vec![("grant_type", self.grant_type.clone())];
        if let Some(c) = &self.code {
            f.push(("code", c.expose().to_string()));
        }
        if let Some(r) = &self.redirect_uri {
            f.push(("redirect_uri", r.clone()));
        }
        if let Some(v) = &self.code_verifier {
            f.push(("code_verifier", v.expose().to_string()));
        }
        if let Some(s) = &self.scope {
            f.push(("scope", s.clone()));
        }
        if self.client_secret.is_none() {
            f.push(("client_id", self.client_id.clone()));
        }
        f
    }
}

impl fmt::Debug for TokenExchangeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenExchangeRequest")
            .field("provider", &self.provider)
            .field("grant_type", &self.grant_type)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("code", &self.code)
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Response from the token endpoint. No refresh token: Vault's provider issues none.
#[derive(Deserialize, Debug, Clone, Default)]
pub struct TokenResponse {
    pub access_token: Secret,
    #[serde(default)]
    pub id_token: Option<Secret>,
    #[serde(default)]
    pub expires_in: u64,
    #[serde(default)]
    pub token_type: String,
}

/// ## Revoke the calling token
///
/// * Path: auth/token/revoke-self
/// * Method: POST
#[derive(Builder, Debug, Default, Endpoint)]
#[endpoint(path = "auth/token/revoke-self", method = "POST", builder = "true")]
#[builder(setter(into), default)]
pub struct RevokeSelfRequest {}

#[cfg(test)]
mod tests {
    use super::*;
    use rustify::endpoint::Endpoint;

    #[test]
    fn authorize_sends_every_parameter_in_the_query() {
        let r = AuthorizeRequest {
            name: "main".into(),
            client_id: "cid".into(),
            redirect_uri: "http://127.0.0.1:8250/oidc/callback".into(),
            response_type: "code".into(),
            scope: "openid profile".into(),
            state: "st".into(),
            nonce: "no".into(),
            code_challenge: "ch".into(),
            code_challenge_method: "S256".into(),
        };
        assert_eq!(r.path(), "identity/oidc/provider/main/authorize");
        let q = r.query().unwrap().unwrap();
        for part in [
            "client_id=cid",
            "response_type=code",
            "scope=openid+profile",
            "state=st",
            "nonce=no",
            "code_challenge=ch",
            "code_challenge_method=S256",
            "redirect_uri=http%3A%2F%2F127.0.0.1%3A8250%2Foidc%2Fcallback",
        ] {
            assert!(q.contains(part), "{part} missing from {q}");
        }
        assert!(!q.contains("name="), "{q}");
    }

    #[test]
    fn token_request_debug_hides_secrets() {
        let r = TokenExchangeRequest {
            provider: "main".into(),
            grant_type: "authorization_code".into(),
            client_id: "cid".into(),
            client_secret: Some(Secret("SECRETVALUE".into())),
            code: Some(Secret("CODEVALUE".into())),
            code_verifier: Some(Secret("VERIFIER".into())),
            ..Default::default()
        };
        let d = format!("{r:?}");
        assert!(!d.contains("SECRETVALUE") && !d.contains("CODEVALUE") && !d.contains("VERIFIER"));
        // confidential: no client_id in the body (basic auth instead)
        assert!(!r.form().iter().any(|(k, _)| *k == "client_id"));
    }
}
