//! `modules/vault-oidc/` (the reusable module) and `environments/<env>/` (root modules calling
//! it and `modules/agent-authorizer` with values generated from the config).

use std::path::PathBuf;

use super::env::{Target, REGISTRY};
use super::{engine, hcl, header, render, GenerateError, GeneratedFile};
use crate::config::{Config, ALGORITHMS};

const MODULE_TEMPLATES: &[(&str, &str)] = &[
    (
        "main.tf",
        include_str!("../../templates/terraform/module/main.tf.tera"),
    ),
    (
        "variables.tf",
        include_str!("../../templates/terraform/module/variables.tf.tera"),
    ),
    (
        "outputs.tf",
        include_str!("../../templates/terraform/module/outputs.tf.tera"),
    ),
    (
        "versions.tf",
        include_str!("../../templates/terraform/module/versions.tf.tera"),
    ),
    (
        "README.md",
        include_str!("../../templates/terraform/module/README.md.tera"),
    ),
];

const ENVIRONMENT_TEMPLATES: &[(&str, &str)] = &[
    (
        "main.tf",
        include_str!("../../templates/terraform/environment/main.tf.tera"),
    ),
    (
        "variables.tf",
        include_str!("../../templates/terraform/environment/variables.tf.tera"),
    ),
    (
        "terraform.tfvars",
        include_str!("../../templates/terraform/environment/terraform.tfvars.tera"),
    ),
    (
        "outputs.tf",
        include_str!("../../templates/terraform/environment/outputs.tf.tera"),
    ),
    (
        "versions.tf",
        include_str!("../../templates/terraform/environment/versions.tf.tera"),
    ),
];

/// Where the module lives, relative to the output directory.
pub const MODULE_DIR: &str = "modules/vault-oidc";

/// The resource and data-source types the module declares.
pub const RESOURCE_TYPES: &[&str] = &[
    "vault_identity_oidc_key",
    "vault_identity_oidc_key_allowed_client_id",
    "vault_identity_oidc_scope",
    "vault_identity_oidc_assignment",
    "vault_identity_oidc_client",
    "vault_identity_oidc_provider",
    "vault_identity_oidc_role",
    "data.vault_identity_group",
    "data.vault_identity_entity",
];

const INPUTS: &[(&str, &str, &str, &str)] = &[
    ("vault_address", "string", "required", "Vault's API address; the identity-token issuer of roles is under it."),
    ("keys", "map(object)", "`{}`", "Signing keys: algorithm, rotation_period, verification_ttl (seconds), allowed_client_ids."),
    ("scopes", "map(object)", "`{}`", "Scopes: description, template (JSON claims template)."),
    ("assignments", "map(object)", "`{}`", "Assignments: groups and entities (names), group_ids and entity_ids."),
    (
        "clients",
        "map(object)",
        "`{}`",
        "Clients: key, client_type, redirect_uris, assignments, id_token_ttl, access_token_ttl (seconds).",
    ),
    ("oidc_providers", "map(object)", "`{}`", "Providers: issuer (scheme://host[:port]), clients (names or `*`), scopes."),
    ("roles", "map(object)", "`{}`", "Identity-token roles: key, ttl (seconds), template."),
];

const OUTPUTS: &[(&str, bool, &str)] = &[
    ("issuers", false, "Issuer URL of each provider."),
    (
        "discovery_urls",
        false,
        "Discovery document URL of each provider.",
    ),
    ("jwks_urls", false, "JWKS URL of each provider."),
    (
        "identity_token_issuers",
        false,
        "Issuer of roles' identity tokens: `vault_address` + `/v1/identity/oidc`, as Vault mints them while `identity/oidc/config` sets no issuer (empty without roles).",
    ),
    ("client_ids", false, "client_id of each client."),
    ("client_secrets", true, "client_secret of each client."),
    ("role_client_ids", false, "client_id of each role."),
];

fn finish(name: &str, text: String) -> String {
    if name.ends_with(".tf") || name.ends_with(".tfvars") {
        let mut s = hcl::align(&text);
        while s.ends_with("\n\n") {
            s.pop();
        }
        s
    } else {
        text
    }
}

/// The module's files. They do not depend on the config, only on this version of vault-oidc.
pub fn module_files() -> Result<Vec<GeneratedFile>, GenerateError> {
    let t = engine(MODULE_TEMPLATES)?;
    let quoted: Vec<String> = ALGORITHMS.iter().map(|a| hcl::quote(a)).collect();
    let mut files = Vec::new();
    for (name, _) in MODULE_TEMPLATES {
        let mut ctx = tera::Context::new();
        let source = format!("templates/terraform/module/{name}.tera");
        let comment = if name.ends_with(".md") { "<!--" } else { "#" };
        ctx.insert(
            "header",
            &header(comment, &source, "vault-oidc generate terraform --out ."),
        );
        ctx.insert("algorithms", &quoted.join(", "));
        ctx.insert("algorithms_text", &ALGORITHMS.join(" "));
        let inputs: Vec<serde_json::Value> = INPUTS
            .iter()
            .map(|(n, ty, d, desc)| serde_json::json!({"name": n, "ty": ty, "default": d, "description": desc}))
            .collect();
        let outputs: Vec<serde_json::Value> = OUTPUTS
            .iter()
            .map(|(n, s, desc)| serde_json::json!({"name": n, "sensitive": if *s { "yes" } else { "no" }, "description": desc}))
            .collect();
        ctx.insert("inputs", &inputs);
        ctx.insert("outputs", &outputs);
        ctx.insert("resources", RESOURCE_TYPES);
        files.push(GeneratedFile {
            path: PathBuf::from(MODULE_DIR).join(name),
            contents: finish(name, render(&t, name, &ctx)?),
            secret: false,
        });
    }
    Ok(files)
}

/// `name = { entries }` for one kind of object; each entry is `name = { attrs }`.
fn object_map(out: &mut String, var: &str, entries: Vec<(String, Vec<(&str, String)>)>) {
    if entries.is_empty() {
        out.push_str(&format!("{var} = {{}}\n\n"));
        return;
    }
    out.push_str(&format!("{var} = {{\n"));
    for (i, (name, attrs)) in entries.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if attrs.is_empty() {
            out.push_str(&format!("  {} = {{}}\n", hcl::key(name)));
            continue;
        }
        out.push_str(&format!("  {} = {{\n", hcl::key(name)));
        for (k, v) in attrs {
            out.push_str(&format!("    {k} = {v}\n"));
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n\n");
}

/// The objects of one module input variable: each object's name and its attributes as HCL.
pub type InputObjects = Vec<(String, Vec<(&'static str, String)>)>;

/// The `vault-oidc` module's inputs for a config, in the config's terms (durations in seconds),
/// as `(variable, objects)`. Attributes the config leaves out are left out here too, so the
/// module's defaults (Vault's) apply. Multi-line templates become heredocs whose closing marker
/// sits at `template_indent` columns. `client_credentials` has no module input (see
/// [`tfvars_body`], which refuses it).
pub fn module_inputs(config: &Config, template_indent: usize) -> Vec<(&'static str, InputObjects)> {
    let secs = |s: Option<u64>| s.map(|s| s.to_string());
    let push = |attrs: &mut Vec<(&str, String)>, k: &'static str, v: Option<String>| {
        if let Some(v) = v {
            attrs.push((k, v));
        }
    };
    let keys = config
        .keys
        .iter()
        .map(|(n, k)| {
            let mut a = Vec::new();
            push(&mut a, "algorithm", k.algorithm.as_deref().map(hcl::quote));
            push(&mut a, "rotation_period", secs(k.rotation_period));
            push(&mut a, "verification_ttl", secs(k.verification_ttl));
            push(
                &mut a,
                "allowed_client_ids",
                k.allowed_client_ids.as_deref().map(hcl::list),
            );
            (n.clone(), a)
        })
        .collect();
    let scopes = config
        .scopes
        .iter()
        .map(|(n, s)| {
            let mut a = Vec::new();
            push(
                &mut a,
                "description",
                s.description.as_deref().map(hcl::quote),
            );
            push(
                &mut a,
                "template",
                s.template.as_deref().map(|t| hcl::text(t, template_indent)),
            );
            (n.clone(), a)
        })
        .collect();
    let assignments = config
        .assignments
        .iter()
        .map(|(n, x)| {
            let mut a = Vec::new();
            let nonempty = |l: &Vec<String>| (!l.is_empty()).then(|| hcl::list(l));
            push(&mut a, "groups", nonempty(&x.groups));
            push(&mut a, "entities", nonempty(&x.entities));
            push(&mut a, "group_ids", nonempty(&x.group_ids));
            push(&mut a, "entity_ids", nonempty(&x.entity_ids));
            (n.clone(), a)
        })
        .collect();
    let clients = config
        .clients
        .iter()
        .map(|(n, c)| {
            let mut a = Vec::new();
            push(&mut a, "key", c.key.as_deref().map(hcl::quote));
            push(
                &mut a,
                "client_type",
                c.client_type.as_deref().map(hcl::quote),
            );
            push(
                &mut a,
                "redirect_uris",
                c.redirect_uris.as_deref().map(hcl::list),
            );
            push(
                &mut a,
                "assignments",
                c.assignments.as_deref().map(hcl::list),
            );
            push(&mut a, "id_token_ttl", secs(c.id_token_ttl));
            push(&mut a, "access_token_ttl", secs(c.access_token_ttl));
            (n.clone(), a)
        })
        .collect();
    let providers = config
        .providers
        .iter()
        .map(|(n, p)| {
            let mut a = Vec::new();
            push(
                &mut a,
                "issuer",
                p.issuer
                    .as_deref()
                    .map(|i| hcl::quote(i.trim_end_matches('/'))),
            );
            push(&mut a, "clients", p.clients.as_deref().map(hcl::list));
            push(&mut a, "scopes", p.scopes.as_deref().map(hcl::list));
            (n.clone(), a)
        })
        .collect();
    let roles = config
        .roles
        .iter()
        .map(|(n, r)| {
            let mut a = vec![("key", hcl::quote(&r.key))];
            push(&mut a, "ttl", secs(r.ttl));
            push(
                &mut a,
                "template",
                r.template.as_deref().map(|t| hcl::text(t, template_indent)),
            );
            (n.clone(), a)
        })
        .collect();
    vec![
        ("keys", keys),
        ("scopes", scopes),
        ("assignments", assignments),
        ("clients", clients),
        ("oidc_providers", providers),
        ("roles", roles),
    ]
}

/// The module inputs for a config as a tfvars body (see [`module_inputs`]).
pub fn tfvars_body(config: &Config) -> Result<String, GenerateError> {
    if let Some((n, c)) = config
        .clients
        .iter()
        .find(|(_, c)| c.client_credentials.is_some())
    {
        let loc = c.spans.attr("client_credentials");
        return Err(GenerateError::Unsupported(format!(
            "{}:{}:{}: client {n:?}: client_credentials is OpenBao-only; hashicorp/vault's vault_identity_oidc_client has no such argument",
            config.file.display(),
            loc.line,
            loc.col
        )));
    }
    let mut out = String::new();
    for (var, objects) in module_inputs(config, 4) {
        object_map(&mut out, var, objects);
    }
    Ok(out.trim_end().to_string())
}

/// An environment's root module. `source` names the config and its var files for the header.
pub fn environment_files(
    config: &Config,
    environment: &str,
    source: &str,
) -> Result<Vec<GeneratedFile>, GenerateError> {
    if environment.is_empty()
        || !environment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(GenerateError::Unsupported(format!(
            "environment {environment:?}: use letters, digits, '-' and '_' only"
        )));
    }
    let t = engine(ENVIRONMENT_TEMPLATES)?;
    let body = tfvars_body(config)?;
    let authorizer: Vec<serde_json::Value> = REGISTRY
        .iter()
        .filter(|v| v.target == Target::Authorizer)
        .filter_map(|v| v.tf.map(|tf| serde_json::json!({"name": v.name, "tf": tf})))
        .collect();
    let optional: Vec<&str> = REGISTRY
        .iter()
        .filter(|v| v.target == Target::Authorizer && !v.required)
        .map(|v| v.name)
        .collect();
    let command = format!("vault-oidc generate terraform --out . --environment {environment}");
    let mut files = Vec::new();
    for (name, _) in ENVIRONMENT_TEMPLATES {
        let mut ctx = tera::Context::new();
        let what = if *name == "terraform.tfvars" {
            source.to_string()
        } else {
            format!("templates/terraform/environment/{name}.tera and {source}")
        };
        ctx.insert("header", &header("#", &what, &command));
        ctx.insert("environment", environment);
        ctx.insert("body", &body);
        ctx.insert("authorizer", &authorizer);
        ctx.insert(
            "optional_names",
            &optional
                .iter()
                .map(|n| hcl::quote(n))
                .collect::<Vec<_>>()
                .join(", "),
        );
        ctx.insert("optional_names_text", &optional.join(", "));
        files.push(GeneratedFile {
            path: PathBuf::from("environments").join(environment).join(name),
            contents: finish(name, render(&t, name, &ctx)?),
            secret: false,
        });
    }
    Ok(files)
}
