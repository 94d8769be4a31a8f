//! Compact JWS parsing: size limit first, exactly three segments of strict base64url (no
//! padding, no whitespace, canonical trailing bits), JSON-object header and payload, and the
//! header rules (`crit`, `b64`). `jwk`, `jku`, `x5u`, `x5c` and `x5t` are read by nobody.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::engine::GeneralPurpose;
use std::borrow::Cow;

use crate::alg::Algorithm;
use crate::claims::{self, Claim};
use crate::error::{CheckError, Sanitized};
use crate::principal::Claims;

/// Strict base64url without padding; rejects non-canonical trailing bits.
pub(crate) const B64: GeneralPurpose = URL_SAFE_NO_PAD;

/// Decoding tables of base64url, one per position in a group of four characters: the 6-bit
/// value shifted into place, or [`INVALID`] for a byte outside the alphabet (`=` included).
const INVALID: u32 = 1 << 31;
const fn table(shift: u32) -> [u32; 256] {
    let mut t = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = (i as u32) << shift;
        i += 1;
    }
    t
}
static D0: [u32; 256] = table(18);
static D1: [u32; 256] = table(12);
static D2: [u32; 256] = table(6);
static D3: [u32; 256] = table(0);

/// Decodes strict base64url without padding into `out`, accepting exactly what [`B64`]
/// accepts: alphabet only, no padding, no length ≡ 1 (mod 4), canonical trailing bits. Returns
/// the decoded length; `out` must hold at least [`decoded_room`] bytes. This is the hot-path
/// decoder: no allocation, a handful of operations per character.
pub(crate) fn b64_decode_slice(input: &str, out: &mut [u8]) -> Result<usize, ()> {
    let input = input.as_bytes();
    let rem = input.len() % 4;
    if rem == 1 {
        return Err(());
    }
    let full = input.len() / 4;
    let len = full * 3 + rem.saturating_sub(1);
    let (head, tail) = input.split_at(full * 4);
    let mut acc = 0u32;
    for (q, o) in head.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
        let n = D0[q[0] as usize] | D1[q[1] as usize] | D2[q[2] as usize] | D3[q[3] as usize];
        acc |= n;
        o.copy_from_slice(&n.to_be_bytes()[1..]);
    }
    if acc & INVALID != 0 {
        return Err(());
    }
    let o = &mut out[full * 3..len];
    let n = match *tail {
        [] => return Ok(len),
        [a, b] => D0[a as usize] | D1[b as usize],
        [a, b, c] => D0[a as usize] | D1[b as usize] | D2[c as usize],
        _ => unreachable!("remainder is 0, 2 or 3"),
    };
    // Invalid character, or non-zero bits past the last whole byte.
    let spare = if rem == 2 { 0xFFFF } else { 0xFF };
    if n & (INVALID | spare) != 0 {
        return Err(());
    }
    let b = n.to_be_bytes();
    o.copy_from_slice(&b[1..1 + o.len()]);
    Ok(len)
}

/// Room [`b64_decode_slice`] needs for `input`.
pub(crate) fn decoded_room(input: &str) -> usize {
    input.len() / 4 * 3 + 2
}

/// Decodes into `out` (cleared first).
pub(crate) fn b64_decode_into(input: &str, out: &mut Vec<u8>) -> Result<(), ()> {
    out.clear();
    out.resize(decoded_room(input), 0);
    let n = b64_decode_slice(input, out)?;
    out.truncate(n);
    Ok(())
}

/// Decodes into a stack buffer of `N` bytes when the input fits, else onto the heap.
pub(crate) struct B64Buf<const N: usize> {
    stack: [u8; N],
    heap: Vec<u8>,
}

impl<const N: usize> B64Buf<N> {
    pub fn new() -> Self {
        B64Buf {
            stack: [0; N],
            heap: Vec::new(),
        }
    }

    pub fn decode(&mut self, input: &str) -> Result<&[u8], ()> {
        if decoded_room(input) <= N {
            let n = b64_decode_slice(input, &mut self.stack)?;
            Ok(&self.stack[..n])
        } else {
            b64_decode_into(input, &mut self.heap)?;
            Ok(&self.heap)
        }
    }
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
    dots(token).is_some()
}

/// The positions of the two dots of a token that has exactly two (`str::find` on a char is a
/// word-at-a-time search).
pub(crate) fn dots(token: &str) -> Option<(usize, usize)> {
    let i = token.find('.')?;
    let j = i + 1 + token[i + 1..].find('.')?;
    (!token[j + 1..].contains('.')).then_some((i, j))
}

/// Decodes a compact JWS without verifying it. Public so that fuzzers and tools can use it;
/// never trust the result without [`crate::Checker::check`].
pub fn decode(token: &str, max_len: usize) -> Result<Decoded<'_>, CheckError> {
    let mut header_buf = HeaderBuf::new();
    let parts = decode_parts(token, max_len, None, &mut header_buf)?;
    claims::parse(&parts.payload, &[])?;
    let signature = b64_decode(parts.signature)
        .map_err(|()| CheckError::Malformed("signature is not strict base64url"))?;
    let h = parts.header;
    Ok(Decoded {
        header: Header {
            alg: h.alg,
            kid: h.kid.map(Cow::into_owned),
            typ: h.typ.map(Cow::into_owned),
        },
        claims: Claims::from_checked_json(parts.payload),
        signing_input: parts.signing_input,
        signature,
    })
}

/// Stack room for a header (larger ones are decoded on the heap).
pub(crate) type HeaderBuf = B64Buf<256>;
/// Stack room for a signature: up to RSA-4096 (larger ones are decoded on the heap).
pub(crate) type SignatureBuf = B64Buf<520>;

/// A token split and partly decoded: the header parsed (borrowing from the caller's
/// [`HeaderBuf`]), the payload decoded to text (its JSON is parsed by the caller, before
/// [`decode_signature`]), the signature still encoded.
pub(crate) struct Parts<'a, 'b> {
    pub header: HeaderRef<'b>,
    pub payload: String,
    pub signing_input: &'a [u8],
    pub signature: &'a str,
}

/// The first steps of [`decode`], in its order: size, segments, header, payload encoding.
pub(crate) fn decode_parts<'a, 'b>(
    token: &'a str,
    max_len: usize,
    dots_at: Option<(usize, usize)>,
    header_buf: &'b mut HeaderBuf,
) -> Result<Parts<'a, 'b>, CheckError> {
    if token.len() > max_len {
        return Err(CheckError::TooLarge {
            len: token.len(),
            max: max_len,
        });
    }
    let bytes = token.as_bytes();
    let Some((i, j)) = dots_at.or_else(|| dots(token)) else {
        return Err(CheckError::Malformed("not three dot-separated segments"));
    };
    let (h, p, s) = (&token[..i], &token[i + 1..j], &token[j + 1..]);
    if h.is_empty() || p.is_empty() {
        return Err(CheckError::Malformed("empty header or payload segment"));
    }
    let header_bytes = header_buf
        .decode(h)
        .map_err(|()| CheckError::Malformed("header is not strict base64url"))?;
    let header = parse_header_ref(header_bytes)?;
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
        signing_input: &bytes[..j],
        signature: s,
    })
}

/// The last step of [`decode`].
pub(crate) fn decode_signature<'b>(
    s: &str,
    buf: &'b mut SignatureBuf,
) -> Result<&'b [u8], CheckError> {
    buf.decode(s)
        .map_err(|()| CheckError::Malformed("signature is not strict base64url"))
}

/// The header members the checker uses, borrowed from the decoded header.
#[derive(Debug)]
pub(crate) struct HeaderRef<'b> {
    pub alg: Algorithm,
    pub kid: Option<Cow<'b, str>>,
    pub typ: Option<Cow<'b, str>>,
}

/// The header as written, borrowed where possible (no per-member allocation). Members this
/// checker does not use (`jwk`, `jku`, `x5u`, `x5c`, `x5t`, …) are skipped unread; a member
/// given twice makes the header malformed.
#[derive(serde::Deserialize)]
struct RawHeader<'a> {
    #[serde(borrow, default, deserialize_with = "present")]
    alg: Option<Claim<'a>>,
    #[serde(borrow, default)]
    kid: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    typ: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "present")]
    crit: Option<Claim<'a>>,
    #[serde(borrow, default, deserialize_with = "present")]
    b64: Option<Claim<'a>>,
}

/// `Some(value)` for a present member, `null` included.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Claim<'de>>, D::Error> {
    serde::Deserialize::deserialize(d).map(Some)
}

fn parse_header_ref(bytes: &[u8]) -> Result<HeaderRef<'_>, CheckError> {
    let h: RawHeader<'_> = serde_json::from_slice(bytes)
        .map_err(|_| CheckError::Malformed("header is not a valid JSON object"))?;
    let alg = match &h.alg {
        Some(Claim::Str(a)) => Algorithm::from_name(a)
            .ok_or_else(|| CheckError::UnsupportedAlgorithm(Sanitized::new(a)))?,
        Some(_) => return Err(CheckError::Malformed("header alg is not a string")),
        None => return Err(CheckError::Malformed("header has no alg")),
    };
    if let Some(crit) = &h.crit {
        // We implement no extension, so any listed one is unknown to us (RFC 7515 §4.1.11).
        let Claim::Arr(list) = crit else {
            return Err(CheckError::Malformed("header crit is not an array"));
        };
        match list.first() {
            None => return Err(CheckError::Malformed("header crit is empty")),
            Some(Claim::Str(name)) => return Err(CheckError::CriticalHeader(Sanitized::new(name))),
            Some(_) => return Err(CheckError::Malformed("header crit holds a non-string")),
        }
    }
    match &h.b64 {
        None | Some(Claim::Bool(true)) => {}
        Some(Claim::Bool(false)) => return Err(CheckError::UnencodedPayload),
        Some(_) => return Err(CheckError::Malformed("header b64 is not a boolean")),
    }
    Ok(HeaderRef {
        alg,
        kid: h.kid,
        typ: h.typ,
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
