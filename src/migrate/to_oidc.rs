//! Cognito → [`Config`]: a key, provider and assignment per pool, a client per pool client, scope
//! templates for the standard scopes (and the `cognito:*` claims), a role per machine client.
//! Every setting seen is recorded as a [`Note`] for the report.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::{Assignment, Client, Config, Key, Provider, Role, Scope, Spans};

use super::scan::{block_value, local_texts, module_ctx, Found, Kind, Scan, Val};

/// How a setting fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Represented in `oidc.hcl` / the new Terraform.
    Mapped,
    /// Vault cannot represent it; the note says what to do instead.
    Unsupported,
    /// Carried over without evaluation, or otherwise needs a human decision.
    Flagged,
}

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Note {
    /// `file:line address`.
    pub source: String,
    pub setting: String,
    pub outcome: Outcome,
    pub detail: String,
}

/// A client as the rewritten Terraform and the rewrite of references know it.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub pool: String,
    /// Name of the `client` block in `oidc.hcl`, and key of the module's `client_ids` output.
    pub name: String,
    /// Terraform expression for `redirect_uris` in the module input.
    pub tf_redirects: String,
    /// Machine client: has a role (and maybe no OIDC client).
    pub role: Option<String>,
    pub has_client: bool,
    /// Custom (resource-server) scopes it was allowed.
    pub custom_scopes: Vec<String>,
}

/// A pool (a resource, or a registry module call).
#[derive(Debug, Clone)]
pub struct PoolInfo {
    pub name: String,
    /// `aws_cognito_user_pool.main` or `module.cognito`.
    pub address: String,
    /// The pool's client ids by the Terraform instance key used to reach them:
    /// `aws_cognito_user_pool_client.web` → client, or for `for_each` `…apps["k"]`.
    pub clients: Vec<ClientInfo>,
    pub groups: Vec<String>,
    pub module: usize,
}

/// The result of the conversion.
pub struct Migration {
    pub config: Config,
    /// Variables `oidc.hcl` must declare: name → literal default (HCL text), if known.
    pub hcl_vars: BTreeMap<String, Option<String>>,
    /// Why a variable without default exists: the Terraform expression it stands for.
    pub hcl_var_descriptions: BTreeMap<String, String>,
    /// Placeholders in the rendered config and their HCL replacement (whole quoted string or list).
    pub sentinels: Vec<(String, String)>,
    /// The same placeholders (quoted) in the Terraform module input, and their Terraform text.
    pub tf_sentinels: Vec<(String, String)>,
    pub pools: Vec<PoolInfo>,
    /// Client resource address (`aws_cognito_user_pool_client.web`) → (pool index, `for_each`
    /// keys → client names; a single entry with key `""` without `for_each`).
    pub client_resources: BTreeMap<String, (usize, BTreeMap<String, String>)>,
    pub notes: Vec<Note>,
}

impl Migration {
    fn note(&mut self, source: &str, setting: &str, outcome: Outcome, detail: impl Into<String>) {
        self.notes.push(Note {
            source: source.to_string(),
            setting: setting.to_string(),
            outcome,
            detail: detail.into(),
        });
    }
}

/// Cognito's default units and the seconds per unit.
fn unit_seconds(unit: &str) -> Option<u64> {
    match unit {
        "seconds" => Some(1),
        "minutes" => Some(60),
        "hours" => Some(3600),
        "days" => Some(86_400),
        _ => None,
    }
}

pub const COGNITO_SCOPE: &str = "cognito";

/// Claims templates for Cognito's standard scopes (`openid` is Vault's built-in).
pub fn standard_scope(name: &str) -> Option<(&'static str, &'static str)> {
    match name {
        "email" => Some((
            "Cognito's email scope: the entity's email metadata",
            "{\n  \"email\": {{identity.entity.metadata.email}}\n}\n",
        )),
        "profile" => Some((
            "Cognito's profile scope: name and preferred_username",
            "{\n  \"name\": {{identity.entity.metadata.name}},\n  \"preferred_username\": {{identity.entity.name}}\n}\n",
        )),
        "phone" => Some((
            "Cognito's phone scope: the entity's phone_number metadata",
            "{\n  \"phone_number\": {{identity.entity.metadata.phone_number}}\n}\n",
        )),
        COGNITO_SCOPE => Some((
            "cognito:username and cognito:groups for consumers of Cognito tokens, plus username and groups",
            "{\n  \"cognito:username\": {{identity.entity.name}},\n  \"cognito:groups\": {{identity.entity.groups.names}},\n  \"username\": {{identity.entity.name}},\n  \"groups\": {{identity.entity.groups.names}}\n}\n",
        )),
        _ => None,
    }
}

/// Pool settings and what becomes of them.
fn pool_setting(name: &str) -> (Outcome, &'static str) {
    use Outcome::*;
    match name {
        "name" | "user_pool_name" => (Mapped, "becomes the provider, key and assignment names (from the Terraform name)"),
        "tags" => (Mapped, "kept on the remaining resources; Vault OIDC objects have no tags"),
        "password_policy" => (Unsupported, "password rules belong to the Vault auth method (e.g. userpass has none; use an external IdP or LDAP policy)"),
        "mfa_configuration" | "software_token_mfa_configuration" | "sms_configuration" => (Unsupported, "configure MFA on the Vault auth method (Vault Enterprise login MFA, or in the upstream IdP)"),
        "lambda_config" => (Unsupported, "Lambda triggers (pre sign-up, pre token generation…) have no Vault equivalent; claims come from scope templates and entity metadata"),
        "schema" => (Unsupported, "custom attributes become entity metadata keys read by scope templates ({{identity.entity.metadata.KEY}}); copy them into Vault entities"),
        "auto_verified_attributes" | "verification_message_template" | "email_verification_message" | "email_verification_subject" | "sms_verification_message" | "email_configuration" | "sms_authentication_message" => (Unsupported, "Vault does not send verification messages; verify emails/phones upstream"),
        "admin_create_user_config" | "account_recovery_setting" | "username_attributes" | "alias_attributes" | "username_configuration" | "device_configuration" | "user_attribute_update_settings" => (Unsupported, "sign-up, recovery and username rules belong to the Vault auth method"),
        "user_pool_add_ons" => (Unsupported, "advanced security features have no Vault equivalent"),
        "deletion_protection" => (Unsupported, "protect the Vault objects with policies instead"),
        _ => (Flagged, "no Vault equivalent known to the migration; review"),
    }
}

fn client_setting(name: &str) -> Option<(Outcome, &'static str)> {
    use Outcome::*;
    Some(match name {
        "logout_urls" | "default_redirect_uri" => (Unsupported, "Vault's OIDC provider has no end-session endpoint nor logout URLs: clear the application session and revoke the Vault token (`vault-oidc logout`)"),
        "refresh_token_validity" => (Unsupported, "Vault's OIDC provider issues no refresh tokens; clients sign in again (the Vault token TTL bounds the session)"),
        "enable_token_revocation" => (Unsupported, "no refresh tokens to revoke; revoke the Vault token or entity instead"),
        "explicit_auth_flows" => (Unsupported, "direct password/SRP flows do not exist; users sign in through a Vault auth method in the authorization-code flow"),
        "supported_identity_providers" => (Flagged, "COGNITO users sign in with a Vault auth method (e.g. userpass); federated IdPs become a Vault OIDC/JWT auth method"),
        "prevent_user_existence_errors" | "auth_session_validity" | "enable_propagate_additional_user_context_data" | "analytics_configuration" => (Unsupported, "no Vault equivalent"),
        "read_attributes" | "write_attributes" => (Unsupported, "claims come from scope templates; attribute writes belong to Vault entity metadata"),
        "allowed_oauth_flows_user_pool_client" => (Mapped, "every Vault OIDC client uses the provider's OAuth endpoints"),
        "user_pool_id" | "name" => (Mapped, "the client belongs to the pool's provider"),
        _ => return None,
    })
}

/// A client to convert: name, evaluated attributes, where, (resource, for_each key).
type PendingClient = (
    String,
    BTreeMap<String, Val>,
    String,
    Option<(String, String)>,
);

struct Ctx<'s> {
    scan: &'s Scan,
    m: Migration,
    scopes_used: BTreeSet<String>,
    /// Client and role names already given (names are global in Vault, pools are not).
    names: BTreeSet<String>,
    sentinel_n: usize,
}

/// Converts the scan into a config and notes.
pub fn convert(scan: &Scan) -> Migration {
    let mut c = Ctx {
        scan,
        m: Migration {
            config: Config::default(),
            hcl_vars: BTreeMap::new(),
            hcl_var_descriptions: BTreeMap::new(),
            sentinels: Vec::new(),
            tf_sentinels: Vec::new(),
            pools: Vec::new(),
            client_resources: BTreeMap::new(),
            notes: Vec::new(),
        },
        scopes_used: BTreeSet::new(),
        names: BTreeSet::new(),
        sentinel_n: 0,
    };
    let pools: Vec<&Found> = scan
        .found
        .iter()
        .filter(|f| matches!(f.kind, Kind::Pool | Kind::RegistryModule) && f.block_kind != "data")
        .collect();
    for p in &pools {
        c.pool(p, pools.len());
    }
    c.orphans(&pools);
    c.m.config
        .scopes
        .insert(COGNITO_SCOPE.into(), scope(COGNITO_SCOPE));
    for s in std::mem::take(&mut c.scopes_used) {
        if standard_scope(&s).is_some() {
            c.m.config.scopes.insert(s.clone(), scope(&s));
        }
    }
    c.m
}

fn scope(name: &str) -> Scope {
    let (d, t) = standard_scope(name).expect("standard scope");
    Scope {
        description: Some(d.into()),
        template: Some(t.into()),
        spans: Spans::default(),
    }
}

/// Whether source text refers to the given pool (by address) or, when there is a single pool,
/// to any pool at all.
fn refers_to(text: &str, address: &str, single: bool) -> bool {
    if text.contains(&format!("{address}.")) || text.contains(&format!("{address}[")) {
        return true;
    }
    single
}

/// The instances of a block: `[None]` without `for_each`, else one `(each.key, each.value)` per
/// element of the evaluated map or list of strings; `Err` with the value when it could not be
/// evaluated to one of those.
fn for_each_instances(
    f: &Found,
    text: &str,
    ctx: &super::scan::Ctx,
) -> Result<Vec<Option<(String, Val)>>, Val> {
    let Some(fe) = f.block.body.get_attribute("for_each") else {
        return Ok(vec![None]);
    };
    let v = super::scan::eval(&fe.value, text, ctx);
    let items: Option<Vec<Option<(String, Val)>>> = match &v {
        Val::Map(m) => Some(
            m.iter()
                .map(|(k, x)| Some((k.clone(), x.clone())))
                .collect(),
        ),
        Val::List(l) => l
            .iter()
            .map(|x| x.as_str().map(|s| Some((s.to_string(), x.clone()))))
            .collect(),
        _ => None,
    };
    items.ok_or(v)
}

impl<'s> Ctx<'s> {
    /// The found blocks of `kind` whose `user_pool_id` refers to the pool at `address`.
    fn of_pool(&self, kind: Kind, address: &str, single: bool) -> Vec<&'s Found> {
        let scan: &'s Scan = self.scan;
        scan.of_kind(kind)
            .filter(|f| {
                let text = &scan.file(f.module, f.file).text;
                let pool_ref =
                    super::scan::attr_src(&f.block, "user_pool_id", text).unwrap_or_default();
                refers_to(&pool_ref, address, single)
            })
            .collect()
    }

    fn loc(&self, f: &Found) -> String {
        format!("{} `{}`", self.scan.where_(f), f.address())
    }

    fn pool(&mut self, p: &Found, n_pools: usize) {
        let module = &self.scan.modules[p.module];
        let text = &self.scan.file(p.module, p.file).text;
        let lt = local_texts(module);
        let ctx = module_ctx(module, &lt, None);
        let v = block_value(&p.block, text, &ctx);
        let loc = self.loc(p);
        let name = p.name.clone();
        let address = p.address();
        let pool_idx = self.m.pools.len();
        self.m.pools.push(PoolInfo {
            name: name.clone(),
            address: address.clone(),
            clients: Vec::new(),
            groups: Vec::new(),
            module: p.module,
        });
        self.m.config.keys.insert(
            name.clone(),
            Key {
                algorithm: Some("RS256".into()),
                ..Key::default()
            },
        );
        self.m.note(
            &loc,
            "signing keys",
            Outcome::Mapped,
            format!("key {name:?} (RS256, as Cognito): Vault rotates it every 24h; verifiers must read the JWKS, not pin keys"),
        );
        let is_module = p.kind == Kind::RegistryModule;
        // Pool-level settings.
        for (k, val) in &v {
            if is_module
                && matches!(
                    k.as_str(),
                    "source"
                        | "version"
                        | "clients"
                        | "user_groups"
                        | "resource_servers"
                        | "domain"
                        | "domain_certificate_arn"
                        | "identity_providers"
                )
            {
                continue;
            }
            let (o, why) = pool_setting(k);
            self.m
                .note(&loc, k, o, format!("{} — {why}", val.describe()));
        }
        // Clients.
        let mut clients: Vec<PendingClient> = Vec::new();
        if is_module {
            if let Some(list) = v.get("clients").and_then(Val::as_list) {
                for (i, cv) in list.iter().enumerate() {
                    if let Some(map) = cv.as_map() {
                        let cname = map
                            .get("name")
                            .and_then(Val::as_str)
                            .map(sanitize)
                            .unwrap_or_else(|| format!("{name}_client_{i}"));
                        let cname = self.unique(&name, &cname);
                        clients.push((cname, map.clone(), format!("{loc} clients[{i}]"), None));
                    }
                }
            } else if let Some(cv) = v.get("clients") {
                self.m.note(
                    &loc,
                    "clients",
                    Outcome::Flagged,
                    format!(
                        "{} — not a literal list: declare the clients in oidc.hcl by hand",
                        cv.describe()
                    ),
                );
            }
            if let Some(list) = v.get("user_groups").and_then(Val::as_list) {
                for g in list {
                    if let Some(gn) = g.get("name").and_then(Val::as_str) {
                        self.m.pools[pool_idx].groups.push(gn.to_string());
                        if let Some(pr) = g.get("precedence") {
                            self.m.note(&loc, &format!("user_groups[{gn}].precedence"), Outcome::Unsupported, format!("{} — Vault groups have no precedence; cognito:preferred_role is not issued", pr.describe()));
                        }
                    }
                }
            }
            for k in [
                "domain",
                "resource_servers",
                "identity_providers",
                "domain_certificate_arn",
            ] {
                if let Some(val) = v.get(k) {
                    let why = match k {
                        "domain" | "domain_certificate_arn" => "the hosted UI and its custom domain go away; sign-in pages are Vault's (`/ui/vault/identity/oidc/provider/NAME/authorize`); point DNS at Vault if you keep the name",
                        "resource_servers" => "resource-server scopes are not represented in Vault access tokens; machine clients get them as a `scope` claim in their role's template, users' APIs should authorize on groups (AUTHORIZER_ROUTE_RULES)",
                        _ => "federated IdPs become a Vault OIDC/JWT auth method",
                    };
                    self.m.note(
                        &loc,
                        k,
                        Outcome::Unsupported,
                        format!("{} — {why}", val.describe()),
                    );
                }
            }
        }
        let single = n_pools == 1;
        for f in self.of_pool(Kind::Client, &address, single) {
            let ftext = &self.scan.file(f.module, f.file).text;
            let fm = &self.scan.modules[f.module];
            let flt = local_texts(fm);
            let cloc = self.loc(f);
            let instances = match for_each_instances(f, ftext, &module_ctx(fm, &flt, None)) {
                Ok(instances) => instances,
                Err(v) => {
                    self.m.note(&cloc, "for_each", Outcome::Flagged, format!("{} — cannot be evaluated, so the clients cannot be listed: declare them in oidc.hcl and the module input by hand", v.describe()));
                    continue;
                }
            };
            if f.block.body.get_attribute("count").is_some() {
                self.m.note(
                    &cloc,
                    "count",
                    Outcome::Flagged,
                    "a counted client is migrated as one client; review",
                );
            }
            let mut keys = BTreeMap::new();
            for each in instances {
                let cv = block_value(&f.block, ftext, &module_ctx(fm, &flt, each.clone()));
                match each {
                    Some((k, _)) => {
                        let cname = self.unique(&name, &sanitize(&k));
                        keys.insert(k.clone(), cname.clone());
                        clients.push((cname, cv, format!("{cloc}[{k:?}]"), Some((f.address(), k))));
                    }
                    None => {
                        let cname = self.unique(&name, &sanitize(&f.name));
                        keys.insert(String::new(), cname.clone());
                        clients.push((cname, cv, cloc.clone(), None));
                    }
                }
            }
            self.m
                .client_resources
                .insert(f.address(), (pool_idx, keys));
        }
        for (cname, cv, cloc, _) in clients {
            self.client(pool_idx, &cname, &cv, &cloc);
        }
        // Groups.
        for f in self.of_pool(Kind::Group, &address, single) {
            let ftext = &self.scan.file(f.module, f.file).text;
            let fm = &self.scan.modules[f.module];
            let flt = local_texts(fm);
            let instances = match for_each_instances(f, ftext, &module_ctx(fm, &flt, None)) {
                Ok(instances) => instances,
                Err(v) => {
                    let gloc = self.loc(f);
                    self.m.note(
                        &gloc,
                        "for_each",
                        Outcome::Flagged,
                        format!(
                            "{} — cannot be evaluated: add the groups to the assignment by hand",
                            v.describe()
                        ),
                    );
                    continue;
                }
            };
            for each in instances {
                let key = each.as_ref().map(|(k, _)| k.clone());
                let gv = block_value(&f.block, ftext, &module_ctx(fm, &flt, each));
                let gloc = match &key {
                    Some(k) => format!("{}[{k:?}]", self.loc(f)),
                    None => self.loc(f),
                };
                let gname = match gv.get("name") {
                    Some(Val::Str(s)) => s.clone(),
                    Some(Val::Unknown { src, hcl: Some(h) }) => {
                        self.declare_vars(h);
                        let h = h.clone();
                        let src = src.clone();
                        let sen = self.sentinel("\"{S}\"".to_string(), format!("\"{h}\""));
                        self.m
                            .tf_sentinels
                            .push((format!("\"{sen}\""), src.clone()));
                        self.m.note(
                            &gloc,
                            "name",
                            Outcome::Mapped,
                            format!("`{src}` carried as \"{h}\" with the variables' defaults"),
                        );
                        sen
                    }
                    other => {
                        self.m.note(&gloc, "name", Outcome::Flagged, format!("{} — not evaluated; the Terraform name {:?} is used as the Vault group name", other.map(Val::describe).unwrap_or_default(), f.name));
                        f.name.clone()
                    }
                };
                let shown = self
                    .m
                    .sentinels
                    .iter()
                    .find(|(p, _)| p.contains(&gname))
                    .map(|(_, r)| r.clone())
                    .unwrap_or_else(|| format!("{gname:?}"));
                self.m.note(&gloc, "group", Outcome::Mapped, format!("identity group {shown} in assignment \"{name}_users\"; create the group and its members in Vault before the apply"));
                for (k, why) in [
                ("precedence", "Vault groups have no precedence"),
                ("role_arn", "no IAM role mapping (cognito:roles / preferred_role are not issued); use Vault's AWS secrets engine"),
            ] {
                if let Some(x) = gv.get(k) {
                    self.m.note(&gloc, k, Outcome::Unsupported, format!("{} — {why}", x.describe()));
                }
            }
                self.m.pools[pool_idx].groups.push(gname);
            }
        }
        // Assignment.
        let groups = self.m.pools[pool_idx].groups.clone();
        let assignment = if groups.is_empty() {
            self.m.note(&loc, "users", Outcome::Flagged, "the pool has no groups: its clients use the built-in assignment \"allow_all\" (every Vault entity may sign in, as every pool user could)");
            crate::config::BUILTIN_ASSIGNMENT.to_string()
        } else {
            let a = format!("{name}_users");
            self.m.config.assignments.insert(
                a.clone(),
                Assignment {
                    groups: groups.clone(),
                    ..Assignment::default()
                },
            );
            self.m.note(&loc, "users", Outcome::Flagged, format!("every pool user could sign in; in Vault only members of the groups {groups:?} (assignment {a:?}) can. Put users without a group into one of them, or use \"allow_all\""));
            a
        };
        let mut client_names = Vec::new();
        let mut scopes: BTreeSet<String> = BTreeSet::new();
        for ci in &self.m.pools[pool_idx].clients {
            if ci.has_client {
                client_names.push(ci.name.clone());
            }
        }
        for cn in &client_names {
            if let Some(cl) = self.m.config.clients.get_mut(cn) {
                cl.assignments = Some(vec![assignment.clone()]);
            }
        }
        for s in &self.scopes_used {
            scopes.insert(s.clone());
        }
        scopes.insert(COGNITO_SCOPE.into());
        self.m.config.providers.insert(
            name.clone(),
            Provider {
                issuer: None,
                clients: Some(client_names),
                scopes: Some(scopes.into_iter().collect()),
                spans: Spans::default(),
            },
        );
        self.m.note(&loc, "issuer", Outcome::Mapped, format!("provider {name:?}: issuer `<vault api_addr>/v1/identity/oidc/provider/{name}` (set `issuer` in oidc.hcl to pin it). Tokens' `sub` is the Vault entity id, not the Cognito sub: re-key stored user references by username or email"));
    }

    fn client(&mut self, pool_idx: usize, cname: &str, cv: &BTreeMap<String, Val>, cloc: &str) {
        let pool = self.m.pools[pool_idx].name.clone();
        let flows: Vec<String> = cv
            .get("allowed_oauth_flows")
            .and_then(Val::strings)
            .unwrap_or_default();
        if let Some(v) = cv.get("allowed_oauth_flows") {
            if v.strings().is_none() {
                self.m.note(
                    cloc,
                    "allowed_oauth_flows",
                    Outcome::Flagged,
                    format!(
                        "{} — not evaluated; treated as the authorization-code flow",
                        v.describe()
                    ),
                );
            }
        }
        let machine = flows.iter().any(|f| f == "client_credentials");
        let interactive = flows.iter().any(|f| f == "code" || f == "implicit") || flows.is_empty();
        if flows.iter().any(|f| f == "implicit") {
            self.m.note(cloc, "allowed_oauth_flows implicit", Outcome::Unsupported, "Vault supports only the authorization-code flow (with PKCE for public clients): switch the application to `code`");
        }
        let all_scopes: Vec<String> = match cv.get("allowed_oauth_scopes") {
            None => Vec::new(),
            Some(v) => match v.strings() {
                Some(l) => l,
                None => match self.resource_server_scopes(v) {
                    Some(l) => {
                        self.m.note(
                            cloc,
                            "allowed_oauth_scopes",
                            Outcome::Mapped,
                            format!("{} = {l:?} (read from the resource server)", v.describe()),
                        );
                        l
                    }
                    None => {
                        self.m.note(
                            cloc,
                            "allowed_oauth_scopes",
                            Outcome::Flagged,
                            format!(
                                "{} — not evaluated; no scope migrated for this client",
                                v.describe()
                            ),
                        );
                        Vec::new()
                    }
                },
            },
        };
        let mut custom = Vec::new();
        for s in &all_scopes {
            match s.as_str() {
                "openid" => {}
                "email" | "profile" | "phone" => {
                    self.scopes_used.insert(s.clone());
                }
                "aws.cognito.signin.user.admin" => self.m.note(cloc, "scope aws.cognito.signin.user.admin", Outcome::Unsupported, "tokens cannot call Cognito's user APIs any more; user self-service moves to the Vault auth method"),
                other => custom.push(other.to_string()),
            }
        }
        if !custom.is_empty() {
            self.m.note(cloc, "resource-server scopes", Outcome::Unsupported, format!("{custom:?} — Vault access tokens carry no OAuth scopes. {}", if machine { "The machine client's role puts them in a `scope` claim; APIs that checked scopes must check that claim or groups (AUTHORIZER_ROUTE_RULES)" } else { "APIs that required them must authorize on groups instead (AUTHORIZER_ROUTE_RULES)" }));
        }
        let secret = cv.get("generate_secret").map(|v| v.as_bool());
        let client_type = match secret {
            Some(Some(true)) => "confidential",
            Some(None) => {
                self.m.note(
                    cloc,
                    "generate_secret",
                    Outcome::Flagged,
                    "not evaluated; the client is made public (PKCE)",
                );
                "public"
            }
            _ => "public",
        };
        // Token validity.
        let units = cv.get("token_validity_units").and_then(|u| match u {
            Val::List(l) => l.first().cloned(),
            other => Some(other.clone()),
        });
        let ttl = |this: &mut Self, attr: &str, unit_key: &str| -> u64 {
            let unit = match units.as_ref().and_then(|u| u.get(unit_key)) {
                Some(Val::Str(s)) => s.clone(),
                Some(other) => {
                    this.m.note(
                        cloc,
                        &format!("token_validity_units.{unit_key}"),
                        Outcome::Flagged,
                        format!(
                            "{} — not evaluated; Cognito's default unit (hours) assumed",
                            other.describe()
                        ),
                    );
                    "hours".into()
                }
                None => "hours".into(),
            };
            match cv.get(attr) {
                None | Some(Val::Null) => 3600,
                Some(v) => match (v.as_num(), unit_seconds(&unit)) {
                    (Some(n), Some(s)) => (n as u64) * s,
                    _ => {
                        this.m.note(
                            cloc,
                            attr,
                            Outcome::Flagged,
                            format!(
                                "{} {unit} — not evaluated; Cognito's default (1h) used",
                                v.describe()
                            ),
                        );
                        3600
                    }
                },
            }
        };
        let id_ttl = ttl(self, "id_token_validity", "id_token");
        let access_ttl = ttl(self, "access_token_validity", "access_token");
        // Report every other client setting.
        const SUMMARIZED: [&str; 14] = [
            "callback_urls",
            "generate_secret",
            "allowed_oauth_flows",
            "allowed_oauth_scopes",
            "id_token_validity",
            "access_token_validity",
            "token_validity_units",
            "for_each",
            "count",
            "depends_on",
            "lifecycle",
            "provider",
            "precedence",
            "description",
        ];
        for (k, v) in cv {
            if let Some((o, why)) = client_setting(k) {
                self.m.note(cloc, k, o, format!("{} — {why}", v.describe()));
            } else if !SUMMARIZED.contains(&k.as_str()) {
                self.m.note(
                    cloc,
                    k,
                    Outcome::Flagged,
                    format!(
                        "{} — no Vault equivalent known to the migration; review",
                        v.describe()
                    ),
                );
            }
        }
        let redirects = cv
            .get("callback_urls")
            .cloned()
            .unwrap_or(Val::List(vec![]));
        let (hcl_redirects, tf_redirects) = self.redirects(cname, &redirects, cloc);
        let mut info = ClientInfo {
            pool: pool.clone(),
            name: cname.to_string(),
            tf_redirects,
            role: None,
            has_client: false,
            custom_scopes: custom.clone(),
        };
        if interactive || !machine {
            info.has_client = true;
            self.m.config.clients.insert(
                cname.to_string(),
                Client {
                    key: Some(pool.clone()),
                    client_type: Some(client_type.into()),
                    redirect_uris: Some(hcl_redirects),
                    assignments: None,
                    id_token_ttl: Some(id_ttl),
                    access_token_ttl: Some(access_ttl),
                    client_credentials: None,
                    spans: Spans::default(),
                },
            );
            self.m.note(cloc, "client", Outcome::Mapped, format!(
                "client {cname:?}: {client_type}{}, id_token_ttl {id_ttl}s, access_token_ttl {access_ttl}s; callback_urls → redirect_uris. A new client_id{} is generated: update the application (VAULT_OIDC_CLIENT_ID)",
                if client_type == "public" { " with PKCE" } else { "" },
                if client_type == "confidential" { " and client_secret" } else { "" }
            ));
        }
        if machine {
            let mut claims = serde_json::Map::new();
            claims.insert(
                "client".into(),
                serde_json::Value::String(cname.to_string()),
            );
            if !custom.is_empty() {
                claims.insert("scope".into(), serde_json::Value::String(custom.join(" ")));
            }
            let template =
                serde_json::to_string_pretty(&serde_json::Value::Object(claims)).unwrap() + "\n";
            self.m.config.roles.insert(
                cname.to_string(),
                Role {
                    key: pool.clone(),
                    ttl: Some(access_ttl),
                    template: Some(template),
                    spans: Spans::default(),
                },
            );
            info.role = Some(cname.to_string());
            self.m.note(cloc, "allowed_oauth_flows client_credentials", Outcome::Mapped, format!("role {cname:?}: the machine authenticates to Vault (AppRole, AWS IAM…) and reads `identity/oidc/token/{cname}` (ttl {access_ttl}s) instead of calling /oauth2/token; audience = the role's client_id (module output role_client_ids)"));
        }
        self.m.pools[pool_idx].clients.push(info);
    }

    /// A client name not used by another pool's client: `POOL_NAME` on a clash.
    fn unique(&mut self, pool: &str, name: &str) -> String {
        let mut n = name.to_string();
        if self.names.contains(&n) {
            n = format!("{pool}_{name}");
            let mut i = 2;
            while self.names.contains(&n) {
                n = format!("{pool}_{name}_{i}");
                i += 1;
            }
        }
        self.names.insert(n.clone());
        n
    }

    /// `aws_cognito_resource_server.X.scope_identifiers` → `IDENTIFIER/SCOPE` for each scope.
    fn resource_server_scopes(&self, v: &Val) -> Option<Vec<String>> {
        let Val::Unknown { src, .. } = v else {
            return None;
        };
        let rest = src.trim().strip_prefix("aws_cognito_resource_server.")?;
        let name = rest.strip_suffix(".scope_identifiers")?;
        let f = self
            .scan
            .of_kind(Kind::ResourceServer)
            .find(|f| f.name == name && f.block_kind == "resource")?;
        let m = &self.scan.modules[f.module];
        let lt = local_texts(m);
        let rv = block_value(
            &f.block,
            &self.scan.file(f.module, f.file).text,
            &module_ctx(m, &lt, None),
        );
        let id = rv.get("identifier")?.as_str()?.to_string();
        rv.get("scope")?
            .as_list()?
            .iter()
            .map(|s| {
                s.get("scope_name")
                    .and_then(Val::as_str)
                    .map(|n| format!("{id}/{n}"))
            })
            .collect()
    }

    /// redirect_uris for oidc.hcl (with sentinels for carried expressions) and for Terraform.
    fn redirects(&mut self, cname: &str, v: &Val, cloc: &str) -> (Vec<String>, String) {
        // Terraform 0.11 spliced a list variable with `["${var.list}"]`.
        if let Val::List(items) = v {
            if let [Val::Unknown { src, hcl: Some(h) }] = items.as_slice() {
                let name = h.strip_prefix("${var.").and_then(|x| x.strip_suffix('}'));
                if let Some(name) = name.filter(|n| !n.contains(['$', '{', '}'])) {
                    let is_list = self
                        .scan
                        .modules
                        .iter()
                        .any(|m| matches!(m.vars.get(name), Some(Some(Val::List(_)))));
                    if is_list {
                        self.m.note(
                            cloc,
                            "callback_urls",
                            Outcome::Mapped,
                            format!("0.11 list splice `[{src}]` → `var.{name}`"),
                        );
                        let whole = Val::Unknown {
                            src: format!("var.{name}"),
                            hcl: Some(h.clone()),
                        };
                        return self.redirects(cname, &whole, cloc);
                    }
                }
            }
        }
        match v {
            Val::List(items) => {
                let mut hcl = Vec::new();
                let mut tf = Vec::new();
                for it in items {
                    match it {
                        Val::Str(s) => {
                            hcl.push(s.clone());
                            tf.push(crate::config::render::quote(s));
                        }
                        Val::Unknown { src, hcl: h } => {
                            let repl = match h {
                                Some(h) => {
                                    self.declare_vars(h);
                                    format!("\"{h}\"")
                                }
                                None => {
                                    let var = format!("{cname}_redirect_uri_{}", hcl.len());
                                    self.m.hcl_vars.insert(var.clone(), None);
                                    self.m.hcl_var_descriptions.insert(
                                        var.clone(),
                                        format!("was the Terraform expression {src}"),
                                    );
                                    self.m.hcl_var_descriptions.insert(
                                        var.clone(),
                                        format!("was the Terraform expression {src}"),
                                    );
                                    self.m.note(cloc, "callback_urls", Outcome::Flagged, format!("`{src}` cannot be evaluated: oidc.hcl reads it from variable {var:?} (pass --var {var}=…)"));
                                    format!("\"${{var.{var}}}\"")
                                }
                            };
                            hcl.push(self.sentinel("\"{S}\"".to_string(), repl));
                            if src.contains("each.") {
                                tf.push(crate::config::render::quote("TODO"));
                            } else {
                                tf.push(src.clone());
                            }
                        }
                        other => {
                            self.m.note(
                                cloc,
                                "callback_urls",
                                Outcome::Flagged,
                                format!("{} is not a string; dropped", other.describe()),
                            );
                        }
                    }
                }
                (hcl, format!("[{}]", tf.join(", ")))
            }
            Val::Unknown { src, hcl: h } => {
                let repl = match h
                    .as_deref()
                    .and_then(|h| h.strip_prefix("${").and_then(|x| x.strip_suffix('}')))
                {
                    Some(inner) if !inner.contains("${") => {
                        self.declare_vars(h.as_deref().unwrap());
                        inner.to_string()
                    }
                    _ => {
                        let var = format!("{cname}_redirect_uris");
                        self.m.hcl_vars.insert(var.clone(), None);
                        self.m
                            .hcl_var_descriptions
                            .insert(var.clone(), format!("was the Terraform expression {src}"));
                        self.m.note(cloc, "callback_urls", Outcome::Flagged, format!("`{src}` cannot be evaluated: oidc.hcl reads the list from variable {var:?} (pass --var-file)"));
                        format!("var.{var}")
                    }
                };
                let s = self.sentinel("[\"{S}\"]".to_string(), repl);
                (vec![s], src.clone())
            }
            other => {
                self.m.note(
                    cloc,
                    "callback_urls",
                    Outcome::Flagged,
                    format!("{} is not a list; no redirect URIs", other.describe()),
                );
                (vec![], "[]".into())
            }
        }
    }

    /// A placeholder string for the config; `pattern` is how it renders (`{S}` = the placeholder).
    fn sentinel(&mut self, pattern: String, replacement: String) -> String {
        let s = format!("__vault_oidc_expr_{}__", self.sentinel_n);
        self.sentinel_n += 1;
        self.m
            .sentinels
            .push((pattern.replace("{S}", &s), replacement));
        s
    }

    /// Declares in oidc.hcl the `var.X` a carried template uses, with the Terraform default.
    fn declare_vars(&mut self, hcl: &str) {
        let mut rest = hcl;
        while let Some(i) = rest.find("${var.") {
            let after = &rest[i + 6..];
            let end = after.find('}').unwrap_or(after.len());
            let name = after[..end].to_string();
            rest = &after[end..];
            if self.m.hcl_vars.contains_key(&name) {
                continue;
            }
            let default = self
                .scan
                .modules
                .iter()
                .find_map(|m| m.vars.get(&name))
                .and_then(|d| d.as_ref())
                .and_then(hcl_literal);
            self.m.hcl_vars.insert(name, default);
        }
    }

    /// Cognito blocks not tied to a pool that was converted, and the ones converted elsewhere.
    fn orphans(&mut self, pools: &[&Found]) {
        let scan = self.scan;
        for f in &scan.found {
            let loc = self.loc(f);
            let text = &scan.file(f.module, f.file).text;
            let fm = &scan.modules[f.module];
            let lt = local_texts(fm);
            let v = block_value(&f.block, text, &module_ctx(fm, &lt, None));
            match f.kind {
                Kind::Domain => {
                    let what = v.get("domain").map(Val::describe).unwrap_or_default();
                    let custom = v.contains_key("certificate_arn");
                    self.m.note(&loc, "domain", Outcome::Unsupported, format!("{what}{} — the hosted UI goes away: users sign in on Vault's UI (`/ui/vault/identity/oidc/provider/NAME/authorize`); the discovery URL replaces `https://DOMAIN/.well-known/…`{}", if custom { " (custom domain)" } else { "" }, if custom { ". Point the custom domain's DNS at Vault (with its certificate) or retire it" } else { "" }));
                }
                Kind::ResourceServer => {
                    let id = v.get("identifier").map(Val::describe).unwrap_or_default();
                    let scopes: Vec<String> = v
                        .get("scope")
                        .and_then(Val::as_list)
                        .map(|l| {
                            l.iter()
                                .filter_map(|s| s.get("scope_name").map(Val::describe))
                                .collect()
                        })
                        .unwrap_or_default();
                    self.m.note(&loc, "resource server", Outcome::Unsupported, format!("{id} with scopes [{}] — Vault access tokens carry no resource-server scopes: machine clients get them in their role's `scope` claim, users' APIs authorize on groups (AUTHORIZER_ROUTE_RULES)", scopes.join(", ")));
                }
                Kind::IdentityProvider => {
                    let pn = v
                        .get("provider_name")
                        .map(Val::describe)
                        .unwrap_or_default();
                    let pt = v
                        .get("provider_type")
                        .map(Val::describe)
                        .unwrap_or_default();
                    self.m.note(&loc, "identity provider", Outcome::Unsupported, format!("{pn} ({pt}) — configure the same IdP as a Vault OIDC/JWT auth method (SAML needs Vault Enterprise); its users become Vault entities, and their tokens' `sub` changes"));
                }
                Kind::User => {
                    let un = v.get("username").map(Val::describe).unwrap_or_default();
                    self.m.note(&loc, "user", Outcome::Unsupported, format!("{un} — password hashes cannot leave Cognito: create the user in the Vault auth method (e.g. userpass) with a new password or a reset, and its entity in the same groups{}", if v.contains_key("password") || v.contains_key("temporary_password") { "; the password in Terraform is not migrated" } else { "" }));
                }
                Kind::OtherCognito if f.block_kind == "data" => {
                    self.m.note(&loc, &f.rtype, Outcome::Flagged, "a Cognito data source: kept (it reads the pool during the dual-issuer window); remove it and its references after the cut-over");
                }
                Kind::OtherCognito => {
                    self.m.note(&loc, &f.rtype, Outcome::Unsupported, "no Vault equivalent (UI customization, risk configuration, identity pools…); removed");
                }
                Kind::Pool if f.block_kind == "data" => {
                    self.m.note(&loc, "data source", Outcome::Flagged, "a data source reading an existing pool: kept for the dual-issuer window; remove it after the cut-over");
                }
                Kind::Client | Kind::Group => {
                    let ftext = text;
                    let pool_ref =
                        super::scan::attr_src(&f.block, "user_pool_id", ftext).unwrap_or_default();
                    let single = pools.len() == 1;
                    if !pools
                        .iter()
                        .any(|p| refers_to(&pool_ref, &p.address(), single))
                    {
                        self.m.note(
                            &loc,
                            "user_pool_id",
                            Outcome::Flagged,
                            format!(
                                "`{pool_ref}` names no pool in this configuration; not migrated"
                            ),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

/// Vault object names: letters, digits, `_` and `-`.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A value as an HCL literal (strings, numbers, bools, lists and maps of those).
pub fn hcl_literal(v: &Val) -> Option<String> {
    Some(match v {
        Val::Null => "null".into(),
        Val::Bool(b) => b.to_string(),
        Val::Num(n) => super::scan::format_num(*n),
        Val::Str(s) => crate::config::render::quote(s),
        Val::List(l) => format!(
            "[{}]",
            l.iter()
                .map(hcl_literal)
                .collect::<Option<Vec<_>>>()?
                .join(", ")
        ),
        Val::Map(m) => format!(
            "{{ {} }}",
            m.iter()
                .map(|(k, v)| Some(format!(
                    "{} = {}",
                    crate::config::render::quote(k),
                    hcl_literal(v)?
                )))
                .collect::<Option<Vec<_>>>()?
                .join(", ")
        ),
        Val::Unknown { .. } => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert_src(src: &str) -> (Migration, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf"), src).unwrap();
        let scan = crate::migrate::scan::scan(dir.path()).unwrap();
        (convert(&scan), dir)
    }

    #[test]
    fn token_validity_uses_units_and_cognito_defaults() {
        let (m, _d) = convert_src(
            r#"
resource "aws_cognito_user_pool" "p" { name = "p" }
resource "aws_cognito_user_pool_client" "a" {
  user_pool_id          = aws_cognito_user_pool.p.id
  id_token_validity     = 2
  access_token_validity = 90
  token_validity_units {
    access_token = "seconds"
  }
}
resource "aws_cognito_user_pool_client" "b" {
  user_pool_id    = aws_cognito_user_pool.p.id
  generate_secret = true
}
"#,
        );
        let a = &m.config.clients["a"];
        assert_eq!(a.id_token_ttl, Some(7200), "no unit for id_token: hours");
        assert_eq!(a.access_token_ttl, Some(90));
        assert_eq!(a.client_type.as_deref(), Some("public"));
        let b = &m.config.clients["b"];
        assert_eq!(b.id_token_ttl, Some(3600), "Cognito's default validity");
        assert_eq!(b.client_type.as_deref(), Some("confidential"));
        assert_eq!(
            m.config.providers["p"].clients.as_deref().unwrap(),
            ["a", "b"]
        );
    }

    #[test]
    fn unevaluable_settings_are_flagged_not_guessed() {
        let (m, _d) = convert_src(
            r#"
resource "aws_cognito_user_pool" "p" { name = "p" }
resource "aws_cognito_user_pool_client" "a" {
  user_pool_id          = aws_cognito_user_pool.p.id
  generate_secret       = var.secret
  access_token_validity = local.missing
}
"#,
        );
        let a = &m.config.clients["a"];
        assert_eq!(a.client_type.as_deref(), Some("public"));
        let flagged: Vec<&str> = m
            .notes
            .iter()
            .filter(|n| n.outcome == Outcome::Flagged)
            .map(|n| n.setting.as_str())
            .collect();
        assert!(flagged.contains(&"generate_secret"), "{flagged:?}");
        assert!(flagged.contains(&"access_token_validity"), "{flagged:?}");
    }

    #[test]
    fn clients_of_two_pools_with_the_same_name_do_not_collide() {
        let (m, _d) = convert_src(
            r#"
resource "aws_cognito_user_pool" "a" { name = "a" }
resource "aws_cognito_user_pool" "b" { name = "b" }
module "c" {
  source  = "lgallard/cognito-user-pool/aws"
  clients = [{ name = "web" }]
}
resource "aws_cognito_user_pool_client" "web" {
  user_pool_id = aws_cognito_user_pool.a.id
}
"#,
        );
        let names: Vec<&String> = m.config.clients.keys().collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert_eq!(m.config.providers.len(), 3);
    }

    #[test]
    fn hcl_literals_quote_and_nest() {
        let v = Val::List(vec![Val::Str("a\"${b}".into()), Val::Num(2.0)]);
        assert_eq!(hcl_literal(&v).unwrap(), r#"["a\"$${b}", 2]"#);
        assert!(hcl_literal(&Val::Unknown {
            src: "x".into(),
            hcl: None
        })
        .is_none());
    }
}
