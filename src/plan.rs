//! The diff engine: desired state (config + directory) and live state are both normalised into
//! field maps in the same terms (seconds, sets, canonical templates, references by name), then
//! compared object by object and field by field.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write};

use serde::Serialize;

use crate::config::duration::format_duration;
use crate::config::{
    defaults, template, Config, BUILTIN_ASSIGNMENT, BUILTIN_KEY, BUILTIN_PROVIDER,
};
use crate::state::{Directory, LiveState};

/// Kinds of object, in the order they are created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Key,
    Scope,
    Assignment,
    Client,
    Role,
    Provider,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Key => "key",
            Kind::Scope => "scope",
            Kind::Assignment => "assignment",
            Kind::Client => "client",
            Kind::Role => "role",
            Kind::Provider => "provider",
        }
    }

    /// Vault's own objects, never destroyed.
    pub fn is_builtin(self, name: &str) -> bool {
        matches!(
            (self, name),
            (Kind::Key, BUILTIN_KEY)
                | (Kind::Provider, BUILTIN_PROVIDER)
                | (Kind::Assignment, BUILTIN_ASSIGNMENT)
        )
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A normalised field value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Text(String),
    Seconds(u64),
    Set(BTreeSet<String>),
    Bool(bool),
    /// A claims template: compared by its canonical JSON (see [`template::normalize`]), written
    /// as the user wrote it.
    Template(Template),
}

#[derive(Debug, Clone, Eq, Serialize)]
#[serde(transparent)]
pub struct Template {
    pub canonical: String,
    #[serde(skip)]
    pub raw: String,
}

impl Template {
    pub fn new(raw: &str) -> Self {
        Template {
            canonical: template::normalize(raw),
            raw: raw.to_string(),
        }
    }
}

impl PartialEq for Template {
    fn eq(&self, other: &Self) -> bool {
        self.canonical == other.canonical
    }
}

impl Value {
    fn set<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Value {
        Value::Set(items.into_iter().map(Into::into).collect())
    }

    /// How the value is shown in a plan.
    pub fn display(&self) -> String {
        match self {
            Value::Text(s) => format!("{s:?}"),
            Value::Seconds(s) => format!("{:?}", format_duration(*s)),
            Value::Bool(b) => b.to_string(),
            Value::Set(items) => {
                let inner: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
                format!("[{}]", inner.join(", "))
            }
            Value::Template(t) if t.canonical.is_empty() => "(empty)".into(),
            Value::Template(t) => template::display(&t.canonical),
        }
    }
}

pub type Fields = BTreeMap<&'static str, Value>;
pub type ObjectId = (Kind, String);

/// The default `allowed_client_ids` of a key: every client and role that signs with it.
fn key_users(config: &Config, key: &str) -> BTreeSet<String> {
    let clients = config
        .clients
        .iter()
        .filter(|(_, c)| config.client_key(c) == key)
        .map(|(n, _)| format!("client:{n}"));
    let roles = config
        .roles
        .iter()
        .filter(|(_, r)| r.key == key)
        .map(|(n, _)| format!("role:{n}"));
    clients.chain(roles).collect()
}

/// The desired state, in normalised fields, with Vault's defaults filled in.
pub fn desired(config: &Config, dir: &Directory) -> BTreeMap<ObjectId, Fields> {
    let mut out = BTreeMap::new();
    for (name, k) in &config.keys {
        let allowed = match &k.allowed_client_ids {
            Some(ids) => Value::set(ids.iter().cloned()),
            None => Value::Set(key_users(config, name)),
        };
        out.insert(
            (Kind::Key, name.clone()),
            Fields::from([
                (
                    "algorithm",
                    Value::Text(
                        k.algorithm
                            .clone()
                            .unwrap_or_else(|| defaults::ALGORITHM.into()),
                    ),
                ),
                (
                    "rotation_period",
                    Value::Seconds(k.rotation_period.unwrap_or(defaults::ROTATION_PERIOD)),
                ),
                (
                    "verification_ttl",
                    Value::Seconds(k.verification_ttl.unwrap_or(defaults::VERIFICATION_TTL)),
                ),
                ("allowed_client_ids", allowed),
            ]),
        );
    }
    for (name, s) in &config.scopes {
        out.insert(
            (Kind::Scope, name.clone()),
            Fields::from([
                (
                    "description",
                    Value::Text(s.description.clone().unwrap_or_default()),
                ),
                (
                    "template",
                    Value::Template(Template::new(s.template.as_deref().unwrap_or_default())),
                ),
            ]),
        );
    }
    for (name, a) in &config.assignments {
        let groups = a.groups.iter().filter_map(|g| dir.group_id.get(g).cloned());
        let entities = a
            .entities
            .iter()
            .filter_map(|e| dir.entity_id.get(e).cloned());
        out.insert(
            (Kind::Assignment, name.clone()),
            Fields::from([
                (
                    "group_ids",
                    Value::set(groups.chain(a.group_ids.iter().map(|i| i.to_ascii_lowercase()))),
                ),
                (
                    "entity_ids",
                    Value::set(entities.chain(a.entity_ids.iter().map(|i| i.to_ascii_lowercase()))),
                ),
            ]),
        );
    }
    for (name, c) in &config.clients {
        let mut f = Fields::from([
            ("key", Value::Text(config.client_key(c).to_string())),
            (
                "client_type",
                Value::Text(
                    c.client_type
                        .clone()
                        .unwrap_or_else(|| defaults::CLIENT_TYPE.into()),
                ),
            ),
            (
                "redirect_uris",
                Value::set(c.redirect_uris.clone().unwrap_or_default()),
            ),
            (
                "assignments",
                Value::set(c.assignments.clone().unwrap_or_default()),
            ),
            (
                "id_token_ttl",
                Value::Seconds(c.id_token_ttl.unwrap_or(defaults::TOKEN_TTL)),
            ),
            (
                "access_token_ttl",
                Value::Seconds(c.access_token_ttl.unwrap_or(defaults::TOKEN_TTL)),
            ),
        ]);
        if let Some(cc) = c.client_credentials {
            f.insert("client_credentials", Value::Bool(cc));
        }
        out.insert((Kind::Client, name.clone()), f);
    }
    for (name, r) in &config.roles {
        out.insert(
            (Kind::Role, name.clone()),
            Fields::from([
                ("key", Value::Text(r.key.clone())),
                ("ttl", Value::Seconds(r.ttl.unwrap_or(defaults::TOKEN_TTL))),
                (
                    "template",
                    Value::Template(Template::new(r.template.as_deref().unwrap_or_default())),
                ),
            ]),
        );
    }
    for (name, p) in &config.providers {
        let clients = p.clients.clone().unwrap_or_default();
        let allowed = clients.iter().map(|c| {
            if c == "*" {
                c.clone()
            } else {
                format!("client:{c}")
            }
        });
        let mut f = Fields::from([
            ("allowed_client_ids", Value::set(allowed)),
            (
                "scopes_supported",
                Value::set(p.scopes.clone().unwrap_or_default()),
            ),
        ]);
        // An unset issuer means "the cluster's api_addr", which the API cannot tell apart from an
        // explicit value: like Terraform's optional+computed attributes, it is then not managed.
        if let Some(issuer) = &p.issuer {
            f.insert(
                "issuer",
                Value::Text(issuer.trim_end_matches('/').to_string()),
            );
        }
        out.insert((Kind::Provider, name.clone()), f);
    }
    out
}

/// The issuer as configured: Vault reports it with the provider path appended.
pub fn issuer_base(effective: &str, provider: &str) -> String {
    let suffix = format!("/v1/identity/oidc/provider/{provider}");
    effective
        .strip_suffix(&suffix)
        .unwrap_or(effective)
        .trim_end_matches('/')
        .to_string()
}

/// Live state in the same normalised terms as [`desired`].
pub fn live(state: &LiveState) -> BTreeMap<ObjectId, Fields> {
    let refs = |ids: &[String]| -> Value {
        Value::set(ids.iter().map(|id| {
            if id == "*" {
                id.clone()
            } else {
                state.client_id_owner(id).unwrap_or_else(|| id.clone())
            }
        }))
    };
    let mut out = BTreeMap::new();
    for (name, k) in &state.keys {
        out.insert(
            (Kind::Key, name.clone()),
            Fields::from([
                ("algorithm", Value::Text(k.algorithm.clone())),
                ("rotation_period", Value::Seconds(k.rotation_period)),
                ("verification_ttl", Value::Seconds(k.verification_ttl)),
                ("allowed_client_ids", refs(&k.allowed_client_ids)),
            ]),
        );
    }
    for (name, s) in &state.scopes {
        out.insert(
            (Kind::Scope, name.clone()),
            Fields::from([
                ("description", Value::Text(s.description.clone())),
                ("template", Value::Template(Template::new(&s.template))),
            ]),
        );
    }
    for (name, a) in &state.assignments {
        out.insert(
            (Kind::Assignment, name.clone()),
            Fields::from([
                (
                    "group_ids",
                    Value::set(a.group_ids.iter().map(|i| i.to_ascii_lowercase())),
                ),
                (
                    "entity_ids",
                    Value::set(a.entity_ids.iter().map(|i| i.to_ascii_lowercase())),
                ),
            ]),
        );
    }
    for (name, c) in &state.clients {
        let mut f = Fields::from([
            ("key", Value::Text(c.key.clone())),
            ("client_type", Value::Text(c.client_type.clone())),
            ("redirect_uris", Value::set(c.redirect_uris.clone())),
            ("assignments", Value::set(c.assignments.clone())),
            ("id_token_ttl", Value::Seconds(c.id_token_ttl)),
            ("access_token_ttl", Value::Seconds(c.access_token_ttl)),
        ]);
        if let Some(cc) = c.client_credentials {
            f.insert("client_credentials", Value::Bool(cc));
        }
        out.insert((Kind::Client, name.clone()), f);
    }
    for (name, r) in &state.roles {
        out.insert(
            (Kind::Role, name.clone()),
            Fields::from([
                ("key", Value::Text(r.key.clone())),
                ("ttl", Value::Seconds(r.ttl)),
                ("template", Value::Template(Template::new(&r.template))),
            ]),
        );
    }
    for (name, p) in &state.providers {
        out.insert(
            (Kind::Provider, name.clone()),
            Fields::from([
                ("allowed_client_ids", refs(&p.allowed_client_ids)),
                ("scopes_supported", Value::set(p.scopes_supported.clone())),
                ("issuer", Value::Text(issuer_base(&p.issuer, name))),
            ]),
        );
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    /// Delete then create: the change cannot be made in place.
    Replace,
    Delete,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// This field cannot change in place.
    pub forces_replacement: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub kind: Kind,
    pub name: String,
    pub action: Action,
    pub fields: Vec<FieldChange>,
}

/// Everything `apply` would do, plus what exists but is not in the config.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Objects in Vault but not in the config (destroyed only with `--prune`, then also listed
    /// in `changes` as deletes).
    pub unmanaged: Vec<(Kind, String)>,
    /// The desired fields, which `apply` writes.
    #[serde(skip)]
    pub desired: BTreeMap<ObjectId, Fields>,
}

/// Fields that Vault refuses to modify.
fn forces_replacement(kind: Kind, field: &str) -> bool {
    kind == Kind::Client && (field == "key" || field == "client_type")
}

/// Compares desired with live. Fields the config leaves unmanaged are not compared.
pub fn diff(
    desired: BTreeMap<ObjectId, Fields>,
    live: &BTreeMap<ObjectId, Fields>,
    prune: bool,
) -> Plan {
    let mut plan = Plan::default();
    for ((kind, name), want) in &desired {
        match live.get(&(*kind, name.clone())) {
            None => plan.changes.push(Change {
                kind: *kind,
                name: name.clone(),
                action: Action::Create,
                fields: want
                    .iter()
                    .map(|(f, v)| FieldChange {
                        field: f,
                        before: None,
                        after: Some(v.clone()),
                        forces_replacement: false,
                    })
                    .collect(),
            }),
            Some(have) => {
                let fields: Vec<FieldChange> = want
                    .iter()
                    .filter(|(f, v)| have.get(*f) != Some(*v))
                    .map(|(f, v)| FieldChange {
                        field: f,
                        before: have.get(f).cloned(),
                        after: Some(v.clone()),
                        forces_replacement: forces_replacement(*kind, f),
                    })
                    .collect();
                if fields.is_empty() {
                    continue;
                }
                let action = if fields.iter().any(|f| f.forces_replacement) {
                    Action::Replace
                } else {
                    Action::Update
                };
                plan.changes.push(Change {
                    kind: *kind,
                    name: name.clone(),
                    action,
                    fields,
                });
            }
        }
    }
    for ((kind, name), have) in live {
        if desired.contains_key(&(*kind, name.clone())) || kind.is_builtin(name) {
            continue;
        }
        plan.unmanaged.push((*kind, name.clone()));
        if prune {
            plan.changes.push(Change {
                kind: *kind,
                name: name.clone(),
                action: Action::Delete,
                fields: have
                    .iter()
                    .map(|(f, v)| FieldChange {
                        field: f,
                        before: Some(v.clone()),
                        after: None,
                        forces_replacement: false,
                    })
                    .collect(),
            });
        }
    }
    plan.desired = desired;
    plan
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.changes {
            match c.action {
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::Delete => s.destroy += 1,
                Action::Replace => {
                    s.add += 1;
                    s.destroy += 1;
                }
            }
        }
        s
    }

    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
    }

    /// Terraform-style text. `names` shows group/entity IDs with their names.
    pub fn render(&self, dir: &Directory) -> String {
        let mut out = String::new();
        let label = |v: &Value| -> String {
            match v {
                Value::Set(items) => {
                    let inner: Vec<String> = items
                        .iter()
                        .map(
                            |i| match dir.group_name.get(i).or_else(|| dir.entity_name.get(i)) {
                                Some(n) => format!("{i:?} ({n})"),
                                None => format!("{i:?}"),
                            },
                        )
                        .collect();
                    format!("[{}]", inner.join(", "))
                }
                other => other.display(),
            }
        };
        if self.changes.is_empty() {
            out.push_str("No changes. Vault matches the configuration.\n");
        } else {
            out.push_str("vault-oidc will perform the following actions:\n\n");
        }
        for c in &self.changes {
            let (sym, what) = match c.action {
                Action::Create => ("  +", "will be created"),
                Action::Update => ("  ~", "will be updated in place"),
                Action::Replace => ("-/+", "must be replaced (DESTRUCTIVE: a new client_id and client_secret are generated)"),
                Action::Delete => ("  -", "will be destroyed"),
            };
            let _ = writeln!(out, "  # {} {:?} {what}", c.kind, c.name);
            let _ = writeln!(out, "{sym} {} {:?} {{", c.kind, c.name);
            let width = c.fields.iter().map(|f| f.field.len()).max().unwrap_or(0);
            for f in &c.fields {
                let line = match (&f.before, &f.after) {
                    (None, Some(a)) => format!("      + {:<width$} = {}", f.field, label(a)),
                    (Some(b), None) => format!("      - {:<width$} = {}", f.field, label(b)),
                    (Some(b), Some(a)) => {
                        format!("      ~ {:<width$} = {} -> {}", f.field, label(b), label(a))
                    }
                    (None, None) => continue,
                };
                out.push_str(&line);
                if f.forces_replacement {
                    out.push_str(" # forces replacement");
                }
                out.push('\n');
            }
            out.push_str("    }\n\n");
        }
        let unmanaged: Vec<_> = self
            .unmanaged
            .iter()
            .filter(|(k, n)| !self.changes.iter().any(|c| c.kind == *k && &c.name == n))
            .collect();
        if !unmanaged.is_empty() {
            out.push_str("Objects in Vault that are not in the configuration (destroyed only with --prune):\n");
            for (k, n) in unmanaged {
                let _ = writeln!(out, "  ? {k} {n:?}");
            }
            out.push('\n');
        }
        if self.has_changes() {
            let s = self.summary();
            let _ = writeln!(
                out,
                "Plan: {} to add, {} to change, {} to destroy.",
                s.add, s.change, s.destroy
            );
        }
        out
    }

    /// Machine-readable plan: `{format_version, changes, unmanaged, summary}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "format_version": "1",
            "changes": self.changes,
            "unmanaged": self.unmanaged.iter().map(|(k, n)| serde_json::json!({"kind": k, "name": n})).collect::<Vec<_>>(),
            "summary": self.summary(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&'static str, Value)]) -> Fields {
        pairs.iter().cloned().collect()
    }

    #[test]
    fn identical_state_has_no_changes() {
        let d = BTreeMap::from([(
            (Kind::Key, "k".to_string()),
            fields(&[("algorithm", Value::Text("RS256".into()))]),
        )]);
        let plan = diff(d.clone(), &d, false);
        assert!(!plan.has_changes());
        assert!(plan
            .render(&Directory::default())
            .starts_with("No changes."));
    }

    #[test]
    fn client_key_change_is_a_destructive_replacement() {
        let want = BTreeMap::from([(
            (Kind::Client, "c".to_string()),
            fields(&[("key", Value::Text("b".into()))]),
        )]);
        let have = BTreeMap::from([(
            (Kind::Client, "c".to_string()),
            fields(&[("key", Value::Text("a".into()))]),
        )]);
        let plan = diff(want, &have, false);
        assert_eq!(plan.changes[0].action, Action::Replace);
        let text = plan.render(&Directory::default());
        assert!(text.contains("-/+ client \"c\""), "{text}");
        assert!(
            text.contains("~ key = \"a\" -> \"b\" # forces replacement"),
            "{text}"
        );
        assert!(
            text.contains("Plan: 1 to add, 0 to change, 1 to destroy."),
            "{text}"
        );
    }

    #[test]
    fn unmanaged_objects_are_listed_and_destroyed_only_with_prune() {
        let have = BTreeMap::from([
            (
                (Kind::Scope, "old".to_string()),
                fields(&[("description", Value::Text("".into()))]),
            ),
            (
                (Kind::Key, "default".to_string()),
                fields(&[("algorithm", Value::Text("RS256".into()))]),
            ),
        ]);
        let plan = diff(BTreeMap::new(), &have, false);
        assert_eq!(plan.unmanaged, vec![(Kind::Scope, "old".to_string())]);
        assert!(!plan.has_changes());
        let plan = diff(BTreeMap::new(), &have, true);
        assert_eq!(plan.changes.len(), 1, "built-in key is never destroyed");
        assert_eq!(plan.changes[0].action, Action::Delete);
        assert!(plan
            .render(&Directory::default())
            .contains("Plan: 0 to add, 0 to change, 1 to destroy."));
    }

    #[test]
    fn issuer_base_strips_the_provider_path() {
        assert_eq!(
            issuer_base("https://v.example/v1/identity/oidc/provider/main", "main"),
            "https://v.example"
        );
        assert_eq!(
            issuer_base("https://v.example", "main"),
            "https://v.example"
        );
    }
}

/// Why a plan could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Vault(#[from] crate::vault::VaultError),
    #[error(transparent)]
    Directory(#[from] crate::state::DirectoryError),
}

/// Reads live state and the identity directory, and diffs them against the config.
pub async fn compute(
    vault: &crate::vault::Vault,
    config: &Config,
    prune: bool,
) -> Result<(Plan, LiveState, Directory), PlanError> {
    let state = crate::state::read_live(vault).await?;
    let dir = crate::state::resolve_directory(vault, config, &state).await?;
    let plan = diff(desired(config, &dir), &live(&state), prune);
    Ok((plan, state, dir))
}
