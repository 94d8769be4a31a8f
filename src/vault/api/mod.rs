//! Typed Vault API endpoints that `vaultrs` does not have, written in its style (rustify
//! `Endpoint`s, request and response types side by side) so they could be upstreamed.

pub mod oidc;
pub mod sys;

use serde::{Deserialize, Deserializer};

/// Vault returns `null` for some empty lists; treat it as empty.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
