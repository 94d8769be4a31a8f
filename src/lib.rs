//! vault-oidc: declarative configuration of Vault's (and OpenBao's) OIDC identity provider.
//!
//! - [`config`]: the `oidc.hcl` model, loading and offline validation.
//! - [`vault`]: connection settings and the typed `identity/oidc` API endpoints.
//! - [`state`]: reading live state and normalising it into the config's terms.
//! - [`plan`]: the diff between desired and live state, rendered like Terraform.
//! - [`apply`]: executing a plan in dependency order.
//! - [`export`], [`doctor`], [`dev`]: live Vault → config, health checks, a local dev server.
//! - [`generate`]: Terraform and environment-variable definitions from the config.
//! - [`flows`]: `login`, `token` and `logout`.
//! - [`migrate`]: from a Cognito Terraform setup to Vault OIDC.
//! - [`fsutil`]: atomic file writes.

pub mod apply;
pub mod config;
pub mod dev;
pub mod doctor;
pub mod export;
pub mod flows;
pub mod fsutil;
pub mod generate;
pub mod migrate;
pub mod plan;
pub mod state;
pub mod vault;
