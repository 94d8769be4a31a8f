//! `sys/*` endpoints `vaultrs` does not have.

use std::collections::HashMap;

use derive_builder::Builder;
use rustify_derive::Endpoint;
use serde::{Deserialize, Serialize};

/// ## Query the capabilities of the calling token on paths
///
/// * Path: sys/capabilities-self
/// * Method: POST
/// * Response: [CapabilitiesSelfResponse]
#[derive(Builder, Debug, Default, Endpoint, Serialize)]
#[endpoint(
    path = "sys/capabilities-self",
    method = "POST",
    response = "CapabilitiesSelfResponse",
    builder = "true"
)]
#[builder(setter(into), default)]
pub struct CapabilitiesSelfRequest {
    pub paths: Vec<String>,
}

/// Capabilities per path (`root`, `create`, `read`, `update`, `delete`, `list`, `deny`, …).
#[derive(Deserialize, Debug, Clone, Default)]
pub struct CapabilitiesSelfResponse {
    #[serde(flatten)]
    pub paths: HashMap<String, serde_json::Value>,
}
