//! The format-preserving rewrite of the Terraform: Cognito blocks removed, `module "vault_oidc"`
//! added, authorizers switched, references to removed Cognito attributes replaced by module
//! outputs, environment variables renamed. Edits are spliced into the original text at the spans
//! `hcl-edit` reports, so every block the rewrite does not change stays byte for byte.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl_edit::expr::{Expression, ObjectKey, Traversal, TraversalOperator};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::Element;
use hcl_edit::Span;

use crate::config::render::quote;

use super::scan::{src, Found, Kind, Scan};
use super::to_oidc::{Migration, Note, Outcome};

/// Where the rewritten Terraform finds the modules.
#[derive(Debug, Clone)]
pub struct Sources {
    pub vault_oidc: String,
    pub agent_authorizer: String,
}

impl Default for Sources {
    fn default() -> Self {
        Sources {
            vault_oidc: "./modules/vault-oidc".into(),
            agent_authorizer: "./modules/agent-authorizer".into(),
        }
    }
}

/// One environment variable renamed in a Lambda function.
#[derive(Debug, Clone)]
pub struct EnvRename {
    pub function: String,
    pub old: String,
    pub new: String,
    pub value: String,
}

/// A block whose text changed, and why.
#[derive(Debug, Clone)]
pub struct Changed {
    pub source: String,
    pub address: String,
    pub what: String,
}

/// The rewritten files (relative to the output root) and what happened.
#[derive(Default)]
pub struct Rewrite {
    pub files: BTreeMap<PathBuf, String>,
    /// Input files left with no content (not written).
    pub emptied: Vec<PathBuf>,
    pub removed: Vec<Changed>,
    pub changed: Vec<Changed>,
    pub added: Vec<Changed>,
    pub renames: Vec<EnvRename>,
    pub notes: Vec<Note>,
    /// The name of the file holding `module "vault_oidc"`.
    pub module_file: PathBuf,
}

struct Rw<'a> {
    scan: &'a Scan,
    mig: &'a Migration,
    /// Cognito registry module names (`module.NAME`).
    cognito_modules: BTreeMap<String, usize>,
    /// Pool resource name → pool index.
    pool_names: BTreeMap<String, usize>,
    /// REST authorizers replaced by agent-authorizer module calls: resource name.
    rest_authorizers: BTreeSet<String>,
    /// HTTP API JWT authorizers switched: resource name.
    jwt_authorizers: BTreeSet<String>,
    /// Lambda functions used as authorizers.
    authorizer_functions: BTreeSet<String>,
    sources: Sources,
    /// The local module (relative to the root) that receives `module "vault_oidc"`, when it is
    /// not the root: the root's call to it passes `vault_address`.
    home_rel: Option<PathBuf>,
    out: Rewrite,
}

/// Replacement edits within one file.
type Edits = Vec<(Range<usize>, String)>;

pub fn rewrite(scan: &Scan, mig: &Migration, sources: &Sources) -> Rewrite {
    let mut rw = Rw {
        scan,
        mig,
        cognito_modules: BTreeMap::new(),
        pool_names: BTreeMap::new(),
        rest_authorizers: BTreeSet::new(),
        jwt_authorizers: BTreeSet::new(),
        authorizer_functions: BTreeSet::new(),
        sources: sources.clone(),
        home_rel: None,
        out: Rewrite::default(),
    };
    for (i, p) in mig.pools.iter().enumerate() {
        if p.address.starts_with("module.") {
            rw.cognito_modules.insert(p.name.clone(), i);
        } else {
            rw.pool_names.insert(p.name.clone(), i);
        }
    }
    for f in &scan.found {
        match f.kind {
            Kind::RestAuthorizer => {
                rw.rest_authorizers.insert(f.name.clone());
            }
            Kind::HttpJwtAuthorizer => {
                rw.jwt_authorizers.insert(f.name.clone());
            }
            _ => {}
        }
    }
    // Functions referenced by any authorizer's authorizer_uri.
    for m in &scan.modules {
        for file in &m.files {
            for b in file.body.blocks() {
                let labels: Vec<&str> = b.labels.iter().map(|l| l.as_str()).collect();
                if b.ident.as_str() == "resource"
                    && matches!(
                        labels.first(),
                        Some(&"aws_api_gateway_authorizer") | Some(&"aws_apigatewayv2_authorizer")
                    )
                {
                    if let Some(uri) = super::scan::attr_src(b, "authorizer_uri", &file.text) {
                        if let Some(i) = uri.find("aws_lambda_function.") {
                            let name: String = uri[i + 20..]
                                .chars()
                                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                                .collect();
                            rw.authorizer_functions.insert(name);
                        }
                    }
                }
            }
        }
    }
    let home = scan
        .found
        .iter()
        .find(|f| matches!(f.kind, Kind::Pool | Kind::RegistryModule) && f.block_kind != "data")
        .map(|f| f.module)
        .unwrap_or(0);
    if home != 0 {
        rw.home_rel = Some(scan.modules[home].rel.clone());
        if !scan.modules[0].vars.contains_key("vault_address") {
            let root = &scan.modules[0];
            let name = if root
                .files
                .iter()
                .any(|f| f.rel == Path::new("vault_oidc.tf"))
            {
                PathBuf::from("vault_oidc_migrated.tf")
            } else {
                PathBuf::from("vault_oidc.tf")
            };
            rw.out
                .files
                .insert(name, VAULT_ADDRESS_VAR.trim_start().to_string());
            rw.out.added.push(Changed {
                source: String::new(),
                address: "variable vault_address".into(),
                what: format!(
                    "in the root module, passed to module {} which holds module \"vault_oidc\"",
                    scan.modules[home].rel.display()
                ),
            });
        }
    }
    for m in &scan.modules {
        for j in &m.json_files {
            rw.out.notes.push(Note {
                source: j.display().to_string(),
                setting: "JSON configuration".into(),
                outcome: Outcome::Flagged,
                detail: "`.tf.json` files are copied as they are, not scanned: migrate any Cognito resource in them by hand".into(),
            });
        }
    }
    for (mi, m) in scan.modules.iter().enumerate() {
        if !m.inside {
            if scan.found.iter().any(|f| f.module == mi) {
                rw.out.notes.push(Note {
                    source: m.rel.display().to_string(),
                    setting: "local module outside the directory".into(),
                    outcome: Outcome::Flagged,
                    detail: "it holds Cognito blocks but lies outside --terraform, so it is not rewritten: migrate it separately".into(),
                });
            }
            continue;
        }
        for (fi, file) in m.files.iter().enumerate() {
            let text = rw.file(mi, fi, &file.body, &file.text);
            let rel = m.rel.join(&file.rel);
            if text.trim().is_empty() && !file.text.trim().is_empty() {
                rw.out.emptied.push(rel);
            } else {
                rw.out.files.insert(rel, text);
            }
        }
        if mi == home {
            let mut name = m.rel.join("vault_oidc.tf");
            if m.files.iter().any(|f| f.rel == Path::new("vault_oidc.tf")) {
                name = m.rel.join("vault_oidc_migrated.tf");
            }
            let text = rw.module_file(m, sources);
            rw.out.module_file = name.clone();
            rw.out.files.insert(name, text);
        }
    }
    rw.out
}

const VAULT_ADDRESS_VAR: &str = "\nvariable \"vault_address\" {\n  description = \"Vault's API address (scheme://host[:port]).\"\n  type        = string\n}\n";

/// The module replacing a REST authorizer resource.
fn authorizer_module_name(name: &str) -> String {
    if name.ends_with("authorizer") {
        name.to_string()
    } else {
        format!("{name}_authorizer")
    }
}

fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
}

fn key(s: &str) -> String {
    if is_ident(s) {
        s.to_string()
    } else {
        quote(s)
    }
}

/// A Terraform map index: `["name"]`.
fn idx(s: &str) -> String {
    format!("[{}]", quote(s))
}

impl Rw<'_> {
    fn loc(&self, mi: usize, fi: usize, offset: usize) -> String {
        let f = self.scan.file(mi, fi);
        format!(
            "{}:{}",
            self.scan.modules[mi].rel.join(&f.rel).display(),
            f.line_of(offset)
        )
    }

    fn note(&mut self, source: String, setting: &str, outcome: Outcome, detail: String) {
        self.out.notes.push(Note {
            source,
            setting: setting.to_string(),
            outcome,
            detail,
        });
    }

    /// Rewrites one file: pieces are the gaps between top-level structures and the structures.
    fn file(&mut self, mi: usize, fi: usize, body: &Body, text: &str) -> String {
        let mut out = String::new();
        let mut pos = 0usize;
        let mut pending_gap = String::new();
        let mut removed_prev = false;
        for s in body.iter() {
            let span = match s {
                Structure::Block(b) => b.span(),
                Structure::Attribute(a) => a.span(),
            }
            .unwrap_or(pos..pos);
            let gap = &text[pos..span.start];
            pos = span.end;
            let new = match s {
                Structure::Block(b) => self.block(mi, fi, b, &span, text),
                Structure::Attribute(_) => None,
            };
            match new {
                Some(None) => {
                    // Removed: drop the comment lines directly above it.
                    let g = strip_attached_comments(gap);
                    pending_gap.push_str(&g);
                    removed_prev = true;
                }
                other => {
                    pending_gap.push_str(gap);
                    let g = if removed_prev {
                        join_gap(&pending_gap, out.is_empty())
                    } else {
                        pending_gap.clone()
                    };
                    out.push_str(&g);
                    pending_gap.clear();
                    removed_prev = false;
                    match other {
                        Some(Some(t)) => out.push_str(&t),
                        _ => out.push_str(&text[span.clone()]),
                    }
                }
            }
        }
        let tail = &text[pos..];
        pending_gap.push_str(tail);
        if removed_prev {
            let g = join_gap(&pending_gap, out.is_empty());
            let g = g.trim_end_matches('\n').to_string();
            out.push_str(&g);
            if !out.is_empty() {
                out.push('\n');
            }
        } else {
            out.push_str(&pending_gap);
        }
        out
    }

    /// `None`: unchanged; `Some(None)`: removed; `Some(Some(text))`: replaced.
    fn block(
        &mut self,
        mi: usize,
        fi: usize,
        b: &Block,
        span: &Range<usize>,
        text: &str,
    ) -> Option<Option<String>> {
        let line_loc = self.loc(mi, fi, span.start);
        let block_address = {
            let labels: Vec<&str> = b.labels.iter().map(|l| l.as_str()).collect();
            match (b.ident.as_str(), labels.as_slice()) {
                ("resource", [t, n]) => format!("{t}.{n}"),
                ("data", [t, n]) => format!("data.{t}.{n}"),
                ("module", [n]) => format!("module.{n}"),
                (other, l) => format!("{other} {}", l.join(" ")),
            }
        };
        // Notes name the block; the block lists keep `file:line` and the address apart.
        let loc = format!("{line_loc} `{block_address}`");
        let scan = self.scan;
        if let Some(f) = scan
            .found
            .iter()
            .find(|f| f.module == mi && f.file == fi && f.span == *span)
        {
            let address = f.address();
            match f.kind {
                Kind::Pool
                | Kind::Client
                | Kind::Domain
                | Kind::ResourceServer
                | Kind::Group
                | Kind::IdentityProvider
                | Kind::User
                | Kind::OtherCognito
                | Kind::RegistryModule
                    if f.block_kind != "data" =>
                {
                    self.out.removed.push(Changed {
                        source: line_loc,
                        address,
                        what: match f.kind {
                            Kind::Pool | Kind::Client | Kind::Group | Kind::RegistryModule => {
                                "removed: replaced by module \"vault_oidc\" / oidc.hcl".into()
                            }
                            _ => "removed: no Vault equivalent (see the settings table)".into(),
                        },
                    });
                    return Some(None);
                }
                Kind::HttpJwtAuthorizer => {
                    self.note(loc.clone(), "JWT authorizer", Outcome::Mapped, "issuer → the Vault provider's issuer, audience → the Vault client ids. Send Vault ID tokens (their `aud` is the client id); API Gateway accepts a single issuer, so for a dual-issuer window put the agent-authorizer (authorizer_type HTTP_API) in front instead".to_string());
                }
                Kind::RestAuthorizer => {
                    let t = self.rest_authorizer(f, text);
                    self.out.changed.push(Changed {
                        source: line_loc,
                        address,
                        what: format!(
                            "replaced by module \"{}\" (agent-authorizer, TOKEN)",
                            authorizer_module_name(&f.name)
                        ),
                    });
                    return Some(Some(t));
                }
                _ => {}
            }
        }
        let mut edits: Edits = Vec::new();
        let mut why: Vec<String> = Vec::new();
        let labels: Vec<&str> = b.labels.iter().map(|l| l.as_str()).collect();
        let rtype = labels.first().copied().unwrap_or("");
        let bname = labels.get(1).copied().unwrap_or("");
        let is_resource = b.ident.as_str() == "resource";
        self.body_edits(
            &b.body,
            text,
            &mut edits,
            &mut why,
            &loc,
            is_resource && rtype == "aws_lambda_function",
            bname,
        );
        if is_resource && rtype == "aws_api_gateway_method" {
            if let Some(a) = b.body.get_attribute("authorization") {
                if super::scan::literal_str(&a.value).as_deref() == Some("COGNITO_USER_POOLS") {
                    edits.push((a.value.span().unwrap(), "\"CUSTOM\"".into()));
                    why.push("authorization COGNITO_USER_POOLS → CUSTOM (agent-authorizer)".into());
                    if let Some(sc) = b.body.get_attribute("authorization_scopes") {
                        let r = line_range(text, sc.span().unwrap());
                        self.note(loc.clone(), "authorization_scopes", Outcome::Unsupported, format!("{} removed: a Lambda authorizer ignores them and Vault tokens carry no OAuth scopes; require groups per route with AUTHORIZER_ROUTE_RULES", src(&sc.value, text)));
                        edits.push((r, String::new()));
                    }
                }
            }
        }
        if is_resource && rtype == "aws_apigatewayv2_route" {
            let auth = super::scan::attr_src(b, "authorizer_id", text).unwrap_or_default();
            if self
                .jwt_authorizers
                .iter()
                .any(|n| auth.contains(&format!("aws_apigatewayv2_authorizer.{n}.")))
            {
                if let Some(sc) = b.body.get_attribute("authorization_scopes") {
                    let r = line_range(text, sc.span().unwrap());
                    self.note(loc.clone(), "authorization_scopes", Outcome::Unsupported, format!("{} removed: Vault tokens carry no `scope` claim, so API Gateway would refuse every request; authorize on groups in the backend or move the route to the agent-authorizer", src(&sc.value, text)));
                    edits.push((r, String::new()));
                    why.push("authorization_scopes removed".into());
                }
            }
        }
        if mi == 0 && b.ident.as_str() == "module" && !b.body.has_attribute("vault_address") {
            if let (Some(home), Some(source)) = (&self.home_rel, b.body.get_attribute("source")) {
                let target = super::scan::literal_str(&source.value)
                    .filter(|s| s.starts_with("./") || s.starts_with("../"))
                    .map(|s| super::scan::normalize(Path::new(&s)));
                if target.as_ref() == Some(home) {
                    let r = line_range(text, source.span().unwrap());
                    edits.push((r.end..r.end, "  vault_address = var.vault_address\n".into()));
                    why.push(
                        "passes vault_address to the module holding module \"vault_oidc\"".into(),
                    );
                }
            }
        }
        if b.ident.as_str() == "variable" {
            if let Some(t) = b.body.get_attribute("type") {
                if let Some(s) = super::scan::literal_str(&t.value) {
                    let new = match s.as_str() {
                        "string" => Some("string"),
                        "list" => Some("list(string)"),
                        "map" => Some("map(string)"),
                        _ => None,
                    };
                    if let Some(n) = new {
                        edits.push((t.value.span().unwrap(), n.into()));
                        why.push(format!(
                            "0.11 quoted type \"{s}\" → {n} (Terraform 1.15 refuses quoted types)"
                        ));
                    }
                }
            }
        }
        if edits.is_empty() {
            return None;
        }
        let address = block_address;
        let mut why_u: Vec<String> = Vec::new();
        for w in why {
            if !why_u.contains(&w) {
                why_u.push(w);
            }
        }
        self.out.changed.push(Changed {
            source: line_loc,
            address,
            what: why_u.join("; "),
        });
        let block_text = splice(&text[span.clone()], span.start, edits);
        Some(Some(crate::generate::hcl::align(&block_text)))
    }

    #[allow(clippy::too_many_arguments)]
    fn body_edits(
        &mut self,
        body: &Body,
        text: &str,
        edits: &mut Edits,
        why: &mut Vec<String>,
        loc: &str,
        lambda: bool,
        fname: &str,
    ) {
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    if lambda && a.key.as_str() == "variables" {
                        if let Expression::Object(o) = &a.value {
                            self.env_object(o, text, edits, why, loc, fname);
                            continue;
                        }
                    }
                    // Interpolation-only values are unwrapped, as `terraform fmt` does.
                    if let Expression::StringTemplate(t) = &a.value {
                        let els: Vec<&Element> = t.iter().collect();
                        if let [Element::Interpolation(i)] = els.as_slice() {
                            let inner_span = i.expr.span().unwrap();
                            let mut inner: Edits = Vec::new();
                            self.expr_edits(&i.expr, text, &mut inner, why, loc);
                            let new = splice(&text[inner_span.clone()], inner_span.start, inner);
                            edits.push((a.value.span().unwrap(), new));
                            why.push("0.11 interpolation-only expression unwrapped".into());
                            continue;
                        }
                    }
                    self.expr_edits(&a.value, text, edits, why, loc);
                }
                Structure::Block(b) => {
                    self.body_edits(&b.body, text, edits, why, loc, lambda, fname)
                }
            }
        }
    }

    /// A Lambda function's environment variables: values naming Cognito are replaced by module
    /// outputs and their names renamed to the authorizer's or the web app's.
    fn env_object(
        &mut self,
        o: &hcl_edit::expr::Object,
        text: &str,
        edits: &mut Edits,
        why: &mut Vec<String>,
        loc: &str,
        fname: &str,
    ) {
        let authorizer = self.authorizer_functions.contains(fname);
        let mut taken: BTreeSet<String> = o
            .iter()
            .filter_map(|(k, _)| match k {
                ObjectKey::Ident(i) => Some(i.as_str().to_string()),
                ObjectKey::Expression(e) => super::scan::literal_str(e),
            })
            .collect();
        for (k, v) in o.iter() {
            let vsrc = src(v.expr(), text);
            let mut vedits: Edits = Vec::new();
            let vspan = v.expr().span().unwrap();
            // Unwrap "${…}" values too.
            let target: &Expression = match v.expr() {
                Expression::StringTemplate(t) => {
                    let els: Vec<&Element> = t.iter().collect();
                    match els.as_slice() {
                        [Element::Interpolation(i)] => &i.expr,
                        _ => v.expr(),
                    }
                }
                e => e,
            };
            let tspan = target.span().unwrap();
            self.expr_edits(target, text, &mut vedits, why, loc);
            if vedits.is_empty() {
                let name = match k {
                    ObjectKey::Ident(i) => i.as_str().to_string(),
                    ObjectKey::Expression(e) => super::scan::literal_str(e).unwrap_or_default(),
                };
                if name.to_ascii_uppercase().contains("COGNITO") {
                    self.note(loc.to_string(), &format!("environment {name}"), Outcome::Flagged, format!("`{vsrc}` names no Cognito resource, so it is kept; it is probably obsolete once the function reads the {} variables", if authorizer { "AUTHORIZER_*" } else { "VAULT_OIDC_*" }));
                }
                continue;
            }
            let new_value = splice(&text[tspan.clone()], tspan.start, vedits);
            edits.push((vspan, new_value.clone()));
            let old = match k {
                ObjectKey::Ident(i) => i.as_str().to_string(),
                ObjectKey::Expression(e) => super::scan::literal_str(e).unwrap_or_default(),
            };
            let what = if new_value.contains(".jwks_urls") {
                "jwks"
            } else if new_value.contains(".discovery_urls") {
                "discovery"
            } else if new_value.contains(".issuers") || new_value.contains("identity_token_issuers")
            {
                "issuer"
            } else if new_value.contains(".client_secrets") {
                "secret"
            } else if new_value.contains(".client_ids") || new_value.contains(".role_client_ids") {
                "client"
            } else {
                ""
            };
            let new_name = match (authorizer, what) {
                (true, "issuer") => Some("AUTHORIZER_ISSUERS"),
                (true, "client") => Some("AUTHORIZER_AUDIENCES"),
                (false, "issuer") => Some("VAULT_OIDC_ISSUER"),
                (false, "client") => Some("VAULT_OIDC_CLIENT_ID"),
                (false, "secret") => Some("VAULT_OIDC_CLIENT_SECRET"),
                (false, "jwks") => Some("VAULT_OIDC_JWKS_URL"),
                (false, "discovery") => Some("VAULT_OIDC_DISCOVERY_URL"),
                _ => None,
            };
            match new_name {
                Some(n) if n != old && !taken.contains(n) => {
                    taken.insert(n.to_string());
                    let kspan = match k {
                        ObjectKey::Ident(i) => i.span().unwrap(),
                        ObjectKey::Expression(e) => e.span().unwrap(),
                    };
                    edits.push((kspan, n.to_string()));
                    why.push(format!("environment {old} → {n}"));
                    self.out.renames.push(EnvRename {
                        function: format!("aws_lambda_function.{fname}"),
                        old,
                        new: n.to_string(),
                        value: format!("{vsrc} → {new_value}"),
                    });
                }
                Some(n) if n == old => {}
                _ => {
                    self.note(loc.to_string(), &format!("environment {old}"), Outcome::Flagged, format!("value `{vsrc}` replaced by `{new_value}` but the name kept ({}): the function's code must read the new meaning", if authorizer { "the agent-authorizer reads no such variable" } else { "no VAULT_OIDC_* name fits, or it is already used" }));
                    self.out.renames.push(EnvRename {
                        function: format!("aws_lambda_function.{fname}"),
                        old: old.clone(),
                        new: old,
                        value: format!("{vsrc} → {new_value}"),
                    });
                }
            }
        }
        if authorizer {
            self.note(loc.to_string(), "Lambda authorizer", Outcome::Flagged, format!("aws_lambda_function.{fname} authorizes API calls: deploy the agent-authorizer build (crates/agent-authorizer) as its code, or make its code read the AUTHORIZER_* variables; during the dual-issuer window add AUTHORIZER_COGNITO_ISSUERS, AUTHORIZER_COGNITO_CLIENT_IDS and AUTHORIZER_COGNITO_UNTIL"));
        }
    }

    /// Edits replacing Cognito references inside an expression (maximal sub-expressions).
    fn expr_edits(
        &mut self,
        e: &Expression,
        text: &str,
        edits: &mut Edits,
        why: &mut Vec<String>,
        loc: &str,
    ) {
        if let Some(r) = self.replace(e, text, loc) {
            why.push(format!("`{}` → `{r}`", src(e, text)));
            edits.push((e.span().unwrap(), r));
            return;
        }
        match e {
            Expression::Array(a) => a
                .iter()
                .for_each(|x| self.expr_edits(x, text, edits, why, loc)),
            Expression::Object(o) => {
                for (k, v) in o.iter() {
                    if let ObjectKey::Expression(ke) = k {
                        self.expr_edits(ke, text, edits, why, loc);
                    }
                    self.expr_edits(v.expr(), text, edits, why, loc);
                }
            }
            Expression::StringTemplate(t) => {
                for el in t.iter() {
                    if let Element::Interpolation(i) = el {
                        self.expr_edits(&i.expr, text, edits, why, loc);
                    }
                }
            }
            Expression::HeredocTemplate(h) => {
                for el in h.template.iter() {
                    if let Element::Interpolation(i) = el {
                        self.expr_edits(&i.expr, text, edits, why, loc);
                    }
                }
            }
            Expression::Parenthesis(p) => self.expr_edits(p.inner(), text, edits, why, loc),
            Expression::Conditional(c) => {
                self.expr_edits(&c.cond_expr, text, edits, why, loc);
                self.expr_edits(&c.true_expr, text, edits, why, loc);
                self.expr_edits(&c.false_expr, text, edits, why, loc);
            }
            Expression::FuncCall(f) => f
                .args
                .iter()
                .for_each(|x| self.expr_edits(x, text, edits, why, loc)),
            Expression::Traversal(t) => {
                self.expr_edits(&t.expr, text, edits, why, loc);
                for op in &t.operators {
                    if let TraversalOperator::Index(ix) = op.value() {
                        self.expr_edits(ix, text, edits, why, loc);
                    }
                }
            }
            Expression::UnaryOp(u) => self.expr_edits(&u.expr, text, edits, why, loc),
            Expression::BinaryOp(b) => {
                self.expr_edits(&b.lhs_expr, text, edits, why, loc);
                self.expr_edits(&b.rhs_expr, text, edits, why, loc);
            }
            Expression::ForExpr(f) => {
                self.expr_edits(&f.intro.collection_expr, text, edits, why, loc);
                if let Some(k) = &f.key_expr {
                    self.expr_edits(k, text, edits, why, loc);
                }
                self.expr_edits(&f.value_expr, text, edits, why, loc);
                if let Some(c) = &f.cond {
                    self.expr_edits(&c.expr, text, edits, why, loc);
                }
            }
            _ => {}
        }
    }

    /// The pool a traversal names (resource or registry module) and the attribute read.
    fn pool_ref(&self, e: &Expression) -> Option<(usize, String)> {
        let (root, _, ops) = variable_traversal(e)?;
        let pools = match root {
            "aws_cognito_user_pool" => &self.pool_names,
            "module" => &self.cognito_modules,
            _ => return None,
        };
        Some((*pools.get(&attr_at(&ops, 0)?)?, attr_at(&ops, 1)?))
    }

    /// A replacement for a whole expression, if it names something removed.
    fn replace(&mut self, e: &Expression, text: &str, loc: &str) -> Option<String> {
        let pools = &self.mig.pools;
        // Issuer / JWKS / discovery URL templates built from a pool.
        if let Expression::StringTemplate(t) = e {
            let s = src(e, text);
            let mut pool = None;
            for el in t.iter() {
                if let Element::Interpolation(i) = el {
                    if let Some((p, attr)) = self.pool_ref(&i.expr) {
                        if matches!(attr.as_str(), "id" | "endpoint") {
                            pool = Some(p);
                        }
                    }
                }
            }
            if let Some(p) = pool {
                let name = &pools[p].name;
                if s.contains("cognito-idp") || s.contains(".endpoint") {
                    let out = if s.contains("jwks.json") {
                        "jwks_urls"
                    } else if s.contains("openid-configuration") {
                        "discovery_urls"
                    } else {
                        "issuers"
                    };
                    return Some(format!("module.vault_oidc.{out}{}", idx(name)));
                }
            }
        }
        if let Expression::ForExpr(fe) = e {
            return self.for_over_clients(fe, text);
        }
        let (root, t, ops) = variable_traversal(e)?;
        let get = |i: usize| attr_at(&ops, i);
        let rest_src = |from: usize| -> String {
            t.operators[from..]
                .iter()
                .map(|o| match o.value() {
                    TraversalOperator::GetAttr(a) => format!(".{}", a.as_str()),
                    TraversalOperator::Index(ix) => format!("[{}]", src(ix, text)),
                    TraversalOperator::LegacyIndex(n) => format!("[{}]", n.value()),
                    TraversalOperator::AttrSplat(_) => ".*".into(),
                    TraversalOperator::FullSplat(_) => "[*]".into(),
                })
                .collect()
        };
        let s = src(e, text);
        match root {
            "aws_cognito_user_pool_client" => {
                let name = get(0)?;
                let Some((_, keys)) = self
                    .mig
                    .client_resources
                    .get(&format!("aws_cognito_user_pool_client.{name}"))
                else {
                    self.note(loc.to_string(), "reference", Outcome::Flagged, format!("`{s}` names a client that was not migrated; left as is — edit it before applying"));
                    return None;
                };
                let machine = |c: &str| {
                    self.mig
                        .pools
                        .iter()
                        .flat_map(|p| &p.clients)
                        .any(|i| i.name == c && !i.has_client)
                };
                // Instance: `.x.id` or `.x["k"].id` / `.x[each.key].id`.
                let (key_expr, attr_i) = match ops.get(1) {
                    Some(TraversalOperator::Index(ix)) => (Some(ix), 2),
                    _ => (None, 1),
                };
                let Some(attr) = get(attr_i) else {
                    self.note(loc.to_string(), "reference", Outcome::Flagged, format!("`{s}`: the whole Cognito client resource is referenced; left as is — use module.vault_oidc.client_ids / role_client_ids / client_secrets"));
                    return None;
                };
                let tail = rest_src(attr_i + 1);
                let (index, mixed, is_machine) = match key_expr {
                    None => {
                        let c = keys.get("")?;
                        (idx(c), false, machine(c))
                    }
                    Some(ix) => match super::scan::literal_str(ix) {
                        Some(k) => {
                            let c = keys.get(&k)?;
                            (idx(c), false, machine(c))
                        }
                        None => {
                            if keys.iter().any(|(k, c)| k != c) {
                                self.note(loc.to_string(), "client reference", Outcome::Flagged, format!("`{s}`: client names were sanitized from the for_each keys, so the index may not match"));
                            }
                            let n_machine = keys.values().filter(|c| machine(c)).count();
                            (
                                format!("[{}]", src(ix, text)),
                                n_machine > 0 && n_machine < keys.len(),
                                n_machine == keys.len(),
                            )
                        }
                    },
                };
                let out = match attr.as_str() {
                    "id" if mixed => format!("merge(module.vault_oidc.client_ids, module.vault_oidc.role_client_ids){index}"),
                    "id" if is_machine => format!("module.vault_oidc.role_client_ids{index}"),
                    "id" => format!("module.vault_oidc.client_ids{index}"),
                    "client_secret" if mixed => {
                        self.note(loc.to_string(), "reference", Outcome::Flagged, format!("`{s}`: machine clients have no secret in Vault (they authenticate to Vault with AppRole, AWS IAM…), so their value is empty"));
                        format!("lookup(module.vault_oidc.client_secrets, {}, \"\")", &index[1..index.len() - 1])
                    }
                    "client_secret" if !is_machine => format!("module.vault_oidc.client_secrets{index}"),
                    _ => {
                        self.note(loc.to_string(), "reference", Outcome::Flagged, format!("`{s}`: Vault has no equivalent of the client's `{attr}`; left as is — edit it before applying"));
                        return None;
                    }
                };
                Some(format!("{out}{tail}"))
            }
            "aws_cognito_user_pool" => {
                let (p, attr) = self.pool_ref(e)?;
                let name = &pools[p].name;
                match attr.as_str() {
                    "id" | "endpoint" => {
                        if attr == "id" {
                            self.note(loc.to_string(), "reference", Outcome::Flagged, format!("`{s}` (a pool id) replaced by the provider's issuer URL: check the consumer expects an issuer"));
                        }
                        Some(format!("module.vault_oidc.issuers{}", idx(name)))
                    }
                    _ => {
                        self.note(loc.to_string(), "reference", Outcome::Flagged, format!("`{s}`: Vault has no equivalent of the pool's `{attr}`; left as is — edit it before applying"));
                        None
                    }
                }
            }
            "aws_cognito_user_pool_domain"
            | "aws_cognito_resource_server"
            | "aws_cognito_user_group"
            | "aws_cognito_user"
            | "aws_cognito_identity_provider" => {
                self.note(loc.to_string(), "reference", Outcome::Flagged, format!("`{s}` names a removed Cognito resource with no Vault equivalent; left as is — edit it before applying"));
                None
            }
            "module" => {
                let (p, attr) = self.pool_ref(e)?;
                let name = &pools[p].name;
                let tail = rest_src(2);
                match attr.as_str() {
                    "id" | "endpoint" => Some(format!("module.vault_oidc.issuers{}", idx(name))),
                    "client_ids_map" => Some(format!("module.vault_oidc.client_ids{tail}")),
                    "client_secrets_map" => Some(format!("module.vault_oidc.client_secrets{tail}")),
                    "client_ids" => Some(format!("values(module.vault_oidc.client_ids){tail}")),
                    "client_secrets" => {
                        Some(format!("values(module.vault_oidc.client_secrets){tail}"))
                    }
                    _ => {
                        self.note(loc.to_string(), "reference", Outcome::Flagged, format!("`{s}`: the Cognito module's output `{attr}` has no Vault equivalent; left as is — edit it before applying"));
                        None
                    }
                }
            }
            "aws_api_gateway_authorizer" => {
                let n = get(0)?;
                if !self.rest_authorizers.contains(&n) {
                    return None;
                }
                if get(1).as_deref() == Some("id") {
                    Some(format!(
                        "module.{}.authorizer_id",
                        authorizer_module_name(&n)
                    ))
                } else {
                    self.note(loc.to_string(), "reference", Outcome::Flagged, format!("`{s}`: the replaced authorizer's module exposes only authorizer_id and function_arn; left as is — edit it before applying"));
                    None
                }
            }
            _ => None,
        }
    }

    /// `{ for k, c in aws_cognito_user_pool_client.apps : k => c.id }` (or `.client_secret`):
    /// the same map from the module's outputs, limited to that resource's clients.
    fn for_over_clients(&mut self, fe: &hcl_edit::expr::ForExpr, text: &str) -> Option<String> {
        let coll = src(&fe.intro.collection_expr, text);
        let name = coll.trim().strip_prefix("aws_cognito_user_pool_client.")?;
        let (_, keys) = self
            .mig
            .client_resources
            .get(&format!("aws_cognito_user_pool_client.{name}"))?;
        let kv = fe.intro.key_var.as_ref()?.as_str().to_string();
        let vv = fe.intro.value_var.as_str().to_string();
        if fe.cond.is_some() || src(fe.key_expr.as_ref()?, text).trim() != kv {
            return None;
        }
        let val = src(&fe.value_expr, text);
        let out = match val.trim().strip_prefix(&format!("{vv}."))? {
            "id" => "merge(module.vault_oidc.client_ids, module.vault_oidc.role_client_ids)",
            "client_secret" => "module.vault_oidc.client_secrets",
            _ => return None,
        };
        let names: Vec<String> = keys.values().map(|c| quote(c)).collect();
        Some(format!(
            "{{ for {kv}, {vv} in {out} : {kv} => {vv} if contains([{}], {kv}) }}",
            names.join(", ")
        ))
    }

    /// A COGNITO_USER_POOLS REST authorizer becomes an agent-authorizer module call.
    fn rest_authorizer(&mut self, f: &Found, text: &str) -> String {
        let b = &f.block;
        let arns = super::scan::attr_src(b, "provider_arns", text).unwrap_or_default();
        let pool = self
            .mig
            .pools
            .iter()
            .position(|p| arns.contains(&format!("{}.", p.address)))
            .or_else(|| (self.mig.pools.len() == 1).then_some(0));
        let loc = self.scan.where_(f);
        let mut env = Vec::new();
        match pool {
            Some(p) => {
                let pi = &self.mig.pools[p];
                let issuers = if pi.clients.iter().any(|c| c.role.is_some()) {
                    format!("join(\",\", concat([module.vault_oidc.issuers{}], module.vault_oidc.identity_token_issuers))", idx(&pi.name))
                } else {
                    format!("module.vault_oidc.issuers{}", idx(&pi.name))
                };
                let mut auds: Vec<String> = Vec::new();
                for c in &pi.clients {
                    if c.has_client {
                        auds.push(format!("module.vault_oidc.client_ids{}", idx(&c.name)));
                    }
                    if let Some(r) = &c.role {
                        auds.push(format!("module.vault_oidc.role_client_ids{}", idx(r)));
                    }
                }
                env.push(("AUTHORIZER_ISSUERS", issuers));
                env.push((
                    "AUTHORIZER_AUDIENCES",
                    format!("join(\",\", [{}])", auds.join(", ")),
                ));
                env.push(("AUTHORIZER_GROUPS_CLAIM", quote("groups")));
                env.push(("AUTHORIZER_USERNAME_CLAIM", quote("username")));
            }
            None => {
                self.note(loc.clone(), "provider_arns", Outcome::Flagged, format!("`{arns}` names no migrated pool: set AUTHORIZER_ISSUERS and AUTHORIZER_AUDIENCES by hand"));
            }
        }
        let attrs: Vec<(String, String)> =
            vec![("source".into(), quote(&self.sources.agent_authorizer))];
        let module_name = authorizer_module_name(&f.name);
        let mut main: Vec<(String, String)> = vec![
            (
                "name".into(),
                super::scan::attr_src(b, "name", text).unwrap_or_else(|| quote(&f.name)),
            ),
            ("authorizer_type".into(), quote("TOKEN")),
            (
                "rest_api_id".into(),
                super::scan::attr_src(b, "rest_api_id", text).unwrap_or_else(|| "null".into()),
            ),
            (
                "lambda_zip_path".into(),
                "var.agent_authorizer_zip_path".into(),
            ),
        ];
        if let Some(s) = super::scan::attr_src(b, "identity_source", text) {
            main.push(("identity_source".into(), s));
        }
        if let Some(s) = super::scan::attr_src(b, "authorizer_result_ttl_in_seconds", text) {
            main.push(("result_ttl_in_seconds".into(), s));
        }
        let mut out = String::new();
        let _ = writeln!(out, "module \"{module_name}\" {{");
        write_attrs(&mut out, "  ", &attrs);
        out.push('\n');
        write_attrs(&mut out, "  ", &main);
        out.push('\n');
        out.push_str("  environment = {\n");
        let envs: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        write_attrs(&mut out, "    ", &envs);
        out.push_str("  }\n}");
        self.note(loc, "authorizer", Outcome::Mapped, format!("COGNITO_USER_POOLS authorizer `{}` → module \"{module_name}\" (agent-authorizer, TOKEN) checking Vault's tokens; methods switch to authorization = \"CUSTOM\"", f.address()));
        out
    }

    /// `module "vault_oidc"` (and the variables it needs) from the config.
    fn module_file(&mut self, m: &super::scan::Module, sources: &Sources) -> String {
        let c = &self.mig.config;
        let mut out = String::new();
        out.push_str("# Written by `vault-oidc migrate cognito`: Vault's OIDC provider replacing the Cognito user pool(s).\n");
        out.push_str("# The same objects are in oidc.hcl: manage them with either Terraform or `vault-oidc apply`, not both.\n\n");
        let _ = writeln!(out, "module \"vault_oidc\" {{");
        write_attrs(
            &mut out,
            "  ",
            &[("source".into(), quote(&sources.vault_oidc))],
        );
        out.push('\n');
        write_attrs(
            &mut out,
            "  ",
            &[("vault_address".into(), "var.vault_address".into())],
        );
        let map = |out: &mut String, name: &str, rows: Vec<(String, Vec<(String, String)>)>| {
            out.push('\n');
            if rows.is_empty() {
                let _ = writeln!(out, "  {name} = {{}}");
                return;
            }
            let _ = writeln!(out, "  {name} = {{");
            for (k, fields) in rows {
                if fields.is_empty() {
                    let _ = writeln!(out, "    {} = {{}}", key(&k));
                    continue;
                }
                let _ = writeln!(out, "    {} = {{", key(&k));
                write_attrs(out, "      ", &fields);
                out.push_str("    }\n");
            }
            out.push_str("  }\n");
        };
        // Redirect URIs are carried over as the Terraform expressions they were (they may not be
        // evaluable here); everything else is the module input `generate terraform` writes.
        let tf_redirects: BTreeMap<String, String> = self
            .mig
            .pools
            .iter()
            .flat_map(|p| &p.clients)
            .map(|c| (c.name.clone(), c.tf_redirects.clone()))
            .collect();
        for (var, objects) in crate::generate::terraform::module_inputs(c, 6) {
            let rows = objects
                .into_iter()
                .map(|(name, attrs)| {
                    let mut fields: Vec<(String, String)> = attrs
                        .into_iter()
                        .filter(|(k, _)| !(var == "clients" && *k == "redirect_uris"))
                        .map(|(k, v)| (k.to_string(), v))
                        .collect();
                    if var == "clients" {
                        let uris = tf_redirects
                            .get(&name)
                            .cloned()
                            .unwrap_or_else(|| "[]".into());
                        let at = fields
                            .iter()
                            .position(|(k, _)| k != "key" && k != "client_type")
                            .unwrap_or(fields.len());
                        fields.insert(at, ("redirect_uris".into(), uris));
                    }
                    (name, fields)
                })
                .collect();
            map(&mut out, var, rows);
        }
        out.push_str("}\n");
        if !m.vars.contains_key("vault_address") {
            out.push_str(VAULT_ADDRESS_VAR);
        }
        if !self.rest_authorizers.is_empty() && !m.vars.contains_key("agent_authorizer_zip_path") {
            out.push_str("\nvariable \"agent_authorizer_zip_path\" {\n  description = \"Zip of the agent-authorizer `bootstrap` (cargo lambda build --release --output-format zip).\"\n  type        = string\n}\n");
        }
        self.out.added.push(Changed {
            source: String::new(),
            address: "module.vault_oidc".into(),
            what: format!("source {}", sources.vault_oidc),
        });
        for (pattern, tf) in &self.mig.tf_sentinels {
            out = out.replace(pattern, tf);
        }
        out
    }
}

/// Writes `key = value` lines aligned as `terraform fmt` does.
fn write_attrs(out: &mut String, indent: &str, attrs: &[(String, String)]) {
    let w = attrs.iter().map(|(k, _)| key(k).len()).max().unwrap_or(0);
    for (k, v) in attrs {
        let _ = writeln!(out, "{indent}{:<w$} = {v}", key(k));
    }
}

/// Applies edits (absolute ranges) to a piece of text starting at `base`. Overlapping edits:
/// the first (outermost) wins.
pub fn splice(piece: &str, base: usize, mut edits: Edits) -> String {
    edits.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut out = String::new();
    let mut pos = base;
    for (r, new) in edits {
        if r.start < pos {
            continue;
        }
        out.push_str(&piece[pos - base..r.start - base]);
        out.push_str(&new);
        pos = r.end;
    }
    out.push_str(&piece[pos - base..]);
    out
}

/// The whole line(s) of a span, with the newline, for deleting an attribute.
fn line_range(text: &str, r: Range<usize>) -> Range<usize> {
    let start = text[..r.start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let end = text[r.end..]
        .find('\n')
        .map(|i| r.end + i + 1)
        .unwrap_or(text.len());
    start..end
}

/// A gap before a removed block, without the comment lines attached to it.
fn strip_attached_comments(gap: &str) -> String {
    let mut lines: Vec<&str> = gap.split('\n').collect();
    // The last element is the indentation before the block on its line.
    let last = lines.pop().unwrap_or("");
    while let Some(l) = lines.last() {
        let t = l.trim_start();
        if t.starts_with('#') || t.starts_with("//") || (t.starts_with("/*") && t.ends_with("*/")) {
            lines.pop();
        } else {
            break;
        }
    }
    let mut s = lines.join("\n");
    if !lines.is_empty() {
        s.push('\n');
    }
    let _ = last;
    s
}

/// A gap that was joined around removed blocks: at most one blank line.
fn join_gap(gap: &str, at_start: bool) -> String {
    if gap.trim().is_empty() {
        return if at_start {
            String::new()
        } else {
            "\n\n".into()
        };
    }
    let mut s = gap.to_string();
    while s.contains("\n\n\n") {
        s = s.replace("\n\n\n", "\n\n");
    }
    if at_start {
        s = s.trim_start_matches('\n').to_string();
    }
    s
}

/// A traversal from a variable (`aws_x.name.attr[...]`, `module.m.out`): the variable's name,
/// the traversal and its operators.
fn variable_traversal(e: &Expression) -> Option<(&str, &Traversal, Vec<&TraversalOperator>)> {
    let Expression::Traversal(t) = e else {
        return None;
    };
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    let ops = t.operators.iter().map(|o| o.value()).collect();
    Some((root.as_str(), t, ops))
}

/// The name of the attribute that operator `i` reads (`.name`), if it reads one.
fn attr_at(ops: &[&TraversalOperator], i: usize) -> Option<String> {
    match ops.get(i) {
        Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_block_takes_its_comments() {
        assert_eq!(strip_attached_comments("\n\n# pool\n# more\n"), "\n\n");
        assert_eq!(join_gap("\n\n\n\n", false), "\n\n");
    }
}
