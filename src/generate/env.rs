//! The one registry of environment variables that replace Cognito's configuration, and every
//! format it is written in (`dotenv`, `shell`, `json`, `tfvars`, the docs table).

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::{engine, hcl, header, render, GenerateError};
use crate::config::Config;
use crate::vault::api::oidc::requests::{
    ListClientsRequest, ListProvidersRequest, ListRolesRequest, ReadClientRequest,
    ReadConfigRequest, ReadRoleRequest,
};
use crate::vault::Vault;

/// Who reads a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// The web app (an OIDC relying party).
    App,
    /// The agent-authorizer Lambda.
    Authorizer,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::App => "app",
            Target::Authorizer => "authorizer",
        }
    }
}

/// One environment variable.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Var {
    pub name: &'static str,
    pub description: &'static str,
    pub target: Target,
    pub example: &'static str,
    pub secret: bool,
    /// Always emitted; optional ones only when set with `--set`.
    pub required: bool,
    /// The Terraform expression of its value in `environments/*/main.tf` (authorizer only).
    #[serde(skip)]
    pub tf: Option<&'static str>,
}

const fn var(
    name: &'static str,
    target: Target,
    description: &'static str,
    example: &'static str,
) -> Var {
    Var {
        name,
        description,
        target,
        example,
        secret: false,
        required: true,
        tf: None,
    }
}

const fn optional(v: Var) -> Var {
    Var {
        required: false,
        ..v
    }
}

const fn secret(v: Var) -> Var {
    Var { secret: true, ..v }
}

const fn tf(v: Var, expr: &'static str) -> Var {
    Var {
        tf: Some(expr),
        ..v
    }
}

const ISSUER_EX: &str = "https://vault.example.com/v1/identity/oidc/provider/main";

/// Every variable, in the order they are written.
pub const REGISTRY: &[Var] = &[
    var("VAULT_OIDC_ISSUER", Target::App, "Issuer URL of the provider (the `iss` of ID tokens).", ISSUER_EX),
    var(
        "VAULT_OIDC_DISCOVERY_URL",
        Target::App,
        "OpenID discovery document of the provider.",
        "https://vault.example.com/v1/identity/oidc/provider/main/.well-known/openid-configuration",
    ),
    var(
        "VAULT_OIDC_AUTHORIZE_URL",
        Target::App,
        "Authorization endpoint (served by the Vault UI).",
        "https://vault.example.com/ui/vault/identity/oidc/provider/main/authorize",
    ),
    var(
        "VAULT_OIDC_TOKEN_URL",
        Target::App,
        "Token endpoint.",
        "https://vault.example.com/v1/identity/oidc/provider/main/token",
    ),
    var(
        "VAULT_OIDC_USERINFO_URL",
        Target::App,
        "UserInfo endpoint.",
        "https://vault.example.com/v1/identity/oidc/provider/main/userinfo",
    ),
    var(
        "VAULT_OIDC_JWKS_URL",
        Target::App,
        "JSON Web Key Set of the provider's signing keys.",
        "https://vault.example.com/v1/identity/oidc/provider/main/.well-known/keys",
    ),
    var("VAULT_OIDC_CLIENT_ID", Target::App, "client_id Vault generated for the client.", "Q3kmbVbQ6Wz0c2e8BLyH7KkSjM0pPf1a"),
    secret(var(
        "VAULT_OIDC_CLIENT_SECRET",
        Target::App,
        "client_secret of a confidential client: written only with --include-secrets, else a `vault:` reference.",
        "vault:identity/oidc/client/webapp#client_secret",
    )),
    var(
        "VAULT_OIDC_REDIRECT_URI",
        Target::App,
        "Redirect URI of the app (the client's first).",
        "https://app.example.com/oauth/callback",
    ),
    var("VAULT_OIDC_SCOPES", Target::App, "Scopes to request, space-separated, starting with openid.", "openid profile"),
    var("VAULT_OIDC_USERNAME_CLAIM", Target::App, "ID-token claim holding the username.", "username"),
    var("VAULT_OIDC_GROUPS_CLAIM", Target::App, "ID-token claim holding the group names.", "groups"),
    var(
        "VAULT_OIDC_LOGOUT_URL",
        Target::App,
        "Where to send users to end their Vault session (Vault has no RP-initiated logout endpoint).",
        "https://vault.example.com/ui/vault/logout",
    ),
    tf(
        var(
            "AUTHORIZER_ISSUERS",
            Target::Authorizer,
            "Trusted issuers, comma-separated: each trusted provider's issuer and, when roles exist, the identity-token issuer (`identity/oidc/config`'s issuer, else Vault's address, + `/v1/identity/oidc`).",
            "https://vault.example.com/v1/identity/oidc/provider/main,https://vault.example.com/v1/identity/oidc",
        ),
        "join(\",\", concat(values(module.vault_oidc.issuers), module.vault_oidc.identity_token_issuers))",
    ),
    tf(
        var(
            "AUTHORIZER_AUDIENCES",
            Target::Authorizer,
            "Accepted audiences, comma-separated: the client_ids of the roles and of the clients of the providers trusted (`--provider`, else all).",
            "Q3kmbVbQ6Wz0c2e8BLyH7KkSjM0pPf1a,8Xn2c0s1Vb7aQ4kLmP9rT3yZ5wE6uI0o",
        ),
        "join(\",\", concat(values(module.vault_oidc.client_ids), values(module.vault_oidc.role_client_ids)))",
    ),
    tf(var("AUTHORIZER_USERNAME_CLAIM", Target::Authorizer, "Claim holding the username.", "username"), "\"username\""),
    tf(var("AUTHORIZER_GROUPS_CLAIM", Target::Authorizer, "Claim holding the group names.", "groups"), "\"groups\""),
    optional(var(
        "AUTHORIZER_REQUIRED_GROUPS",
        Target::Authorizer,
        "Groups a token must carry for every route, comma-separated.",
        "engineers",
    )),
    optional(var(
        "AUTHORIZER_ROUTE_RULES",
        Target::Authorizer,
        "Per-route required groups, as JSON.",
        r#"[{"method":"GET","path":"/admin/*","groups":["admins"]}]"#,
    )),
    optional(var(
        "AUTHORIZER_TOKEN_HEADER",
        Target::Authorizer,
        "Header the token is also accepted from (REQUEST authorizers).",
        "X-Agent-Token",
    )),
    optional(var(
        "AUTHORIZER_HTTP_API_SIMPLE_RESPONSES",
        Target::Authorizer,
        "HTTP API: answer with simple responses (true) or IAM policies (false).",
        "true",
    )),
    optional(var(
        "AUTHORIZER_COGNITO_ISSUERS",
        Target::Authorizer,
        "Legacy Cognito issuers trusted during the migration window, comma-separated.",
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
    )),
    optional(var(
        "AUTHORIZER_COGNITO_CLIENT_IDS",
        Target::Authorizer,
        "Legacy Cognito app client ids, comma-separated.",
        "1example23456789",
    )),
    optional(var(
        "AUTHORIZER_COGNITO_UNTIL",
        Target::Authorizer,
        "End of the migration window (RFC 3339); Cognito tokens are refused after it.",
        "2025-12-31T23:59:59Z",
    )),
    optional(var(
        "AUTHORIZER_LEEWAY_SECONDS",
        Target::Authorizer,
        "Clock skew tolerated on exp/nbf/iat, in seconds.",
        "60",
    )),
];

pub fn lookup(name: &str) -> Option<&'static Var> {
    REGISTRY.iter().find(|v| v.name == name)
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Dotenv,
    Shell,
    Json,
    Tfvars,
}

/// Values as they will be written, in registry order.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub entries: Vec<(&'static Var, String)>,
}

/// What the values are computed from.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Vault's address (or a placeholder offline).
    pub vault_address: String,
    /// Issuer URL of each provider as Vault reports it (with the provider path).
    pub issuers: BTreeMap<String, String>,
    /// The `iss` of identity tokens (roles): `identity/oidc/config`'s issuer, else Vault's
    /// address, followed by `/v1/identity/oidc`.
    pub identity_token_issuer: String,
    /// client_ids of clients, by name.
    pub client_ids: BTreeMap<String, String>,
    /// client_ids of roles, by name.
    pub role_client_ids: BTreeMap<String, String>,
    /// The client secret, when it was read (`--include-secrets`).
    pub client_secret: Option<String>,
}

/// Sources read from a live Vault: client and role client_ids, provider issuers and, when
/// `secret_of` names a client, its secret (one read of that client; nothing is printed).
pub async fn live_sources(
    vault: &Vault,
    config: &Config,
    secret_of: Option<&str>,
) -> Result<Sources, GenerateError> {
    let (clients, providers, roles, token_config) = tokio::try_join!(
        vault.list(ListClientsRequest::builder().build().expect("no fields")),
        vault.list(ListProvidersRequest::builder().build().expect("no fields")),
        vault.list(ListRolesRequest::builder().build().expect("no fields")),
        vault.read(ReadConfigRequest::builder().build().expect("no fields")),
    )?;
    let clients = clients.map(|c| c.key_info).unwrap_or_default();
    let providers = providers.map(|p| p.key_info).unwrap_or_default();
    let role_names = roles.map(|r| r.keys).unwrap_or_default();
    let token_issuer_base = match token_config.issuer.trim_end_matches('/') {
        "" => vault.address().trim_end_matches('/'),
        configured => configured,
    };
    let mut s = Sources {
        vault_address: vault.address().to_string(),
        identity_token_issuer: format!("{token_issuer_base}/v1/identity/oidc"),
        ..Default::default()
    };
    let missing = |kind: &str, name: &str| {
        GenerateError::Unsupported(format!(
            "{kind} {name:?} of {} does not exist in Vault at {}: run `vault-oidc apply` first",
            config.file.display(),
            vault.address()
        ))
    };
    for name in config.clients.keys() {
        let c = clients.get(name).ok_or_else(|| missing("client", name))?;
        s.client_ids.insert(name.clone(), c.client_id.clone());
    }
    for name in config.providers.keys() {
        let p = providers
            .get(name)
            .ok_or_else(|| missing("provider", name))?;
        s.issuers
            .insert(name.clone(), p.issuer.trim_end_matches('/').to_string());
    }
    for name in config.roles.keys() {
        if !role_names.contains(name) {
            return Err(missing("role", name));
        }
        let r = vault.read(ReadRoleRequest { name: name.clone() }).await?;
        s.role_client_ids.insert(name.clone(), r.client_id);
    }
    if let Some(client) = secret_of {
        let c = vault
            .read(ReadClientRequest {
                name: client.to_string(),
            })
            .await?;
        s.client_secret = c.client_secret.map(|sec| sec.expose().to_string());
    }
    Ok(s)
}

/// Placeholder sources: values that can be known offline come from the config.
pub fn offline_sources(config: &Config) -> Sources {
    const ADDR: &str = "https://vault.example.invalid";
    let issuers = config
        .providers
        .iter()
        .map(|(n, p)| {
            let base = p.issuer.as_deref().unwrap_or(ADDR).trim_end_matches('/');
            (n.clone(), format!("{base}/v1/identity/oidc/provider/{n}"))
        })
        .collect();
    Sources {
        vault_address: ADDR.into(),
        identity_token_issuer: format!("{ADDR}/v1/identity/oidc"),
        issuers,
        client_ids: config
            .clients
            .keys()
            .map(|n| (n.clone(), format!("<client_id of client {n}>")))
            .collect(),
        role_client_ids: config
            .roles
            .keys()
            .map(|n| (n.clone(), format!("<client_id of role {n}>")))
            .collect(),
        client_secret: None,
    }
}

/// What to generate for.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub provider: Option<String>,
    pub client: Option<String>,
    /// `NAME=VALUE` for optional variables.
    pub set: Vec<String>,
}

fn only<'a>(
    kind: &str,
    names: impl Iterator<Item = &'a String>,
    flag: &str,
) -> Result<String, GenerateError> {
    let names: Vec<&String> = names.collect();
    match names.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(GenerateError::Unsupported(format!(
            "the config declares no {kind}"
        ))),
        many => Err(GenerateError::Unsupported(format!(
            "the config declares several {kind}s ({}): choose one with {flag}",
            many.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The provider and client the app target is for.
pub fn select_app(config: &Config, sel: &Selection) -> Result<(String, String), GenerateError> {
    let provider = match &sel.provider {
        Some(p) if config.providers.contains_key(p) => p.clone(),
        Some(p) => {
            return Err(GenerateError::Unsupported(format!(
                "--provider {p:?}: no such provider in {}",
                config.file.display()
            )))
        }
        None => only("provider", config.providers.keys(), "--provider")?,
    };
    let allowed: Vec<&String> = config
        .clients
        .keys()
        .filter(|c| config.providers[&provider].allows_client(c))
        .collect();
    let client = match &sel.client {
        Some(c) if config.clients.contains_key(c) && allowed.contains(&c) => c.clone(),
        Some(c) if config.clients.contains_key(c) => {
            return Err(GenerateError::Unsupported(format!(
                "--client {c:?}: provider {provider:?} does not allow this client"
            )))
        }
        Some(c) => {
            return Err(GenerateError::Unsupported(format!(
                "--client {c:?}: no such client in {}",
                config.file.display()
            )))
        }
        None => only(
            &format!("client of provider {provider:?}"),
            allowed.into_iter(),
            "--client",
        )?,
    };
    Ok((provider, client))
}

fn scope_claim(config: &Config, scopes: &[String], wanted: &str, fallback: &str) -> String {
    let found = scopes
        .iter()
        .filter_map(|s| config.scopes.get(s))
        .filter_map(|s| s.template.as_deref())
        .any(|t| {
            crate::config::template::parse(t)
                .ok()
                .and_then(|v| v.as_object().map(|o| o.contains_key(wanted)))
                .unwrap_or(false)
        });
    if found {
        wanted.to_string()
    } else {
        fallback.to_string()
    }
}

/// Computes the values of a target. The client secret is included only when `sources` carries it.
pub fn values(
    config: &Config,
    target: Target,
    sel: &Selection,
    sources: &Sources,
) -> Result<Values, GenerateError> {
    let mut v: BTreeMap<&'static str, String> = BTreeMap::new();
    match target {
        Target::App => {
            let (provider, client) = select_app(config, sel)?;
            let p = &config.providers[&provider];
            let c = &config.clients[&client];
            let issuer = sources.issuers.get(&provider).cloned().unwrap_or_default();
            let base = crate::plan::issuer_base(&issuer, &provider);
            let scopes = p.scopes.clone().unwrap_or_default();
            v.insert("VAULT_OIDC_ISSUER", issuer.clone());
            v.insert(
                "VAULT_OIDC_DISCOVERY_URL",
                format!("{issuer}/.well-known/openid-configuration"),
            );
            v.insert(
                "VAULT_OIDC_AUTHORIZE_URL",
                format!("{base}/ui/vault/identity/oidc/provider/{provider}/authorize"),
            );
            v.insert("VAULT_OIDC_TOKEN_URL", format!("{issuer}/token"));
            v.insert("VAULT_OIDC_USERINFO_URL", format!("{issuer}/userinfo"));
            v.insert("VAULT_OIDC_JWKS_URL", format!("{issuer}/.well-known/keys"));
            v.insert(
                "VAULT_OIDC_CLIENT_ID",
                sources.client_ids.get(&client).cloned().unwrap_or_default(),
            );
            if c.client_type
                .as_deref()
                .unwrap_or(crate::config::defaults::CLIENT_TYPE)
                == "confidential"
            {
                let secret = match &sources.client_secret {
                    Some(s) => s.clone(),
                    None => format!("vault:identity/oidc/client/{client}#client_secret"),
                };
                v.insert("VAULT_OIDC_CLIENT_SECRET", secret);
            }
            v.insert(
                "VAULT_OIDC_REDIRECT_URI",
                c.redirect_uris
                    .as_ref()
                    .and_then(|r| r.first().cloned())
                    .unwrap_or_default(),
            );
            let mut all = vec!["openid".to_string()];
            all.extend(scopes.iter().filter(|s| *s != "openid").cloned());
            v.insert("VAULT_OIDC_SCOPES", all.join(" "));
            v.insert(
                "VAULT_OIDC_USERNAME_CLAIM",
                scope_claim(config, &scopes, "username", "sub"),
            );
            v.insert(
                "VAULT_OIDC_GROUPS_CLAIM",
                scope_claim(config, &scopes, "groups", "groups"),
            );
            v.insert("VAULT_OIDC_LOGOUT_URL", format!("{base}/ui/vault/logout"));
        }
        Target::Authorizer => {
            let providers: Vec<&String> = match &sel.provider {
                Some(p) if config.providers.contains_key(p) => vec![p],
                Some(p) => {
                    return Err(GenerateError::Unsupported(format!(
                        "--provider {p:?}: no such provider in {}",
                        config.file.display()
                    )))
                }
                None => config.providers.keys().collect(),
            };
            let mut issuers: Vec<String> = providers
                .iter()
                .filter_map(|p| sources.issuers.get(*p).cloned())
                .collect();
            if !config.roles.is_empty() {
                issuers.push(sources.identity_token_issuer.clone());
            }
            // Tokens of a provider name one of its clients as audience; identity tokens name
            // their role's client_id.
            let audiences: Vec<String> = config
                .clients
                .keys()
                .filter(|c| {
                    providers
                        .iter()
                        .any(|p| config.providers[*p].allows_client(c))
                })
                .filter_map(|c| sources.client_ids.get(c))
                .chain(sources.role_client_ids.values())
                .cloned()
                .collect();
            v.insert("AUTHORIZER_ISSUERS", issuers.join(","));
            v.insert("AUTHORIZER_AUDIENCES", audiences.join(","));
            v.insert("AUTHORIZER_USERNAME_CLAIM", "username".into());
            v.insert("AUTHORIZER_GROUPS_CLAIM", "groups".into());
        }
    }
    for pair in &sel.set {
        let (name, value) = pair.split_once('=').ok_or_else(|| {
            GenerateError::Unsupported(format!("--set {pair:?}: expected NAME=VALUE"))
        })?;
        match lookup(name) {
            Some(var) if var.target == target && !var.required => {
                v.insert(var.name, value.to_string());
            }
            Some(var) if var.target != target => {
                return Err(GenerateError::Unsupported(format!(
                    "--set {name}: a variable of the {} target",
                    var.target.as_str()
                )))
            }
            Some(_) => {
                return Err(GenerateError::Unsupported(format!(
                    "--set {name}: computed from the config, cannot be set"
                )))
            }
            None => {
                let names: Vec<&str> = REGISTRY
                    .iter()
                    .filter(|v| v.target == target && !v.required)
                    .map(|v| v.name)
                    .collect();
                return Err(GenerateError::Unsupported(format!(
                    "--set {name}: unknown variable (settable: {})",
                    names.join(", ")
                )));
            }
        }
    }
    let entries = REGISTRY
        .iter()
        .filter_map(|var| v.remove(var.name).map(|val| (var, val)))
        .collect();
    Ok(Values { entries })
}

impl Values {
    /// Whether a real secret (not a reference) is among the values.
    pub fn has_secret(&self, sources: &Sources) -> bool {
        sources.client_secret.is_some() && self.entries.iter().any(|(v, _)| v.secret)
    }
}

fn dotenv_value(v: &str) -> String {
    if !v.contains('\'') && !v.contains('\n') {
        format!("'{v}'")
    } else {
        let mut out = String::from("\"");
        for c in v.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '$' => out.push_str("\\$"),
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }
}

fn shell_value(v: &str) -> String {
    format!("'{}'", v.replace('\'', "'\\''"))
}

/// Writes the values in a format. `source` names the config for the header comment (JSON has
/// no comments and gets none).
pub fn render_values(values: &Values, target: Target, format: Format, source: &str) -> String {
    let command = format!("vault-oidc generate env --target {}", target.as_str());
    let mut out = String::new();
    match format {
        Format::Dotenv => {
            out.push_str(&header("#", source, &command));
            for (var, val) in &values.entries {
                let _ = writeln!(out, "{}={}", var.name, dotenv_value(val));
            }
        }
        Format::Shell => {
            out.push_str(&header("#", source, &command));
            for (var, val) in &values.entries {
                let _ = writeln!(out, "export {}={}", var.name, shell_value(val));
            }
        }
        Format::Json => {
            let map: serde_json::Map<String, serde_json::Value> = values
                .entries
                .iter()
                .map(|(v, val)| (v.name.to_string(), serde_json::Value::String(val.clone())))
                .collect();
            out = serde_json::to_string_pretty(&serde_json::Value::Object(map))
                .expect("strings serialise");
            out.push('\n');
        }
        Format::Tfvars => {
            out.push_str(&header("#", source, &command));
            let _ = writeln!(out, "{}_environment = {{", target.as_str());
            for (var, val) in &values.entries {
                let _ = writeln!(out, "  {} = {}", var.name, hcl::quote(val));
            }
            out.push_str("}\n");
            out = hcl::align(&out);
        }
    }
    out
}

const DOCS_TEMPLATE: &str = include_str!("../../templates/docs/environment-variables.md.tera");

/// `docs/environment-variables.md`, from the registry.
pub fn docs() -> Result<String, GenerateError> {
    let t = engine(&[("environment-variables.md", DOCS_TEMPLATE)])?;
    let mut ctx = tera::Context::new();
    ctx.insert(
        "header",
        &header(
            "<!--",
            "src/generate/env.rs (the registry)",
            "vault-oidc generate docs --out docs/environment-variables.md",
        ),
    );
    let rows: Vec<serde_json::Value> = REGISTRY
        .iter()
        .map(|v| {
            serde_json::json!({
                "name": v.name,
                "target": v.target.as_str(),
                "required": if v.required { "yes" } else { "no" },
                "secret": if v.secret { "yes" } else { "no" },
                "description": v.description.replace('|', "\\|"),
                "example": v.example,
            })
        })
        .collect();
    ctx.insert("vars", &rows);
    render(&t, "environment-variables.md", &ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_names_are_unique_and_cover_the_contract() {
        let mut names: Vec<&str> = REGISTRY.iter().map(|v| v.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), REGISTRY.len());
        assert!(REGISTRY
            .iter()
            .filter(|v| v.secret)
            .all(|v| v.name == "VAULT_OIDC_CLIENT_SECRET"));
        assert!(REGISTRY
            .iter()
            .filter(|v| v.target == Target::Authorizer && v.required)
            .all(|v| v.tf.is_some()));
    }

    #[test]
    fn quoting_round_trips_through_shell_rules() {
        assert_eq!(shell_value("it's"), "'it'\\''s'");
        assert_eq!(dotenv_value(r#"[{"a":1}]"#), r#"'[{"a":1}]'"#);
        assert_eq!(dotenv_value("it's $x"), "\"it's \\$x\"");
    }
}
