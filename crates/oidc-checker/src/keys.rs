//! JWK → ready-to-verify key objects. Keys are parsed once, when a JWKS is fetched; checking a
//! token never parses key material.

use std::sync::Arc;

use aws_lc_rs::signature::{ParsedPublicKey, RsaPublicKeyComponents};
use base64::Engine;
use serde_json::{Map, Value};

use crate::alg::{Algorithm, KeyFamily};
use crate::jwt::B64;

/// Smallest RSA modulus accepted.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus accepted (the aws-lc-rs limit).
pub const MAX_RSA_BITS: usize = 8192;

/// A signing key from a JWKS, parsed and ready to verify.
pub(crate) struct VerifyKey {
    pub kid: Option<String>,
    pub family: KeyFamily,
    /// The JWK `alg`, when the JWKS named one.
    pub jwk_alg: Option<Algorithm>,
    /// One parsed key per algorithm this key may verify (three for an RSA key without `alg`).
    verifiers: Vec<(Algorithm, ParsedPublicKey)>,
}

impl VerifyKey {
    /// The parsed key for `alg`, or a description of why `alg` does not fit this key.
    pub fn verifier(&self, alg: Algorithm) -> Result<&ParsedPublicKey, String> {
        if let Some(ja) = self.jwk_alg {
            if ja != alg {
                return Err(format!("JWK alg is {ja}"));
            }
        }
        if alg.family() != self.family {
            return Err(format!("key is {}", self.family.describe()));
        }
        self.verifiers
            .iter()
            .find(|(a, _)| *a == alg)
            .map(|(_, k)| k)
            .ok_or_else(|| format!("key is {}", self.family.describe()))
    }
}

/// A JWK that was refused, remembered so that a token naming it gets a precise error.
pub(crate) struct RejectedKey {
    pub kid: Option<String>,
    pub reason: String,
    /// False for keys that are not signing keys at all (`use` other than `sig`): they do not
    /// count when a token without `kid` looks for "the only key".
    pub signing: bool,
}

/// A parsed JWKS.
#[derive(Default)]
pub(crate) struct KeySet {
    pub keys: Vec<Arc<VerifyKey>>,
    pub rejected: Vec<RejectedKey>,
}

/// Result of looking a `kid` up in a [`KeySet`].
pub(crate) enum Lookup<'a> {
    Found(&'a Arc<VerifyKey>),
    Rejected(&'a RejectedKey),
    Missing,
    /// No `kid` in the token and several signing keys in the set.
    Ambiguous(usize),
}

impl KeySet {
    pub fn lookup(&self, kid: Option<&str>) -> Lookup<'_> {
        match kid {
            Some(kid) => {
                if let Some(k) = self.keys.iter().find(|k| k.kid.as_deref() == Some(kid)) {
                    Lookup::Found(k)
                } else if let Some(r) = self.rejected.iter().find(|r| r.kid.as_deref() == Some(kid))
                {
                    Lookup::Rejected(r)
                } else {
                    Lookup::Missing
                }
            }
            None => {
                let mut rejected = self.rejected.iter().filter(|r| r.signing);
                match (self.keys.len(), rejected.clone().count()) {
                    (1, 0) => Lookup::Found(&self.keys[0]),
                    (0, 1) => Lookup::Rejected(rejected.next().expect("one")),
                    (0, 0) => Lookup::Missing,
                    (a, b) => Lookup::Ambiguous(a + b),
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }
}

/// Parses a JWKS document. Fails only when the document itself is not a JWKS; individual keys
/// that are unusable are recorded in [`KeySet::rejected`].
pub(crate) fn parse_jwks(bytes: &[u8]) -> Result<KeySet, String> {
    let doc: Value =
        serde_json::from_slice(bytes).map_err(|_| "JWKS is not valid JSON".to_string())?;
    let keys = doc
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| "JWKS has no \"keys\" array".to_string())?;
    let mut set = KeySet::default();
    for jwk in keys {
        let Some(obj) = jwk.as_object() else {
            set.rejected.push(RejectedKey {
                kid: None,
                reason: "JWK is not an object".into(),
                signing: true,
            });
            continue;
        };
        let kid = obj.get("kid").and_then(Value::as_str).map(str::to_string);
        // Encryption keys are not part of the signing key set at all.
        match obj.get("use") {
            None => {}
            Some(Value::String(u)) if u == "sig" => {}
            Some(_) => {
                set.rejected.push(RejectedKey {
                    kid,
                    reason: "JWK use is not \"sig\"".into(),
                    signing: false,
                });
                continue;
            }
        }
        match parse_jwk(obj) {
            Ok((family, jwk_alg, verifiers)) => set.keys.push(Arc::new(VerifyKey {
                kid,
                family,
                jwk_alg,
                verifiers,
            })),
            Err(reason) => set.rejected.push(RejectedKey {
                kid,
                reason,
                signing: true,
            }),
        }
    }
    Ok(set)
}

type Parsed = (
    KeyFamily,
    Option<Algorithm>,
    Vec<(Algorithm, ParsedPublicKey)>,
);

fn parse_jwk(obj: &Map<String, Value>) -> Result<Parsed, String> {
    if let Some(ops) = obj.get("key_ops") {
        let ok = ops
            .as_array()
            .is_some_and(|a| a.iter().any(|o| o.as_str() == Some("verify")));
        if !ok {
            return Err("JWK key_ops does not include \"verify\"".into());
        }
    }
    let kty = str_field(obj, "kty")?;
    let crv = obj.get("crv").and_then(Value::as_str);
    let family = match (kty, crv) {
        ("RSA", _) => KeyFamily::Rsa,
        ("EC", Some("P-256")) => KeyFamily::P256,
        ("EC", Some("P-384")) => KeyFamily::P384,
        ("EC", Some("P-521")) => KeyFamily::P521,
        ("OKP", Some("Ed25519")) => KeyFamily::Ed25519,
        _ => return Err("unsupported kty/crv".into()),
    };
    let jwk_alg = match obj.get("alg") {
        None => None,
        Some(Value::String(a)) => {
            let alg = Algorithm::from_name(a).ok_or_else(|| "unsupported JWK alg".to_string())?;
            if alg.family() != family {
                return Err(format!(
                    "JWK alg {alg} does not fit a {} key",
                    family.describe()
                ));
            }
            Some(alg)
        }
        Some(_) => return Err("JWK alg is not a string".into()),
    };
    let algs: Vec<Algorithm> = match jwk_alg {
        Some(a) => vec![a],
        None => Algorithm::ALL
            .into_iter()
            .filter(|a| a.family() == family)
            .collect(),
    };
    let mut verifiers = Vec::with_capacity(algs.len());
    match family {
        KeyFamily::Rsa => {
            let n = b64_field(obj, "n")?;
            let e = b64_field(obj, "e")?;
            let n = strip_leading_zeros(&n);
            let e = strip_leading_zeros(&e);
            if n.is_empty() || e.is_empty() {
                return Err("RSA n or e is zero".into());
            }
            let bits = n.len() * 8 - n[0].leading_zeros() as usize;
            if bits < MIN_RSA_BITS {
                return Err(format!("RSA key of {bits} bits (minimum {MIN_RSA_BITS})"));
            }
            if bits > MAX_RSA_BITS {
                return Err(format!("RSA key of {bits} bits (maximum {MAX_RSA_BITS})"));
            }
            let comps = RsaPublicKeyComponents { n, e };
            for alg in algs {
                let params = alg.rsa_params().expect("RSA algorithm");
                let key = comps
                    .to_parsed_public_key(params)
                    .map_err(|_| "RSA key rejected by the crypto backend".to_string())?;
                verifiers.push((alg, key));
            }
        }
        KeyFamily::P256 | KeyFamily::P384 | KeyFamily::P521 => {
            let size = match family {
                KeyFamily::P256 => 32,
                KeyFamily::P384 => 48,
                _ => 66,
            };
            let x = b64_field(obj, "x")?;
            let y = b64_field(obj, "y")?;
            if x.len() != size || y.len() != size {
                return Err("EC coordinates have the wrong length".into());
            }
            let mut point = Vec::with_capacity(1 + 2 * size);
            point.push(4);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            for alg in algs {
                let key = ParsedPublicKey::new(alg.verification(), &point)
                    .map_err(|_| "EC point is not on the curve".to_string())?;
                verifiers.push((alg, key));
            }
        }
        KeyFamily::Ed25519 => {
            let x = b64_field(obj, "x")?;
            if x.len() != 32 {
                return Err("Ed25519 key has the wrong length".into());
            }
            for alg in algs {
                let key = ParsedPublicKey::new(alg.verification(), &x)
                    .map_err(|_| "Ed25519 key rejected by the crypto backend".to_string())?;
                verifiers.push((alg, key));
            }
        }
    }
    Ok((family, jwk_alg, verifiers))
}

fn str_field<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<&'a str, String> {
    obj.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("JWK has no {name}"))
}

fn b64_field(obj: &Map<String, Value>, name: &str) -> Result<Vec<u8>, String> {
    B64.decode(str_field(obj, name)?)
        .map_err(|_| format!("JWK {name} is not base64url"))
}

fn strip_leading_zeros(b: &[u8]) -> &[u8] {
    let i = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[i..]
}
