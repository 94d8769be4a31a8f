//! Offline checks: references between objects, and the rules Vault itself enforces, so that a bad
//! config is refused before any request is made.

use super::template;
use super::{defaults, Config, ConfigError, Diagnostic, Loc, ALGORITHMS, BUILTIN_ASSIGNMENT};

/// Vault refuses keys that rotate more often than this.
pub const MIN_ROTATION_PERIOD: u64 = 60;
/// Vault refuses a verification TTL longer than this many rotation periods.
pub const MAX_VERIFICATION_ROTATIONS: u64 = 10;

/// Checks a loaded config; returns every problem found, in source order.
pub fn validate(config: &Config) -> Result<(), ConfigError> {
    let mut v = Validator {
        config,
        diags: Vec::new(),
    };
    v.keys();
    v.scopes();
    v.assignments();
    v.clients();
    v.providers();
    v.roles();
    let mut diags = v.diags;
    if diags.is_empty() {
        return Ok(());
    }
    diags.sort_by_key(|d| (d.loc.line, d.loc.col));
    Err(ConfigError { diagnostics: diags })
}

struct Validator<'a> {
    config: &'a Config,
    diags: Vec<Diagnostic>,
}

impl Validator<'_> {
    fn error(&mut self, loc: Loc, message: String) {
        self.diags.push(Diagnostic {
            file: self.config.file.clone(),
            loc,
            message,
        });
    }

    fn keys(&mut self) {
        for (name, key) in &self.config.keys {
            if let Some(alg) = &key.algorithm {
                if !ALGORITHMS.contains(&alg.as_str()) {
                    self.error(
                        key.spans.attr("algorithm"),
                        format!(
                            "key {name:?}: unsupported algorithm {alg:?}; use one of {}",
                            ALGORITHMS.join(", ")
                        ),
                    );
                }
            }
            let rotation = key.rotation_period.unwrap_or(defaults::ROTATION_PERIOD);
            if rotation < MIN_ROTATION_PERIOD {
                self.error(
                    key.spans.attr("rotation_period"),
                    format!("key {name:?}: rotation_period must be at least 1m (got {rotation}s)"),
                );
            }
            let verification = key.verification_ttl.unwrap_or(defaults::VERIFICATION_TTL);
            if verification > MAX_VERIFICATION_ROTATIONS * rotation {
                self.error(
                    key.spans.attr("verification_ttl"),
                    format!(
                        "key {name:?}: verification_ttl ({verification}s) may be at most 10 × rotation_period ({}s)",
                        MAX_VERIFICATION_ROTATIONS * rotation
                    ),
                );
            }
        }
    }

    fn template(&mut self, what: &str, loc: Loc, template: Option<&str>) {
        let Some(t) = template else { return };
        if let Err(e) = template::parse(t) {
            self.error(
                loc,
                format!(
                    "{what}: template is not valid JSON once placeholders are substituted: {e}"
                ),
            );
            return;
        }
        let reserved = template::reserved_claims_set(t);
        if !reserved.is_empty() {
            self.error(
                loc,
                format!(
                    "{what}: template sets reserved claim(s) {}",
                    reserved.join(", ")
                ),
            );
        }
    }

    fn scopes(&mut self) {
        for (name, scope) in &self.config.scopes {
            if name == "openid" {
                self.error(
                    scope.spans.block,
                    "scope name \"openid\" is reserved by Vault".into(),
                );
            }
            self.template(
                &format!("scope {name:?}"),
                scope.spans.attr("template"),
                scope.template.as_deref(),
            );
        }
    }

    fn assignments(&mut self) {
        for (name, a) in &self.config.assignments {
            for (attr, list) in [("groups", &a.groups), ("entities", &a.entities)] {
                if list.iter().any(|n| n.trim().is_empty()) {
                    self.error(
                        a.spans.attr(attr),
                        format!("assignment {name:?}: {attr} holds an empty name"),
                    );
                }
            }
        }
    }

    fn ttl_within_key(&mut self, what: &str, attr: &str, loc: Loc, ttl: Option<u64>, key: &str) {
        let ttl = ttl.unwrap_or(defaults::TOKEN_TTL);
        if !self.config.has_key(key) {
            return;
        }
        let verification = self.config.key_verification_ttl(key);
        if ttl > verification {
            self.error(
                loc,
                format!("{what}: {attr} ({ttl}s) exceeds the verification_ttl of key {key:?} ({verification}s)"),
            );
        }
    }

    fn clients(&mut self) {
        for (name, client) in &self.config.clients {
            let what = format!("client {name:?}");
            let key = self.config.client_key(client);
            if !self.config.has_key(key) {
                self.error(
                    client.spans.attr("key"),
                    format!("{what}: key {key:?} is not declared"),
                );
            }
            if let Some(t) = &client.client_type {
                if t != "confidential" && t != "public" {
                    self.error(
                        client.spans.attr("client_type"),
                        format!(
                            "{what}: client_type must be \"confidential\" or \"public\", not {t:?}"
                        ),
                    );
                }
            }
            for a in client.assignments.iter().flatten() {
                if !self.config.has_assignment(a) {
                    self.error(
                        client.spans.attr("assignments"),
                        format!("{what}: assignment {a:?} is not declared (the built-in one is {BUILTIN_ASSIGNMENT:?})"),
                    );
                }
            }
            for uri in client.redirect_uris.iter().flatten() {
                if url::Url::parse(uri).is_err() {
                    self.error(
                        client.spans.attr("redirect_uris"),
                        format!("{what}: redirect URI {uri:?} is not a URL"),
                    );
                }
            }
            self.ttl_within_key(
                &what,
                "id_token_ttl",
                client.spans.attr("id_token_ttl"),
                client.id_token_ttl,
                key,
            );
        }
    }

    fn providers(&mut self) {
        for (name, p) in &self.config.providers {
            let what = format!("provider {name:?}");
            if let Some(issuer) = &p.issuer {
                if let Err(msg) = check_issuer(issuer) {
                    self.error(
                        p.spans.attr("issuer"),
                        format!("{what}: issuer {issuer:?} {msg}"),
                    );
                }
            }
            let clients = p.clients.as_deref().unwrap_or_default();
            if clients.iter().any(|c| c == "*") && clients.len() > 1 {
                self.error(
                    p.spans.attr("clients"),
                    format!("{what}: \"*\" must be the only entry of clients"),
                );
            }
            for c in clients.iter().filter(|c| *c != "*") {
                if !self.config.clients.contains_key(c) {
                    self.error(
                        p.spans.attr("clients"),
                        format!("{what}: client {c:?} is not declared"),
                    );
                }
            }
            for s in p.scopes.iter().flatten() {
                if !self.config.scopes.contains_key(s) {
                    self.error(
                        p.spans.attr("scopes"),
                        format!("{what}: scope {s:?} is not declared"),
                    );
                }
            }
        }
    }

    fn roles(&mut self) {
        for (name, role) in &self.config.roles {
            let what = format!("role {name:?}");
            if !self.config.has_key(&role.key) {
                self.error(
                    role.spans.attr("key"),
                    format!("{what}: key {:?} is not declared", role.key),
                );
            }
            self.ttl_within_key(&what, "ttl", role.spans.attr("ttl"), role.ttl, &role.key);
            self.template(&what, role.spans.attr("template"), role.template.as_deref());
        }
    }
}

/// An issuer is `scheme://host[:port]`: Vault appends the provider path itself.
fn check_issuer(issuer: &str) -> Result<(), &'static str> {
    let url = url::Url::parse(issuer).map_err(|_| "is not a URL")?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err("must use http or https");
    }
    if url.host_str().is_none() {
        return Err("has no host");
    }
    if url.path() != "/" && !url.path().is_empty()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err("must not have a path, query or fragment (scheme://host[:port]; Vault appends the provider path)");
    }
    if issuer.ends_with('/') {
        return Err("must not end with '/'");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{load, LoadOptions};
    use std::io::Write;

    fn check(src: &str) -> String {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(src.as_bytes()).unwrap();
        let config = load(f.path(), &LoadOptions::default()).expect("loads");
        validate(&config)
            .map(|_| String::new())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn a_consistent_config_passes() {
        let src = r#"
key "k" {
  algorithm = "EdDSA"
  rotation_period = "1h"
  verification_ttl = "2h"
}
scope "profile" { template = "{\"u\": {{identity.entity.name}}}" }
assignment "a" { groups = ["g"] }
client "c" {
  key = "k"
  assignments = ["a", "allow_all"]
  id_token_ttl = "1h"
  redirect_uris = ["http://127.0.0.1:8250/callback"]
}
provider "p" {
  issuer = "https://vault.example.com:8200"
  clients = ["c"]
  scopes = ["profile"]
}
role "r" {
  key = "default"
  ttl = "1h"
}
"#;
        assert_eq!(check(src), "");
    }

    #[test]
    fn every_rule_is_reported_with_its_position() {
        let src = r#"key "k" {
  algorithm = "HS256"
  rotation_period = "30s"
  verification_ttl = "1h"
}
scope "openid" {
  template = "{\"sub\": 1}"
}
scope "broken" {
  template = "{\"a\": }"
}
client "c" {
  key = "nope"
  assignments = ["missing"]
}
client "d" {
  key = "k"
  id_token_ttl = "2h"
}
provider "p" {
  issuer = "https://vault.example.com/v1"
  clients = ["zz"]
  scopes = ["nope"]
}
role "r" {
  key = "k"
  ttl = "3h"
}
"#;
        let out = check(src);
        for expected in [
            ":2:3: key \"k\": unsupported algorithm \"HS256\"",
            ":3:3: key \"k\": rotation_period must be at least 1m",
            ":4:3: key \"k\": verification_ttl (3600s) may be at most 10 × rotation_period (300s)",
            ":6:1: scope name \"openid\" is reserved",
            ":7:3: scope \"openid\": template sets reserved claim(s) sub",
            ":10:3: scope \"broken\": template is not valid JSON",
            ":13:3: client \"c\": key \"nope\" is not declared",
            ":14:3: client \"c\": assignment \"missing\" is not declared",
            ":18:3: client \"d\": id_token_ttl (7200s) exceeds the verification_ttl of key \"k\" (3600s)",
            ":21:3: provider \"p\": issuer \"https://vault.example.com/v1\" must not have a path",
            ":22:3: provider \"p\": client \"zz\" is not declared",
            ":23:3: provider \"p\": scope \"nope\" is not declared",
            ":27:3: role \"r\": ttl (10800s) exceeds the verification_ttl of key \"k\" (3600s)",
        ] {
            assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
        }
    }
}
