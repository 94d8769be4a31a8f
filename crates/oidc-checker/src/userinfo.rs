//! Online check of Vault's opaque access tokens at the provider's userinfo endpoint.
//!
//! Answers are cached for a short time under the SHA-256 of the token; the token itself is
//! never stored, logged or put in an error.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use aws_lc_rs::digest;
use serde_json::{Map, Value};

use crate::discovery::describe;
use crate::error::{CheckError, Sanitized};

/// Where an issuer's userinfo check goes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Userinfo {
    /// Opaque tokens are not accepted for this issuer (default).
    #[default]
    Off,
    /// Use the `userinfo_endpoint` of the discovery document.
    Discover,
    /// Use this URL.
    Url(String),
}

/// Prefixes of Vault/OpenBao opaque tokens (batch and service tokens, old and new style).
pub const OPAQUE_PREFIXES: [&str; 4] = ["b.", "hvb.", "s.", "hvs."];

/// True when `token` looks like an opaque Vault/OpenBao token (`b.…`, `hvb.…`, `s.…`, `hvs.…`):
/// a known prefix, then base64url-ish characters only (nothing that needs escaping in a header).
pub fn looks_opaque(token: &str) -> bool {
    OPAQUE_PREFIXES.iter().any(|p| {
        token.strip_prefix(p).is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
    })
}

pub(crate) type TokenHash = [u8; 32];

/// Cached claims and when they stop being served.
type Entry = (Duration, Map<String, Value>);

pub(crate) fn hash_token(token: &str) -> TokenHash {
    let d = digest::digest(&digest::SHA256, token.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// Short-lived cache of userinfo answers, keyed by token hash.
pub(crate) struct UserinfoCache {
    ttl: Duration,
    max_entries: usize,
    entries: Mutex<HashMap<TokenHash, Entry>>,
}

impl UserinfoCache {
    pub fn new(ttl: Duration, max_entries: usize) -> Self {
        UserinfoCache {
            ttl,
            max_entries,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, key: &TokenHash, now: Duration) -> Option<Map<String, Value>> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|(until, _)| *until > now)
            .map(|(_, c)| c.clone())
    }

    pub fn put(&self, key: TokenHash, now: Duration, claims: Map<String, Value>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= self.max_entries {
            map.retain(|_, (until, _)| *until > now);
            if map.len() >= self.max_entries {
                map.clear();
            }
        }
        map.insert(key, (now + self.ttl, claims));
    }
}

/// Calls the userinfo endpoint with the token as a bearer token.
pub(crate) async fn fetch(
    http: &reqwest::Client,
    issuer: &str,
    endpoint: &str,
    token: &str,
) -> Result<Map<String, Value>, CheckError> {
    let unavailable = |detail: String| CheckError::UserinfoUnavailable {
        issuer: Sanitized::new(issuer),
        detail,
    };
    let resp = http
        .get(endpoint)
        .bearer_auth(token)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| unavailable(describe(&e)))?;
    let status = resp.status();
    let rejected = CheckError::UserinfoRejected {
        issuer: Sanitized::new(issuer),
        status: status.as_u16(),
    };
    // 4xx: the token is bad (401 invalid_token, 403, 400 invalid_request).
    if status.is_client_error() {
        return Err(rejected);
    }
    let body = resp.bytes().await.map_err(|e| unavailable(describe(&e)))?;
    if !status.is_success() {
        // OpenBao 2.x answers 500 "error performing token check: illegal base64 data…" for a
        // malformed batch token: that is a refusal of the token, not an outage.
        if String::from_utf8_lossy(&body).contains("error performing token check") {
            return Err(rejected);
        }
        return Err(unavailable(format!("HTTP {}", status.as_u16())));
    }
    if body.len() > crate::discovery::MAX_DOC_BYTES {
        return Err(unavailable("response too large".into()));
    }
    serde_json::from_slice::<Map<String, Value>>(&body)
        .map_err(|_| unavailable("response is not a JSON object".into()))
}
