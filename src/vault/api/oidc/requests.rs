use derive_builder::Builder;
use rustify_derive::Endpoint;
use serde::Serialize;

use super::responses::{
    GenerateTokenResponse, ListClientsResponse, ListProvidersResponse, ListResponse,
    ReadAssignmentResponse, ReadClientResponse, ReadConfigResponse, ReadKeyResponse,
    ReadProviderResponse, ReadRoleResponse, ReadScopeResponse,
};

/// ## Read the identity-token configuration
///
/// * Path: identity/oidc/config
/// * Method: GET
/// * Response: [ReadConfigResponse]
#[derive(Builder, Debug, Default, Endpoint)]
#[endpoint(
    path = "identity/oidc/config",
    method = "GET",
    response = "ReadConfigResponse",
    builder = "true"
)]
pub struct ReadConfigRequest {}

/// ## Create or update a key
///
/// Vault merges the fields sent with the stored ones, so a list being emptied must be sent as `[]`.
///
/// * Path: identity/oidc/key/{self.name}
/// * Method: POST
#[derive(Builder, Debug, Default, Endpoint, Serialize)]
#[endpoint(
    path = "identity/oidc/key/{self.name}",
    method = "POST",
    builder = "true"
)]
#[builder(setter(into, strip_option), default)]
pub struct WriteKeyRequest {
    #[endpoint(skip)]
    pub name: String,
    /// Signing algorithm: RS256, RS384, RS512, ES256, ES384, ES512 or EdDSA.
    pub algorithm: Option<String>,
    /// Seconds between key rotations.
    pub rotation_period: Option<u64>,
    /// Seconds a public key stays in the JWKS after rotation.
    pub verification_ttl: Option<u64>,
    /// Client IDs (of clients and roles) allowed to use the key, or `*`.
    pub allowed_client_ids: Option<Vec<String>>,
}

/// ## Read a key
///
/// * Path: identity/oidc/key/{self.name}
/// * Method: GET
/// * Response: [ReadKeyResponse]
#[derive(Builder, Debug, Endpoint)]
#[endpoint(
    path = "identity/oidc/key/{self.name}",
    method = "GET",
    response = "ReadKeyResponse",
    builder = "true"
)]
#[builder(setter(into))]
pub struct ReadKeyRequest {
    #[endpoint(skip)]
    pub name: String,
}

/// ## Delete a key
///
/// * Path: identity/oidc/key/{self.name}
/// * Method: DELETE
#[derive(Builder, Debug, Endpoint)]
#[endpoint(
    path = "identity/oidc/key/{self.name}",
    method = "DELETE",
    builder = "true"
)]
#[builder(setter(into))]
pub struct DeleteKeyRequest {
    #[endpoint(skip)]
    pub name: String,
}

/// ## List keys
///
/// * Path: identity/oidc/key
/// * Method: LIST
/// * Response: [ListResponse]
#[derive(Builder, Debug, Default, Endpoint)]
#[endpoint(
    path = "identity/oidc/key",
    method = "LIST",
    response = "ListResponse",
    builder = "true"
)]
#[builder(setter(into), default)]
pub struct ListKeysRequest {}

/// ## Create or update a scope
///
/// Vault merges the fields sent with the stored ones, so a list being emptied must be sent as `[]`.
///
/// * Path: identity/oidc/scope/{self.name}
/// * Method: POST
#[derive(Builder, Debug, Default, Endpoint, Serialize)]
#[endpoint(
    path = "identity/oidc/scope/{self.name}",
    method = "POST",
    builder = "true"
)]
#[builder(setter(into, strip_option), default)]
pub struct WriteScopeRequest {
    #[endpoint(skip)]
    pub name: String,
    /// JSON claims template with `{{identity.…}}` placeholders.
    pub template: Option<String>,
    pub description: Option<String>,
}

/// ## Read a scope
///
/// * Path: identity/oidc/scope/{self.name}
/// * Method: GET
/// * Response: [ReadScopeResponse]
#[derive(Builder, Debug, Endpoint)]
#[endpoint(
    path = "identity/oidc/scope/{self.name}",
    method = "GET",
    response = "ReadScopeResponse",
    builder = "true"
)]
#[builder(setter(into))]
pub struct ReadScopeRequest {
    #[endpoint(skip)]
    pub name: String,
}

/// ## Delete a scope
///
/// * Path: identity/oidc/scope/{self.name}
/// * Method: DELETE
#[derive(Builder, Debug, Endpoint)]
#[endpoint(
    path = "identity/oidc/scope/{self.name}",
    method = "DELETE",
    builder = "true"
)]
#[builder(setter(into))]
pub struct DeleteScopeRequest {
    #[endpoint(skip)]
    pub name: String,
}

/// ## List scopes
///
/// * Path: identity/oidc/scope
/// * Method: LIST
/// * Response: [ListResponse]
#[derive(Builder, Debug, Default, Endpoint)]
#[endpoint(
    path = "identity/oidc/scope",
    method = "LIST",
    response = "ListResponse",
    builder = "true"
)]
#[builder(setter(into), default)]
pub struct ListScopesRequest {}

/// ## Create or update a assignment
///
/// Vault merges the fields sent with the stored ones, so a list being emptied must be sent as `[]`.
///
/// * Path: identity/oidc/assignment/{self.name}
/// * Method: POST
#[derive(Builder, Debug, Default, Endpoint, Serialize)]
#[endpoint(
    path = "identity/oidc/assignment/{self.name}",
    method = "POST",
    builder = "true"
)]
#[builder(setter(into, strip_option), default)]
pub struct WriteAssignmentRequest {
    #[endpoint(skip)]
    pub name: String,
    pub entity_ids: Option<Vec<String>>,
    pub group_ids: Option<Vec<String>>,
}

/// ## Read a assignment
///
/// * Path: identity/oidc/assignment/{self.name}
/// * Method: GET
/// * Response: [ReadAssignmentResponse]
#[derive(Builder, Debug, Endpoint)]
#[endpoint(
    path = "identity/oidc/assignment/{self.name}",
    method = "GET",
    response = "ReadAssignmentResponse",
    builder = "true"
)]
#[builder(setter(into))]
pub struct ReadAssignmentRequest {
    #[endpoint(skip)]
    pub name: String,
}

/// ## Delete a assignment
///
/// * Path: identity/oidc/assignment/{self.name}
/// * Method: DELETE
#[derive(Builder, Debug, Endpoint)]
#[endpoint(
    path = "identity/oidc/assignment/{self.name}",
    method = "DELETE",
    builder = "true"
)]
#[builder(setter(into))]
pub struct DeleteAssignmentRequest {
    #[endpoint(skip)]
    pub name: String,
}

/// ## List assignments
///
/// * Path: identity/oidc/assignment
/// * Method: LIST
/// * Response: [ListResponse]
#[derive(Builder, Debug, Default, Endpoint)]
#[endpoint(
    path = "identity/oidc/assignment",
    method = "LIST",
    response = "ListResponse",
    builder = "true"
)]
#[builder(setter(into), default)]
pub struct ListAssignmentsRequest {}

/// ## Create or update a client
///
/// Vault merges the fields sent with the stored ones, so a list being emptied must be sent as `[]`.
///
/// * Path: identity/oidc/client/{self.name}
/// * Method: POST
#[derive(Builder, Debug, Default, Endpoint, Serialize)]
#[endpoint(
    path = "identity/oidc/client/{self.name}",
    method = "POST",
    builder = "true"
)]
#[builder(setter(into, strip_option), default)]
pub struct WriteClientRequest {
    #[endpoint(skip)]
    pub name: String,
    /// Key name; cannot change after creation.
    pub key: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
    /// Assignment names.
    pub assignments: Option<Vec<String>>,
    /// `confidential` or `public`; cannot change after creation.
    pub client_type: Option<String>,
    pub id_token_ttl: Option<u64>,
    pub access_token_ttl: Option<u64>,
    /// OpenBao's client-credentials grant.
    pub client_credentials: Option<bool>,
}

/// ## Read a client
///
/// * Path: identity/oidc/client/{self.name}
/// * Method: GET
/// * Response: [ReadClientResponse]
#[derive(Builder, Debug, Endpoint)]
#[endpoint(
    path = "identity/oidc/client/{self.name}",
    method = "GET",
    response = "ReadClientResponse",
    builder = "true"
)]
#[builder(setter(into))]
pub struct ReadClientRequest {
    #[endpoint(skip)]
    pub name: String,
}

/// ## Delete a client
///
/// * Path: identity/oidc/client/{self.name}
/// * Method: DELETE
#[derive(Builder, Debug, Endpoint)]
#[endpoint(
    path = "identity/oidc/client/{self.name}",
    method = "DELETE",
    builder = "true"
)]
#[builder(setter(into))]
pub struct DeleteClientRequest {
    #[endpoint(skip)]
    pub name: String,
}

/// ## List clients
///
/// * Path: identity/oidc/client
/// * Method: LIST
/// * Response: [ListClientsResponse]
#[derive(Builder, Debug, Default, Endpoint)]
#[endpoint(
    path = "identity/oidc/client",
    method = "LIST",
    response = "ListClientsResponse",
    builder = "true"
)]
#[builder(setter(into), default)]
pub struct ListClientsRequest {}

/// ## Create or update a provider
///
/// Vault merges the fields sent with the stored ones, so a list being emptied must be sent as `[]`.
///
/// * Path: identity/oidc/provider/{self.name}
/// * Method: POST
#[derive(Builder, Debug, Default, Endpoint, Serialize)]
#[endpoint(
    path = "identity/oidc/provider/{self.name}",
    method = "POST",
    builder = "true"
)]
#[builder(setter(into, strip_option), default)]
pub struct WriteProviderRequest {
    #[endpoint(skip)]
    pub name: String,
    /// `scheme://host[:port]`; empty means the cluster's `api_addr`.
    pub issuer: Option<String>,
    /// Client IDs, or `*`.
    pub allowed_client_ids: Option<Vec<String>>,
    /// Scope names.
    pub scopes_supported: Option<Vec<String>>,
}

/// ## Read a provider
///
/// * Path: identity/oidc/provider/{self.name}
/// * Method: GET
/// * Response: [ReadProviderResponse]
#[derive(Builder, Debug, Endpoint)]
#[endpoint(
    path = "identity/oidc/provider/{self.name}",
    method = "GET",
    response = "ReadProviderResponse",
    builder = "true"
)]
#[builder(setter(into))]
pub struct ReadProviderRequest {
    #[endpoint(skip)]
    pub name: String,
}

/// ## Delete a provider
///
/// * Path: identity/oidc/provider/{self.name}
/// * Method: DELETE
#[derive(Builder, Debug, Endpoint)]
#[endpoint(
    path = "identity/oidc/provider/{self.name}",
    method = "DELETE",
    builder = "true"
)]
#[builder(setter(into))]
pub struct DeleteProviderRequest {
    #[endpoint(skip)]
    pub name: String,
}

/// ## List providers
///
/// * Path: identity/oidc/provider
/// * Method: LIST
/// * Response: [ListProvidersResponse]
#[derive(Builder, Debug, Default, Endpoint)]
#[endpoint(
    path = "identity/oidc/provider",
    method = "LIST",
    response = "ListProvidersResponse",
    builder = "true"
)]
#[builder(setter(into), default)]
pub struct ListProvidersRequest {}

/// ## Create or update a role
///
/// Vault merges the fields sent with the stored ones, so a list being emptied must be sent as `[]`.
///
/// * Path: identity/oidc/role/{self.name}
/// * Method: POST
#[derive(Builder, Debug, Default, Endpoint, Serialize)]
#[endpoint(
    path = "identity/oidc/role/{self.name}",
    method = "POST",
    builder = "true"
)]
#[builder(setter(into, strip_option), default)]
pub struct WriteRoleRequest {
    #[endpoint(skip)]
    pub name: String,
    /// Key name.
    pub key: Option<String>,
    /// JSON claims template.
    pub template: Option<String>,
    /// Token lifetime in seconds.
    pub ttl: Option<u64>,
    /// Optional fixed client ID; generated when unset.
    pub client_id: Option<String>,
}

/// ## Read a role
///
/// * Path: identity/oidc/role/{self.name}
/// * Method: GET
/// * Response: [ReadRoleResponse]
#[derive(Builder, Debug, Endpoint)]
#[endpoint(
    path = "identity/oidc/role/{self.name}",
    method = "GET",
    response = "ReadRoleResponse",
    builder = "true"
)]
#[builder(setter(into))]
pub struct ReadRoleRequest {
    #[endpoint(skip)]
    pub name: String,
}

/// ## Delete a role
///
/// * Path: identity/oidc/role/{self.name}
/// * Method: DELETE
#[derive(Builder, Debug, Endpoint)]
#[endpoint(
    path = "identity/oidc/role/{self.name}",
    method = "DELETE",
    builder = "true"
)]
#[builder(setter(into))]
pub struct DeleteRoleRequest {
    #[endpoint(skip)]
    pub name: String,
}

/// ## List roles
///
/// * Path: identity/oidc/role
/// * Method: LIST
/// * Response: [ListResponse]
#[derive(Builder, Debug, Default, Endpoint)]
#[endpoint(
    path = "identity/oidc/role",
    method = "LIST",
    response = "ListResponse",
    builder = "true"
)]
#[builder(setter(into), default)]
pub struct ListRolesRequest {}

/// ## Generate an identity token
///
/// Must be called with an entity-backed token; the role's key must allow the role's client_id.
///
/// * Path: identity/oidc/token/{self.name}
/// * Method: GET
/// * Response: [GenerateTokenResponse]
#[derive(Builder, Debug, Endpoint)]
#[endpoint(
    path = "identity/oidc/token/{self.name}",
    method = "GET",
    response = "GenerateTokenResponse",
    builder = "true"
)]
#[builder(setter(into))]
pub struct GenerateTokenRequest {
    #[endpoint(skip)]
    pub name: String,
}
