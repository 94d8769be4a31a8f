//! The result of a successful check.

use serde::{Serialize, Serializer};
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
    /// All claims of the token (or of the userinfo response), for policies that need more: the
    /// JSON object as received, parsed on demand ([`Claims::get`], [`Claims::to_map`]).
    pub claims: Claims,
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

/// The claims of a checked token: the payload's JSON object text, kept as received (already
/// validated) so that a check does not build a map nobody reads. Serializes as the JSON object.
#[derive(Clone, Default)]
pub struct Claims(String);

impl Claims {
    /// Wraps JSON text that the checker has already parsed as one JSON object.
    pub(crate) fn from_checked_json(json: String) -> Claims {
        Claims(json)
    }

    /// The JSON object text as received (for a token: the decoded payload).
    pub fn as_str(&self) -> &str {
        if self.0.is_empty() {
            "{}"
        } else {
            &self.0
        }
    }

    /// All claims as a map (parsed now; a claim given twice keeps its last value).
    pub fn to_map(&self) -> Map<String, Value> {
        serde_json::from_str(self.as_str()).unwrap_or_default()
    }

    /// One claim (parsed now).
    pub fn get(&self, name: &str) -> Option<Value> {
        self.to_map().remove(name)
    }
}

impl From<Map<String, Value>> for Claims {
    fn from(map: Map<String, Value>) -> Claims {
        Claims(Value::Object(map).to_string())
    }
}

impl From<&Map<String, Value>> for Claims {
    fn from(map: &Map<String, Value>) -> Claims {
        Claims(serde_json::to_string(map).unwrap_or_default())
    }
}

impl std::fmt::Debug for Claims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for Claims {
    fn eq(&self, other: &Claims) -> bool {
        self.as_str() == other.as_str() || self.to_map() == other.to_map()
    }
}

impl Serialize for Claims {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(s)
    }
}
