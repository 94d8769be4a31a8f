//! `vault-oidc generate env` and `generate docs`: every format parses with a standard parser, the
//! docs list every registry variable, live values come from Vault, and the client secret is
//! written only with `--include-secrets`, only to a 0600 file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;
use vault_oidc::generate::env::{Target, REGISTRY};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bin() -> Command {
    bin_for(&repo().join("examples/oidc.hcl"))
}

fn bin_for(config: &Path) -> Command {
    let mut c = Command::cargo_bin("vault-oidc").expect("binary");
    for v in ["VAULT_ADDR", "VAULT_TOKEN", "BAO_ADDR", "BAO_TOKEN"] {
        c.env_remove(v);
    }
    c.arg("-c").arg(config);
    c
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn parse_dotenv(path: &Path) -> BTreeMap<String, String> {
    dotenvy::from_path_iter(path)
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

fn parse_shell(path: &Path) -> BTreeMap<String, String> {
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("set -a; . '{}'; env -0", path.display()))
        .env_clear()
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .split('\0')
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| k.starts_with("VAULT_OIDC_") || k.starts_with("AUTHORIZER_"))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn parse_json(path: &Path) -> BTreeMap<String, String> {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn parse_tfvars(path: &Path, target: &str) -> BTreeMap<String, String> {
    let v: serde_json::Value = hcl::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    serde_json::from_value(v[format!("{target}_environment")].clone()).unwrap()
}

/// Generates every format into `dir` and checks they all parse to the same values.
fn all_formats(
    dir: &Path,
    target: &str,
    extra: &[&str],
    env: &[(&'static str, String)],
) -> BTreeMap<String, String> {
    let mut results = Vec::new();
    for format in ["dotenv", "shell", "json", "tfvars"] {
        let file = dir.join(format!("{target}.{format}"));
        let out = bin()
            .envs(env.iter().cloned())
            .args([
                "generate", "env", "--target", target, "--format", format, "--out",
            ])
            .arg(&file)
            .args(extra)
            .output()
            .unwrap();
        ok(&out);
        let parsed = match format {
            "dotenv" => parse_dotenv(&file),
            "shell" => parse_shell(&file),
            "json" => parse_json(&file),
            _ => parse_tfvars(&file, target),
        };
        results.push((format, parsed));
    }
    let first = results[0].1.clone();
    for (format, parsed) in &results {
        assert_eq!(
            parsed, &first,
            "{format} parses to the same values as dotenv"
        );
    }
    first
}

const ROUTE_RULES: &str = r#"[{"method":"GET","path":"/admin/*","groups":["admins"]}]"#;

#[test]
fn offline_formats_parse_with_standard_parsers() {
    let dir = tempfile::tempdir().unwrap();
    let app = all_formats(dir.path(), "app", &["--offline", "--client", "webapp"], &[]);
    let names: Vec<&str> = REGISTRY
        .iter()
        .filter(|v| v.target == Target::App)
        .map(|v| v.name)
        .collect();
    assert_eq!(
        app.keys().map(String::as_str).collect::<Vec<_>>().len(),
        names.len()
    );
    for n in &names {
        assert!(app.contains_key(*n), "{n} missing");
    }
    assert!(app["VAULT_OIDC_SCOPES"].starts_with("openid "), "{app:?}");
    assert_eq!(
        app["VAULT_OIDC_CLIENT_SECRET"],
        "vault:identity/oidc/client/webapp#client_secret"
    );
    assert_eq!(
        app["VAULT_OIDC_REDIRECT_URI"],
        "https://app.example.com/oauth/callback"
    );

    let set = format!("AUTHORIZER_ROUTE_RULES={ROUTE_RULES}");
    let auth = all_formats(
        dir.path(),
        "authorizer",
        &[
            "--offline",
            "--set",
            &set,
            "--set",
            "AUTHORIZER_COGNITO_UNTIL=2025-12-31T23:59:59Z",
        ],
        &[],
    );
    assert_eq!(auth["AUTHORIZER_ROUTE_RULES"], ROUTE_RULES);
    assert!(
        auth["AUTHORIZER_ISSUERS"].ends_with("/v1/identity/oidc"),
        "roles exist: {auth:?}"
    );
    assert_eq!(auth["AUTHORIZER_USERNAME_CLAIM"], "username");
    assert_eq!(
        auth["AUTHORIZER_AUDIENCES"].split(',').count(),
        3,
        "two clients and one role"
    );
}

#[test]
fn output_is_deterministic_and_check_detects_edits() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.env");
    let gen = |check: bool| {
        let mut c = bin();
        c.args([
            "generate",
            "env",
            "--target",
            "app",
            "--client",
            "webapp",
            "--offline",
            "--out",
        ])
        .arg(&file);
        if check {
            c.arg("--check");
        }
        c.output().unwrap()
    };
    ok(&gen(false));
    let first = std::fs::read(&file).unwrap();
    ok(&gen(false));
    assert_eq!(std::fs::read(&file).unwrap(), first);
    assert_eq!(gen(true).status.code(), Some(0));
    std::fs::write(
        &file,
        String::from_utf8(first)
            .unwrap()
            .replace("openid profile", "openid"),
    )
    .unwrap();
    let out = gen(true);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("+VAULT_OIDC_SCOPES='openid profile'"));
}

#[test]
fn unknown_or_ambiguous_selection_is_a_clear_error() {
    let out = bin()
        .args(["generate", "env", "--target", "app", "--offline"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--client"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bin()
        .args([
            "generate",
            "env",
            "--target",
            "authorizer",
            "--offline",
            "--set",
            "AUTHORIZER_NOPE=1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("AUTHORIZER_NOPE"));
}

#[test]
fn docs_table_lists_every_registry_variable() {
    let docs = std::fs::read_to_string(repo().join("docs/environment-variables.md")).unwrap();
    for v in REGISTRY {
        assert!(
            docs.contains(&format!("| `{}` | {} |", v.name, v.target.as_str())),
            "{} missing from the docs table",
            v.name
        );
    }
    assert_eq!(
        docs,
        vault_oidc::generate::env::docs().unwrap(),
        "docs/environment-variables.md is up to date"
    );
}

#[test]
fn live_values_and_secrets_only_with_include_secrets() {
    let bao = bao_testkit::Bao::start();
    bao.ensure_group("engineers");
    let env = bao.env();
    ok(&bin()
        .envs(env.iter().cloned())
        .args(["apply", "--auto-approve"])
        .output()
        .unwrap());
    let info = bao.api("LIST", "identity/oidc/client", None).unwrap();
    let client_id = info
        .pointer("/data/key_info/webapp/client_id")
        .and_then(|v| v.as_str())
        .unwrap()
        .to_string();
    let secret = bao
        .api("GET", "identity/oidc/client/webapp", None)
        .unwrap()
        .pointer("/data/client_secret")
        .and_then(|v| v.as_str())
        .unwrap()
        .to_string();
    let issuer = bao
        .api("GET", "identity/oidc/provider/main", None)
        .unwrap()
        .pointer("/data/issuer")
        .and_then(|v| v.as_str())
        .unwrap()
        .to_string();

    // Without --include-secrets: every format, real values, no secret anywhere.
    let dir = tempfile::tempdir().unwrap();
    let app = all_formats(dir.path(), "app", &["--client", "webapp"], &env);
    assert_eq!(app["VAULT_OIDC_CLIENT_ID"], client_id);
    assert_eq!(app["VAULT_OIDC_ISSUER"], issuer);
    assert_eq!(
        app["VAULT_OIDC_JWKS_URL"],
        format!("{issuer}/.well-known/keys")
    );
    let auth = all_formats(dir.path(), "authorizer", &[], &env);
    assert!(auth["AUTHORIZER_ISSUERS"].split(',').any(|i| i == issuer));
    assert!(auth["AUTHORIZER_ISSUERS"]
        .split(',')
        .any(|i| i == format!("{}/v1/identity/oidc", bao.addr())));
    assert!(auth["AUTHORIZER_AUDIENCES"]
        .split(',')
        .any(|a| a == client_id));
    for (p, bytes) in std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| (e.path(), std::fs::read(e.path()).unwrap()))
    {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&secret),
            "{} holds the secret",
            p.display()
        );
    }
    let stdout = ok(&bin()
        .envs(env.iter().cloned())
        .args(["generate", "env", "--target", "app", "--client", "webapp"])
        .output()
        .unwrap());
    assert!(!stdout.contains(&secret) && stdout.contains(&client_id));

    // --include-secrets never goes to stdout.
    let out = bin()
        .envs(env.iter().cloned())
        .args([
            "generate",
            "env",
            "--target",
            "app",
            "--client",
            "webapp",
            "--include-secrets",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(&secret)
            && !String::from_utf8_lossy(&out.stderr).contains(&secret)
    );

    // With --out: the secret, in a file of mode 0600, and nowhere in the output.
    let file = dir.path().join("secret.env");
    let out = bin()
        .envs(env.iter().cloned())
        .args([
            "generate",
            "env",
            "--target",
            "app",
            "--client",
            "webapp",
            "--include-secrets",
            "--out",
        ])
        .arg(&file)
        .output()
        .unwrap();
    let printed = ok(&out) + &String::from_utf8_lossy(&out.stderr);
    assert!(!printed.contains(&secret));
    assert_eq!(parse_dotenv(&file)["VAULT_OIDC_CLIENT_SECRET"], secret);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

/// `--provider` narrows the authorizer's audiences to that provider's clients (plus the roles),
/// and the identity-token issuer follows `identity/oidc/config`: checked against the `iss` and
/// `aud` of an identity token that the same Vault mints.
#[test]
fn authorizer_values_follow_the_provider_and_the_identity_token_issuer() {
    let bao = bao_testkit::Bao::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("oidc.hcl");
    std::fs::write(
        &config,
        r#"
key "k" { algorithm = "ES256" }
client "web" {
  key           = "k"
  redirect_uris = ["http://127.0.0.1:8250/callback"]
}
client "admin" {
  key           = "k"
  redirect_uris = ["http://127.0.0.1:8251/callback"]
}
provider "users" { clients = ["web"] }
provider "staff" { clients = ["admin"] }
role "agent" {
  key      = "k"
  ttl      = "15m"
  template = "{\"username\": {{identity.entity.name}}}"
}
"#,
    )
    .unwrap();
    let env = bao.env();
    let run = |args: &[&str]| {
        let mut c = bin_for(&config);
        c.envs(env.iter().cloned()).args(args);
        ok(&c.output().unwrap())
    };
    run(&["apply", "--auto-approve"]);
    bao.api(
        "POST",
        "identity/oidc/config",
        Some(serde_json::json!({"issuer": "https://tokens.example.test:8200"})),
    )
    .unwrap();
    let client_id = |name: &str| {
        bao.api("GET", &format!("identity/oidc/client/{name}"), None)
            .unwrap()
            .pointer("/data/client_id")
            .and_then(|v| v.as_str())
            .unwrap()
            .to_string()
    };
    let (web, admin) = (client_id("web"), client_id("admin"));

    let out = dir.path().join("authorizer.json");
    run(&[
        "generate",
        "env",
        "--target",
        "authorizer",
        "--provider",
        "users",
        "--format",
        "json",
        "--out",
    ]
    .into_iter()
    .chain([out.to_str().unwrap()])
    .collect::<Vec<_>>());
    let auth = parse_json(&out);
    let audiences: Vec<&str> = auth["AUTHORIZER_AUDIENCES"].split(',').collect();
    let issuers: Vec<&str> = auth["AUTHORIZER_ISSUERS"].split(',').collect();
    assert!(audiences.contains(&web.as_str()), "{audiences:?}");
    assert!(
        !audiences.contains(&admin.as_str()),
        "the staff provider's client is not an audience of --provider users: {audiences:?}"
    );

    // A real identity token of the role must pass both lists.
    bao.create_user("robot", "pw", &[]);
    bao.grant_identity_tokens("robot");
    let token = bao.login_userpass("robot", "pw");
    let jwt = bao.identity_token(&token, "agent").unwrap();
    let payload = jwt.split('.').nth(1).unwrap();
    let claims: serde_json::Value =
        serde_json::from_slice(&bao_testkit::util::base64_decode(payload).unwrap()).unwrap();
    let iss = claims["iss"].as_str().unwrap();
    assert_eq!(iss, "https://tokens.example.test:8200/v1/identity/oidc");
    assert!(issuers.contains(&iss), "{iss} not in {issuers:?}");
    let aud = claims["aud"].as_str().unwrap();
    assert!(audiences.contains(&aud), "{aud} not in {audiences:?}");
}
