//! Test support: keys generated in the test, token signing, and a loopback JWKS server that
//! counts requests per path.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use num_bigint::BigUint;
use oidc_checker::{Algorithm, CheckError, Checker, IssuerConfig, JwksTiming, ManualClock};
use serde_json::{json, Value};

pub const AUD: &str = "client-123";
pub const NOW: u64 = 1_750_000_000;

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

enum Signer {
    Rsa(RsaKeyPair, &'static dyn signature::RsaEncoding),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
    /// A 1024-bit RSA key (aws-lc-rs refuses to make one), signing with textbook PKCS#1 v1.5.
    Rsa1024,
}

pub struct TestKey {
    pub kid: String,
    pub alg: Algorithm,
    signer: Signer,
    /// The public JWK (with `kid` and `alg`).
    pub jwk: Value,
}

// A throwaway 1024-bit key made with `openssl genrsa 1024` for the "RSA-1024 is refused" case.
const N1024: &str = "9c00bf9b57aad31fc860f917f74acdc087939f4e215e7106580b8df155209ef0f0f77a683053e26ed7a01ce1c7eb3a3779de96dd23645c29dee209f8a3276ffb22b7511ded87ed4652eed494220675f0f717a62a118a7f0b9e6d55e4f8337a8a2463fafb3b3f5c9136517a0173f768a75a7ef27971b1923310c6cbc4a4fd974f";
const D1024: &str = "7daad8aed17329796bd83a308523bc1500e1f92d5e120ee8365ab0701ccc175d2e2f9d6a7aabc836d3fa05ea173ab4fde56d5a882f2f7452c259c20089a5863d3c92362a3eda7d40136edfdfe0610d143f4314dedf3bfe99fcbddfa3a7329442343b36c82d3cfb91dd1e11f43d23b5fcd5d0faa59693f6201695791b62d6a811";

fn hex(s: &str) -> BigUint {
    BigUint::parse_bytes(s.as_bytes(), 16).unwrap()
}

impl TestKey {
    pub fn generate(alg: Algorithm, kid: &str) -> TestKey {
        let rng = SystemRandom::new();
        let (signer, mut jwk) = match alg {
            Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => {
                let kp = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
                let pk = kp.public_key();
                let jwk = json!({
                    "kty": "RSA",
                    "n": b64(pk.modulus().big_endian_without_leading_zero()),
                    "e": b64(pk.exponent().big_endian_without_leading_zero()),
                });
                let enc: &'static dyn signature::RsaEncoding = match alg {
                    Algorithm::RS256 => &signature::RSA_PKCS1_SHA256,
                    Algorithm::RS384 => &signature::RSA_PKCS1_SHA384,
                    _ => &signature::RSA_PKCS1_SHA512,
                };
                (Signer::Rsa(kp, enc), jwk)
            }
            Algorithm::ES256 | Algorithm::ES384 | Algorithm::ES512 => {
                let (salg, crv, size) = match alg {
                    Algorithm::ES256 => (&signature::ECDSA_P256_SHA256_FIXED_SIGNING, "P-256", 32),
                    Algorithm::ES384 => (&signature::ECDSA_P384_SHA384_FIXED_SIGNING, "P-384", 48),
                    _ => (&signature::ECDSA_P521_SHA512_FIXED_SIGNING, "P-521", 66),
                };
                let pkcs8 = EcdsaKeyPair::generate_pkcs8(salg, &rng).unwrap();
                let kp = EcdsaKeyPair::from_pkcs8(salg, pkcs8.as_ref()).unwrap();
                let point = kp.public_key().as_ref().to_vec();
                assert_eq!(point.len(), 1 + 2 * size);
                let jwk = json!({
                    "kty": "EC", "crv": crv,
                    "x": b64(&point[1..1 + size]),
                    "y": b64(&point[1 + size..]),
                });
                (Signer::Ec(kp), jwk)
            }
            Algorithm::EdDSA => {
                let kp = Ed25519KeyPair::generate().unwrap();
                let jwk =
                    json!({"kty": "OKP", "crv": "Ed25519", "x": b64(kp.public_key().as_ref())});
                (Signer::Ed(kp), jwk)
            }
        };
        jwk["kid"] = json!(kid);
        jwk["alg"] = json!(alg.as_str());
        TestKey {
            kid: kid.to_string(),
            alg,
            signer,
            jwk,
        }
    }

    /// The 1024-bit RSA key (RS256).
    pub fn rsa1024(kid: &str) -> TestKey {
        let n = hex(N1024);
        let jwk = json!({"kty": "RSA", "kid": kid, "alg": "RS256", "n": b64(&n.to_bytes_be()), "e": b64(&[1, 0, 1])});
        TestKey {
            kid: kid.to_string(),
            alg: Algorithm::RS256,
            signer: Signer::Rsa1024,
            jwk,
        }
    }

    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match &self.signer {
            Signer::Rsa(kp, enc) => {
                let mut sig = vec![0u8; kp.public_modulus_len()];
                kp.sign(*enc, &rng, msg, &mut sig).unwrap();
                sig
            }
            Signer::Ec(kp) => kp.sign(&rng, msg).unwrap().as_ref().to_vec(),
            Signer::Ed(kp) => kp.sign(msg).as_ref().to_vec(),
            Signer::Rsa1024 => {
                let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, msg);
                let mut t = hex_bytes("3031300d060960864801650304020105000420");
                t.extend_from_slice(hash.as_ref());
                let k = 128;
                let mut em = vec![0u8, 1];
                em.extend(std::iter::repeat_n(0xffu8, k - 3 - t.len()));
                em.push(0);
                em.extend_from_slice(&t);
                let s = BigUint::from_bytes_be(&em).modpow(&hex(D1024), &hex(N1024));
                let mut out = s.to_bytes_be();
                while out.len() < k {
                    out.insert(0, 0);
                }
                out
            }
        }
    }

    /// A token with the default header (`alg`, `kid`, `typ: JWT`).
    pub fn token(&self, claims: &Value) -> String {
        self.token_with_header(
            &json!({"alg": self.alg.as_str(), "kid": self.kid, "typ": "JWT"}),
            claims,
        )
    }

    pub fn token_with_header(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let sig = self.sign(input.as_bytes());
        format!("{input}.{}", b64(&sig))
    }
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

pub fn jwks(keys: &[&TestKey]) -> Value {
    json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()})
}

/// Standard valid claims for `iss` at [`NOW`].
pub fn claims(iss: &str) -> Value {
    json!({
        "iss": iss,
        "sub": "entity-1",
        "aud": AUD,
        "iat": NOW,
        "exp": NOW + 36_000,
        "username": "alice",
        "groups": ["engineering", "admins"],
    })
}

#[derive(Clone, Default)]
struct ServerState {
    /// path → (status, content type, body)
    routes: Arc<Mutex<HashMap<String, (u16, String)>>>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    auth_headers: Arc<Mutex<Vec<String>>>,
    down: Arc<AtomicBool>,
}

/// A tiny HTTP/1.1 server on loopback: fixed routes, request counting, an "outage" switch.
pub struct TestServer {
    pub url: String,
    state: ServerState,
}

impl TestServer {
    pub fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = ServerState::default();
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let st = st.clone();
                std::thread::spawn(move || handle(conn, &st));
            }
        });
        TestServer { url, state }
    }

    /// Serves `body` with status 200 at `path`.
    pub fn set(&self, path: &str, body: &Value) {
        self.set_status(path, 200, body);
    }

    pub fn set_status(&self, path: &str, status: u16, body: &Value) {
        self.state
            .routes
            .lock()
            .unwrap()
            .insert(path.to_string(), (status, body.to_string()));
    }

    /// Serves a discovery document for issuer = this server's URL + `issuer_path`.
    pub fn issuer(&self, issuer_path: &str, keys: &[&TestKey]) -> String {
        let iss = format!("{}{issuer_path}", self.url);
        self.set(
            &format!("{issuer_path}/.well-known/openid-configuration"),
            &json!({
                "issuer": iss,
                "jwks_uri": format!("{iss}/keys"),
                "userinfo_endpoint": format!("{iss}/userinfo"),
            }),
        );
        self.set(&format!("{issuer_path}/keys"), &jwks(keys));
        iss
    }

    pub fn hits(&self, path: &str) -> usize {
        self.state
            .hits
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    pub fn total_hits(&self) -> usize {
        self.state.hits.lock().unwrap().values().sum()
    }

    pub fn auth_headers(&self) -> Vec<String> {
        self.state.auth_headers.lock().unwrap().clone()
    }

    /// Simulates an outage: every request gets a 503.
    pub fn set_down(&self, down: bool) {
        self.state.down.store(down, Ordering::SeqCst);
    }
}

fn handle(conn: TcpStream, st: &ServerState) {
    conn.set_read_timeout(Some(Duration::from_secs(5))).ok();
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut auth = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
            break;
        }
        if let Some(v) = h
            .strip_prefix("authorization: ")
            .or_else(|| h.strip_prefix("Authorization: "))
        {
            auth = Some(v.trim().to_string());
        }
    }
    *st.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
    let (status, body) = if st.down.load(Ordering::SeqCst) {
        (503, "{}".to_string())
    } else if path.ends_with("/userinfo") {
        let auth = auth.unwrap_or_default();
        st.auth_headers.lock().unwrap().push(auth.clone());
        let routes = st.routes.lock().unwrap();
        match routes.get(&format!("{path}#{auth}")) {
            Some(r) => r.clone(),
            None => (401, "{}".to_string()),
        }
    } else {
        st.routes
            .lock()
            .unwrap()
            .get(&path)
            .cloned()
            .unwrap_or((404, "{}".to_string()))
    };
    let mut conn = conn;
    let _ = write!(
        conn,
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A checker for one issuer (audience [`AUD`]) on a manual clock at [`NOW`].
pub fn checker(iss: &str, clock: &Arc<ManualClock>) -> Checker {
    checker_with(
        IssuerConfig::new(iss).audience(AUD),
        clock,
        JwksTiming::default(),
    )
}

pub fn checker_with(cfg: IssuerConfig, clock: &Arc<ManualClock>, timing: JwksTiming) -> Checker {
    Checker::builder()
        .issuer(cfg)
        .clock(clock.clone())
        .jwks_timing(timing)
        .build()
        .unwrap()
}

pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(NOW))
}

/// Asserts that neither the operator detail nor the public message leaks the token or its
/// signature, and returns the category.
pub fn category(token: &str, r: Result<oidc_checker::Principal, CheckError>) -> &'static str {
    let e = r.expect_err("token must be refused");
    let detail = e.to_string();
    let public = e.public_message();
    let debug = format!("{e:?}");
    let sig = token.rsplit('.').next().unwrap_or("");
    for text in [&detail, public, &debug] {
        assert!(!text.contains(token), "error leaks the token: {text}");
        if sig.len() >= 8 {
            assert!(!text.contains(sig), "error leaks the signature: {text}");
        }
    }
    e.category()
}
