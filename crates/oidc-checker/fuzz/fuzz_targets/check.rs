//! Fuzzes token parsing and checking.
//!
//! The first input byte picks a mode:
//! * even: the rest is the token string, given to `jwt::decode` and `Checker::check` as is;
//! * odd: the rest is a claims payload, wrapped in a valid header and **signed with the key the
//!   checker trusts**, so claim validation (types, times, audiences, kinds) is reached too.
//!
//! The checker's JWKS (Ed25519 + ES256 keys, one RSA-1024 that must be refused, one `use: enc`)
//! is served from loopback by a thread in this process.
#![no_main]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::OnceLock;

use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use oidc_checker::{jwt, Checker, IssuerConfig};

const ISS: &str = "https://vault.example.com/v1/identity/oidc/provider/fuzz";

struct World {
    rt: tokio::runtime::Runtime,
    checker: Checker,
    key: Ed25519KeyPair,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let key = Ed25519KeyPair::from_seed_unchecked(&[7u8; 32]).unwrap();
        let x = URL_SAFE_NO_PAD.encode(key.public_key().as_ref());
        let jwks = serde_json::json!({"keys": [
            {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": x},
            {"kty": "EC", "crv": "P-256", "kid": "ec", "alg": "ES256",
             "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
            {"kty": "RSA", "kid": "weak", "n": URL_SAFE_NO_PAD.encode([0xc5u8; 128]), "e": "AQAB"},
            {"kty": "RSA", "kid": "enc", "use": "enc", "n": URL_SAFE_NO_PAD.encode([0xc5u8; 256]), "e": "AQAB"},
        ]})
        .to_string();
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
                let _ = write!(c, "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{jwks}", jwks.len());
            }
        });
        let checker = Checker::new([IssuerConfig::new(ISS).audience("fuzz-client").jwks_url(url)]).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(checker.hydrate()).unwrap();
        World { rt, checker, key }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let w = world();
    let token = if mode % 2 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"EdDSA","kid":"ed","typ":"JWT"}"#);
        let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(rest));
        let sig = w.key.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
    };
    let _ = jwt::decode(&token, 16 * 1024);
    if let Err(e) = w.rt.block_on(w.checker.check(&token)) {
        // The error texts never contain the token, nor (for tokens we signed, whose signature
        // the payload cannot contain) the signature.
        let detail = format!("{e} {e:?}");
        assert!(token.len() < 12 || !detail.contains(&token));
        if mode % 2 == 1 {
            let sig = token.rsplit('.').next().unwrap_or("");
            assert!(!detail.contains(sig));
        }
        let _ = (e.public_message(), e.category());
    }
});
