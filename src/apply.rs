//! Executing a plan. Writes go in dependency order, concurrently inside each level:
//!
//! 1. keys (with the client_ids already known),
//! 2. scopes and assignments,
//! 3. clients and roles (a replacement deletes, then creates),
//! 4. key `allowed_client_ids` that name clients or roles created in step 3,
//! 5. providers,
//!
//! then deletes in reverse order. Roles come before step 4 because a role's key must allow the
//! role's generated client_id before it can mint tokens. The first failing level stops the run.

use std::collections::{BTreeSet, HashMap};

use futures::stream::{self, StreamExt};

use crate::plan::{Action, Change, Fields, Kind, ObjectId, Plan, Value};
use crate::state::{read_client_ids, LiveState, CONCURRENCY};
use crate::vault::api::oidc::requests::*;
use crate::vault::{Vault, VaultError};

/// One write and what it is for.
#[derive(Debug, Clone)]
struct Op {
    kind: Kind,
    name: String,
    what: OpKind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum OpKind {
    Write(Action),
    /// Rewrite of the client_id list only (keys and providers after new clients exist).
    ClientIds,
    Delete,
}

impl Op {
    fn describe(&self) -> String {
        let verb = match self.what {
            OpKind::Write(Action::Create) => "created",
            OpKind::Write(Action::Replace) => "replaced",
            OpKind::Write(_) => "updated",
            OpKind::ClientIds => "client_ids updated",
            OpKind::Delete => "destroyed",
        };
        format!("{} {:?}: {verb}", self.kind, self.name)
    }
}

/// What an apply did. On failure, `failed` names the write and the error, and `not_done` the
/// writes never attempted; a rerun converges.
#[derive(Debug, Default)]
pub struct ApplyReport {
    pub done: Vec<String>,
    pub failed: Vec<(String, VaultError)>,
    pub not_done: Vec<String>,
}

impl ApplyReport {
    pub fn ok(&self) -> bool {
        self.failed.is_empty()
    }
}

/// Client-ID references (`client:NAME`, `role:NAME`) resolved to IDs; other entries pass through.
fn resolve(refs: &BTreeSet<String>, ids: &HashMap<String, String>) -> (Vec<String>, bool) {
    let mut complete = true;
    let mut out = Vec::new();
    for r in refs {
        if r.starts_with("client:") || r.starts_with("role:") {
            match ids.get(r) {
                Some(id) => out.push(id.clone()),
                None => complete = false,
            }
        } else {
            out.push(r.clone());
        }
    }
    (out, complete)
}

fn text(f: &Fields, k: &str) -> Option<String> {
    match f.get(k) {
        Some(Value::Text(s)) => Some(s.clone()),
        _ => None,
    }
}

fn secs(f: &Fields, k: &str) -> Option<u64> {
    match f.get(k) {
        Some(Value::Seconds(s)) => Some(*s),
        _ => None,
    }
}

fn list(f: &Fields, k: &str) -> Option<Vec<String>> {
    match f.get(k) {
        Some(Value::Set(s)) => Some(s.iter().cloned().collect()),
        _ => None,
    }
}

fn refs(f: &Fields, k: &str) -> BTreeSet<String> {
    match f.get(k) {
        Some(Value::Set(s)) => s.clone(),
        _ => BTreeSet::new(),
    }
}

fn raw_template(f: &Fields) -> Option<String> {
    match f.get("template") {
        Some(Value::Template(t)) => Some(t.raw.clone()),
        _ => None,
    }
}

async fn write(
    vault: &Vault,
    op: &Op,
    f: &Fields,
    ids: &HashMap<String, String>,
) -> Result<(), VaultError> {
    let name = op.name.clone();
    if op.what == OpKind::Delete {
        return match op.kind {
            Kind::Key => vault.write(DeleteKeyRequest { name }).await,
            Kind::Scope => vault.write(DeleteScopeRequest { name }).await,
            Kind::Assignment => vault.write(DeleteAssignmentRequest { name }).await,
            Kind::Client => vault.write(DeleteClientRequest { name }).await,
            Kind::Role => vault.write(DeleteRoleRequest { name }).await,
            Kind::Provider => vault.write(DeleteProviderRequest { name }).await,
        };
    }
    if op.what == OpKind::Write(Action::Replace) {
        vault
            .write(DeleteClientRequest { name: name.clone() })
            .await?;
    }
    let only_ids = op.what == OpKind::ClientIds;
    match op.kind {
        Kind::Key => {
            let (allowed, _) = resolve(&refs(f, "allowed_client_ids"), ids);
            let req = WriteKeyRequest {
                name,
                algorithm: text(f, "algorithm").filter(|_| !only_ids),
                rotation_period: secs(f, "rotation_period").filter(|_| !only_ids),
                verification_ttl: secs(f, "verification_ttl").filter(|_| !only_ids),
                allowed_client_ids: Some(allowed),
            };
            vault.write(req).await
        }
        Kind::Scope => {
            let req = WriteScopeRequest {
                name,
                template: raw_template(f),
                description: text(f, "description"),
            };
            vault.write(req).await
        }
        Kind::Assignment => {
            let req = WriteAssignmentRequest {
                name,
                entity_ids: list(f, "entity_ids"),
                group_ids: list(f, "group_ids"),
            };
            vault.write(req).await
        }
        Kind::Client => {
            let creating = matches!(op.what, OpKind::Write(Action::Create | Action::Replace));
            let req = WriteClientRequest {
                name,
                // Vault refuses to "modify" key and client_type, even to the same value.
                key: text(f, "key").filter(|_| creating),
                client_type: text(f, "client_type").filter(|_| creating),
                redirect_uris: list(f, "redirect_uris"),
                assignments: list(f, "assignments"),
                id_token_ttl: secs(f, "id_token_ttl"),
                access_token_ttl: secs(f, "access_token_ttl"),
                client_credentials: match f.get("client_credentials") {
                    Some(Value::Bool(b)) => Some(*b),
                    _ => None,
                },
            };
            vault.write(req).await
        }
        Kind::Role => {
            let req = WriteRoleRequest {
                name,
                key: text(f, "key"),
                template: raw_template(f),
                ttl: secs(f, "ttl"),
                client_id: None,
            };
            vault.write(req).await
        }
        Kind::Provider => {
            let (allowed, _) = resolve(&refs(f, "allowed_client_ids"), ids);
            let req = WriteProviderRequest {
                name,
                issuer: text(f, "issuer").filter(|_| !only_ids),
                allowed_client_ids: Some(allowed),
                scopes_supported: list(f, "scopes_supported").filter(|_| !only_ids),
            };
            vault.write(req).await
        }
    }
}

/// Runs one level of writes concurrently; every write in the level is attempted.
async fn run_level(
    vault: &Vault,
    ops: Vec<Op>,
    plan: &Plan,
    ids: &HashMap<String, String>,
    report: &mut ApplyReport,
    progress: &(dyn Fn(&str) + Sync),
) {
    let empty = Fields::new();
    let results: Vec<(Op, Result<(), VaultError>)> = stream::iter(ops)
        .map(|op| {
            let fields = plan
                .desired
                .get(&(op.kind, op.name.clone()))
                .unwrap_or(&empty);
            async move {
                let r = write(vault, &op, fields, ids).await;
                (op, r)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    for (op, r) in results {
        match r {
            Ok(()) => {
                progress(&op.describe());
                report.done.push(op.describe());
            }
            Err(e) => report
                .failed
                .push((format!("{} {:?}", op.kind, op.name), e)),
        }
    }
}

fn ops_for(changes: &[Change], kinds: &[Kind], delete: bool) -> Vec<Op> {
    changes
        .iter()
        .filter(|c| kinds.contains(&c.kind) && (c.action == Action::Delete) == delete)
        .map(|c| Op {
            kind: c.kind,
            name: c.name.clone(),
            what: if delete {
                OpKind::Delete
            } else {
                OpKind::Write(c.action)
            },
        })
        .collect()
}

/// Applies a plan computed against `live`. `progress` is called after each successful write.
pub async fn apply(
    vault: &Vault,
    plan: &Plan,
    live: &LiveState,
    progress: &(dyn Fn(&str) + Sync),
) -> ApplyReport {
    let mut report = ApplyReport::default();
    let mut ids: HashMap<String, String> = HashMap::new();
    for (name, c) in &live.clients {
        ids.insert(format!("client:{name}"), c.client_id.clone());
    }
    for (name, r) in &live.roles {
        ids.insert(format!("role:{name}"), r.client_id.clone());
    }
    // Clients and roles that get a new client_id in this run.
    let renewed: BTreeSet<String> = plan
        .changes
        .iter()
        .filter(|c| {
            matches!(c.kind, Kind::Client | Kind::Role)
                && matches!(c.action, Action::Create | Action::Replace)
        })
        .map(|c| format!("{}:{}", c.kind, c.name))
        .collect();
    for id in &renewed {
        ids.remove(id);
    }

    let mut levels: Vec<Vec<Op>> = vec![
        ops_for(&plan.changes, &[Kind::Key], false),
        ops_for(&plan.changes, &[Kind::Scope, Kind::Assignment], false),
        ops_for(&plan.changes, &[Kind::Client, Kind::Role], false),
    ];
    let mut index = 0;
    while index < levels.len() {
        let ops = std::mem::take(&mut levels[index]);
        index += 1;
        if !report.ok() {
            report.not_done.extend(ops.iter().map(Op::describe));
            continue;
        }
        run_level(vault, ops, plan, &ids, &mut report, progress).await;
        if index == 3 {
            // Now every client and role exists: learn the new client_ids, then finish keys and
            // providers that refer to them.
            if !renewed.is_empty() && report.ok() {
                let roles: Vec<String> = plan
                    .desired
                    .keys()
                    .filter(|(k, _)| *k == Kind::Role)
                    .map(|(_, n)| n.clone())
                    .collect();
                match read_client_ids(vault, &roles).await {
                    Ok(fresh) => ids.extend(fresh),
                    Err(e) => report.failed.push(("reading new client_ids".into(), e)),
                }
            }
            levels.push(followups(plan, Kind::Key, &renewed));
            let mut providers = ops_for(&plan.changes, &[Kind::Provider], false);
            let already: BTreeSet<String> = providers.iter().map(|o| o.name.clone()).collect();
            providers.extend(
                followups(plan, Kind::Provider, &renewed)
                    .into_iter()
                    .filter(|o| !already.contains(&o.name)),
            );
            levels.push(providers);
            for kinds in [
                &[Kind::Provider][..],
                &[Kind::Client, Kind::Role],
                &[Kind::Scope, Kind::Assignment],
                &[Kind::Key],
            ] {
                levels.push(ops_for(&plan.changes, kinds, true));
            }
        }
    }
    report
}

/// Keys or providers whose client-ID list names a client or role that got a new client_id.
fn followups(plan: &Plan, kind: Kind, renewed: &BTreeSet<String>) -> Vec<Op> {
    plan.desired
        .iter()
        .filter(|((k, _), f)| *k == kind && !refs(f, "allowed_client_ids").is_disjoint(renewed))
        .map(|((k, n), _): (&ObjectId, _)| Op {
            kind: *k,
            name: n.clone(),
            what: OpKind::ClientIds,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_to_ids_and_report_gaps() {
        let ids = HashMap::from([("client:web".to_string(), "ID1".to_string())]);
        let refs: BTreeSet<String> = ["client:web", "role:agent", "*"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (out, complete) = resolve(&refs, &ids);
        assert_eq!(out, vec!["*".to_string(), "ID1".to_string()]);
        assert!(!complete);
    }
}
