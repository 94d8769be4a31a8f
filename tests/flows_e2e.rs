//! Issue 7 end to end against a real OpenBao (`bao-testkit`): `login` (API and browser mode),
//! `verify`, the agent-authorizer in `--event` mode, `logout`, the agent path with its cache
//! (proved with the audit device), the client-credentials grant, and the four failure cases.

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use assert_cmd::Command;
use bao_testkit::{oidc, Bao};
use serde_json::{json, Value};

const PW: &str = "correct horse battery";
const ARN: &str = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/items";
const POLICY: &str = r#"
path "identity/oidc/provider/+/authorize" { capabilities = ["read", "update"] }
path "identity/oidc/token/*" { capabilities = ["read", "update"] }
path "identity/oidc/client/*" { capabilities = ["read"] }
path "identity/oidc/provider" { capabilities = ["list"] }
"#;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The vault-oidc binary with a clean environment pointing at `bao`, `token` as the Vault
/// token and `state` as the state directory.
fn vo(bao: &Bao, token: &str, state: &Path) -> Command {
    Command::from_std(vo_std(bao, token, state))
}

fn vo_std(bao: &Bao, token: &str, state: &Path) -> StdCommand {
    let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin("vault-oidc"));
    for v in [
        "VAULT_TOKEN",
        "BAO_TOKEN",
        "VAULT_NAMESPACE",
        "BAO_NAMESPACE",
        "VAULT_CACERT",
        "BAO_CACERT",
        "BAO_ADDR",
        "XDG_STATE_HOME",
        "BROWSER",
    ] {
        cmd.env_remove(v);
    }
    cmd.env("VAULT_ADDR", bao.addr())
        .env("HOME", state.parent().unwrap())
        .env("VAULT_OIDC_STATE_DIR", state);
    if !token.is_empty() {
        cmd.env("VAULT_TOKEN", token);
    }
    cmd
}

struct World {
    bao: Bao,
    tmp: tempfile::TempDir,
    alice: String,
}

impl World {
    fn state(&self) -> PathBuf {
        self.tmp.path().join("state")
    }

    fn client_id(&self, name: &str) -> String {
        self.bao
            .api("GET", &format!("identity/oidc/client/{name}"), None)
            .unwrap()["data"]["client_id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn role_client_id(&self, name: &str) -> String {
        self.bao
            .api("GET", &format!("identity/oidc/role/{name}"), None)
            .unwrap()["data"]["client_id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn issuer(&self) -> String {
        self.bao
            .api("GET", "identity/oidc/provider/main", None)
            .unwrap()["data"]["issuer"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn user_token(&self, name: &str, groups: &[&str]) -> String {
        self.bao.create_user(name, PW, groups);
        self.bao
            .api(
                "POST",
                &format!("auth/userpass/users/{name}"),
                Some(json!({"token_policies": "default,oidc-user"})),
            )
            .unwrap();
        self.bao.login_userpass(name, PW)
    }

    fn session(&self) -> Option<Value> {
        std::fs::read(self.state().join("session.json"))
            .ok()
            .map(|b| serde_json::from_slice(&b).unwrap())
    }

    fn stored_files(&self) -> Vec<PathBuf> {
        fn walk(p: &Path, out: &mut Vec<PathBuf>) {
            if let Ok(rd) = std::fs::read_dir(p) {
                for e in rd.flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        walk(&p, out)
                    } else {
                        out.push(p)
                    }
                }
            }
        }
        let mut v = Vec::new();
        walk(&self.state(), &mut v);
        v
    }
}

/// OpenBao with `config` applied by `vault-oidc apply`, user alice in `engineers`.
fn world_with(config: &Path) -> World {
    let bao = Bao::start();
    let tmp = tempfile::tempdir().unwrap();
    bao.api(
        "POST",
        "sys/policies/acl/oidc-user",
        Some(json!({ "policy": POLICY })),
    )
    .unwrap();
    let w = World {
        bao,
        tmp,
        alice: String::new(),
    };
    let alice = w.user_token("alice", &["engineers"]);
    vo(&w.bao, bao_testkit::ROOT_TOKEN, &w.state())
        .args(["apply", "--auto-approve", "-c"])
        .arg(config)
        .assert()
        .success();
    World { alice, ..w }
}

fn world() -> World {
    world_with(&repo().join("examples/oidc.hcl"))
}

fn text(o: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The agent-authorizer binary, built once into this test's target directory.
fn authorizer_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        // target/debug/deps/flows_e2e-HASH → target/debug
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
        let target_dir = profile_dir.parent().unwrap().to_path_buf();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = StdCommand::new(cargo);
        build.args([
            "build",
            "-p",
            "agent-authorizer",
            "--bin",
            "agent-authorizer",
        ]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        let status = build
            .arg("--manifest-path")
            .arg(repo().join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target_dir)
            .stdin(Stdio::null())
            .status()
            .expect("run cargo build -p agent-authorizer");
        assert!(status.success(), "cargo build -p agent-authorizer failed");
        let bin = profile_dir.join("agent-authorizer");
        assert!(bin.is_file(), "{} missing after the build", bin.display());
        bin
    })
    .clone()
}

/// Runs the authorizer once (`--event`) on a REST TOKEN event carrying `token`.
fn authorize_event(w: &World, issuers: &[&str], audiences: &[&str], token: &str) -> Value {
    let event = w.tmp.path().join("event.json");
    std::fs::write(
        &event,
        json!({"type": "TOKEN", "authorizationToken": format!("Bearer {token}"), "methodArn": ARN})
            .to_string(),
    )
    .unwrap();
    let out = StdCommand::new(authorizer_bin())
        .arg("--event")
        .arg(&event)
        .env("AUTHORIZER_ISSUERS", issuers.join(","))
        .env("AUTHORIZER_AUDIENCES", audiences.join(","))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)))
}

fn assert_allowed(v: &Value, username: &str, group: Option<&str>) {
    assert_eq!(v["principalId"], username, "{v}");
    assert_eq!(
        v["policyDocument"]["Statement"][0]["Effect"], "Allow",
        "{v}"
    );
    assert_eq!(v["context"]["username"], username, "{v}");
    if let Some(g) = group {
        let groups = v["context"]["groups"].as_str().unwrap_or_default();
        assert!(groups.split(',').any(|x| x == g), "{v}");
    }
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Acceptance 1: apply → login (API mode) → verify → authorizer → logout.
#[test]
fn login_verify_authorize_logout() {
    let w = world();
    let cli_id = w.client_id("cli");
    let issuer = w.issuer();

    let out = vo(&w.bao, &w.alice, &w.state())
        .args([
            "login",
            "--vault-token",
            "--provider",
            "main",
            "--client",
            "cli",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Logged in as alice"), "{}", text(&out));
    assert!(stdout.contains("engineers"), "{}", text(&out));
    assert!(stdout.contains("expires at"), "{}", text(&out));

    let session = w.session().expect("session stored");
    let id_token = session["id_token"].as_str().unwrap().to_string();
    let access_token = session["access_token"].as_str().unwrap().to_string();
    for secret in [&id_token, &access_token, &w.alice] {
        assert!(!text(&out).contains(secret.as_str()), "a token was printed");
    }
    #[cfg(unix)]
    {
        assert_eq!(mode(&w.state().join("session.json")), 0o600);
        assert_eq!(mode(&w.state()), 0o700);
    }

    // The ID token passes `vault-oidc verify`.
    let out = vo(&w.bao, "", &w.state())
        .args(["verify", "--issuer", &issuer, "--audience", &cli_id])
        .write_stdin(id_token.clone())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let p: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["username"], "alice");
    assert_eq!(p["kind"], "id_token");
    assert!(p["groups"]
        .as_array()
        .unwrap()
        .contains(&json!("engineers")));

    // The authorizer allows it with the user's name and groups.
    let v = authorize_event(&w, &[&issuer], &[&cli_id], &id_token);
    assert_allowed(&v, "alice", Some("engineers"));

    // logout removes the stored tokens and revokes the Vault token login used.
    assert!(w
        .bao
        .api_with_token(&w.alice, "GET", "auth/token/lookup-self", None)
        .is_ok());
    let out = vo(&w.bao, "", &w.state()).arg("logout").output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(w.session().is_none());
    assert!(w.stored_files().is_empty(), "{:?}", w.stored_files());
    let err = w
        .bao
        .api_with_token(&w.alice, "GET", "auth/token/lookup-self", None)
        .unwrap_err();
    assert_eq!(err.status, 403, "{err}");
    // Twice is fine.
    vo(&w.bao, "", &w.state()).arg("logout").assert().success();
}

fn token_cmd(w: &World, args: &[&str]) -> String {
    let out = vo(&w.bao, &w.alice, &w.state())
        .arg("token")
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let s = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 1, "token prints exactly one line");
    assert_eq!(lines[0].split('.').count(), 3, "a JWT");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    lines[0].to_string()
}

fn requests_to(w: &World, mark: &bao_testkit::AuditMark, prefix: &str) -> usize {
    w.bao
        .audit_entries_since(mark)
        .iter()
        .filter(|e| e.path.starts_with(prefix))
        .count()
}

/// Acceptance 2: the agent path.
#[test]
fn agent_token_is_allowed_cached_and_refreshed() {
    let w = world();
    let identity_issuer = format!("{}/v1/identity/oidc", w.bao.addr());
    let role_id = w.role_client_id("agent");

    let t1 = token_cmd(&w, &["--role", "agent"]);
    let v = authorize_event(&w, &[&identity_issuer], &[&role_id], &t1);
    assert_allowed(&v, "alice", Some("engineers"));
    #[cfg(unix)]
    for f in w.stored_files() {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }

    // A second call within the lifetime: the same token and no request to Vault at all.
    let mark = w.bao.audit_mark();
    let t2 = token_cmd(&w, &["--role", "agent"]);
    assert_eq!(t1, t2);
    let entries = w.bao.audit_entries_since(&mark);
    assert!(entries.is_empty(), "requests to Vault: {entries:?}");

    // A short-lived role: once less than a fifth of its lifetime is left, a new one is minted.
    w.bao
        .api(
            "POST",
            "identity/oidc/key/short",
            Some(json!({"algorithm": "ES256", "allowed_client_ids": ["*"]})),
        )
        .unwrap();
    w.bao
        .api(
            "POST",
            "identity/oidc/role/short",
            Some(json!({"key": "short", "ttl": 10,
                "template": "{\"username\": {{identity.entity.name}}}"})),
        )
        .unwrap();
    let mark = w.bao.audit_mark();
    let s1 = token_cmd(&w, &["--role", "short"]);
    let s2 = token_cmd(&w, &["--role", "short"]);
    assert_eq!(s1, s2, "reused while more than a fifth is left");
    assert_eq!(requests_to(&w, &mark, "identity/oidc/token/short"), 1);
    let claims = oidc::decode_claims(&s1);
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap(),
    );
    assert_eq!(exp - iat, 10);
    // Wait until less than a fifth (2 s) is left: past iat + 8.
    let refresh_at = iat + 9;
    while now() < refresh_at {
        std::thread::sleep(Duration::from_millis(200));
    }
    let s3 = token_cmd(&w, &["--role", "short"]);
    assert_ne!(
        s1, s3,
        "a fresh token once less than a fifth of the lifetime is left"
    );
    assert_eq!(requests_to(&w, &mark, "identity/oidc/token/short"), 2);
    assert!(oidc::decode_claims(&s3)["iat"].as_u64().unwrap() >= refresh_at);
}

/// Acceptance 3: the client-credentials access token is a machine principal for the checker.
#[test]
fn client_credentials_token_is_a_machine_principal() {
    let example = std::fs::read_to_string(repo().join("examples/oidc.hcl")).unwrap();
    let config = example.replacen(
        "access_token_ttl = \"1h\"",
        "access_token_ttl = \"1h\"\n  client_credentials = true",
        1,
    );
    assert_ne!(config, example);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("oidc.hcl");
    std::fs::write(&path, config).unwrap();
    let w = world_with(&path);
    let webapp_id = w.client_id("webapp");
    let issuer = w.issuer();

    let t = token_cmd(&w, &["--client", "webapp", "--client-credentials"]);
    let out = vo(&w.bao, "", &w.state())
        .args(["verify", "--issuer", &issuer, "--audience", &webapp_id])
        .write_stdin(t.clone())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let p: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["kind"], "client_credentials", "{p}");
    assert_eq!(p["subject"], json!(webapp_id));

    // Cached like identity tokens.
    let mark = w.bao.audit_mark();
    assert_eq!(
        token_cmd(&w, &["--client", "webapp", "--client-credentials"]),
        t
    );
    assert!(w.bao.audit_entries_since(&mark).is_empty());

    // The confidential client also signs users in (client_secret_basic at the token endpoint).
    let out = vo(&w.bao, &w.alice, &w.state())
        .args([
            "login",
            "--vault-token",
            "--provider",
            "main",
            "--client",
            "webapp",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Logged in as alice"));
    assert_eq!(w.session().unwrap()["client_id"], json!(webapp_id));

    // A public client cannot use the grant: a clear error.
    vo(&w.bao, &w.alice, &w.state())
        .args(["token", "--client", "cli", "--client-credentials"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("confidential"));
}

fn assert_failed_and_nothing_stored(w: &World, out: &Output, needle: &str) {
    assert_eq!(out.status.code(), Some(1), "{}", text(out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(needle),
        "expected {needle:?} in\n{}",
        text(out)
    );
    assert!(out.stdout.is_empty(), "{}", text(out));
    assert!(w.session().is_none());
    assert!(w.stored_files().is_empty(), "{:?}", w.stored_files());
}

/// Acceptance 4: an unregistered redirect URI and a user outside the assignment.
#[test]
fn refused_authorizations_store_nothing() {
    let w = world();
    let out = vo(&w.bao, &w.alice, &w.state())
        .args([
            "login",
            "--vault-token",
            "--provider",
            "main",
            "--client",
            "cli",
        ])
        .args(["--redirect-uri", "http://127.0.0.1:1/not-registered"])
        .output()
        .unwrap();
    assert_failed_and_nothing_stored(&w, &out, "invalid_redirect_uri");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a registered redirect URI"));

    let bob = w.user_token("bob", &[]);
    let out = vo(&w.bao, &bob, &w.state())
        .args([
            "login",
            "--vault-token",
            "--provider",
            "main",
            "--client",
            "cli",
        ])
        .output()
        .unwrap();
    assert_failed_and_nothing_stored(&w, &out, "access_denied");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in an assignment"));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What the test does in place of the browser and the Vault UI.
enum Browser {
    /// Signs in as alice and redirects with the real code and state.
    Honest,
    /// Redirects with a state that is not the one sent.
    WrongState,
    /// The code comes from an authorization with another nonce.
    WrongNonce,
}

/// Browser-mode login: `$BROWSER` records the URL; the test plays the Vault UI.
fn browser_login(w: &World, behaviour: Browser) -> Output {
    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/oidc/callback");
    // Register the loopback redirect URI with this port on the cli client.
    w.bao
        .api(
            "POST",
            "identity/oidc/client/cli",
            Some(json!({"redirect_uris": ["http://127.0.0.1:8250/oidc/callback", redirect]})),
        )
        .unwrap();
    let url_file = w.tmp.path().join("browser-url");
    let _ = std::fs::remove_file(&url_file);
    let script = w.tmp.path().join("browser.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{}.tmp' && mv '{0}.tmp' '{0}'\n",
            url_file.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut cmd = vo_std(&w.bao, &w.alice, &w.state());
    let child = cmd
        .args([
            "login",
            "--provider",
            "main",
            "--client",
            "cli",
            "--timeout",
            "60",
        ])
        .args(["--redirect-uri", &redirect])
        .env("BROWSER", &script)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !url_file.exists() {
        assert!(Instant::now() < deadline, "login never opened the browser");
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = url::Url::parse(&std::fs::read_to_string(&url_file).unwrap()).unwrap();
    assert!(
        url.path()
            .ends_with("/ui/vault/identity/oidc/provider/main/authorize"),
        "{url}"
    );
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["redirect_uri"], redirect);
    let nonce = match behaviour {
        Browser::WrongNonce => "not-the-nonce-login-sent".to_string(),
        _ => q["nonce"].clone(),
    };
    let answer = oidc::authorize(
        &w.bao,
        &w.alice,
        "main",
        &q["client_id"],
        &redirect,
        &q["scope"],
        &q["state"],
        &nonce,
        &q["code_challenge"],
    )
    .unwrap();
    let state = match behaviour {
        Browser::WrongState => "forged-state".to_string(),
        _ => answer["state"].as_str().unwrap().to_string(),
    };
    let target = format!(
        "/oidc/callback?code={}&state={}",
        answer["code"].as_str().unwrap(),
        state
    );
    let resp = bao_testkit::http::request(&format!("127.0.0.1:{port}"), "GET", &target, &[], None)
        .unwrap();
    let expected = if matches!(behaviour, Browser::WrongState) {
        400
    } else {
        200
    };
    assert_eq!(resp.status, expected, "{}", resp.text());
    child.wait_with_output().unwrap()
}

/// Browser mode works, and a wrong `state` or `nonce` ends with exit 1 and nothing stored.
#[test]
fn browser_login_checks_state_and_nonce() {
    let w = world();
    let out = browser_login(&w, Browser::WrongState);
    assert_failed_and_nothing_stored(&w, &out, "state mismatch");

    let out = browser_login(&w, Browser::WrongNonce);
    assert_failed_and_nothing_stored(&w, &out, "nonce");

    let out = browser_login(&w, Browser::Honest);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Logged in as alice"));
    let s = w.session().expect("stored");
    assert!(
        s["vault_token"].is_null(),
        "browser sign-in stores no Vault token"
    );
    // logout of a browser session removes the tokens and points at the UI's sign-out.
    vo(&w.bao, "", &w.state())
        .arg("logout")
        .assert()
        .success()
        .stdout(predicates::str::contains("/ui/vault/logout"));
    assert!(w.stored_files().is_empty());
}
