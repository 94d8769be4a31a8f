//! Writing a [`Config`] back out as `oidc.hcl` (used by `export` and `migrate`). Attributes equal
//! to Vault's defaults are omitted by the caller (they are `None`); output is deterministic.

use std::fmt::Write;

use super::duration::format_duration;
use super::{Config, Spans};

/// An HCL string literal, with template sequences escaped so they stay literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// A template as an indented heredoc when it is multi-line JSON-ish text, else a quoted string.
fn template_value(t: &str) -> String {
    let body = t.trim_end_matches('\n');
    if !body.contains('\n') || body.contains("EOT") {
        return quote(t);
    }
    let mut out = String::from("<<-EOT\n");
    for line in body.lines() {
        let escaped = line.replace("${", "$${").replace("%{", "%%{");
        if escaped.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "    {escaped}");
        }
    }
    out.push_str("  EOT");
    out
}

struct BlockWriter {
    lines: Vec<(String, String)>,
}

impl BlockWriter {
    fn new() -> Self {
        BlockWriter { lines: Vec::new() }
    }
    fn str(&mut self, k: &str, v: &Option<String>) -> &mut Self {
        if let Some(v) = v {
            self.lines.push((k.into(), quote(v)));
        }
        self
    }
    fn template(&mut self, k: &str, v: &Option<String>) -> &mut Self {
        if let Some(v) = v {
            self.lines.push((k.into(), template_value(v)));
        }
        self
    }
    fn list(&mut self, k: &str, v: &Option<Vec<String>>) -> &mut Self {
        if let Some(v) = v {
            self.lines.push((k.into(), list(v)));
        }
        self
    }
    fn dur(&mut self, k: &str, v: Option<u64>) -> &mut Self {
        if let Some(v) = v {
            self.lines.push((k.into(), quote(&format_duration(v))));
        }
        self
    }
    fn bool(&mut self, k: &str, v: Option<bool>) -> &mut Self {
        if let Some(v) = v {
            self.lines.push((k.into(), v.to_string()));
        }
        self
    }
    fn write(&self, out: &mut String, kind: &str, name: &str) {
        if self.lines.is_empty() {
            let _ = writeln!(out, "{kind} {} {{}}\n", quote(name));
            return;
        }
        let width = self.lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let _ = writeln!(out, "{kind} {} {{", quote(name));
        for (k, v) in &self.lines {
            let _ = writeln!(out, "  {k:<width$} = {v}");
        }
        out.push_str("}\n\n");
    }
}

fn non_empty(v: &[String]) -> Option<Vec<String>> {
    (!v.is_empty()).then(|| v.to_vec())
}

/// Renders the config as HCL, objects grouped by kind in dependency order.
pub fn render(config: &Config, header: &str) -> String {
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "# {line}");
    }
    if !header.is_empty() {
        out.push('\n');
    }
    for (name, k) in &config.keys {
        BlockWriter::new()
            .str("algorithm", &k.algorithm)
            .dur("rotation_period", k.rotation_period)
            .dur("verification_ttl", k.verification_ttl)
            .list("allowed_client_ids", &k.allowed_client_ids)
            .write(&mut out, "key", name);
    }
    for (name, s) in &config.scopes {
        BlockWriter::new()
            .str("description", &s.description)
            .template("template", &s.template)
            .write(&mut out, "scope", name);
    }
    for (name, a) in &config.assignments {
        BlockWriter::new()
            .list("groups", &non_empty(&a.groups))
            .list("entities", &non_empty(&a.entities))
            .list("group_ids", &non_empty(&a.group_ids))
            .list("entity_ids", &non_empty(&a.entity_ids))
            .write(&mut out, "assignment", name);
    }
    for (name, c) in &config.clients {
        BlockWriter::new()
            .str("key", &c.key)
            .str("client_type", &c.client_type)
            .list("redirect_uris", &c.redirect_uris)
            .list("assignments", &c.assignments)
            .dur("id_token_ttl", c.id_token_ttl)
            .dur("access_token_ttl", c.access_token_ttl)
            .bool("client_credentials", c.client_credentials)
            .write(&mut out, "client", name);
    }
    for (name, p) in &config.providers {
        BlockWriter::new()
            .str("issuer", &p.issuer)
            .list("clients", &p.clients)
            .list("scopes", &p.scopes)
            .write(&mut out, "provider", name);
    }
    for (name, r) in &config.roles {
        BlockWriter::new()
            .str("key", &Some(r.key.clone()))
            .dur("ttl", r.ttl)
            .template("template", &r.template)
            .write(&mut out, "role", name);
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Spans are irrelevant for rendered output; used when building configs in code.
pub fn no_spans() -> Spans {
    Spans::default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{load, Client, LoadOptions, Role, Scope};

    #[test]
    fn rendered_config_loads_back_identically() {
        let mut c = Config::default();
        c.scopes.insert(
            "profile".into(),
            Scope {
                description: Some("say \"hi\" ${not_a_var}".into()),
                template: Some("{\n  \"username\": {{identity.entity.name}}\n}\n".into()),
                spans: no_spans(),
            },
        );
        c.clients.insert(
            "web".into(),
            Client {
                redirect_uris: Some(vec!["https://a/cb".into()]),
                id_token_ttl: Some(1800),
                client_credentials: Some(true),
                ..Client::default()
            },
        );
        c.roles.insert(
            "r".into(),
            Role {
                key: "default".into(),
                ttl: Some(90),
                template: None,
                spans: no_spans(),
            },
        );
        let text = render(&c, "exported");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oidc.hcl");
        std::fs::write(&path, &text).unwrap();
        let back = load(&path, &LoadOptions::default()).unwrap();
        assert_eq!(
            back.scopes["profile"].description,
            c.scopes["profile"].description
        );
        assert_eq!(
            back.scopes["profile"].template,
            c.scopes["profile"].template
        );
        assert_eq!(
            back.clients["web"].redirect_uris,
            c.clients["web"].redirect_uris
        );
        assert_eq!(back.clients["web"].id_token_ttl, Some(1800));
        assert_eq!(back.clients["web"].client_credentials, Some(true));
        assert_eq!(back.roles["r"].ttl, Some(90));
        assert_eq!(
            render(&back, "exported"),
            text,
            "rendering is deterministic"
        );
    }
}
