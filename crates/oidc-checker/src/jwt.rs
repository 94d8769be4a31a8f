//! Compact JWS parsing: size limit first, exactly three segments of strict base64url (no
//! padding, no whitespace, canonical trailing bits), JSON-object header and payload, and the
//! header rules (`crit`, `b64`). `jwk`, `jku`, `x5u`, `x5c` and `x5t` are read by nobody.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::engine::GeneralPurpose;
use base64::Engine;
use serde_json::{Map, Value};

use crate::alg::Algorithm;
use crate::error::{CheckError, Sanitized};

/// Strict base64url without padding; rejects non-canonical trailing bits.
pub(crate) const B64: GeneralPurpose = URL_SAFE_NO_PAD;

/// Default maximum token size (16 KiB).
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 16 * 1024;

/// The parts of a JWS header the checker uses.
#[derive(Debug, Clone)]
pub struct Header {
    pub alg: Algorithm,
    pub kid: Option<String>,
    pub typ: Option<String>,
}

/// A decoded, not yet verified token.
#[derive(Debug, Clone)]
pub struct Decoded<'a> {
    pub header: Header,
    pub claims: Map<String, Value>,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`, the signed bytes.
    pub signing_input: &'a [u8],
    pub signature: Vec<u8>,
}

/// True when `token` looks like a compact JWS (two dots), as opposed to an opaque token.
pub fn looks_like_jwt(token: &str) -> bool {
    token.bytes().filter(|&b| b == b'.').count() == 2
}

/// Decodes a compact JWS without verifying it. Public so that fuzzers and tools can use it;
/// never trust the result without [`crate::Checker::check`].
pub fn decode(token: &str, max_len: usize) -> Result<Decoded<'_>, CheckError> {
    if token.len() > max_len {
        return Err(CheckError::TooLarge {
            len: token.len(),
            max: max_len,
        });
    }
    let bytes = token.as_bytes();
    let mut parts = token.splitn(4, '.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(CheckError::Malformed("not three dot-separated segments"));
    };
    if h.is_empty() || p.is_empty() {
        return Err(CheckError::Malformed("empty header or payload segment"));
    }
    let header_bytes = B64
        .decode(h)
        .map_err(|_| CheckError::Malformed("header is not strict base64url"))?;
    let header: Map<String, Value> = serde_json::from_slice(&header_bytes)
        .map_err(|_| CheckError::Malformed("header is not a JSON object"))?;
    let header = parse_header(&header)?;
    if s.is_empty() {
        return Err(CheckError::Malformed("empty signature segment"));
    }
    let payload = B64
        .decode(p)
        .map_err(|_| CheckError::Malformed("payload is not strict base64url"))?;
    let claims: Map<String, Value> = serde_json::from_slice(&payload)
        .map_err(|_| CheckError::Malformed("payload is not a JSON object"))?;
    let signature = B64
        .decode(s)
        .map_err(|_| CheckError::Malformed("signature is not strict base64url"))?;
    Ok(Decoded {
        header,
        claims,
        signing_input: &bytes[..h.len() + 1 + p.len()],
        signature,
    })
}

fn parse_header(h: &Map<String, Value>) -> Result<Header, CheckError> {
    let alg = match h.get("alg") {
        Some(Value::String(a)) => Algorithm::from_name(a)
            .ok_or_else(|| CheckError::UnsupportedAlgorithm(Sanitized::new(a)))?,
        Some(_) => return Err(CheckError::Malformed("header alg is not a string")),
        None => return Err(CheckError::Malformed("header has no alg")),
    };
    if let Some(crit) = h.get("crit") {
        // We implement no extension, so any listed one is unknown to us (RFC 7515 §4.1.11).
        let Some(list) = crit.as_array() else {
            return Err(CheckError::Malformed("header crit is not an array"));
        };
        match list.first() {
            None => return Err(CheckError::Malformed("header crit is empty")),
            Some(Value::String(name)) => {
                return Err(CheckError::CriticalHeader(Sanitized::new(name)))
            }
            Some(_) => return Err(CheckError::Malformed("header crit holds a non-string")),
        }
    }
    match h.get("b64") {
        None | Some(Value::Bool(true)) => {}
        Some(Value::Bool(false)) => return Err(CheckError::UnencodedPayload),
        Some(_) => return Err(CheckError::Malformed("header b64 is not a boolean")),
    }
    let kid = match h.get("kid") {
        None => None,
        Some(Value::String(k)) => Some(k.clone()),
        Some(_) => return Err(CheckError::Malformed("header kid is not a string")),
    };
    let typ = match h.get("typ") {
        None => None,
        Some(Value::String(t)) => Some(t.clone()),
        Some(_) => return Err(CheckError::Malformed("header typ is not a string")),
    };
    Ok(Header { alg, kid, typ })
}
