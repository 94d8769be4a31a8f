//! Live Vault → config: names instead of IDs, Vault's defaults omitted, built-ins left out.
//! Planning the exported file against the same Vault shows no changes.

use std::collections::BTreeSet;

use crate::config::render::no_spans;
use crate::config::{defaults, Assignment, Client, Config, Key, Provider, Role, Scope};
use crate::plan::{issuer_base, Kind};
use crate::state::{Directory, LiveState};

/// Builds a config from live state. `vault_address` is the address the tool talks to: a
/// provider whose issuer is that address is exported without `issuer` (Vault's default).
/// Returns the config and warnings about what could not be expressed.
pub fn export(live: &LiveState, dir: &Directory, vault_address: &str) -> (Config, Vec<String>) {
    let mut config = Config::default();
    let mut warnings = Vec::new();
    let some_if = |cond: bool, v: String| cond.then_some(v);

    for (name, c) in &live.clients {
        config.clients.insert(
            name.clone(),
            Client {
                key: some_if(c.key != defaults::CLIENT_KEY, c.key.clone()),
                client_type: some_if(
                    c.client_type != defaults::CLIENT_TYPE,
                    c.client_type.clone(),
                ),
                redirect_uris: (!c.redirect_uris.is_empty()).then(|| sorted(&c.redirect_uris)),
                assignments: (!c.assignments.is_empty()).then(|| sorted(&c.assignments)),
                id_token_ttl: (c.id_token_ttl != defaults::TOKEN_TTL).then_some(c.id_token_ttl),
                access_token_ttl: (c.access_token_ttl != defaults::TOKEN_TTL)
                    .then_some(c.access_token_ttl),
                client_credentials: c.client_credentials.filter(|cc| *cc),
                spans: no_spans(),
            },
        );
    }
    for (name, r) in &live.roles {
        config.roles.insert(
            name.clone(),
            Role {
                key: r.key.clone(),
                ttl: (r.ttl != defaults::TOKEN_TTL).then_some(r.ttl),
                template: (!r.template.trim().is_empty()).then(|| r.template.clone()),
                spans: no_spans(),
            },
        );
    }
    for (name, k) in live.keys.iter().filter(|(n, _)| !Kind::Key.is_builtin(n)) {
        // The default allowed_client_ids is "every client and role using the key"; anything
        // else is written out as literal IDs.
        let users: BTreeSet<String> = live
            .clients
            .iter()
            .filter(|(_, c)| &c.key == name)
            .map(|(_, c)| c.client_id.clone())
            .chain(
                live.roles
                    .iter()
                    .filter(|(_, r)| &r.key == name)
                    .map(|(_, r)| r.client_id.clone()),
            )
            .collect();
        let actual: BTreeSet<String> = k.allowed_client_ids.iter().cloned().collect();
        config.keys.insert(
            name.clone(),
            Key {
                algorithm: some_if(k.algorithm != defaults::ALGORITHM, k.algorithm.clone()),
                rotation_period: (k.rotation_period != defaults::ROTATION_PERIOD)
                    .then_some(k.rotation_period),
                verification_ttl: (k.verification_ttl != defaults::VERIFICATION_TTL)
                    .then_some(k.verification_ttl),
                allowed_client_ids: (actual != users).then(|| actual.into_iter().collect()),
                spans: no_spans(),
            },
        );
    }
    for (name, s) in &live.scopes {
        config.scopes.insert(
            name.clone(),
            Scope {
                description: (!s.description.is_empty()).then(|| s.description.clone()),
                template: (!s.template.trim().is_empty()).then(|| s.template.clone()),
                spans: no_spans(),
            },
        );
    }
    for (name, a) in live
        .assignments
        .iter()
        .filter(|(n, _)| !Kind::Assignment.is_builtin(n))
    {
        let mut out = Assignment {
            spans: no_spans(),
            ..Assignment::default()
        };
        for id in &a.group_ids {
            match dir.group_name.get(&id.to_ascii_lowercase()) {
                Some(n) => out.groups.push(n.clone()),
                None => out.group_ids.push(id.clone()),
            }
        }
        for id in &a.entity_ids {
            match dir.entity_name.get(&id.to_ascii_lowercase()) {
                Some(n) => out.entities.push(n.clone()),
                None => out.entity_ids.push(id.clone()),
            }
        }
        for list in [
            &mut out.groups,
            &mut out.entities,
            &mut out.group_ids,
            &mut out.entity_ids,
        ] {
            list.sort();
        }
        config.assignments.insert(name.clone(), out);
    }
    for (name, p) in live
        .providers
        .iter()
        .filter(|(n, _)| !Kind::Provider.is_builtin(n))
    {
        let mut clients = Vec::new();
        for id in &p.allowed_client_ids {
            if id == "*" {
                clients.push(id.clone());
                continue;
            }
            match live.clients.iter().find(|(_, c)| &c.client_id == id) {
                Some((cname, _)) => clients.push(cname.clone()),
                None => warnings.push(format!(
                    "provider {name:?} allows client_id {id:?}, which belongs to no client; it was left out"
                )),
            }
        }
        clients.sort();
        let base = issuer_base(&p.issuer, name);
        config.providers.insert(
            name.clone(),
            Provider {
                issuer: (base != vault_address.trim_end_matches('/')).then_some(base),
                clients: (!clients.is_empty()).then_some(clients),
                scopes: (!p.scopes_supported.is_empty()).then(|| sorted(&p.scopes_supported)),
                spans: no_spans(),
            },
        );
    }
    (config, warnings)
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}
