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
    let header = parse_header(&header_bytes)?;
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

/// The header as written, borrowed where possible (no per-member allocation). Members this
/// checker does not use (`jwk`, `jku`, `x5u`, `x5c`, `x5t`, …) are skipped unread; a member
/// given twice makes the header malformed.
#[derive(serde::Deserialize)]
struct RawHeader<'a> {
    #[serde(default, deserialize_with = "present")]
    alg: Option<Value>,
    #[serde(borrow, default)]
    kid: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    typ: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, deserialize_with = "present")]
    crit: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    b64: Option<Value>,
}

/// `Some(value)` for a present member, `null` included.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    serde::Deserialize::deserialize(d).map(Some)
}

fn parse_header(bytes: &[u8]) -> Result<Header, CheckError> {
    let h: RawHeader<'_> = serde_json::from_slice(bytes)
        .map_err(|_| CheckError::Malformed("header is not a valid JSON object"))?;
    let alg = match &h.alg {
        Some(Value::String(a)) => Algorithm::from_name(a)
            .ok_or_else(|| CheckError::UnsupportedAlgorithm(Sanitized::new(a)))?,
        Some(_) => return Err(CheckError::Malformed("header alg is not a string")),
        None => return Err(CheckError::Malformed("header has no alg")),
    };
    if let Some(crit) = &h.crit {
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
    match &h.b64 {
        None | Some(Value::Bool(true)) => {}
        Some(Value::Bool(false)) => return Err(CheckError::UnencodedPayload),
        Some(_) => return Err(CheckError::Malformed("header b64 is not a boolean")),
    }
    Ok(Header {
        alg,
        kid: h.kid.map(|k| k.into_owned()),
        typ: h.typ.map(|t| t.into_owned()),
    })
}
