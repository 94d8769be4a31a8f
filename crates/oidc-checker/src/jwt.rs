//! Compact JWS parsing: size limit first, exactly three segments of strict base64url (no
//! padding, no whitespace, canonical trailing bits), JSON-object header and payload, and the
//! header rules (`crit`, `b64`). `jwk`, `jku`, `x5u`, `x5c` and `x5t` are read by nobody.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::engine::GeneralPurpose;
use serde_json::Value;

use crate::alg::Algorithm;
use crate::claims;
use crate::error::{CheckError, Sanitized};
use crate::principal::Claims;

/// Strict base64url without padding; rejects non-canonical trailing bits.
pub(crate) const B64: GeneralPurpose = URL_SAFE_NO_PAD;

/// Decoding table of base64url: 0..=63, or 0xFF for a byte outside the alphabet (`=` included).
const DECODE: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Decodes strict base64url without padding into `out` (cleared first), accepting exactly what
/// [`B64`] accepts: alphabet only, no padding, no length ≡ 1 (mod 4), canonical trailing bits.
/// It is the hot-path decoder (no allocation when `out` has room, a few operations per byte).
pub(crate) fn b64_decode_into(input: &str, out: &mut Vec<u8>) -> Result<(), ()> {
    let input = input.as_bytes();
    let rem = input.len() % 4;
    if rem == 1 {
        return Err(());
    }
    let full = input.len() / 4;
    out.clear();
    out.resize(full * 3 + rem.saturating_sub(1), 0);
    let (head, tail) = input.split_at(full * 4);
    let mut bad = 0u8;
    for (q, o) in head.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
        let (a, b, c, d) = (
            DECODE[q[0] as usize],
            DECODE[q[1] as usize],
            DECODE[q[2] as usize],
            DECODE[q[3] as usize],
        );
        bad |= a | b | c | d;
        let n = (u32::from(a) << 18) | (u32::from(b) << 12) | (u32::from(c) << 6) | u32::from(d);
        o[0] = (n >> 16) as u8;
        o[1] = (n >> 8) as u8;
        o[2] = n as u8;
    }
    if bad & 0x80 != 0 {
        return Err(());
    }
    let o = &mut out[full * 3..];
    match *tail {
        [] => {}
        [a, b] => {
            let (a, b) = (DECODE[a as usize], DECODE[b as usize]);
            if (a | b) & 0x80 != 0 || b & 0x0F != 0 {
                return Err(());
            }
            o[0] = (a << 2) | (b >> 4);
        }
        [a, b, c] => {
            let (a, b, c) = (DECODE[a as usize], DECODE[b as usize], DECODE[c as usize]);
            if (a | b | c) & 0x80 != 0 || c & 0x03 != 0 {
                return Err(());
            }
            o[0] = (a << 2) | (b >> 4);
            o[1] = (b << 4) | (c >> 2);
        }
        _ => unreachable!("remainder is 0, 2 or 3"),
    }
    Ok(())
}

/// [`b64_decode_into`] into a new vector.
pub(crate) fn b64_decode(input: &str) -> Result<Vec<u8>, ()> {
    let mut out = Vec::new();
    b64_decode_into(input, &mut out)?;
    Ok(out)
}

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
    /// The payload, checked to be one JSON object.
    pub claims: Claims,
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
    let parts = decode_parts(token, max_len)?;
    claims::parse(&parts.payload, &[])?;
    let signature = decode_signature(parts.signature)?;
    Ok(Decoded {
        header: parts.header,
        claims: Claims::from_checked_json(parts.payload),
        signing_input: parts.signing_input,
        signature,
    })
}

/// A token split and partly decoded: the header parsed, the payload decoded to text (its JSON
/// is parsed by the caller, before [`decode_signature`]), the signature still encoded.
pub(crate) struct Parts<'a> {
    pub header: Header,
    pub payload: String,
    pub signing_input: &'a [u8],
    pub signature: &'a str,
}

/// The first steps of [`decode`], in its order: size, segments, header, payload encoding.
pub(crate) fn decode_parts(token: &str, max_len: usize) -> Result<Parts<'_>, CheckError> {
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
    let header = decode_header(h)?;
    if s.is_empty() {
        return Err(CheckError::Malformed("empty signature segment"));
    }
    let payload =
        b64_decode(p).map_err(|()| CheckError::Malformed("payload is not strict base64url"))?;
    // Bytes that are not UTF-8 cannot be a JSON text.
    let payload = String::from_utf8(payload)
        .map_err(|_| CheckError::Malformed("payload is not a JSON object"))?;
    Ok(Parts {
        header,
        payload,
        signing_input: &bytes[..h.len() + 1 + p.len()],
        signature: s,
    })
}

fn decode_header(h: &str) -> Result<Header, CheckError> {
    let bytes =
        b64_decode(h).map_err(|()| CheckError::Malformed("header is not strict base64url"))?;
    parse_header(&bytes)
}

/// The last step of [`decode`].
pub(crate) fn decode_signature(s: &str) -> Result<Vec<u8>, CheckError> {
    b64_decode(s).map_err(|()| CheckError::Malformed("signature is not strict base64url"))
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

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    /// The hot-path decoder accepts and yields exactly what the `base64` crate's strict engine
    /// does, on every string of up to 4 characters over an alphabet that covers every class of
    /// byte (each trailing-bit pattern, padding, non-alphabet, non-ASCII) and on longer ones.
    #[test]
    fn b64_decoder_matches_the_strict_engine() {
        let chars = [
            "A", "B", "D", "E", "Q", "g", "w", "_", "-", "/", "+", "=", " ", ".", "é",
        ];
        let mut inputs = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for s in &last {
                for c in chars {
                    next.push(format!("{s}{c}"));
                }
            }
            inputs.extend(next.iter().cloned());
            last = next;
        }
        for base in [
            "eyJhbGciOiJSUzI1NiJ9",
            "SGVsbG8gd29ybGQ",
            "YWJjZA",
            "YWJjZGU",
        ] {
            let more: Vec<String> = inputs[..200].iter().map(|s| format!("{base}{s}")).collect();
            inputs.extend(more);
        }
        for s in &inputs {
            let want = B64.decode(s).ok();
            let got = b64_decode(s).ok();
            assert_eq!(got, want, "{s:?}");
        }
    }
}
