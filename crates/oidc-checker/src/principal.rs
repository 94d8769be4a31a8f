//! The result of a successful check.

use serde::Serialize;
use serde_json::{Map, Value};

/// Who a valid token speaks for, normalised across token kinds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Principal {
    /// The trusted issuer that vouched for the token (exactly as configured).
    pub issuer: String,
    /// `sub`.
    pub subject: String,
    /// The username claim (`username` by default; `cognito:username` for Cognito ID tokens),
    /// else `sub`.
    pub username: String,
    /// The groups claim (`groups` by default; `cognito:groups` for Cognito), empty when absent.
    pub groups: Vec<String>,
    /// `aud` (or the Cognito access token's `client_id`). Empty for opaque tokens.
    pub audience: Vec<String>,
    /// `exp` in Unix seconds; `None` for opaque tokens checked at userinfo.
    pub expires_at: Option<u64>,
    /// What sort of token it was.
    pub kind: TokenKind,
    /// All claims of the token (or of the userinfo response), for policies that need more.
    pub claims: Map<String, Value>,
}

impl Principal {
    /// True for machine principals (client-credentials tokens).
    pub fn is_machine(&self) -> bool {
        self.kind == TokenKind::ClientCredentials
    }

    /// True when the principal is in `group`.
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }
}

/// The kinds of token the checker understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// An ID token from a Vault OIDC provider (`iss = …/v1/identity/oidc/provider/NAME`).
    IdToken,
    /// An identity token minted at `identity/oidc/token/ROLE` (`iss = …/v1/identity/oidc`).
    IdentityToken,
    /// A client-credentials access token (`sub` = the client's id): a machine principal.
    ClientCredentials,
    /// A Cognito ID token (`token_use: id`).
    CognitoId,
    /// A Cognito access token (`token_use: access`, `client_id` instead of `aud`).
    CognitoAccess,
    /// An opaque Vault access token checked online at the provider's userinfo endpoint.
    OpaqueAccess,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::IdToken => "id_token",
            TokenKind::IdentityToken => "identity_token",
            TokenKind::ClientCredentials => "client_credentials",
            TokenKind::CognitoId => "cognito_id",
            TokenKind::CognitoAccess => "cognito_access",
            TokenKind::OpaqueAccess => "opaque_access",
        }
    }
}

impl std::str::FromStr for TokenKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [
            TokenKind::IdToken,
            TokenKind::IdentityToken,
            TokenKind::ClientCredentials,
            TokenKind::CognitoId,
            TokenKind::CognitoAccess,
            TokenKind::OpaqueAccess,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| format!("unknown token kind {s:?}"))
    }
}
