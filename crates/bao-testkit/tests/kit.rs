//! Tests of the test kit itself, against a real OpenBao dev server.

use bao_testkit::{oidc, Bao};
use serde_json::{json, Value};

#[test]
fn start_api_and_drop_kills_server() {
    let bao = Bao::start();
    assert!(bao.addr().starts_with("http://127.0.0.1:"));
    assert_eq!(bao.root_token(), "root");
    assert!(!bao.unseal_key().is_empty());
    let health = bao.api("GET", "sys/health", None).unwrap();
    assert_eq!(health["sealed"], json!(false));
    assert!(health["version"].as_str().unwrap().starts_with("2."));

    // empty 204 answer -> Null
    let r = bao
        .api(
            "POST",
            "identity/oidc/key/k1",
            Some(json!({"algorithm": "ES256"})),
        )
        .unwrap();
    assert_eq!(r, Value::Null);
    let key = bao.api("GET", "identity/oidc/key/k1", None).unwrap();
    assert_eq!(key["data"]["algorithm"], "ES256");
    assert_eq!(bao.list("identity/oidc/key"), vec!["default", "k1"]);
    assert!(bao.list("identity/oidc/client").is_empty());

    // errors
    let e = bao.api("GET", "identity/oidc/key/nope", None).unwrap_err();
    assert_eq!(e.status, 404);
    let e = bao
        .api(
            "POST",
            "identity/oidc/key/bad",
            Some(json!({"algorithm": "XX999"})),
        )
        .unwrap_err();
    assert_eq!(e.status, 400);
    assert!(!e.errors.is_empty(), "{e}");
    let e = bao
        .api_with_token("not-a-token", "GET", "identity/oidc/key/k1", None)
        .unwrap_err();
    assert_eq!(e.status, 403, "{e}");
    assert!(
        e.errors.iter().any(|m| m.contains("permission denied")),
        "{e}"
    );

    // leading "/v1/" tolerated
    assert!(bao.api("GET", "/v1/identity/oidc/key/k1", None).is_ok());

    let port = bao.port();
    drop(bao);
    // nothing listens on the port any more
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn bao_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Bao>();
    assert_send_sync::<bao_testkit::ApiError>();
}

#[test]
fn two_servers_side_by_side() {
    let a = Bao::start();
    let b = Bao::start();
    assert_ne!(a.addr(), b.addr());
    a.api(
        "POST",
        "identity/oidc/scope/s",
        Some(json!({"template": "{}"})),
    )
    .unwrap();
    assert_eq!(a.list("identity/oidc/scope"), vec!["s"]);
    assert!(b.list("identity/oidc/scope").is_empty());
}

#[test]
fn create_user_and_login() {
    let bao = Bao::start();
    let alice = bao.create_user("alice", "pw-alice", &["engineers", "admins"]);
    assert_eq!(alice.name, "alice");
    assert_eq!(alice.group_ids.len(), 2);
    let bob = bao.create_user("bob", "pw-bob", &["engineers"]);
    assert_eq!(bob.group_ids[0], alice.group_ids[0], "group reused by name");

    let group = bao
        .api("GET", "identity/group/name/engineers", None)
        .unwrap();
    let members = group["data"]["member_entity_ids"].as_array().unwrap();
    assert!(members.contains(&json!(alice.entity_id)));
    assert!(members.contains(&json!(bob.entity_id)));
    assert_eq!(group["data"]["type"], "internal");

    let token = bao.login_userpass("alice", "pw-alice");
    let me = bao
        .api_with_token(&token, "GET", "auth/token/lookup-self", None)
        .unwrap();
    assert_eq!(me["data"]["entity_id"], json!(alice.entity_id));
    let e = bao.try_login_userpass("alice", "wrong").unwrap_err();
    assert_eq!(e.status, 400, "{e}");

    let ent = bao
        .api(
            "GET",
            &format!("identity/entity/id/{}", alice.entity_id),
            None,
        )
        .unwrap();
    let groups = ent["data"]["group_ids"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
}

#[test]
fn audit_entries_and_marks() {
    let bao = Bao::start();
    let m0 = bao.audit_mark();
    bao.api(
        "POST",
        "identity/oidc/key/k1",
        Some(json!({"algorithm": "RS256"})),
    )
    .unwrap();
    bao.api(
        "POST",
        "identity/oidc/key/k1",
        Some(json!({"algorithm": "ES256"})),
    )
    .unwrap();
    bao.api("GET", "identity/oidc/key/k1", None).unwrap();
    bao.list("identity/oidc/key");
    bao.api("DELETE", "identity/oidc/key/k1", None).unwrap();

    let since = bao.audit_entries_since(&m0);
    let ops: Vec<(&str, &str)> = since
        .iter()
        .map(|e| (e.operation.as_str(), e.path.as_str()))
        .collect();
    eprintln!("{ops:?}");
    assert_eq!(
        ops,
        vec![
            ("create", "identity/oidc/key/k1"),
            ("update", "identity/oidc/key/k1"),
            ("read", "identity/oidc/key/k1"),
            ("list", "identity/oidc/key/"),
            ("delete", "identity/oidc/key/k1"),
        ]
    );
    assert!(since.iter().all(|e| e.kind == "request"));
    // the dev root token shows as display_name "token"
    assert!(since[0].display_name.is_some(), "{since:?}");
    assert_eq!(bao.write_requests_to_since(&m0, "identity/oidc/"), 3);
    assert_eq!(bao.write_requests_to("identity/oidc/"), 3);
    assert_eq!(bao.write_requests_to("identity/oidc/scope"), 0);
    // responses are kept apart
    let all = bao.audit_entries_all();
    assert!(all.iter().any(|e| e.kind == "response"));

    let m1 = bao.audit_mark();
    assert!(m1 > m0);
    assert!(bao.audit_entries_since(&m1).is_empty());
    assert_eq!(bao.write_requests_to_since(&m1, ""), 0);
    // failed requests are logged too
    let _ = bao.api_with_token("bad-token", "POST", "identity/oidc/key/x", Some(json!({})));
    let after = bao.audit_entries_since(&m1);
    assert_eq!(after.len(), 1, "{after:?}");
    assert!(after[0].error.is_some(), "{after:?}");
}

#[test]
fn cli_is_bound_to_the_server() {
    let bao = Bao::start();
    let out = bao.cli(&["write", "identity/oidc/key/k1", "algorithm=ES256"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bao.cli(&["read", "-format=json", "identity/oidc/key/k1"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["data"]["algorithm"], "ES256");
}

#[test]
fn seal_and_unseal() {
    let bao = Bao::start();
    bao.api(
        "POST",
        "identity/oidc/scope/s",
        Some(json!({"template": "{}"})),
    )
    .unwrap();
    bao.seal();
    assert!(bao.is_sealed());
    let e = bao.api("GET", "identity/oidc/scope/s", None).unwrap_err();
    assert_eq!(e.status, 503, "{e}");
    eprintln!("sealed error: {e}");
    bao.unseal();
    assert!(!bao.is_sealed());
    let s = bao.api("GET", "identity/oidc/scope/s", None).unwrap();
    assert_eq!(s["data"]["template"], "{}");
    // audit device still works after unseal
    let m = bao.audit_mark();
    bao.api("DELETE", "identity/oidc/scope/s", None).unwrap();
    assert_eq!(bao.write_requests_to_since(&m, "identity/oidc/scope/"), 1);
}

fn setup_provider(
    bao: &Bao,
    client_type: &str,
    assignment_groups: &[String],
) -> (String, Option<String>) {
    bao.api(
        "POST",
        "identity/oidc/key/k1",
        Some(json!({"algorithm": "ES256", "allowed_client_ids": ["*"]})),
    )
    .unwrap();
    bao.api(
        "POST",
        "identity/oidc/scope/profile",
        Some(json!({
            "template": r#"{"username": {{identity.entity.name}}, "groups": {{identity.entity.groups.names}}}"#,
        })),
    )
    .unwrap();
    bao.api(
        "POST",
        "identity/oidc/assignment/eng",
        Some(json!({"group_ids": assignment_groups})),
    )
    .unwrap();
    bao.api(
        "POST",
        "identity/oidc/client/webapp",
        Some(json!({
            "key": "k1",
            "client_type": client_type,
            "redirect_uris": ["http://127.0.0.1:8251/callback"],
            "assignments": ["eng"],
            "id_token_ttl": "30m",
            "access_token_ttl": "1h",
        })),
    )
    .unwrap();
    let client = bao.api("GET", "identity/oidc/client/webapp", None).unwrap();
    let client_id = client["data"]["client_id"].as_str().unwrap().to_string();
    let secret = client["data"]["client_secret"].as_str().map(str::to_string);
    bao.api(
        "POST",
        "identity/oidc/provider/main",
        Some(json!({"allowed_client_ids": [client_id], "scopes_supported": ["profile"]})),
    )
    .unwrap();
    (client_id, secret)
}

#[test]
fn authorization_code_flow_confidential() {
    let bao = Bao::start();
    let alice = bao.create_user("alice", "pw", &["engineers"]);
    bao.create_user("mallory", "pw", &["outsiders"]);
    let (client_id, secret) = setup_provider(&bao, "confidential", &alice.group_ids);
    let secret = secret.expect("confidential client has a secret");

    let token = bao.login_userpass("alice", "pw");
    let tokens = oidc::authorization_code_pkce(
        &bao,
        &token,
        "main",
        &client_id,
        Some(&secret),
        "http://127.0.0.1:8251/callback",
        "openid profile",
        "nonce-123",
    )
    .unwrap();
    eprintln!(
        "token answer keys: {:?}",
        tokens.raw.as_object().unwrap().keys().collect::<Vec<_>>()
    );
    assert!(!tokens.access_token.is_empty());
    assert_eq!(tokens.expires_in, 3600);
    let claims = oidc::decode_claims(&tokens.id_token);
    assert_eq!(claims["aud"], json!(client_id));
    assert_eq!(claims["nonce"], "nonce-123");
    assert_eq!(claims["sub"], json!(alice.entity_id));
    assert_eq!(claims["username"], "alice");
    assert_eq!(claims["groups"], json!(["engineers"]));
    assert_eq!(
        claims["iss"],
        json!(format!("{}/v1/identity/oidc/provider/main", bao.addr()))
    );
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        1800
    );
    assert_eq!(oidc::decode_header(&tokens.id_token)["alg"], "ES256");

    // discovery + JWKS
    let disc = oidc::discovery(&bao, "main").unwrap();
    assert_eq!(disc["issuer"], claims["iss"]);
    let jwks = oidc::jwks(&bao, "main").unwrap();
    assert!(!jwks["keys"].as_array().unwrap().is_empty());

    // the access token works on userinfo
    let info = bao
        .http(
            "GET",
            "/v1/identity/oidc/provider/main/userinfo",
            &[("Authorization", &format!("Bearer {}", tokens.access_token))],
            None,
        )
        .unwrap();
    assert_eq!(info.status, 200, "{}", info.text());
    let info: Value = serde_json::from_slice(&info.body).unwrap();
    assert_eq!(info["username"], "alice");

    // wrong secret
    let err = oidc::authorization_code_pkce(
        &bao,
        &token,
        "main",
        &client_id,
        Some("wrong-secret"),
        "http://127.0.0.1:8251/callback",
        "openid profile",
        "n",
    )
    .unwrap_err();
    eprintln!("wrong secret: {err}");
    assert!(err.contains("invalid_client"), "{err}");

    // user outside the assignment
    let mallory = bao.login_userpass("mallory", "pw");
    let err = oidc::authorization_code_pkce(
        &bao,
        &mallory,
        "main",
        &client_id,
        Some(&secret),
        "http://127.0.0.1:8251/callback",
        "openid profile",
        "n",
    )
    .unwrap_err();
    assert!(err.contains("access_denied"), "{err}");
    assert!(err.contains("not authorized by client assignment"), "{err}");

    // redirect URI not registered
    let err = oidc::authorization_code_pkce(
        &bao,
        &token,
        "main",
        &client_id,
        Some(&secret),
        "http://127.0.0.1:9999/other",
        "openid profile",
        "n",
    )
    .unwrap_err();
    assert!(err.contains("invalid_redirect_uri"), "{err}");

    // root token has no entity
    let err = oidc::authorization_code_pkce(
        &bao,
        bao.root_token(),
        "main",
        &client_id,
        Some(&secret),
        "http://127.0.0.1:8251/callback",
        "openid",
        "n",
    )
    .unwrap_err();
    assert!(err.contains("access_denied"), "{err}");
}

#[test]
fn authorization_code_flow_public_client_and_code_reuse() {
    let bao = Bao::start();
    let alice = bao.create_user("alice", "pw", &["engineers"]);
    let (client_id, secret) = setup_provider(&bao, "public", &alice.group_ids);
    assert!(secret.is_none(), "public clients have no secret");
    let token = bao.login_userpass("alice", "pw");
    let tokens = oidc::authorization_code_pkce(
        &bao,
        &token,
        "main",
        &client_id,
        None,
        "http://127.0.0.1:8251/callback",
        "openid",
        "n1",
    )
    .unwrap();
    let claims = oidc::decode_claims(&tokens.id_token);
    assert_eq!(claims["aud"], json!(client_id));
    assert!(
        claims.get("username").is_none(),
        "profile scope not requested"
    );

    // step by step: a code is single-use, and the verifier is checked
    let pkce = oidc::Pkce::new();
    let answer = oidc::authorize(
        &bao,
        &token,
        "main",
        &client_id,
        "http://127.0.0.1:8251/callback",
        "openid",
        "st",
        "n",
        &pkce.challenge,
    )
    .unwrap();
    assert_eq!(answer["state"], "st");
    let code = answer["code"].as_str().unwrap();
    let err = oidc::exchange_code(
        &bao,
        "main",
        &client_id,
        None,
        code,
        "http://127.0.0.1:8251/callback",
        "wrong-verifier-wrong-verifier-wrong-verifier",
    )
    .unwrap_err();
    assert!(err.contains("invalid_grant"), "{err}");
    let err = oidc::exchange_code(
        &bao,
        "main",
        &client_id,
        None,
        code,
        "http://127.0.0.1:8251/callback",
        &pkce.verifier,
    )
    .unwrap_err();
    assert!(err.contains("invalid_grant"), "{err}");
}

#[test]
fn server_dies_with_the_test_process() {
    // A child test process starts a server, prints its port and is SIGKILLed: the watchdog
    // must stop the server.
    if std::env::var("BAO_TESTKIT_CHILD").is_ok() {
        let bao = Bao::start();
        println!("PORT={} DIR={}", bao.port(), bao.dir().display());
        use std::io::Write;
        std::io::stdout().flush().unwrap();
        std::thread::sleep(std::time::Duration::from_secs(120));
        return;
    }
    use std::io::{BufRead, BufReader};
    let exe = std::env::current_exe().unwrap();
    let mut child = std::process::Command::new(exe)
        .args([
            "--exact",
            "server_dies_with_the_test_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("BAO_TESTKIT_CHILD", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut found = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(i) = line.find("PORT=") {
            let (port, dir) = line[i + 5..].split_once(" DIR=").unwrap();
            found = Some((port.trim().parse::<u16>().unwrap(), dir.trim().to_string()));
            break;
        }
    }
    let (port, dir) = found.expect("child printed its port");
    assert!(std::path::Path::new(&dir).is_dir());
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    child.kill().unwrap();
    child.wait().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "server on port {port} still up 10 s after its test process was killed"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // ...and its temp dir is removed
    while std::path::Path::new(&dir).exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "temp dir {dir} still there 10 s after the test process was killed"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn client_credentials_grant() {
    let bao = Bao::start();
    let (client_id, secret) = setup_provider(&bao, "confidential", &[]);
    let secret = secret.unwrap();
    // off by default
    let err = oidc::client_credentials(&bao, "main", &client_id, &secret, "openid").unwrap_err();
    assert!(err.contains("invalid_grant"), "{err}");
    bao.api(
        "POST",
        "identity/oidc/client/webapp",
        Some(json!({"client_credentials": true})),
    )
    .unwrap();
    let answer = oidc::client_credentials(&bao, "main", &client_id, &secret, "openid");
    let answer = answer.unwrap();
    assert!(answer.get("id_token").is_none(), "{answer}");
    // the access token is a JWT signed by the client's key, about the client itself
    let at = answer["access_token"].as_str().unwrap();
    let claims = oidc::decode_claims(at);
    assert_eq!(claims["sub"], json!(client_id));
    assert_eq!(claims["aud"], json!(client_id));
    assert_eq!(oidc::decode_header(at)["alg"], "ES256");
}
