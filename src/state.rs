//! Live state: everything under `identity/oidc/*`, read concurrently, and the identity
//! directory that maps group and entity names to IDs and back.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use futures::stream::{self, StreamExt, TryStreamExt};

use crate::config::Config;
use crate::vault::api::oidc::requests::*;
use crate::vault::api::oidc::responses::*;
use crate::vault::{Vault, VaultError};

/// How many requests are in flight at once when reading or writing.
pub const CONCURRENCY: usize = 16;

/// Every OIDC object in Vault, by name. Client secrets are never read here.
#[derive(Debug, Clone, Default)]
pub struct LiveState {
    pub keys: BTreeMap<String, ReadKeyResponse>,
    pub scopes: BTreeMap<String, ReadScopeResponse>,
    pub assignments: BTreeMap<String, ReadAssignmentResponse>,
    pub clients: BTreeMap<String, ReadClientResponse>,
    pub providers: BTreeMap<String, ReadProviderResponse>,
    pub roles: BTreeMap<String, ReadRoleResponse>,
}

impl LiveState {
    /// The name of the client or role that owns a client_id, as a reference (`client:NAME`).
    pub fn client_id_owner(&self, id: &str) -> Option<String> {
        if let Some((name, _)) = self.clients.iter().find(|(_, c)| c.client_id == id) {
            return Some(format!("client:{name}"));
        }
        self.roles
            .iter()
            .find(|(_, r)| r.client_id == id)
            .map(|(name, _)| format!("role:{name}"))
    }
}

async fn read_each<T, F, Fut>(names: Vec<String>, f: F) -> Result<BTreeMap<String, T>, VaultError>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<T, VaultError>>,
{
    stream::iter(names)
        .map(|name| {
            let fut = f(name.clone());
            async move { fut.await.map(|v| (name, v)) }
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await
}

/// Reads the whole OIDC configuration. Clients and providers come with their LIST; keys,
/// scopes, assignments and roles need one read each.
pub async fn read_live(vault: &Vault) -> Result<LiveState, VaultError> {
    let (keys, scopes, assignments, clients, providers, roles) = tokio::try_join!(
        vault.list(ListKeysRequest::builder().build().expect("no fields")),
        vault.list(ListScopesRequest::builder().build().expect("no fields")),
        vault.list(
            ListAssignmentsRequest::builder()
                .build()
                .expect("no fields")
        ),
        vault.list(ListClientsRequest::builder().build().expect("no fields")),
        vault.list(ListProvidersRequest::builder().build().expect("no fields")),
        vault.list(ListRolesRequest::builder().build().expect("no fields")),
    )?;
    let names = |l: Option<ListResponse>| l.map(|l| l.keys).unwrap_or_default();
    let (keys, scopes, assignments, roles) = tokio::try_join!(
        read_each(names(keys), |n| vault.read(ReadKeyRequest { name: n })),
        read_each(names(scopes), |n| vault.read(ReadScopeRequest { name: n })),
        read_each(names(assignments), |n| vault
            .read(ReadAssignmentRequest { name: n })),
        read_each(names(roles), |n| vault.read(ReadRoleRequest { name: n })),
    )?;
    let clients = clients
        .map(|c| c.key_info.into_iter().collect())
        .unwrap_or_default();
    let providers = providers
        .map(|p| p.key_info.into_iter().collect())
        .unwrap_or_default();
    Ok(LiveState {
        keys,
        scopes,
        assignments,
        clients,
        providers,
        roles,
    })
}

/// Reads the current client_ids of clients and roles (after they were created).
pub async fn read_client_ids(
    vault: &Vault,
    roles: &[String],
) -> Result<HashMap<String, String>, VaultError> {
    let mut ids = HashMap::new();
    if let Some(list) = vault
        .list(ListClientsRequest::builder().build().expect("no fields"))
        .await?
    {
        for (name, c) in list.key_info {
            ids.insert(format!("client:{name}"), c.client_id);
        }
    }
    let role_info = read_each(roles.to_vec(), |n| vault.read(ReadRoleRequest { name: n })).await?;
    for (name, r) in role_info {
        ids.insert(format!("role:{name}"), r.client_id);
    }
    Ok(ids)
}

/// Group and entity names ↔ IDs, as far as the config and live state need them.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub group_id: HashMap<String, String>,
    pub entity_id: HashMap<String, String>,
    pub group_name: HashMap<String, String>,
    pub entity_name: HashMap<String, String>,
}

/// A group or entity named in the config that does not exist.
#[derive(Debug, thiserror::Error)]
#[error("assignment {assignment:?} names {kind} {name:?}, which does not exist in Vault")]
pub struct MissingIdentity {
    pub assignment: String,
    pub kind: &'static str,
    pub name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("{}", .0.iter().map(|m| m.to_string()).collect::<Vec<_>>().join("\n"))]
    Missing(Vec<MissingIdentity>),
}

/// Looks up a group or entity by name or ID: `Some((lower-cased id, name))`, `None` if absent.
async fn lookup(vault: &Vault, path: String) -> Result<Option<(String, String)>, VaultError> {
    use vaultrs::identity::{entity, group};
    let c = vault.client();
    let result = match path.split('/').collect::<Vec<_>>().as_slice() {
        ["identity", "group", "name", n] => group::read_by_name(c, n).await.map(|r| (r.id, r.name)),
        ["identity", "group", "id", i] => group::read_by_id(c, i).await.map(|r| (r.id, r.name)),
        ["identity", "entity", "name", n] => {
            entity::read_by_name(c, n).await.map(|r| (r.id, r.name))
        }
        ["identity", "entity", "id", i] => entity::read_by_id(c, i).await.map(|r| (r.id, r.name)),
        _ => unreachable!("only identity lookups come here"),
    };
    match result {
        Ok((id, name)) => Ok(Some((id.to_ascii_lowercase(), name))),
        Err(e) => match vault.classify("GET", &path, e) {
            VaultError::NotFound { .. } => Ok(None),
            other => Err(other),
        },
    }
}

/// Resolves the config's group and entity names to IDs (failing on any that are missing) and
/// the live assignments' IDs to names (for display and export).
pub async fn resolve_directory(
    vault: &Vault,
    config: &Config,
    live: &LiveState,
) -> Result<Directory, DirectoryError> {
    let mut group_names = BTreeSet::new();
    let mut entity_names = BTreeSet::new();
    for a in config.assignments.values() {
        group_names.extend(a.groups.iter().cloned());
        entity_names.extend(a.entities.iter().cloned());
    }
    let mut group_ids: BTreeSet<String> = BTreeSet::new();
    let mut entity_ids: BTreeSet<String> = BTreeSet::new();
    for a in live.assignments.values() {
        group_ids.extend(a.group_ids.iter().map(|i| i.to_ascii_lowercase()));
        entity_ids.extend(a.entity_ids.iter().map(|i| i.to_ascii_lowercase()));
    }
    let paths: Vec<(bool, String)> = group_names
        .iter()
        .map(|n| (true, format!("identity/group/name/{n}")))
        .chain(
            entity_names
                .iter()
                .map(|n| (false, format!("identity/entity/name/{n}"))),
        )
        .chain(
            group_ids
                .iter()
                .map(|i| (true, format!("identity/group/id/{i}"))),
        )
        .chain(
            entity_ids
                .iter()
                .map(|i| (false, format!("identity/entity/id/{i}"))),
        )
        .collect();
    let found: Vec<(bool, Option<(String, String)>)> = stream::iter(paths)
        .map(|(is_group, path)| async move { lookup(vault, path).await.map(|r| (is_group, r)) })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    let mut dir = Directory::default();
    for (is_group, hit) in found.into_iter() {
        let Some((id, name)) = hit else { continue };
        if is_group {
            dir.group_id.insert(name.clone(), id.clone());
            dir.group_name.insert(id, name);
        } else {
            dir.entity_id.insert(name.clone(), id.clone());
            dir.entity_name.insert(id, name);
        }
    }
    let mut missing = Vec::new();
    for (aname, a) in &config.assignments {
        for g in a.groups.iter().filter(|g| !dir.group_id.contains_key(*g)) {
            missing.push(MissingIdentity {
                assignment: aname.clone(),
                kind: "group",
                name: g.clone(),
            });
        }
        for e in a
            .entities
            .iter()
            .filter(|e| !dir.entity_id.contains_key(*e))
        {
            missing.push(MissingIdentity {
                assignment: aname.clone(),
                kind: "entity",
                name: e.clone(),
            });
        }
    }
    if !missing.is_empty() {
        return Err(DirectoryError::Missing(missing));
    }
    Ok(dir)
}
