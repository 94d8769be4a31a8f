use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;

use crate::vault::api::null_as_default;

/// A value that must never be printed: its `Debug` is redacted.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Response from `LIST identity/oidc/{kind}`.
#[derive(Deserialize, Debug, Clone, Default)]
pub struct ListResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub keys: Vec<String>,
}

/// Response from [ReadKeyRequest](super::requests::ReadKeyRequest).
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ReadKeyResponse {
    pub algorithm: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub allowed_client_ids: Vec<String>,
    pub rotation_period: u64,
    pub verification_ttl: u64,
}

/// Response from [ReadScopeRequest](super::requests::ReadScopeRequest).
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ReadScopeResponse {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub template: String,
}

/// Response from [ReadAssignmentRequest](super::requests::ReadAssignmentRequest).
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ReadAssignmentResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub entity_ids: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub group_ids: Vec<String>,
}

/// A client as listed or read. `client_secret` is only present on a read of a confidential
/// client, and is never printed.
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ReadClientResponse {
    pub key: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub redirect_uris: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub assignments: Vec<String>,
    pub client_type: String,
    pub id_token_ttl: u64,
    pub access_token_ttl: u64,
    pub client_id: String,
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// OpenBao only.
    #[serde(default)]
    pub client_credentials: Option<bool>,
}

/// Response from `LIST identity/oidc/client`: names and every client's settings (no secrets).
#[derive(Deserialize, Debug, Clone, Default)]
pub struct ListClientsResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub keys: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub key_info: HashMap<String, ReadClientResponse>,
}

/// Response from [ReadProviderRequest](super::requests::ReadProviderRequest).
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ReadProviderResponse {
    /// The effective issuer, with `/v1/identity/oidc/provider/NAME` appended.
    pub issuer: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub allowed_client_ids: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub scopes_supported: Vec<String>,
}

/// Response from `LIST identity/oidc/provider`: names and every provider's settings.
#[derive(Deserialize, Debug, Clone, Default)]
pub struct ListProvidersResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub keys: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub key_info: HashMap<String, ReadProviderResponse>,
}

/// Response from [ReadConfigRequest](super::requests::ReadConfigRequest).
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ReadConfigResponse {
    /// `scheme://host[:port]` put in front of `/v1/identity/oidc` in the `iss` of identity
    /// tokens; empty means Vault's own api_addr.
    #[serde(default)]
    pub issuer: String,
}

/// Response from [ReadRoleRequest](super::requests::ReadRoleRequest).
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
pub struct ReadRoleResponse {
    pub key: String,
    #[serde(default)]
    pub template: String,
    pub ttl: u64,
    pub client_id: String,
}

/// Response from [GenerateTokenRequest](super::requests::GenerateTokenRequest).
#[derive(Deserialize, Debug, Clone)]
pub struct GenerateTokenResponse {
    pub client_id: String,
    pub token: Secret,
    pub ttl: u64,
}
