//! `identity/oidc/*`: keys, scopes, assignments, clients, providers and roles of Vault's OIDC
//! identity provider, and identity-token generation.
//!
//! Reference: <https://developer.hashicorp.com/vault/api-docs/secret/identity/oidc-provider> and
//! <https://developer.hashicorp.com/vault/api-docs/secret/identity/tokens>.

pub mod flows;
pub mod requests;
pub mod responses;
