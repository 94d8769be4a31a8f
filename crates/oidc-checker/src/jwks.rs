//! The per-issuer JWKS cache.
//!
//! * Keys are fetched at first use (or by [`crate::Checker::hydrate`]) and kept parsed.
//! * An unknown `kid` triggers one refetch. Fetches are single-flight (concurrent callers wait
//!   for the one in progress and then use its result) and rate-limited: no fetch starts within
//!   `refetch_interval` of the previous attempt, so a flood of unknown kids costs at most one
//!   fetch per window.
//! * Keys older than `max_age` are refreshed before use, so a key removed from the JWKS stops
//!   being trusted. If that refresh fails, the cached keys keep serving until they are
//!   `max_stale` old, and the failure is reported (status + callback).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::clock::Clock;
use crate::discovery::{self, Discovered};
use crate::error::{CheckError, Sanitized};
use crate::keys::{self, KeySet, Lookup, VerifyKey};

/// Called with (issuer, detail) whenever a JWKS or discovery fetch fails.
pub type FailureHook = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// Timing rules of the cache.
#[derive(Debug, Clone, Copy)]
pub struct JwksTiming {
    /// Keys older than this are refreshed before use (default 10 min).
    pub max_age: Duration,
    /// Minimum time between two fetch attempts for one issuer (default 10 s).
    pub refetch_interval: Duration,
    /// How long cached keys keep serving while the JWKS cannot be fetched (default 1 h).
    pub max_stale: Duration,
}

impl Default for JwksTiming {
    fn default() -> Self {
        JwksTiming {
            max_age: Duration::from_secs(600),
            refetch_interval: Duration::from_secs(10),
            max_stale: Duration::from_secs(3600),
        }
    }
}

/// A snapshot of one issuer's cache, for health checks and reporting.
#[derive(Debug, Clone, serde::Serialize)]
pub struct JwksStatus {
    pub issuer: String,
    /// The JWKS URL in use (configured or discovered), once known.
    pub jwks_url: Option<String>,
    /// Number of usable signing keys cached.
    pub keys: usize,
    /// Number of keys refused (with reasons).
    pub rejected: Vec<String>,
    /// Unix seconds of the last successful fetch.
    pub fetched_at: Option<u64>,
    /// Number of fetch attempts so far.
    pub fetch_attempts: u64,
    /// The last fetch error, if the last attempt failed.
    pub last_error: Option<String>,
    /// True when cached keys are older than `max_age` because refreshing failed.
    pub stale: bool,
}

#[derive(Default)]
struct State {
    keys: Option<Arc<KeySet>>,
    fetched_at: Option<Duration>,
    last_attempt: Option<Duration>,
    last_error: Option<String>,
    attempts: u64,
    discovered: Option<Discovered>,
}

pub(crate) struct JwksCache {
    issuer: String,
    configured_url: Option<String>,
    timing: JwksTiming,
    state: RwLock<State>,
    fetch_lock: tokio::sync::Mutex<()>,
}

impl JwksCache {
    pub fn new(issuer: String, configured_url: Option<String>, timing: JwksTiming) -> Self {
        JwksCache {
            issuer,
            configured_url,
            timing,
            state: RwLock::new(State::default()),
            fetch_lock: tokio::sync::Mutex::new(()),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The cached key set and its age, if any.
    fn snapshot(&self, now: Duration) -> Option<(Arc<KeySet>, Duration)> {
        let st = self.read();
        let keys = st.keys.clone()?;
        let age = now.saturating_sub(st.fetched_at.unwrap_or_default());
        Some((keys, age))
    }

    /// Finds the key for a token's `kid`, fetching or refetching the JWKS as the rules allow.
    pub async fn key(
        &self,
        kid: Option<&str>,
        http: &reqwest::Client,
        clock: &dyn Clock,
        hook: Option<&FailureHook>,
    ) -> Result<Arc<VerifyKey>, CheckError> {
        if let Some(r) = self.cached(kid, clock.now()) {
            return r;
        }
        // No keys yet, keys too old, or an unknown kid: one (rate-limited, shared) fetch.
        let _ = self.refresh(http, clock, hook).await;
        let Some((keys, age)) = self.snapshot(clock.now()) else {
            return Err(self.unavailable());
        };
        if age > self.timing.max_stale {
            return Err(self.unavailable());
        }
        match self.resolve(&keys, kid) {
            Some(r) => r,
            None => Err(CheckError::UnknownKey {
                issuer: Sanitized::new(&self.issuer),
                kid: Sanitized::new(kid.unwrap_or("")),
            }),
        }
    }

    /// The key for `kid` from the cached key set when it is fresh (no older than `max_age`)
    /// and decides the lookup; `None` when a fetch is needed first.
    pub fn cached(
        &self,
        kid: Option<&str>,
        now: Duration,
    ) -> Option<Result<Arc<VerifyKey>, CheckError>> {
        let (keys, age) = self.snapshot(now)?;
        if age > self.timing.max_age {
            return None;
        }
        self.resolve(&keys, kid)
    }

    fn resolve(
        &self,
        keys: &KeySet,
        kid: Option<&str>,
    ) -> Option<Result<Arc<VerifyKey>, CheckError>> {
        match keys.lookup(kid) {
            Lookup::Found(k) => Some(Ok(k.clone())),
            Lookup::Rejected(r) => Some(Err(CheckError::KeyRejected {
                issuer: Sanitized::new(&self.issuer),
                kid: Sanitized::new(r.kid.as_deref().unwrap_or("")),
                reason: r.reason.clone(),
            })),
            Lookup::Ambiguous(n) => Some(Err(CheckError::AmbiguousKey {
                issuer: Sanitized::new(&self.issuer),
                keys: n,
            })),
            Lookup::Missing => None,
        }
    }

    fn unavailable(&self) -> CheckError {
        let detail = self
            .read()
            .last_error
            .clone()
            .unwrap_or_else(|| "no keys fetched yet".to_string());
        CheckError::JwksUnavailable {
            issuer: Sanitized::new(&self.issuer),
            detail,
        }
    }

    /// Fetches the JWKS unless another fetch is in progress (then waits for it) or the last
    /// attempt was less than `refetch_interval` ago. Returns the outcome of the latest attempt.
    pub async fn refresh(
        &self,
        http: &reqwest::Client,
        clock: &dyn Clock,
        hook: Option<&FailureHook>,
    ) -> Result<(), String> {
        let _guard = self.fetch_lock.lock().await;
        let now = clock.now();
        {
            let mut st = self.write();
            if let Some(last) = st.last_attempt {
                if now.saturating_sub(last) < self.timing.refetch_interval {
                    return match &st.last_error {
                        Some(e) => Err(e.clone()),
                        None => Ok(()),
                    };
                }
            }
            st.last_attempt = Some(now);
            st.attempts += 1;
        }
        let result = self.fetch(http).await;
        let mut st = self.write();
        match result {
            Ok((set, discovered)) => {
                st.keys = Some(Arc::new(set));
                st.fetched_at = Some(clock.now());
                st.last_error = None;
                if discovered.is_some() {
                    st.discovered = discovered;
                }
                Ok(())
            }
            Err(e) => {
                st.last_error = Some(e.clone());
                drop(st);
                if let Some(h) = hook {
                    h(&self.issuer, &e);
                }
                Err(e)
            }
        }
    }

    async fn fetch(&self, http: &reqwest::Client) -> Result<(KeySet, Option<Discovered>), String> {
        let (url, discovered) = match &self.configured_url {
            Some(u) => (u.clone(), None),
            None => {
                let known = self.read().discovered.clone();
                let d = match known {
                    Some(d) => d,
                    None => discovery::discover(http, &self.issuer).await?,
                };
                (d.jwks_uri.clone(), Some(d))
            }
        };
        let body = discovery::get_bytes(http, &url).await?;
        let set = keys::parse_jwks(&body).map_err(|e| format!("{e} ({url})"))?;
        Ok((set, discovered))
    }

    /// The userinfo endpoint from discovery (fetching the discovery document if needed).
    pub async fn userinfo_endpoint(&self, http: &reqwest::Client) -> Result<String, String> {
        if let Some(d) = self.read().discovered.clone() {
            return d
                .userinfo_endpoint
                .ok_or_else(|| "discovery document has no userinfo_endpoint".to_string());
        }
        let d = discovery::discover(http, &self.issuer).await?;
        let ep = d.userinfo_endpoint.clone();
        self.write().discovered = Some(d);
        ep.ok_or_else(|| "discovery document has no userinfo_endpoint".to_string())
    }

    pub fn status(&self, now: Duration) -> JwksStatus {
        let st = self.read();
        let url = self
            .configured_url
            .clone()
            .or_else(|| st.discovered.as_ref().map(|d| d.jwks_uri.clone()));
        JwksStatus {
            issuer: self.issuer.clone(),
            jwks_url: url,
            keys: st.keys.as_ref().map_or(0, |k| k.len()),
            rejected: st
                .keys
                .as_ref()
                .map(|k| {
                    k.rejected
                        .iter()
                        .map(|r| {
                            format!("{}: {}", r.kid.as_deref().unwrap_or("(no kid)"), r.reason)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            fetched_at: st.fetched_at.map(|d| d.as_secs()),
            fetch_attempts: st.attempts,
            last_error: st.last_error.clone(),
            stale: st
                .fetched_at
                .is_some_and(|f| now.saturating_sub(f) > self.timing.max_age),
        }
    }
}
