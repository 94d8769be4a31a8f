//! The token cache of `vault-oidc token`: one 0600 file per (Vault address, namespace, role or
//! client, Vault token). A cached token is returned while at least a fifth of its lifetime is
//! left; after that a new one is minted. Looking a token up never talks to Vault.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::digest::{digest, SHA256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::store::write_private_json;
use super::FlowError;

/// A cached token and its lifetime (Unix seconds).
#[derive(Clone, Serialize, Deserialize)]
pub struct CachedToken {
    pub token: String,
    pub issued_at: u64,
    pub expires_at: u64,
}

impl std::fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedToken")
            .field("token", &"<redacted>")
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl CachedToken {
    /// A token minted now with a `ttl` (seconds); `iat`/`exp` of a JWT win when present.
    pub fn new(token: String, now: u64, ttl: u64) -> CachedToken {
        let (iat, exp) = jwt_times(&token).unwrap_or((now, now + ttl));
        CachedToken {
            token,
            issued_at: iat,
            expires_at: exp,
        }
    }

    /// True while at least a fifth of the lifetime is left at `now`.
    pub fn is_fresh(&self, now: u64) -> bool {
        if self.expires_at <= now || self.expires_at <= self.issued_at {
            return false;
        }
        let lifetime = self.expires_at - self.issued_at;
        (self.expires_at - now) * 5 >= lifetime
    }

    /// The moment from which a new token is minted.
    pub fn refresh_at(&self) -> u64 {
        self.expires_at
            .saturating_sub(self.expires_at.saturating_sub(self.issued_at) / 5)
    }
}

/// `iat` and `exp` of a JWT (not verified: only used to time our own cache).
pub fn jwt_times(token: &str) -> Option<(u64, u64)> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = v.get("exp")?.as_u64()?;
    let iat = v.get("iat").and_then(|i| i.as_u64()).unwrap_or(exp);
    Some((iat, exp))
}

pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The cache directory of a state directory's store.
#[derive(Debug, Clone)]
pub struct TokenCache {
    dir: PathBuf,
}

impl TokenCache {
    pub fn new(dir: impl Into<PathBuf>) -> TokenCache {
        TokenCache { dir: dir.into() }
    }

    /// The file for a cache key made of `parts` (hashed: file names carry no token or name).
    pub fn path_for(&self, parts: &[&str]) -> PathBuf {
        let joined = parts.join("\u{0}");
        let h = digest(&SHA256, joined.as_bytes());
        let name: String = h.as_ref()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        self.dir.join(format!("{name}.json"))
    }

    /// The cached token at `path` if it is still fresh at `now`.
    pub fn get_fresh(&self, path: &Path, now: u64) -> Option<CachedToken> {
        let bytes = std::fs::read(path).ok()?;
        let t: CachedToken = serde_json::from_slice(&bytes).ok()?;
        t.is_fresh(now).then_some(t)
    }

    pub fn put(&self, path: &Path, token: &CachedToken) -> Result<(), FlowError> {
        write_private_json(path, token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_until_a_fifth_of_the_lifetime_is_left() {
        let t = CachedToken {
            token: "t".into(),
            issued_at: 1000,
            expires_at: 1100,
        };
        assert!(t.is_fresh(1000));
        assert!(t.is_fresh(1079));
        assert!(t.is_fresh(1080)); // exactly a fifth left
        assert!(!t.is_fresh(1081));
        assert!(!t.is_fresh(1100));
        assert_eq!(t.refresh_at(), 1080);
    }

    #[test]
    fn times_come_from_the_jwt() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"iat":10,"exp":70}"#);
        let t = CachedToken::new(format!("e30.{payload}.sig"), 5, 999);
        assert_eq!((t.issued_at, t.expires_at), (10, 70));
        let t = CachedToken::new("opaque".into(), 5, 60);
        assert_eq!((t.issued_at, t.expires_at), (5, 65));
    }

    #[test]
    fn cache_files_are_private_and_keyed() {
        let tmp = tempfile::tempdir().unwrap();
        let c = TokenCache::new(tmp.path().join("tokens"));
        let p = c.path_for(&["http://a", "role", "agent", "tok"]);
        assert_ne!(p, c.path_for(&["http://a", "role", "agent", "other"]));
        assert!(!p.display().to_string().contains("agent"));
        let now = now_unix();
        c.put(&p, &CachedToken::new("x".into(), now, 100)).unwrap();
        assert_eq!(c.get_fresh(&p, now).unwrap().token, "x");
        assert!(c.get_fresh(&p, now + 81).is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }
}
