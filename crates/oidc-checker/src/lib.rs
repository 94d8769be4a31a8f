//! # oidc-checker
//!
//! Checks the tokens a Vault/OpenBao OIDC deployment issues — and nothing else — fast enough
//! for a Lambda authorizer. It is the core that `vault-oidc verify`, `vault-oidc login`, the
//! agent authorizer and any Rust service embed. It depends on no Vault client, template or
//! HCL crate; crypto is `aws-lc-rs` (RS256/384/512, ES256/384/512, EdDSA), HTTP is `reqwest`.
//!
//! ## Using it
//!
//! Build one [`Checker`] per process (it is `Clone` and shares its caches) from plain config
//! values, optionally [`Checker::hydrate`] it at start-up, then call [`Checker::check`] per
//! request:
//!
//! ```no_run
//! use std::time::Duration;
//! use oidc_checker::{Algorithm, Checker, CheckError, IssuerConfig, TokenKind};
//!
//! # async fn demo(bearer: &str) -> Result<(), Box<dyn std::error::Error>> {
//! // Plain values, e.g. from Lambda environment variables.
//! let issuer_url = "https://vault.example.com/v1/identity/oidc/provider/default";
//! let client_id = "Z2aL7Kx9…";
//!
//! let checker = Checker::builder()
//!     .issuer(
//!         IssuerConfig::new(issuer_url)
//!             .audience(client_id)
//!             // Optional: everything below has a default.
//!             .algorithms([Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA])
//!             .username_claim("username")
//!             .groups_claim("groups")
//!             .require_group("engineering")
//!             .leeway(Duration::from_secs(30)),
//!     )
//!     // A second trusted issuer: identity tokens minted by agents at identity/oidc/token/ROLE.
//!     .issuer(
//!         IssuerConfig::new("https://vault.example.com/v1/identity/oidc")
//!             .audience("agent-role-client-id")
//!             .accept_kind(TokenKind::IdentityToken),
//!     )
//!     .build()?;
//! checker.hydrate().await?; // fetch the JWKS at cold start (optional)
//!
//! match checker.check(bearer).await {
//!     Ok(principal) => println!("{} in {:?}", principal.username, principal.groups),
//!     // 503 when the checker could not decide, 401 otherwise. `public_message()` is safe to
//!     // return to the client; `Display` (`e.to_string()`) is the operator detail for logs.
//!     Err(e) if e.is_unavailable() => eprintln!("503: {} ({e})", e.public_message()),
//!     Err(e) => eprintln!("401: {} [{}] ({e})", e.public_message(), e.category()),
//! }
//! # Ok(()) }
//! ```
//!
//! ## Rules enforced
//!
//! * Tokens over [`Settings::max_token_bytes`] (16 KiB) are refused before decoding; exactly
//!   three segments of strict base64url; header and payload JSON objects.
//! * Header `alg` must be one of the seven, allowed for the issuer and fit the key (`kty`,
//!   `crv`, the JWK `alg` when present); `none`/`HS*` never verify. Unknown `crit` and
//!   `b64: false` are refused. `jwk`, `jku`, `x5u`, `x5c` never select or fetch a key.
//! * Keys come only from the issuer's JWKS; `use` must be `sig` or absent, RSA keys under 2048
//!   bits are refused. A token without `kid` uses the only key, and is refused if there are
//!   several.
//! * `iss` (exact match), `sub`, `aud` (or Cognito `client_id`), `exp`, `iat` are required;
//!   `nbf` is honoured; `iat` may not be in the future beyond the leeway. `nonce` and
//!   `at_hash` are checked when the caller passes [`Expect`] to [`Checker::check_with`].
//! * JWKS cache: see [`jwks`]; unknown `kid` → one shared, rate-limited refetch; keys
//!   refreshed after a maximum age; stale keys keep serving during an outage up to a bound.
//!
//! ## Token kinds
//!
//! Provider ID tokens, identity tokens (`iss = …/v1/identity/oidc`), client-credentials access
//! tokens (`sub` = client id → [`TokenKind::ClientCredentials`], a machine principal), Cognito
//! ID/access tokens ([`IssuerConfig::cognito`]) and opaque Vault access tokens checked at
//! userinfo ([`Userinfo`]) all come out as the same [`Principal`].

pub mod alg;
pub mod checker;
mod claims;
pub mod clock;
mod discovery;
pub mod error;
pub mod jwks;
pub mod jwt;
mod keys;
pub mod principal;
pub mod userinfo;

pub use alg::{Algorithm, UnknownAlgorithm};
pub use checker::{Checker, CheckerBuilder, Expect, IssuerConfig, Settings, DEFAULT_LEEWAY};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{CheckError, ConfigError};
pub use jwks::{JwksStatus, JwksTiming};
pub use principal::{Claims, Principal, TokenKind};
pub use userinfo::Userinfo;

/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = keys::MIN_RSA_BITS;
