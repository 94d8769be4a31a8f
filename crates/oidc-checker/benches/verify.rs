//! Warm-cache `Checker::check` throughput per algorithm beside the raw aws-lc-rs
//! signature verification of the same key and message (target: checker ≥ 90 % of raw).
//!
//! `cargo bench -p oidc-checker` — criterion groups `raw/ALG` and `checker/ALG`, then a summary
//! table (verifications per second on one core and the checker/raw ratio).

use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, ParsedPublicKey, RsaKeyPair,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use criterion::{criterion_group, Criterion, Throughput};
use oidc_checker::{Algorithm, Checker, IssuerConfig};
use serde_json::{json, Value};

fn b64(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

struct Case {
    alg: Algorithm,
    token: String,
    raw_key: ParsedPublicKey,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
    checker: Checker,
}

/// Serves `body` at every path on loopback.
fn serve(body: String) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/keys", l.local_addr().unwrap());
    std::thread::spawn(move || {
        for c in l.incoming() {
            let Ok(mut c) = c else { continue };
            let mut r = BufReader::new(c.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let _ = write!(
                c,
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

fn make_case(alg: Algorithm, rt: &tokio::runtime::Runtime) -> Case {
    let rng = SystemRandom::new();
    let iss = "https://vault.example.com/v1/identity/oidc/provider/default";
    let claims = json!({
        "iss": iss, "sub": "0f3c5a4e-6b1d-4c55-9d1e-3f0b7f3d2a11", "aud": "Z2aL7Kx9pQ",
        "iat": 1_700_000_000u64, "exp": 4_102_444_800u64, "nonce": "n-0S6_WzA2Mj",
        "username": "alice", "groups": ["engineering", "admins"],
        "namespace": "root", "auth_time": 1_700_000_000u64,
    });
    let header = json!({"alg": alg.as_str(), "kid": "bench", "typ": "JWT"});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let (sig, mut jwk, raw_bytes): (Vec<u8>, Value, Vec<u8>) = match alg {
        Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => {
            let kp = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
            let enc: &'static dyn signature::RsaEncoding = match alg {
                Algorithm::RS256 => &signature::RSA_PKCS1_SHA256,
                Algorithm::RS384 => &signature::RSA_PKCS1_SHA384,
                _ => &signature::RSA_PKCS1_SHA512,
            };
            let mut sig = vec![0; kp.public_modulus_len()];
            kp.sign(enc, &rng, input.as_bytes(), &mut sig).unwrap();
            let pk = kp.public_key();
            let jwk = json!({"kty": "RSA",
                "n": b64(pk.modulus().big_endian_without_leading_zero()),
                "e": b64(pk.exponent().big_endian_without_leading_zero())});
            (sig, jwk, pk.as_ref().to_vec())
        }
        Algorithm::ES256 | Algorithm::ES384 | Algorithm::ES512 => {
            let (salg, crv, size) = match alg {
                Algorithm::ES256 => (&signature::ECDSA_P256_SHA256_FIXED_SIGNING, "P-256", 32),
                Algorithm::ES384 => (&signature::ECDSA_P384_SHA384_FIXED_SIGNING, "P-384", 48),
                _ => (&signature::ECDSA_P521_SHA512_FIXED_SIGNING, "P-521", 66),
            };
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(salg, &rng).unwrap();
            let kp = EcdsaKeyPair::from_pkcs8(salg, pkcs8.as_ref()).unwrap();
            let sig = kp.sign(&rng, input.as_bytes()).unwrap().as_ref().to_vec();
            let p = kp.public_key().as_ref().to_vec();
            let jwk = json!({"kty": "EC", "crv": crv, "x": b64(&p[1..1 + size]), "y": b64(&p[1 + size..])});
            (sig, jwk, p)
        }
        Algorithm::EdDSA => {
            let kp = Ed25519KeyPair::generate().unwrap();
            let sig = kp.sign(input.as_bytes()).as_ref().to_vec();
            let p = kp.public_key().as_ref().to_vec();
            (
                sig,
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&p)}),
                p,
            )
        }
    };
    jwk["kid"] = json!("bench");
    jwk["alg"] = json!(alg.as_str());
    let url = serve(json!({"keys": [jwk]}).to_string());
    let checker =
        Checker::new([IssuerConfig::new(iss).audience("Z2aL7Kx9pQ").jwks_url(url)]).unwrap();
    let token = format!("{input}.{}", b64(&sig));
    rt.block_on(checker.hydrate()).unwrap();
    rt.block_on(checker.check(&token))
        .expect("bench token verifies");
    Case {
        alg,
        raw_key: ParsedPublicKey::new(alg.verification(), &raw_bytes).unwrap(),
        signing_input: input.into_bytes(),
        signature: sig,
        token,
        checker,
    }
}

fn cases(rt: &tokio::runtime::Runtime) -> Vec<Case> {
    Algorithm::ALL
        .into_iter()
        .map(|a| make_case(a, rt))
        .collect()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for case in cases(&rt) {
        let mut g = c.benchmark_group(case.alg.as_str());
        g.throughput(Throughput::Elements(1));
        g.bench_function("raw", |b| {
            b.iter(|| {
                case.raw_key
                    .verify_sig(black_box(&case.signing_input), black_box(&case.signature))
                    .unwrap()
            })
        });
        g.bench_function("checker", |b| {
            b.iter(|| {
                rt.block_on(case.checker.check(black_box(&case.token)))
                    .unwrap()
            })
        });
        g.finish();
    }
}

/// Verifications per second of `f` over about `dur`.
fn rate(dur: Duration, mut f: impl FnMut()) -> f64 {
    for _ in 0..50 {
        f();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < dur {
        for _ in 0..20 {
            f();
        }
        n += 20;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// Prints a table: raw vs checker per algorithm, interleaved to share machine noise.
fn summary() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "\n{:<7} {:>12} {:>12} {:>7} {:>12}",
        "alg", "raw/s", "checker/s", "ratio", "decode µs"
    );
    for case in cases(&rt) {
        let (mut raw, mut chk) = (0.0, 0.0);
        for _ in 0..3 {
            raw += rate(Duration::from_millis(300), || {
                case.raw_key
                    .verify_sig(black_box(&case.signing_input), black_box(&case.signature))
                    .unwrap()
            });
            chk += rate(Duration::from_millis(300), || {
                rt.block_on(case.checker.check(black_box(&case.token)))
                    .unwrap();
            });
        }
        let dec = rate(Duration::from_millis(300), || {
            black_box(oidc_checker::jwt::decode(black_box(&case.token), 16384).unwrap());
        });
        println!(
            "{:<7} {:>12.0} {:>12.0} {:>6.1}% {:>12.2}",
            case.alg.as_str(),
            raw / 3.0,
            chk / 3.0,
            100.0 * chk / raw,
            1e6 / dec
        );
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo test --benches` runs each benchmark once in test mode; skip the table there.
    if !std::env::args().any(|a| a == "--test" || a == "--list") {
        summary();
    }
}
