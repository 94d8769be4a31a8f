//! Issue 2's acceptance checks, against a real OpenBao dev server each test starts on a free
//! loopback port: plan/apply/idempotence (audit device), drift, prune, export round trip, the
//! authorization-code flow with PKCE, and failures that name the address, path and capability.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use bao_testkit::{oidc, Bao};
use serde_json::json;

const CONFIG: &str = r#"
variable "app_url" { default = "https://app.example.com" }

key "agents" {
  algorithm        = "ES256"
  rotation_period  = "24h"
  verification_ttl = "48h"
}
scope "profile" {
  description = "username and groups"
  template    = <<-EOT
    {"username": {{identity.entity.name}}, "groups": {{identity.entity.groups.names}}}
  EOT
}
assignment "engineers" {
  groups = ["engineers"]
}
client "webapp" {
  key              = "agents"
  client_type      = "confidential"
  redirect_uris    = ["${var.app_url}/oauth/callback", "http://127.0.0.1:8250/oidc/callback"]
  assignments      = ["engineers"]
  id_token_ttl     = "30m"
  access_token_ttl = "1h"
}
provider "main" {
  clients = ["webapp"]
  scopes  = ["profile"]
}
role "agent" {
  key      = "agents"
  ttl      = "15m"
  template = <<-EOT
    {"username": {{identity.entity.name}}}
  EOT
}
"#;

struct Env {
    bao: Bao,
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let bao = Bao::start();
        bao.create_user("alice", "alice-pw", &["engineers"]);
        bao.create_user("mallory", "mallory-pw", &["outsiders"]);
        let env = Env {
            bao,
            dir: tempfile::tempdir().unwrap(),
        };
        env.write("oidc.hcl", CONFIG);
        env
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn cli(&self, args: &[&str]) -> Output {
        self.cli_as(self.bao.root_token(), args)
    }

    /// Runs the CLI against this server with another token.
    fn cli_as(&self, token: &str, args: &[&str]) -> Output {
        let mut cmd = Command::cargo_bin("vault-oidc").unwrap();
        cmd.current_dir(self.dir.path())
            .env_remove("VAULT_NAMESPACE")
            .env("VAULT_ADDR", self.bao.addr())
            .env("VAULT_TOKEN", token)
            .args(args);
        cmd.output().unwrap()
    }

    fn client(&self, name: &str) -> serde_json::Value {
        self.bao
            .api("GET", &format!("identity/oidc/client/{name}"), None)
            .unwrap()["data"]
            .clone()
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// No client secret in any output (tokens are checked with distinctive values below).
fn assert_no_secrets(env: &Env, out: &Output) {
    let all = text(out);
    if let Ok(c) = env.bao.api("GET", "identity/oidc/client/webapp", None) {
        if let Some(secret) = c["data"]["client_secret"].as_str() {
            assert!(!all.contains(secret), "client secret leaked:\n{all}");
            assert!(!all.contains(&secret[12..]), "client secret leaked:\n{all}");
        }
    }
}

#[test]
fn plan_apply_is_idempotent_and_the_second_apply_writes_nothing() {
    let env = Env::new();
    let out = env.cli(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("Plan: 6 to add, 0 to change, 0 to destroy."),
        "{}",
        text(&out)
    );

    let out = env.cli(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_no_secrets(&env, &out);

    // The key allows exactly the client and role that use it, by their generated client_ids.
    let key = env
        .bao
        .api("GET", "identity/oidc/key/agents", None)
        .unwrap();
    let role = env
        .bao
        .api("GET", "identity/oidc/role/agent", None)
        .unwrap();
    let mut allowed: Vec<String> =
        serde_json::from_value(key["data"]["allowed_client_ids"].clone()).unwrap();
    allowed.sort();
    let mut expected = vec![
        env.client("webapp")["client_id"]
            .as_str()
            .unwrap()
            .to_string(),
        role["data"]["client_id"].as_str().unwrap().to_string(),
    ];
    expected.sort();
    assert_eq!(allowed, expected);

    let out = env.cli(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("No changes."), "{}", text(&out));

    let mark = env.bao.audit_mark();
    let out = env.cli(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let entries = env.bao.audit_entries_since(&mark);
    assert!(
        entries.iter().any(|e| e.path.starts_with("identity/oidc/")),
        "the second apply did read Vault"
    );
    let writes: Vec<_> = entries
        .iter()
        .filter(|e| e.kind == "request" && e.is_write())
        .map(|e| format!("{} {}", e.operation, e.path))
        .collect();
    assert!(writes.is_empty(), "second apply wrote: {writes:?}");
}

#[test]
fn drift_is_reported_and_repaired_and_prune_is_explicit() {
    let env = Env::new();
    assert_eq!(code(&env.cli(&["apply", "--auto-approve"])), 0);

    let out = env
        .bao
        .cli(&["write", "identity/oidc/client/webapp", "id_token_ttl=2h"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = env.cli(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("~ client \"webapp\""), "{t}");
    assert!(
        t.contains("~ id_token_ttl") && t.contains("\"2h\" -> \"30m\""),
        "{t}"
    );
    assert!(
        t.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{t}"
    );

    let out = env.cli(&["plan", "--json"]);
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["changes"][0]["kind"], "client");
    assert_eq!(plan["changes"][0]["fields"][0]["field"], "id_token_ttl");
    assert_eq!(
        plan["summary"],
        json!({"add": 0, "change": 1, "destroy": 0})
    );

    assert_eq!(code(&env.cli(&["apply", "--auto-approve"])), 0);
    assert_eq!(env.client("webapp")["id_token_ttl"], 1800);
    assert_eq!(code(&env.cli(&["plan", "--detailed-exitcode"])), 0);

    // Drop the role from the config: listed as unmanaged, destroyed only with --prune.
    let without_role = CONFIG.split("role \"agent\"").next().unwrap();
    env.write("oidc.hcl", without_role);
    let out = env.cli(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("~ key \"agents\"") && t.contains("allowed_client_ids"),
        "the key no longer allows the role: {t}"
    );
    assert!(t.contains("? role \"agent\""), "unmanaged role listed: {t}");
    assert!(
        t.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{t}"
    );
    assert_eq!(code(&env.cli(&["apply", "--auto-approve"])), 0);
    assert!(
        env.bao.api("GET", "identity/oidc/role/agent", None).is_ok(),
        "not destroyed without --prune"
    );

    let out = env.cli(&["plan", "--prune", "--detailed-exitcode"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("- role \"agent\""), "{}", text(&out));
    assert!(
        text(&out).contains("Plan: 0 to add, 0 to change, 1 to destroy."),
        "{}",
        text(&out)
    );
    let out = env.cli(&["apply", "--auto-approve", "--prune"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        env.bao
            .api("GET", "identity/oidc/role/agent", None)
            .is_err(),
        "destroyed with --prune"
    );
    assert!(
        env.bao
            .api("GET", "identity/oidc/key/default", None)
            .is_ok(),
        "built-ins are never destroyed"
    );
    assert_eq!(
        code(&env.cli(&["plan", "--prune", "--detailed-exitcode"])),
        0
    );
}

#[test]
fn a_client_key_change_is_a_destructive_replacement() {
    let env = Env::new();
    assert_eq!(code(&env.cli(&["apply", "--auto-approve"])), 0);
    let old_id = env.client("webapp")["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    env.write(
        "oidc.hcl",
        &CONFIG.replace(
            "  key              = \"agents\"\n  client_type",
            "  key              = \"default\"\n  client_type",
        ),
    );
    let out = env.cli(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&out), 2);
    let t = text(&out);
    assert!(
        t.contains("-/+ client \"webapp\"")
            && t.contains("# forces replacement")
            && t.contains("DESTRUCTIVE"),
        "{t}"
    );
    let out = env.cli(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let new_id = env.client("webapp")["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(old_id, new_id);
    let provider = env
        .bao
        .api("GET", "identity/oidc/provider/main", None)
        .unwrap();
    assert_eq!(
        provider["data"]["allowed_client_ids"],
        json!([new_id]),
        "provider follows the new client_id"
    );
    assert_eq!(code(&env.cli(&["plan", "--detailed-exitcode"])), 0);
}

#[test]
fn export_then_plan_shows_no_changes() {
    let env = Env::new();
    assert_eq!(code(&env.cli(&["apply", "--auto-approve"])), 0);
    let out = env.cli(&["export", "-o", "exported.hcl"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_no_secrets(&env, &out);
    let exported = std::fs::read_to_string(env.dir.path().join("exported.hcl")).unwrap();
    assert!(
        exported.contains("groups = [\"engineers\"]"),
        "names, not IDs:\n{exported}"
    );
    assert!(exported.contains("clients = [\"webapp\"]"), "{exported}");
    assert!(!exported.contains("client_secret"), "{exported}");
    let out = env.cli(&[
        "-c",
        "exported.hcl",
        "plan",
        "--detailed-exitcode",
        "--prune",
    ]);
    assert_eq!(code(&out), 0, "{}\n{exported}", text(&out));
}

#[test]
fn assigned_users_complete_the_pkce_flow_and_others_are_refused() {
    let env = Env::new();
    assert_eq!(code(&env.cli(&["apply", "--auto-approve"])), 0);
    let client = env.client("webapp");
    let client_id = client["client_id"].as_str().unwrap();
    let secret = client["client_secret"].as_str().unwrap();
    let redirect = "http://127.0.0.1:8250/oidc/callback";

    let alice = env.bao.login_userpass("alice", "alice-pw");
    let tokens = oidc::authorization_code_pkce(
        &env.bao,
        &alice,
        "main",
        client_id,
        Some(secret),
        redirect,
        "openid profile",
        "n-123",
    )
    .expect("alice is in the engineers assignment");
    let claims = oidc::decode_claims(&tokens.id_token);
    assert_eq!(claims["aud"], client_id);
    assert_eq!(claims["nonce"], "n-123");
    assert_eq!(
        claims["username"], "alice",
        "scope template output: {claims}"
    );
    assert_eq!(claims["groups"], json!(["engineers"]), "{claims}");
    assert!(claims["iss"]
        .as_str()
        .unwrap()
        .ends_with("/v1/identity/oidc/provider/main"));

    let mallory = env.bao.login_userpass("mallory", "mallory-pw");
    let refused = oidc::authorization_code_pkce(
        &env.bao,
        &mallory,
        "main",
        client_id,
        Some(secret),
        redirect,
        "openid profile",
        "n-456",
    );
    assert!(refused.is_err(), "a user outside the assignment is refused");
}

#[test]
fn missing_groups_are_named_and_nothing_is_written() {
    let env = Env::new();
    env.write(
        "oidc.hcl",
        &CONFIG.replace(
            "groups = [\"engineers\"]",
            "groups = [\"engineers\", \"ghosts\"]",
        ),
    );
    let mark = env.bao.audit_mark();
    let out = env.cli(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out)
            .contains("assignment \"engineers\" names group \"ghosts\", which does not exist"),
        "{}",
        text(&out)
    );
    assert_eq!(env.bao.write_requests_to_since(&mark, "identity/"), 0);
}

fn validate_errors(path: &Path) -> String {
    let out = Command::cargo_bin("vault-oidc")
        .unwrap()
        .args(["validate", "-c"])
        .arg(path)
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    text(&out)
}

#[test]
fn validate_reports_every_rule_with_file_line_col() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.hcl");
    std::fs::write(
        &path,
        r#"key "k" {
  algorithm        = "HS256"
  rotation_period  = "30s"
  verification_ttl = "1h"
}
scope "openid" {
  template = "{\"aud\": 1}"
}
scope "s" {
  template = "{\"a\": {{identity.entity.name}"
}
client "c" {
  key          = "k"
  assignments  = ["nobody"]
  id_token_ttl = "2h"
  redirect_uri = ["x"]
}
provider "p" {
  issuer  = "https://vault.example.com/v1/x"
  clients = ["c", "ghost"]
}
role "r" {
  key = "k"
  ttl = "forever"
}
"#,
    )
    .unwrap();
    let out = validate_errors(&path);
    // Unknown attributes and bad durations are found first (before references are checked).
    let f = path.display().to_string();
    assert!(out.contains(&format!("{f}:16:3: unknown attribute \"redirect_uri\" in client block (did you mean \"redirect_uris\"?)")), "{out}");
    assert!(
        out.contains(&format!(
            "{f}:24:9: role attribute \"ttl\": invalid duration"
        )),
        "{out}"
    );

    std::fs::write(
        &path,
        std::fs::read_to_string(&path)
            .unwrap()
            .replace("  redirect_uri = [\"x\"]\n", "")
            .replace("\"forever\"", "\"3h\""),
    )
    .unwrap();
    let out = validate_errors(&path);
    for needle in [
        ":2:3: key \"k\": unsupported algorithm \"HS256\"",
        ":3:3: key \"k\": rotation_period must be at least 1m",
        ":4:3: key \"k\": verification_ttl",
        ":6:1: scope name \"openid\" is reserved",
        ":7:3: scope \"openid\": template sets reserved claim(s) aud",
        ":10:3: scope \"s\": template is not valid JSON",
        ":14:3: client \"c\": assignment \"nobody\" is not declared",
        ":15:3: client \"c\": id_token_ttl (7200s) exceeds the verification_ttl of key \"k\"",
        ":18:3: provider \"p\": issuer \"https://vault.example.com/v1/x\" must not have a path",
        ":19:3: provider \"p\": client \"ghost\" is not declared",
        ":23:3: role \"r\": ttl (10800s) exceeds the verification_ttl",
    ] {
        assert!(
            out.contains(&format!("{f}{needle}")),
            "missing {needle:?} in:\n{out}"
        );
    }
}

#[test]
fn unreachable_sealed_and_unauthorised_fail_with_one_clear_line() {
    let env = Env::new();
    // Unreachable: a port nothing listens on.
    let dead = bao_testkit::unused_addr();
    let out = Command::cargo_bin("vault-oidc")
        .unwrap()
        .current_dir(env.dir.path())
        .env("VAULT_ADDR", &dead)
        .env("VAULT_TOKEN", "s.super-secret-token")
        .args(["plan"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let t = text(&out);
    assert!(t.contains(&format!("cannot reach Vault at {dead}")), "{t}");
    assert_eq!(t.trim().lines().count(), 1, "{t}");
    assert!(!t.contains("super-secret-token"), "{t}");

    // A token that may read but not write identity/oidc/client/*.
    env.bao
        .api(
            "POST",
            "sys/policies/acl/oidc-read",
            Some(json!({"policy": "path \"identity/oidc/*\" { capabilities = [\"read\", \"list\"] }\npath \"identity/group/*\" { capabilities = [\"read\"] }\npath \"identity/entity/*\" { capabilities = [\"read\"] }"})),
        )
        .unwrap();
    let limited = env
        .bao
        .api(
            "POST",
            "auth/token/create",
            Some(json!({"policies": ["oidc-read"]})),
        )
        .unwrap();
    let limited = limited["auth"]["client_token"]
        .as_str()
        .unwrap()
        .to_string();
    let out = env.cli_as(&limited, &["apply", "--auto-approve"]);
    assert_eq!(code(&out), 1);
    let t = text(&out);
    assert!(
        t.contains("permission denied: the token lacks \"update\" on identity/oidc/key/agents"),
        "{t}"
    );
    assert!(!t.contains(&limited), "{t}");
    // The limited token can still plan (reads only).
    let out = env.cli_as(&limited, &["plan", "--detailed-exitcode"]);
    assert_eq!(code(&out), 2, "{}", text(&out));

    env.bao.seal();
    let out = env.cli(&["plan"]);
    assert_eq!(code(&out), 1);
    let t = text(&out);
    assert!(
        t.contains(&format!("Vault at {} is sealed", env.bao.addr())),
        "{t}"
    );
    assert_eq!(t.trim().lines().count(), 1, "{t}");
    assert_no_secrets(&env, &out);
    env.bao.unseal();
}

#[test]
fn doctor_reports_one_line_per_check() {
    let env = Env::new();
    assert_eq!(code(&env.cli(&["apply", "--auto-approve"])), 0);
    let out = env.cli(&["doctor"]);
    let t = text(&out);
    assert_eq!(code(&out), 0, "{t}");
    for needle in [
        "ok   connectivity:",
        "ok   seal: unsealed",
        "ok   token: valid",
        "ok   capabilities:",
        "ok   provider \"main\" discovery:",
        "ok   provider \"main\" issuer:",
        "ok   provider \"main\" jwks:",
        "key(s): ES256",
    ] {
        assert!(t.contains(needle), "missing {needle:?}:\n{t}");
    }
    env.bao.seal();
    let out = env.cli(&["doctor"]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out).contains(&format!("FAIL seal: Vault at {} is sealed", env.bao.addr())),
        "{}",
        text(&out)
    );
    env.bao.unseal();
}

#[test]
fn dev_starts_a_server_applies_the_example_and_keeps_the_token_private() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/oidc.hcl");
    let state = dir.path().join("state");
    let out = Command::cargo_bin("vault-oidc")
        .unwrap()
        .args(["dev", "--no-wait", "--example"])
        .arg(&example)
        .arg("--state-dir")
        .arg(&state)
        .output()
        .unwrap();
    let t = text(&out);
    assert_eq!(code(&out), 0, "{t}");
    assert!(
        t.contains("/v1/identity/oidc/provider/main/.well-known/openid-configuration"),
        "{t}"
    );
    let token = std::fs::read_to_string(state.join("token")).unwrap();
    assert!(!t.contains(token.trim()), "the root token is not printed");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(state.join("token"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let addr = t
        .lines()
        .find_map(|l| l.strip_prefix("OpenBao dev server at "))
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    assert!(
        std::net::TcpStream::connect(addr.trim_start_matches("http://")).is_err(),
        "the server is stopped on exit"
    );
}

#[test]
fn a_failed_apply_reports_what_was_done_and_a_rerun_converges() {
    let env = Env::new();
    // This token may write keys, scopes and assignments, but not clients, roles or providers.
    let policy = r#"
path "identity/oidc/*" { capabilities = ["read", "list"] }
path "identity/oidc/key/*" { capabilities = ["create", "read", "update", "list"] }
path "identity/oidc/scope/*" { capabilities = ["create", "read", "update", "list"] }
path "identity/oidc/assignment/*" { capabilities = ["create", "read", "update", "list"] }
path "identity/group/*" { capabilities = ["read"] }
path "identity/entity/*" { capabilities = ["read"] }
"#;
    env.bao
        .api(
            "POST",
            "sys/policies/acl/partial",
            Some(json!({ "policy": policy })),
        )
        .unwrap();
    let token = env
        .bao
        .api(
            "POST",
            "auth/token/create",
            Some(json!({"policies": ["partial"]})),
        )
        .unwrap();
    let token = token["auth"]["client_token"].as_str().unwrap().to_string();
    let out = env.cli_as(&token, &["apply", "--auto-approve"]);
    assert_eq!(code(&out), 1);
    let t = text(&out);
    assert!(
        t.contains("key \"agents\": created") && t.contains("scope \"profile\": created"),
        "{t}"
    );
    assert!(
        t.contains("permission denied: the token lacks \"update\" on identity/oidc/client/webapp"),
        "{t}"
    );
    assert!(t.contains("not done: provider \"main\""), "{t}");
    assert!(!t.contains(&token), "{t}");
    assert!(
        env.bao
            .api("GET", "identity/oidc/provider/main", None)
            .is_err(),
        "later levels were not attempted"
    );

    let out = env.cli(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        text(&out).contains("Plan: 3 to add, 1 to change, 0 to destroy."),
        "only what was missing: {}",
        text(&out)
    );
    assert_eq!(code(&env.cli(&["plan", "--detailed-exitcode"])), 0);
}
