//! Health checks of a Vault OIDC setup, one line each: connectivity, seal state, token and
//! capabilities, each provider's discovery document and JWKS, issuer consistency, signing keys,
//! redirect URIs and assignments that match nobody.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use crate::plan::issuer_base;
use crate::state::read_live;
use crate::vault::api::sys::CapabilitiesSelfRequest;
use crate::vault::{ConnectionSettings, Vault};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Clone)]
pub struct Check {
    pub status: Status,
    pub name: String,
    pub detail: String,
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tag = match self.status {
            Status::Ok => "ok  ",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        };
        write!(f, "{tag} {}: {}", self.name, self.detail)
    }
}

fn check(status: Status, name: impl Into<String>, detail: impl Into<String>) -> Check {
    Check {
        status,
        name: name.into(),
        detail: detail.into(),
    }
}

/// The paths and capabilities `apply` needs.
const NEEDED: [(&str, &[&str]); 7] = [
    (
        "identity/oidc/key/x",
        &["create", "read", "update", "delete"],
    ),
    (
        "identity/oidc/scope/x",
        &["create", "read", "update", "delete"],
    ),
    (
        "identity/oidc/assignment/x",
        &["create", "read", "update", "delete"],
    ),
    (
        "identity/oidc/client/x",
        &["create", "read", "update", "delete"],
    ),
    (
        "identity/oidc/provider/x",
        &["create", "read", "update", "delete"],
    ),
    (
        "identity/oidc/role/x",
        &["create", "read", "update", "delete"],
    ),
    ("identity/oidc/key", &["list"]),
];

fn is_loopback(uri: &str) -> bool {
    url::Url::parse(uri)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| {
                h == "localhost" || h == "127.0.0.1" || h == "[::1]" || h.starts_with("127.")
            })
        })
        .unwrap_or(false)
}

async fn get_json(http: &reqwest::Client, url: &str) -> Result<Json, String> {
    let resp = http
        .get(url)
        .send()
        .await
        .map_err(|e| format!("unreachable ({e})"))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    resp.json().await.map_err(|e| format!("not JSON ({e})"))
}

/// Runs every check. Later checks are skipped when Vault cannot be reached or is sealed.
pub async fn run(settings: &ConnectionSettings) -> Vec<Check> {
    let mut out = Vec::new();
    let addr = settings.address.clone();
    let http = match reqwest::Client::builder()
        .danger_accept_invalid_certs(settings.skip_verify)
        .timeout(std::time::Duration::from_secs(5))
        .build()
    {
        Ok(h) => h,
        Err(e) => {
            out.push(check(
                Status::Fail,
                "connectivity",
                format!("cannot build an HTTP client: {e}"),
            ));
            return out;
        }
    };
    // sys/health answers 503 when sealed and 429 on standby, with a JSON body either way.
    let health = match http
        .get(format!(
            "{addr}/v1/sys/health?standbyok=true&sealedcode=200&uninitcode=200"
        ))
        .send()
        .await
    {
        Ok(r) => r.json::<Json>().await.unwrap_or_default(),
        Err(e) => {
            out.push(check(
                Status::Fail,
                "connectivity",
                format!("cannot reach Vault at {addr}: {e}"),
            ));
            return out;
        }
    };
    let version = health["version"].as_str().unwrap_or("unknown").to_string();
    out.push(check(
        Status::Ok,
        "connectivity",
        format!("{addr} answers, server version {version}"),
    ));
    if health["sealed"].as_bool() == Some(true) {
        out.push(check(
            Status::Fail,
            "seal",
            format!("Vault at {addr} is sealed"),
        ));
        return out;
    }
    out.push(check(Status::Ok, "seal", "unsealed"));

    let vault = match Vault::connect(settings) {
        Ok(v) => v,
        Err(e) => {
            out.push(check(Status::Fail, "token", e.to_string()));
            return out;
        }
    };
    match vaultrs::token::lookup_self(vault.client()).await {
        Ok(info) => out.push(check(
            Status::Ok,
            "token",
            format!(
                "valid, policies [{}], ttl {}s",
                info.policies.join(", "),
                info.ttl
            ),
        )),
        Err(e) => {
            out.push(check(
                Status::Fail,
                "token",
                vault
                    .classify("GET", "auth/token/lookup-self", e)
                    .to_string(),
            ));
            return out;
        }
    }
    let paths: Vec<String> = NEEDED.iter().map(|(p, _)| p.to_string()).collect();
    match vault.read(CapabilitiesSelfRequest { paths }).await {
        Ok(caps) => {
            let mut missing = Vec::new();
            for (path, needed) in NEEDED {
                let have: BTreeSet<String> = caps
                    .paths
                    .get(path)
                    .and_then(|v| v.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.as_str().map(String::from))
                    .collect();
                if have.contains("root") {
                    continue;
                }
                for cap in needed.iter().filter(|c| !have.contains(**c)) {
                    missing.push(format!(
                        "{cap} on {}",
                        path.trim_end_matches("/x").to_string()
                            + if path.ends_with("/x") { "/*" } else { "" }
                    ));
                }
            }
            if missing.is_empty() {
                out.push(check(
                    Status::Ok,
                    "capabilities",
                    "the token can manage identity/oidc/*",
                ));
            } else {
                out.push(check(
                    Status::Fail,
                    "capabilities",
                    format!("the token lacks {}", missing.join(", ")),
                ));
            }
        }
        Err(e) => out.push(check(Status::Fail, "capabilities", e.to_string())),
    }

    let live = match read_live(&vault).await {
        Ok(l) => l,
        Err(e) => {
            out.push(check(Status::Fail, "oidc state", e.to_string()));
            return out;
        }
    };
    for (name, p) in &live.providers {
        let what = format!("provider {name:?}");
        let base = format!("{addr}/v1/identity/oidc/provider/{name}");
        match get_json(&http, &format!("{base}/.well-known/openid-configuration")).await {
            Ok(doc) => {
                out.push(check(
                    Status::Ok,
                    format!("{what} discovery"),
                    format!("{base}/.well-known/openid-configuration"),
                ));
                let doc_issuer = doc["issuer"].as_str().unwrap_or_default();
                if doc_issuer == p.issuer {
                    let status = if issuer_base(&p.issuer, name) == addr {
                        Status::Ok
                    } else {
                        Status::Warn
                    };
                    let note = if status == Status::Ok {
                        ""
                    } else {
                        " (differs from the address used here: tokens carry this issuer)"
                    };
                    out.push(check(
                        status,
                        format!("{what} issuer"),
                        format!("{doc_issuer}{note}"),
                    ));
                } else {
                    out.push(check(
                        Status::Fail,
                        format!("{what} issuer"),
                        format!(
                            "discovery says {doc_issuer:?}, provider says {:?}",
                            p.issuer
                        ),
                    ));
                }
            }
            Err(e) => out.push(check(Status::Fail, format!("{what} discovery"), e)),
        }
        match get_json(&http, &format!("{base}/.well-known/keys")).await {
            Ok(jwks) => {
                let algs: BTreeSet<String> = jwks["keys"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|k| k["alg"].as_str().map(String::from))
                    .collect();
                out.push(check(
                    Status::Ok,
                    format!("{what} jwks"),
                    format!(
                        "{} key(s): {}",
                        jwks["keys"].as_array().map_or(0, |a| a.len()),
                        algs.iter().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
                let allowed_all = p.allowed_client_ids.iter().any(|c| c == "*");
                for (cname, c) in live
                    .clients
                    .iter()
                    .filter(|(_, c)| allowed_all || p.allowed_client_ids.contains(&c.client_id))
                {
                    let Some(key) = live.keys.get(&c.key) else {
                        continue;
                    };
                    if !algs.contains(&key.algorithm) {
                        out.push(check(
                            Status::Fail,
                            format!("{what} jwks"),
                            format!(
                                "no {} key for client {cname:?} (key {:?})",
                                key.algorithm, c.key
                            ),
                        ));
                    }
                }
            }
            Err(e) => out.push(check(Status::Fail, format!("{what} jwks"), e)),
        }
    }
    let mut group_members: std::collections::HashMap<String, usize> = Default::default();
    for (cname, c) in &live.clients {
        for uri in c
            .redirect_uris
            .iter()
            .filter(|u| u.starts_with("http://") && !is_loopback(u))
        {
            out.push(check(
                Status::Warn,
                format!("client {cname:?} redirect"),
                format!("{uri} is not https and not loopback"),
            ));
        }
        if c.assignments
            .iter()
            .any(|a| a == crate::config::BUILTIN_ASSIGNMENT)
        {
            continue;
        }
        let mut entities = 0usize;
        for a in c.assignments.iter().filter_map(|a| live.assignments.get(a)) {
            entities += a.entity_ids.len();
            for g in &a.group_ids {
                // Clients usually share assignments: read each group once.
                if !group_members.contains_key(g) {
                    let members =
                        match vaultrs::identity::group::read_by_id(vault.client(), g).await {
                            Ok(group) => {
                                group.member_entity_ids.map_or(0, |m| m.len())
                                    + group.member_group_ids.map_or(0, |m| m.len())
                            }
                            Err(_) => 0,
                        };
                    group_members.insert(g.clone(), members);
                }
                entities += group_members[g];
            }
        }
        if entities == 0 {
            out.push(check(
                Status::Warn,
                format!("client {cname:?} assignments"),
                "its assignments match no entity: nobody can sign in",
            ));
        }
    }
    out
}
