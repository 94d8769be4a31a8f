//! Errors. One variant per failure. Every variant has a short, safe [`CheckError::public_message`]
//! (what an HTTP 401 may say), a stable [`CheckError::category`] (for logs and metrics) and an
//! operator detail (`Display`). Neither ever contains the token or its signature: values taken
//! from a token (issuer, audience, `kid`, claim names) are shortened and stripped of control
//! characters before they go into a detail.

use std::fmt;

use crate::alg::Algorithm;

/// Why a token was refused, or why the checker could not decide.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// The token is longer than the configured limit; it was not decoded.
    #[error("token is {len} bytes, over the {max}-byte limit")]
    TooLarge { len: usize, max: usize },
    /// Not three segments of strict base64url, or a header/payload that is not a JSON object.
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// The header `alg` names an algorithm this checker does not implement (`none`, `HS256`, …).
    #[error("unsupported algorithm {0:?}")]
    UnsupportedAlgorithm(Sanitized),
    /// The algorithm is implemented but not allowed for this issuer.
    #[error("algorithm {alg} is not allowed for issuer {issuer}")]
    AlgorithmNotAllowed { alg: Algorithm, issuer: Sanitized },
    /// The header lists a `crit` extension this checker does not understand.
    #[error("unsupported critical header parameter {0:?}")]
    CriticalHeader(Sanitized),
    /// The header says `b64: false` (unencoded payload, RFC 7797).
    #[error("unencoded payload (b64: false) is not supported")]
    UnencodedPayload,
    /// The `iss` claim names no trusted issuer.
    #[error("issuer {0:?} is not trusted")]
    UntrustedIssuer(Sanitized),
    /// No key in the issuer's JWKS has this `kid`, even after a refetch.
    #[error("no key with kid {kid:?} in the JWKS of {issuer}")]
    UnknownKey { issuer: Sanitized, kid: Sanitized },
    /// The token has no `kid` and the JWKS has several signing keys.
    #[error("token has no kid and the JWKS of {issuer} has {keys} keys")]
    AmbiguousKey { issuer: Sanitized, keys: usize },
    /// The selected JWK was refused (RSA under 2048 bits, `use` other than `sig`, bad encoding…).
    #[error("key {kid:?} of {issuer} refused: {reason}")]
    KeyRejected {
        issuer: Sanitized,
        kid: Sanitized,
        reason: String,
    },
    /// The header `alg` does not match the key (`kty`, `crv` or the JWK `alg`).
    #[error("algorithm {alg} does not match key {kid:?} ({key})")]
    KeyAlgorithmMismatch {
        alg: Algorithm,
        kid: Sanitized,
        key: String,
    },
    /// The signature does not verify.
    #[error("signature verification failed (alg {0})")]
    BadSignature(Algorithm),
    /// `exp` is in the past (beyond the leeway).
    #[error("token expired at {exp} (now {now}, leeway {leeway}s)")]
    Expired { exp: u64, now: u64, leeway: u64 },
    /// `nbf` is in the future (beyond the leeway).
    #[error("token not valid before {nbf} (now {now}, leeway {leeway}s)")]
    NotYetValid { nbf: u64, now: u64, leeway: u64 },
    /// `iat` is in the future (beyond the leeway).
    #[error("token issued in the future at {iat} (now {now}, leeway {leeway}s)")]
    IssuedInFuture { iat: u64, now: u64, leeway: u64 },
    /// `aud` (or Cognito `client_id`) names none of the allowed audiences.
    #[error("audience {0:?} is not allowed")]
    AudienceMismatch(Sanitized),
    /// A required claim is absent.
    #[error("missing claim {0}")]
    MissingClaim(&'static str),
    /// A claim has the wrong type or an impossible value.
    #[error("invalid claim {name}: {reason}")]
    InvalidClaim {
        name: &'static str,
        reason: &'static str,
    },
    /// The `nonce` claim differs from the one the caller expected.
    #[error("nonce does not match")]
    NonceMismatch,
    /// The `at_hash` claim does not match the access token the caller supplied.
    #[error("at_hash does not match the access token")]
    AtHashMismatch,
    /// The token is of a kind this issuer is not configured to accept.
    #[error("token kind {kind} is not accepted for issuer {issuer}")]
    WrongTokenKind {
        kind: &'static str,
        issuer: Sanitized,
    },
    /// The principal is in none of the required groups.
    #[error("principal is not in a required group")]
    MissingGroup,
    /// The JWKS (or discovery document) could not be fetched and no usable cached keys exist.
    #[error("JWKS of {issuer} unavailable: {detail}")]
    JwksUnavailable { issuer: Sanitized, detail: String },
    /// An opaque token was presented but no issuer has a userinfo check configured.
    #[error("opaque token presented but no userinfo check is configured")]
    OpaqueNotAccepted,
    /// The userinfo endpoint refused the opaque token.
    #[error("userinfo endpoint of {issuer} refused the token (HTTP {status})")]
    UserinfoRejected { issuer: Sanitized, status: u16 },
    /// The userinfo endpoint could not be reached or answered nonsense.
    #[error("userinfo endpoint of {issuer} unavailable: {detail}")]
    UserinfoUnavailable { issuer: Sanitized, detail: String },
}

impl CheckError {
    /// A short, stable, machine-friendly category (`"expired"`, `"bad_signature"`, …).
    pub fn category(&self) -> &'static str {
        use CheckError::*;
        match self {
            TooLarge { .. } => "too_large",
            Malformed(_) => "malformed",
            UnsupportedAlgorithm(_) => "unsupported_algorithm",
            AlgorithmNotAllowed { .. } => "algorithm_not_allowed",
            CriticalHeader(_) => "critical_header",
            UnencodedPayload => "unencoded_payload",
            UntrustedIssuer(_) => "issuer",
            UnknownKey { .. } => "unknown_key",
            AmbiguousKey { .. } => "ambiguous_key",
            KeyRejected { .. } => "key_rejected",
            KeyAlgorithmMismatch { .. } => "key_algorithm_mismatch",
            BadSignature(_) => "bad_signature",
            Expired { .. } => "expired",
            NotYetValid { .. } => "not_yet_valid",
            IssuedInFuture { .. } => "issued_in_future",
            AudienceMismatch(_) => "audience",
            MissingClaim(_) => "missing_claim",
            InvalidClaim { .. } => "invalid_claim",
            NonceMismatch => "nonce",
            AtHashMismatch => "at_hash",
            WrongTokenKind { .. } => "token_kind",
            MissingGroup => "group",
            JwksUnavailable { .. } => "jwks_unavailable",
            OpaqueNotAccepted => "opaque_not_accepted",
            UserinfoRejected { .. } => "userinfo_rejected",
            UserinfoUnavailable { .. } => "userinfo_unavailable",
        }
    }

    /// What a 401/503 response may tell the client. Never names keys, issuers' internals or values.
    pub fn public_message(&self) -> &'static str {
        use CheckError::*;
        match self {
            TooLarge { .. } => "token too large",
            Malformed(_) | UnencodedPayload | CriticalHeader(_) => "malformed token",
            UnsupportedAlgorithm(_) | AlgorithmNotAllowed { .. } => "token algorithm not accepted",
            UntrustedIssuer(_) => "token issuer not trusted",
            UnknownKey { .. } | AmbiguousKey { .. } | KeyRejected { .. } => {
                "token signing key not trusted"
            }
            KeyAlgorithmMismatch { .. } | BadSignature(_) => "invalid token signature",
            Expired { .. } => "token expired",
            NotYetValid { .. } | IssuedInFuture { .. } => "token not yet valid",
            AudienceMismatch(_) => "token audience not accepted",
            MissingClaim(_) | InvalidClaim { .. } => "token claims invalid",
            NonceMismatch | AtHashMismatch => "token binding check failed",
            WrongTokenKind { .. } => "token type not accepted",
            MissingGroup => "not in a permitted group",
            JwksUnavailable { .. } | UserinfoUnavailable { .. } => {
                "token cannot be checked right now"
            }
            OpaqueNotAccepted | UserinfoRejected { .. } => "token not accepted",
        }
    }

    /// True when the failure is on the checker's side (JWKS or userinfo unreachable), so a
    /// server should answer 503 rather than 401.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            CheckError::JwksUnavailable { .. } | CheckError::UserinfoUnavailable { .. }
        )
    }
}

/// A token-derived string made safe for logs: at most 80 characters, control characters
/// replaced. It never holds a whole token (the token is never passed to it).
#[derive(Clone, PartialEq, Eq)]
pub struct Sanitized(String);

impl Sanitized {
    pub fn new(s: &str) -> Self {
        const MAX: usize = 80;
        let mut out = String::with_capacity(s.len().min(MAX + 3));
        for (i, c) in s.chars().enumerate() {
            if i == MAX {
                out.push('…');
                break;
            }
            out.push(if c.is_control() { '?' } else { c });
        }
        Sanitized(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sanitized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Sanitized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A configuration mistake found when building a [`crate::Checker`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid checker configuration: {0}")]
pub struct ConfigError(pub String);
