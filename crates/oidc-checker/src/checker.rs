//! The [`Checker`]: trusted issuers, their JWKS caches and the claim rules.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use serde_json::{Map, Value};

use crate::alg::Algorithm;
use crate::claims::{self, Claim, Slots};
use crate::clock::{Clock, SystemClock};
use crate::error::{CheckError, ConfigError, Sanitized};
use crate::jwks::{FailureHook, JwksCache, JwksStatus, JwksTiming};
use crate::jwt::{self, B64};
use crate::keys::VerifyKey;
use crate::principal::{Claims, Principal, TokenKind};
use crate::userinfo::{self, Userinfo, UserinfoCache};

/// Default leeway for `exp`, `nbf` and `iat`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);
/// Largest leeway accepted by the builder.
pub const MAX_LEEWAY: Duration = Duration::from_secs(300);

/// One trusted issuer. Build with [`IssuerConfig::new`] and the `with_*`-style setters, or fill
/// the public fields directly from plain config values.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuerConfig {
    /// The exact `iss` value (e.g. `https://vault.example.com/v1/identity/oidc/provider/default`).
    pub issuer: String,
    /// JWKS URL. `None`: taken from `{issuer}/.well-known/openid-configuration`.
    pub jwks_url: Option<String>,
    /// Accepted `aud` values (client ids / identity role client ids). At least one.
    pub audiences: Vec<String>,
    /// Accepted algorithms (default: all seven Vault signs with).
    pub algorithms: Vec<Algorithm>,
    /// Claim holding the username (default `username`; `sub` when absent).
    pub username_claim: String,
    /// Claim holding the groups (default `groups`).
    pub groups_claim: String,
    /// When non-empty, the principal must be in at least one of these groups (or all of them
    /// with `require_all_groups`).
    pub required_groups: Vec<String>,
    pub require_all_groups: bool,
    /// Clock skew allowed for `exp`, `nbf`, `iat` (default 30 s, at most 5 min).
    pub leeway: Duration,
    /// Token kinds accepted from this issuer; empty means all JWT kinds that fit the issuer.
    pub kinds: Vec<TokenKind>,
    /// Cognito user pool mode: `token_use` decides the kind, access tokens carry `client_id`
    /// instead of `aud`, `cognito:username` and `cognito:groups` are read.
    pub cognito: bool,
    /// Online check of opaque access tokens (default off).
    pub userinfo: Userinfo,
}

impl IssuerConfig {
    /// An issuer with the defaults; add at least one audience.
    pub fn new(issuer: impl Into<String>) -> Self {
        IssuerConfig {
            issuer: issuer.into(),
            jwks_url: None,
            audiences: Vec::new(),
            algorithms: Algorithm::ALL.to_vec(),
            username_claim: "username".into(),
            groups_claim: "groups".into(),
            required_groups: Vec::new(),
            require_all_groups: false,
            leeway: DEFAULT_LEEWAY,
            kinds: Vec::new(),
            cognito: false,
            userinfo: Userinfo::Off,
        }
    }

    /// A Cognito user pool (`https://cognito-idp.REGION.amazonaws.com/POOL_ID`) with the
    /// Cognito claim names.
    pub fn cognito(issuer: impl Into<String>) -> Self {
        let mut c = IssuerConfig::new(issuer);
        c.cognito = true;
        c.username_claim = "cognito:username".into();
        c.groups_claim = "cognito:groups".into();
        c
    }

    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.audiences.push(aud.into());
        self
    }
    pub fn jwks_url(mut self, url: impl Into<String>) -> Self {
        self.jwks_url = Some(url.into());
        self
    }
    pub fn algorithms(mut self, algs: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algs.into_iter().collect();
        self
    }
    pub fn username_claim(mut self, claim: impl Into<String>) -> Self {
        self.username_claim = claim.into();
        self
    }
    pub fn groups_claim(mut self, claim: impl Into<String>) -> Self {
        self.groups_claim = claim.into();
        self
    }
    pub fn require_group(mut self, group: impl Into<String>) -> Self {
        self.required_groups.push(group.into());
        self
    }
    pub fn require_all_groups(mut self, all: bool) -> Self {
        self.require_all_groups = all;
        self
    }
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }
    pub fn accept_kind(mut self, kind: TokenKind) -> Self {
        self.kinds.push(kind);
        self
    }
    pub fn userinfo(mut self, userinfo: Userinfo) -> Self {
        self.userinfo = userinfo;
        self
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError(m));
        if self.issuer.is_empty() {
            return bad("issuer is empty".into());
        }
        if self.audiences.is_empty() || self.audiences.iter().any(String::is_empty) {
            return bad(format!(
                "issuer {} needs at least one non-empty audience",
                self.issuer
            ));
        }
        if self.algorithms.is_empty() {
            return bad(format!("issuer {} allows no algorithm", self.issuer));
        }
        if self.leeway > MAX_LEEWAY {
            return bad(format!("leeway over {}s", MAX_LEEWAY.as_secs()));
        }
        if self.username_claim.is_empty() || self.groups_claim.is_empty() {
            return bad("username and groups claims must be named".into());
        }
        Ok(())
    }
}

/// What the caller expects of an ID token beyond the issuer rules.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expect<'a> {
    /// The `nonce` sent in the authorization request: the token's `nonce` must equal it.
    pub nonce: Option<&'a str>,
    /// The access token issued with the ID token: the token's `at_hash` must match it.
    pub access_token: Option<&'a str>,
}

/// Limits and timings shared by all issuers.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Tokens longer than this are refused before decoding (default 16 KiB).
    pub max_token_bytes: usize,
    pub jwks: JwksTiming,
    /// TCP connect timeout for JWKS, discovery and userinfo (default 1 s).
    pub connect_timeout: Duration,
    /// Total timeout per request (default 3 s).
    pub request_timeout: Duration,
    /// How long a userinfo answer is cached (default 60 s; zero disables the cache).
    pub userinfo_ttl: Duration,
    /// Cap on cached userinfo answers (default 10 000).
    pub userinfo_cache_entries: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_token_bytes: jwt::DEFAULT_MAX_TOKEN_BYTES,
            jwks: JwksTiming::default(),
            connect_timeout: Duration::from_secs(1),
            request_timeout: Duration::from_secs(3),
            userinfo_ttl: Duration::from_secs(60),
            userinfo_cache_entries: 10_000,
        }
    }
}

/// Builds a [`Checker`].
pub struct CheckerBuilder {
    issuers: Vec<IssuerConfig>,
    settings: Settings,
    clock: Arc<dyn Clock>,
    ca_pems: Vec<Vec<u8>>,
    accept_invalid_certs: bool,
    hook: Option<FailureHook>,
}

impl Default for CheckerBuilder {
    fn default() -> Self {
        CheckerBuilder {
            issuers: Vec::new(),
            settings: Settings::default(),
            clock: Arc::new(SystemClock),
            ca_pems: Vec::new(),
            accept_invalid_certs: false,
            hook: None,
        }
    }
}

impl CheckerBuilder {
    /// Adds a trusted issuer.
    pub fn issuer(mut self, issuer: IssuerConfig) -> Self {
        self.issuers.push(issuer);
        self
    }
    /// Replaces all limits and timings.
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }
    /// Tokens longer than `bytes` are refused before decoding.
    pub fn max_token_bytes(mut self, bytes: usize) -> Self {
        self.settings.max_token_bytes = bytes;
        self
    }
    /// JWKS cache timings.
    pub fn jwks_timing(mut self, timing: JwksTiming) -> Self {
        self.settings.jwks = timing;
        self
    }
    /// Uses another clock (tests, simulations).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
    /// Trusts these PEM CA certificates for https JWKS/discovery/userinfo URLs.
    pub fn ca_pem(mut self, pem: Vec<u8>) -> Self {
        self.ca_pems.push(pem);
        self
    }
    /// Skips TLS certificate verification (development only).
    pub fn danger_accept_invalid_certs(mut self, yes: bool) -> Self {
        self.accept_invalid_certs = yes;
        self
    }
    /// Called with (issuer, detail) whenever a JWKS or discovery fetch fails, so the failure
    /// can be logged or counted while cached keys keep serving.
    pub fn on_jwks_failure(mut self, hook: impl Fn(&str, &str) + Send + Sync + 'static) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    pub fn build(self) -> Result<Checker, ConfigError> {
        if self.issuers.is_empty() {
            return Err(ConfigError("no trusted issuer".into()));
        }
        for (i, c) in self.issuers.iter().enumerate() {
            c.validate()?;
            if self.issuers[..i].iter().any(|o| o.issuer == c.issuer) {
                return Err(ConfigError(format!("issuer {} listed twice", c.issuer)));
            }
        }
        if self.settings.max_token_bytes == 0 {
            return Err(ConfigError("max_token_bytes is zero".into()));
        }
        let mut http = reqwest::Client::builder()
            .connect_timeout(self.settings.connect_timeout)
            .timeout(self.settings.request_timeout)
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("oidc-checker/", env!("CARGO_PKG_VERSION")));
        for pem in &self.ca_pems {
            for cert in reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|_| ConfigError("CA certificate PEM cannot be read".into()))?
            {
                http = http.add_root_certificate(cert);
            }
        }
        if self.accept_invalid_certs {
            http = http.tls_danger_accept_invalid_certs(true);
        }
        let http = http
            .build()
            .map_err(|_| ConfigError("cannot build the HTTP client".into()))?;
        let mut extra_claims: Vec<Box<str>> = Vec::new();
        for c in &self.issuers {
            for name in [&c.username_claim, &c.groups_claim] {
                if !claims::FIXED.contains(&name.as_str())
                    && !extra_claims.iter().any(|e| **e == **name)
                {
                    extra_claims.push(name.as_str().into());
                }
            }
        }
        let issuers = self
            .issuers
            .into_iter()
            .map(|cfg| IssuerState {
                jwks: JwksCache::new(cfg.issuer.clone(), cfg.jwks_url.clone(), self.settings.jwks),
                userinfo: (cfg.userinfo != Userinfo::Off).then(|| {
                    UserinfoCache::new(
                        self.settings.userinfo_ttl,
                        self.settings.userinfo_cache_entries,
                    )
                }),
                cfg,
            })
            .collect();
        Ok(Checker {
            inner: Arc::new(Inner {
                issuers,
                extra_claims,
                settings: self.settings,
                clock: self.clock,
                http,
                hook: self.hook,
            }),
        })
    }
}

struct IssuerState {
    cfg: IssuerConfig,
    jwks: JwksCache,
    userinfo: Option<UserinfoCache>,
}

struct Inner {
    issuers: Vec<IssuerState>,
    /// Configured username/groups claim names outside [`claims::FIXED`], read from payloads.
    extra_claims: Vec<Box<str>>,
    settings: Settings,
    clock: Arc<dyn Clock>,
    http: reqwest::Client,
    hook: Option<FailureHook>,
}

/// Why [`Checker::check_jwt`] stopped.
enum Stop {
    Fail(CheckError),
    /// The issuer (index) needs its JWKS fetched for this `kid`.
    NeedKey(usize, Option<String>),
}

impl From<CheckError> for Stop {
    fn from(e: CheckError) -> Stop {
        Stop::Fail(e)
    }
}

/// Checks tokens against a fixed set of trusted issuers. Cheap to clone (shared state); keep
/// one for the life of the process so the JWKS cache stays warm.
#[derive(Clone)]
pub struct Checker {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Checker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker")
            .field(
                "issuers",
                &self
                    .inner
                    .issuers
                    .iter()
                    .map(|i| &i.cfg.issuer)
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Checker {
    pub fn builder() -> CheckerBuilder {
        CheckerBuilder::default()
    }

    /// A checker for these issuers with the default settings.
    pub fn new(issuers: impl IntoIterator<Item = IssuerConfig>) -> Result<Checker, ConfigError> {
        issuers
            .into_iter()
            .fold(Checker::builder(), CheckerBuilder::issuer)
            .build()
    }

    /// Fetches every issuer's JWKS now (e.g. at Lambda cold start) instead of at first use.
    /// Returns the first failure; the other issuers are still fetched.
    pub async fn hydrate(&self) -> Result<(), CheckError> {
        let mut first = None;
        for is in &self.inner.issuers {
            if let Err(detail) = is
                .jwks
                .refresh(
                    &self.inner.http,
                    &*self.inner.clock,
                    self.inner.hook.as_ref(),
                )
                .await
            {
                first.get_or_insert(CheckError::JwksUnavailable {
                    issuer: Sanitized::new(&is.cfg.issuer),
                    detail,
                });
            }
        }
        first.map_or(Ok(()), Err)
    }

    /// State of each issuer's JWKS cache (keys, last fetch, last error, staleness).
    pub fn jwks_status(&self) -> Vec<JwksStatus> {
        let now = self.inner.clock.now();
        self.inner
            .issuers
            .iter()
            .map(|i| i.jwks.status(now))
            .collect()
    }

    /// The trusted issuers, as configured.
    pub fn issuers(&self) -> impl Iterator<Item = &IssuerConfig> {
        self.inner.issuers.iter().map(|i| &i.cfg)
    }

    /// Checks a token (without a `Bearer ` prefix) and returns its principal.
    pub async fn check(&self, token: &str) -> Result<Principal, CheckError> {
        self.check_with(token, Expect::default()).await
    }

    /// Like [`Checker::check`], also checking `nonce` and/or `at_hash` when given.
    pub async fn check_with(
        &self,
        token: &str,
        expect: Expect<'_>,
    ) -> Result<Principal, CheckError> {
        let max = self.inner.settings.max_token_bytes;
        if token.len() > max {
            return Err(CheckError::TooLarge {
                len: token.len(),
                max,
            });
        }
        let Some(dots) = jwt::dots(token) else {
            if userinfo::looks_opaque(token) {
                return self.check_opaque(token).await;
            }
            return Err(CheckError::Malformed("not three dot-separated segments"));
        };
        // Warm path: synchronous, with the decode buffers on the stack rather than in this
        // future. Only a missing or stale key set (or an unknown `kid`) comes back here.
        let (idx, kid) = match self.check_jwt(token, dots, expect, None) {
            Ok(p) => return Ok(p),
            Err(Stop::Fail(e)) => return Err(e),
            Err(Stop::NeedKey(idx, kid)) => (idx, kid),
        };
        let key = self.inner.issuers[idx]
            .jwks
            .key(
                kid.as_deref(),
                &self.inner.http,
                &*self.inner.clock,
                self.inner.hook.as_ref(),
            )
            .await?;
        match self.check_jwt(token, dots, expect, Some(&key)) {
            Ok(p) => Ok(p),
            Err(Stop::Fail(e)) => Err(e),
            Err(Stop::NeedKey(..)) => unreachable!("the key is given"),
        }
    }

    /// Everything of a JWT check but fetching keys: with `key`, or with the cached key set
    /// when it is fresh and names the token's key; otherwise [`Stop::NeedKey`] once the
    /// checks that come before the key (decoding, issuer, algorithm) have passed.
    fn check_jwt(
        &self,
        token: &str,
        dots: (usize, usize),
        expect: Expect<'_>,
        key: Option<&VerifyKey>,
    ) -> Result<Principal, Stop> {
        let max = self.inner.settings.max_token_bytes;
        let mut header_buf = jwt::HeaderBuf::new();
        let mut signature_buf = jwt::SignatureBuf::new();
        let parts = jwt::decode_parts(token, max, Some(dots), &mut header_buf)?;
        let slots = claims::parse(&parts.payload, &self.inner.extra_claims)?;
        let signature = jwt::decode_signature(parts.signature, &mut signature_buf)?;
        let alg = parts.header.alg;
        let iss = match slots.get("iss") {
            Some(Claim::Str(s)) => &**s,
            Some(_) => {
                return Err(CheckError::InvalidClaim {
                    name: "iss",
                    reason: "not a string",
                }
                .into())
            }
            None => return Err(CheckError::MissingClaim("iss").into()),
        };
        let Some(idx) = self.inner.issuers.iter().position(|i| i.cfg.issuer == iss) else {
            return Err(CheckError::UntrustedIssuer(Sanitized::new(iss)).into());
        };
        let issuer = &self.inner.issuers[idx];
        let cfg = &issuer.cfg;
        if !cfg.algorithms.contains(&alg) {
            return Err(CheckError::AlgorithmNotAllowed {
                alg,
                issuer: Sanitized::new(&cfg.issuer),
            }
            .into());
        }
        let now = self.inner.clock.now();
        let cached;
        let key = match key {
            Some(k) => k,
            None => {
                let kid = parts.header.kid.as_deref();
                match issuer.jwks.cached(kid, now) {
                    Some(k) => {
                        cached = k?;
                        &*cached
                    }
                    None => return Err(Stop::NeedKey(idx, kid.map(str::to_string))),
                }
            }
        };
        let verifier = key
            .verifier(alg)
            .map_err(|k| CheckError::KeyAlgorithmMismatch {
                alg,
                kid: Sanitized::new(key.kid.as_deref().unwrap_or("")),
                key: k,
            })?;
        if alg
            .fixed_signature_len()
            .is_some_and(|l| l != signature.len())
        {
            return Err(CheckError::BadSignature(alg).into());
        }
        verifier
            .verify_sig(parts.signing_input, signature)
            .map_err(|_| CheckError::BadSignature(alg))?;
        let mut principal = validate_claims(cfg, alg, &slots, now.as_secs(), expect)?;
        drop(slots);
        principal.claims = Claims::from_checked_json(parts.payload);
        Ok(principal)
    }

    async fn check_opaque(&self, token: &str) -> Result<Principal, CheckError> {
        let mut last = CheckError::OpaqueNotAccepted;
        let hash = userinfo::hash_token(token);
        for is in &self.inner.issuers {
            let Some(cache) = &is.userinfo else { continue };
            let now = self.inner.clock.now();
            let claims = match cache.get(&hash, now) {
                Some(c) => c,
                None => {
                    let endpoint = match &is.cfg.userinfo {
                        Userinfo::Url(u) => u.clone(),
                        _ => match is.jwks.userinfo_endpoint(&self.inner.http).await {
                            Ok(u) => u,
                            Err(detail) => {
                                last = CheckError::UserinfoUnavailable {
                                    issuer: Sanitized::new(&is.cfg.issuer),
                                    detail,
                                };
                                continue;
                            }
                        },
                    };
                    match userinfo::fetch(&self.inner.http, &is.cfg.issuer, &endpoint, token).await
                    {
                        Ok(c) => {
                            cache.put(hash, now, c.clone());
                            c
                        }
                        Err(e) => {
                            last = e;
                            continue;
                        }
                    }
                }
            };
            return opaque_principal(&is.cfg, &self.inner.extra_claims, claims);
        }
        Err(last)
    }
}

fn opaque_principal(
    cfg: &IssuerConfig,
    extra: &[Box<str>],
    map: Map<String, Value>,
) -> Result<Principal, CheckError> {
    if !cfg.kinds.is_empty() && !cfg.kinds.contains(&TokenKind::OpaqueAccess) {
        return Err(CheckError::WrongTokenKind {
            kind: TokenKind::OpaqueAccess.as_str(),
            issuer: Sanitized::new(&cfg.issuer),
        });
    }
    let json = Value::Object(map).to_string();
    let claims = claims::parse(&json, extra)?;
    let subject = required_str(&claims, "sub")?.to_string();
    let username = optional_str(&claims, &cfg.username_claim)?
        .unwrap_or(&subject)
        .to_string();
    let groups = groups(&claims, &cfg.groups_claim)?;
    check_groups(cfg, &groups)?;
    drop(claims);
    Ok(Principal {
        issuer: cfg.issuer.clone(),
        subject,
        username,
        groups,
        audience: Vec::new(),
        expires_at: None,
        kind: TokenKind::OpaqueAccess,
        claims: Claims::from_checked_json(json),
    })
}

/// The claim rules; the returned principal's `claims` is left empty for the caller to fill.
fn validate_claims(
    cfg: &IssuerConfig,
    alg: Algorithm,
    claims: &Slots<'_, '_>,
    now: u64,
    expect: Expect<'_>,
) -> Result<Principal, CheckError> {
    let leeway = cfg.leeway.as_secs();
    let exp = required_time(claims, "exp")?;
    let iat = required_time(claims, "iat")?;
    if now > exp.saturating_add(leeway) {
        return Err(CheckError::Expired { exp, now, leeway });
    }
    if let Some(nbf) = optional_time(claims, "nbf")? {
        if nbf > now.saturating_add(leeway) {
            return Err(CheckError::NotYetValid { nbf, now, leeway });
        }
    }
    if iat > now.saturating_add(leeway) {
        return Err(CheckError::IssuedInFuture { iat, now, leeway });
    }
    let subject = required_str(claims, "sub")?;
    if subject.is_empty() {
        return Err(CheckError::InvalidClaim {
            name: "sub",
            reason: "empty",
        });
    }

    // Kind and audience.
    let (kind, audience) = if cfg.cognito {
        match required_str(claims, "token_use")? {
            "id" => (TokenKind::CognitoId, audiences(claims)?),
            "access" => {
                let client_id = required_str(claims, "client_id")?;
                (TokenKind::CognitoAccess, vec![client_id.to_string()])
            }
            _ => {
                return Err(CheckError::InvalidClaim {
                    name: "token_use",
                    reason: "neither \"id\" nor \"access\"",
                })
            }
        }
    } else {
        let audience = audiences(claims)?;
        let kind = if cfg.issuer.trim_end_matches('/').ends_with("/identity/oidc") {
            TokenKind::IdentityToken
        } else if is_client_credentials(claims, subject, &audience) {
            TokenKind::ClientCredentials
        } else {
            TokenKind::IdToken
        };
        (kind, audience)
    };
    match audience.iter().find(|a| cfg.audiences.contains(a)) {
        Some(_) => {}
        None => {
            return Err(CheckError::AudienceMismatch(Sanitized::new(
                &audience.join(","),
            )))
        }
    }
    if !cfg.kinds.is_empty() && !cfg.kinds.contains(&kind) {
        return Err(CheckError::WrongTokenKind {
            kind: kind.as_str(),
            issuer: Sanitized::new(&cfg.issuer),
        });
    }

    // Token binding.
    if let Some(nonce) = expect.nonce {
        match optional_str(claims, "nonce")? {
            None => return Err(CheckError::MissingClaim("nonce")),
            Some(n) if n != nonce => return Err(CheckError::NonceMismatch),
            Some(_) => {}
        }
    }
    if let Some(at) = expect.access_token {
        let Some(got) = optional_str(claims, "at_hash")? else {
            return Err(CheckError::MissingClaim("at_hash"));
        };
        let d = aws_lc_rs::digest::digest(alg.oidc_hash(), at.as_bytes());
        let half = &d.as_ref()[..d.as_ref().len() / 2];
        if B64.encode(half) != got {
            return Err(CheckError::AtHashMismatch);
        }
    }

    let subject = subject.to_string();
    let username = match kind {
        // Cognito access tokens name the user in `username`.
        TokenKind::CognitoAccess => optional_str(claims, "username")?,
        _ => optional_str(claims, &cfg.username_claim)?,
    }
    .unwrap_or(&subject)
    .to_string();
    let groups = groups(claims, &cfg.groups_claim)?;
    check_groups(cfg, &groups)?;
    Ok(Principal {
        issuer: cfg.issuer.clone(),
        subject,
        username,
        groups,
        audience,
        expires_at: Some(exp),
        kind,
        claims: Claims::default(),
    })
}

/// A client-credentials token speaks for the client itself: `sub` is the client id, which is
/// also the (single) audience or the `client_id`/`azp` claim.
fn is_client_credentials(claims: &Slots<'_, '_>, sub: &str, aud: &[String]) -> bool {
    let named = |c: &str| claims.get(c).and_then(Claim::as_str) == Some(sub);
    named("client_id") || named("azp") || (aud.len() == 1 && aud[0] == sub)
}

fn check_groups(cfg: &IssuerConfig, groups: &[String]) -> Result<(), CheckError> {
    if cfg.required_groups.is_empty() {
        return Ok(());
    }
    let has = |g: &String| groups.contains(g);
    let ok = if cfg.require_all_groups {
        cfg.required_groups.iter().all(has)
    } else {
        cfg.required_groups.iter().any(has)
    };
    if ok {
        Ok(())
    } else {
        Err(CheckError::MissingGroup)
    }
}

/// Static claim names for error messages (we never echo arbitrary claim names).
fn claim_name(name: &str) -> &'static str {
    match name {
        "iss" => "iss",
        "sub" => "sub",
        "aud" => "aud",
        "exp" => "exp",
        "iat" => "iat",
        "nbf" => "nbf",
        "nonce" => "nonce",
        "at_hash" => "at_hash",
        "token_use" => "token_use",
        "client_id" => "client_id",
        "username" => "username",
        "groups" => "groups",
        "cognito:username" => "cognito:username",
        "cognito:groups" => "cognito:groups",
        _ => "(configured claim)",
    }
}

fn required_str<'a>(claims: &'a Slots<'_, '_>, name: &str) -> Result<&'a str, CheckError> {
    optional_str(claims, name)?.ok_or(CheckError::MissingClaim(claim_name(name)))
}

fn optional_str<'a>(claims: &'a Slots<'_, '_>, name: &str) -> Result<Option<&'a str>, CheckError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Claim::Str(s)) => Ok(Some(s)),
        Some(_) => Err(CheckError::InvalidClaim {
            name: claim_name(name),
            reason: "not a string",
        }),
    }
}

fn optional_time(claims: &Slots<'_, '_>, name: &str) -> Result<Option<u64>, CheckError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Claim::Num(n)) => {
            if let Some(u) = n.as_u64() {
                Ok(Some(u))
            } else {
                match n.as_f64() {
                    Some(f) if f.is_finite() && f >= 0.0 => Ok(Some(f as u64)),
                    _ => Err(CheckError::InvalidClaim {
                        name: claim_name(name),
                        reason: "not a non-negative NumericDate",
                    }),
                }
            }
        }
        Some(_) => Err(CheckError::InvalidClaim {
            name: claim_name(name),
            reason: "not a number",
        }),
    }
}

fn required_time(claims: &Slots<'_, '_>, name: &str) -> Result<u64, CheckError> {
    optional_time(claims, name)?.ok_or(CheckError::MissingClaim(claim_name(name)))
}

fn audiences(claims: &Slots<'_, '_>) -> Result<Vec<String>, CheckError> {
    let invalid = |reason| CheckError::InvalidClaim {
        name: "aud",
        reason,
    };
    match claims.get("aud") {
        None => Err(CheckError::MissingClaim("aud")),
        Some(Claim::Str(s)) if !s.is_empty() => Ok(vec![s.to_string()]),
        Some(Claim::Arr(a)) if !a.is_empty() => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| invalid("holds a non-string"))
            })
            .collect(),
        Some(_) => Err(invalid("not a non-empty string or array")),
    }
}

fn groups(claims: &Slots<'_, '_>, name: &str) -> Result<Vec<String>, CheckError> {
    match claims.get(name) {
        None | Some(Claim::Null) => Ok(Vec::new()),
        Some(Claim::Str(s)) => Ok(vec![s.to_string()]),
        Some(Claim::Arr(a)) => Ok(a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()),
        Some(_) => Err(CheckError::InvalidClaim {
            name: claim_name(name),
            reason: "not a string or array of strings",
        }),
    }
}
