//! The seven JWS algorithms Vault/OpenBao sign with, mapped onto `aws-lc-rs`.

use std::fmt;
use std::str::FromStr;

use aws_lc_rs::{digest, signature};
use serde::{Deserialize, Serialize};

/// A JWS signature algorithm. Only asymmetric algorithms exist here: `none` and `HS*` cannot be
/// expressed, so they can never be allowed by mistake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Algorithm {
    RS256,
    RS384,
    RS512,
    ES256,
    ES384,
    /// ECDSA on P-521 with SHA-512.
    ES512,
    /// Ed25519.
    EdDSA,
}

/// Key families, as JWK `kty` (+ `crv`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyFamily {
    Rsa,
    P256,
    P384,
    P521,
    Ed25519,
}

impl Algorithm {
    /// All seven, the default allow-list.
    pub const ALL: [Algorithm; 7] = [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::EdDSA,
    ];

    /// The JOSE name (`"RS256"`, …, `"EdDSA"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::ES512 => "ES512",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    /// Parses a JOSE name exactly (case-sensitive, as JOSE requires).
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.as_str() == name)
    }

    pub(crate) fn family(self) -> KeyFamily {
        match self {
            Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => KeyFamily::Rsa,
            Algorithm::ES256 => KeyFamily::P256,
            Algorithm::ES384 => KeyFamily::P384,
            Algorithm::ES512 => KeyFamily::P521,
            Algorithm::EdDSA => KeyFamily::Ed25519,
        }
    }

    /// The aws-lc-rs verification algorithm (ECDSA in the fixed `r || s` JOSE encoding).
    pub fn verification(self) -> &'static dyn signature::VerificationAlgorithm {
        match self {
            Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            Algorithm::ES256 => &signature::ECDSA_P256_SHA256_FIXED,
            Algorithm::ES384 => &signature::ECDSA_P384_SHA384_FIXED,
            Algorithm::ES512 => &signature::ECDSA_P521_SHA512_FIXED,
            Algorithm::EdDSA => &signature::ED25519,
        }
    }

    pub(crate) fn rsa_params(self) -> Option<&'static signature::RsaParameters> {
        match self {
            Algorithm::RS256 => Some(&signature::RSA_PKCS1_2048_8192_SHA256),
            Algorithm::RS384 => Some(&signature::RSA_PKCS1_2048_8192_SHA384),
            Algorithm::RS512 => Some(&signature::RSA_PKCS1_2048_8192_SHA512),
            _ => None,
        }
    }

    /// The signature length for fixed-size algorithms (ECDSA, EdDSA).
    pub(crate) fn fixed_signature_len(self) -> Option<usize> {
        match self {
            Algorithm::ES256 => Some(64),
            Algorithm::ES384 => Some(96),
            Algorithm::ES512 => Some(132),
            Algorithm::EdDSA => Some(64),
            _ => None,
        }
    }

    /// The hash used for OpenID Connect `at_hash`/`c_hash` with this algorithm.
    pub(crate) fn oidc_hash(self) -> &'static digest::Algorithm {
        match self {
            Algorithm::RS256 | Algorithm::ES256 => &digest::SHA256,
            Algorithm::RS384 | Algorithm::ES384 => &digest::SHA384,
            Algorithm::RS512 | Algorithm::ES512 | Algorithm::EdDSA => &digest::SHA512,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error from parsing an algorithm name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown algorithm {0:?} (expected one of RS256, RS384, RS512, ES256, ES384, ES512, EdDSA)"
)]
pub struct UnknownAlgorithm(pub String);

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::from_name(s).ok_or_else(|| UnknownAlgorithm(s.to_string()))
    }
}

impl KeyFamily {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            KeyFamily::Rsa => "RSA",
            KeyFamily::P256 => "EC P-256",
            KeyFamily::P384 => "EC P-384",
            KeyFamily::P521 => "EC P-521",
            KeyFamily::Ed25519 => "OKP Ed25519",
        }
    }
}
