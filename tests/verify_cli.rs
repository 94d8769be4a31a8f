//! `vault-oidc verify` end to end: a JWKS server on loopback and fixed Ed25519-signed tokens
//! (made once with a throwaway key; the valid one expires in 2100, the other in 2023).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use assert_cmd::Command;
use serde_json::Value;

const JWKS: &str = r#"{"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "cli-test", "alg": "EdDSA", "use": "sig", "x": "paw_tetG4CJPMfKrUs_vd6DcU4MtitOUUID7uO6hBjU"}]}"#;
const ISS: &str = "https://issuer.test/v1/identity/oidc/provider/cli";
const VALID: &str = "eyJhbGciOiJFZERTQSIsImtpZCI6ImNsaS10ZXN0IiwidHlwIjoiSldUIn0.eyJpc3MiOiJodHRwczovL2lzc3Vlci50ZXN0L3YxL2lkZW50aXR5L29pZGMvcHJvdmlkZXIvY2xpIiwic3ViIjoiZW50aXR5LTQyIiwiYXVkIjoiY2xpLWNsaWVudCIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjo0MTAyNDQ0ODAwLCJ1c2VybmFtZSI6ImRhbmEiLCJncm91cHMiOlsib3BzIl19.2IQ7AZRqFb43WKizGceRadB-MQaR9xndcuha1scKz_FsfWg3YDqvKybovQqKfclZt6CSeJLXi8_MtRGWQ0YeDg";
const EXPIRED: &str = "eyJhbGciOiJFZERTQSIsImtpZCI6ImNsaS10ZXN0IiwidHlwIjoiSldUIn0.eyJpc3MiOiJodHRwczovL2lzc3Vlci50ZXN0L3YxL2lkZW50aXR5L29pZGMvcHJvdmlkZXIvY2xpIiwic3ViIjoiZW50aXR5LTQyIiwiYXVkIjoiY2xpLWNsaWVudCIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAwNjAwLCJ1c2VybmFtZSI6ImRhbmEiLCJncm91cHMiOlsib3BzIl19.GIoPJq5nsPEx1KwuUpCeZkgs40z5lZAUBA2iiTc7K9Z8oFWhMlkHwf1DjoCLSm4IgOLvFoEIt6MTohbDUFhBDQ";

/// Serves the JWKS at every path; counts requests.
fn jwks_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/keys", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            h.fetch_add(1, Ordering::SeqCst);
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{JWKS}",
                JWKS.len()
            );
        }
    });
    (url, hits)
}

fn verify(jwks_url: &str, extra: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("vault-oidc").unwrap();
    cmd.args([
        "verify",
        "--issuer",
        ISS,
        "--audience",
        "cli-client",
        "--jwks-url",
        jwks_url,
    ]);
    cmd.args(extra);
    cmd
}

fn stdout_json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn valid_token_as_argument_prints_the_principal() {
    let (url, hits) = jwks_server();
    let out = verify(&url, &[VALID]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let p = stdout_json(&out);
    assert_eq!(p["issuer"], ISS);
    assert_eq!(p["subject"], "entity-42");
    assert_eq!(p["username"], "dana");
    assert_eq!(p["groups"], serde_json::json!(["ops"]));
    assert_eq!(p["audience"], serde_json::json!(["cli-client"]));
    assert_eq!(p["expires_at"], 4102444800u64);
    assert_eq!(p["kind"], "id_token");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[test]
fn token_from_stdin_with_bearer_prefix() {
    let (url, _) = jwks_server();
    let out = verify(&url, &[])
        .write_stdin(format!("Bearer {VALID}\n"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout_json(&out)["username"], "dana");
}

#[test]
fn invalid_tokens_exit_1_with_the_category_and_never_echo_the_token() {
    let (url, _) = jwks_server();
    let sig = VALID.rsplit('.').next().unwrap();
    let tampered = VALID.replace(sig, &format!("{}A", &sig[..sig.len() - 1]));
    let cases: Vec<(Vec<&str>, &str, &str)> = vec![
        (vec![EXPIRED], EXPIRED, "expired"),
        (vec![&tampered], &tampered, "bad_signature"),
        (
            vec!["--alg", "RS256", VALID],
            VALID,
            "algorithm_not_allowed",
        ),
        (vec!["--require-group", "admins", VALID], VALID, "group"),
        (vec!["not-a-token"], "not-a-token", "malformed"),
    ];
    for (args, token, category) in cases {
        let out = verify(&url, &args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("invalid token: {category}:")),
            "{args:?}: {stderr}"
        );
        assert!(
            !stderr.contains(token) || token == "not-a-token",
            "token echoed: {stderr}"
        );
        assert!(out.stdout.is_empty());
    }
    // Wrong audience.
    let out = Command::cargo_bin("vault-oidc")
        .unwrap()
        .args([
            "verify",
            "--issuer",
            ISS,
            "--audience",
            "other",
            "--jwks-url",
            &url,
            VALID,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid token: audience:"));
    // Untrusted issuer.
    let out = Command::cargo_bin("vault-oidc")
        .unwrap()
        .args([
            "verify",
            "--issuer",
            "https://other.test",
            "--audience",
            "cli-client",
            "--jwks-url",
            &url,
            VALID,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid token: issuer:"));
}

#[test]
fn stdin_lines_one_result_per_token() {
    let (url, hits) = jwks_server();
    let input = format!("{VALID}\n\n{EXPIRED}\nBearer {VALID}\ngarbage\n");
    let out = verify(&url, &["--stdin-lines"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "not all valid");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        !stdout.contains(VALID) && !stdout.contains(EXPIRED),
        "tokens echoed"
    );
    let results: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), 4, "{stdout}");
    assert_eq!(
        (results[0]["line"].as_u64(), results[0]["valid"].as_bool()),
        (Some(1), Some(true))
    );
    assert_eq!(results[0]["principal"]["username"], "dana");
    assert_eq!(
        (results[1]["line"].as_u64(), results[1]["valid"].as_bool()),
        (Some(3), Some(false))
    );
    assert_eq!(results[1]["error"], "expired");
    assert_eq!(results[1]["message"], "token expired");
    assert_eq!(results[2]["valid"], true);
    assert_eq!(results[3]["error"], "malformed");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "JWKS fetched once for the batch"
    );

    let out = verify(&url, &["--stdin-lines"])
        .write_stdin(format!("{VALID}\n{VALID}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 2);
}

#[test]
fn bad_flags_are_usage_errors() {
    let (url, _) = jwks_server();
    let out = verify(&url, &["--alg", "HS256", VALID]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HS256"));
    let out = Command::cargo_bin("vault-oidc")
        .unwrap()
        .args(["verify", "--issuer", ISS, VALID])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--audience is required");
}
