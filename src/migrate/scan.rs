//! Reading a Terraform directory (and the local modules it calls) format-preserving with
//! `hcl-edit`, finding every Cognito-related block, and a small evaluator that turns literal
//! expressions into values while carrying anything it cannot evaluate as source text.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::Element;
use hcl_edit::Span;

use super::MigrateError;

/// One `.tf` file: its text, relative path and parsed body.
pub struct TfFile {
    /// Path relative to the scanned root directory.
    pub rel: PathBuf,
    pub text: String,
    pub body: Body,
}

impl TfFile {
    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }
}

/// A Terraform module directory: the root, or a local module it calls.
pub struct Module {
    /// Directory relative to the scanned root (`""` for the root).
    pub rel: PathBuf,
    /// Whether the directory lies inside the root (and so is rewritten into `--out`).
    pub inside: bool,
    pub files: Vec<TfFile>,
    pub vars: BTreeMap<String, Option<Val>>,
    pub locals: BTreeMap<String, Expression>,
    /// `.tf.json` files: copied as they are, not scanned.
    pub json_files: Vec<PathBuf>,
}

/// What a Cognito-related block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Pool,
    Client,
    Domain,
    ResourceServer,
    Group,
    IdentityProvider,
    User,
    /// Any other `aws_cognito_*` resource or data source (UI customization, risk configuration…).
    OtherCognito,
    /// A call to a Cognito registry module.
    RegistryModule,
    /// `aws_api_gateway_authorizer` of type COGNITO_USER_POOLS.
    RestAuthorizer,
    /// `aws_apigatewayv2_authorizer` JWT authorizer with a Cognito issuer.
    HttpJwtAuthorizer,
    /// `aws_lambda_function` whose environment names a pool or client.
    LambdaEnv,
    /// `aws_api_gateway_method` with `authorization = "COGNITO_USER_POOLS"`.
    RestMethod,
}

/// A block of interest.
pub struct Found {
    pub kind: Kind,
    /// `resource`, `data` or `module`.
    pub block_kind: String,
    /// Resource type (`aws_cognito_user_pool`) or module source.
    pub rtype: String,
    pub name: String,
    pub module: usize,
    pub file: usize,
    pub line: usize,
    pub block: Block,
    pub span: Range<usize>,
}

impl Found {
    /// `aws_cognito_user_pool.main` / `module.cognito`.
    pub fn address(&self) -> String {
        match self.block_kind.as_str() {
            "module" => format!("module.{}", self.name),
            "data" => format!("data.{}.{}", self.rtype, self.name),
            _ => format!("{}.{}", self.rtype, self.name),
        }
    }
}

/// The whole scan.
pub struct Scan {
    pub root: PathBuf,
    pub modules: Vec<Module>,
    pub found: Vec<Found>,
}

impl Scan {
    pub fn file(&self, module: usize, file: usize) -> &TfFile {
        &self.modules[module].files[file]
    }

    /// `path:line` of a found block, relative to the root.
    pub fn where_(&self, f: &Found) -> String {
        let file = self.file(f.module, f.file);
        format!(
            "{}:{}",
            self.modules[f.module].rel.join(&file.rel).display(),
            f.line
        )
    }

    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Found> {
        self.found.iter().filter(move |f| f.kind == kind)
    }
}

/// Well-known Cognito registry modules (source prefixes, lower case).
pub const COGNITO_MODULES: [&str; 3] = [
    "lgallard/cognito-user-pool/aws",
    "mineiros-io/cognito-user-pool/aws",
    "cloudposse/cognito/aws",
];

pub fn is_cognito_module_source(source: &str) -> bool {
    let s = source.to_ascii_lowercase();
    COGNITO_MODULES.iter().any(|m| s.contains(m)) || s.contains("cognito-user-pool")
}

/// Reads DIR and every local module it calls (transitively).
pub fn scan(root: &Path) -> Result<Scan, MigrateError> {
    let mut modules = Vec::new();
    let mut queue: Vec<(PathBuf, bool)> = vec![(PathBuf::new(), true)];
    let mut seen = std::collections::BTreeSet::new();
    while let Some((rel, inside)) = queue.pop() {
        let dir = normalize(&root.join(&rel));
        if !seen.insert(dir.clone()) {
            continue;
        }
        let module = read_module(root, &rel, inside)?;
        for f in &module.files {
            for b in f.body.blocks().filter(|b| b.ident.as_str() == "module") {
                if let Some(src) = b
                    .body
                    .get_attribute("source")
                    .and_then(|a| literal_str(&a.value))
                {
                    if src.starts_with("./") || src.starts_with("../") {
                        let child = normalize(&rel.join(&src));
                        let inside_child = inside && !child.starts_with("..");
                        if root.join(&child).is_dir() {
                            queue.push((child, inside_child));
                        }
                    }
                }
            }
        }
        modules.push(module);
    }
    modules.sort_by(|a, b| a.rel.cmp(&b.rel));
    let mut scan = Scan {
        root: root.to_path_buf(),
        modules,
        found: Vec::new(),
    };
    find(&mut scan);
    Ok(scan)
}

/// Lexically normalizes `a/./b/../c` → `a/c` (keeping leading `..`).
pub fn normalize(p: &Path) -> PathBuf {
    let mut out: Vec<std::path::Component> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if matches!(out.last(), Some(std::path::Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push(c);
                }
            }
            c => out.push(c),
        }
    }
    out.iter().collect()
}

fn read_module(root: &Path, rel: &Path, inside: bool) -> Result<Module, MigrateError> {
    let dir = root.join(rel);
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|source| MigrateError::ReadDir {
            path: dir.clone(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tf") && p.is_file())
        .collect();
    names.sort();
    let mut json_files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|source| MigrateError::ReadDir {
            path: dir.clone(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".tf.json"))
        .map(|p| rel.join(p.file_name().unwrap()))
        .collect();
    json_files.sort();
    let mut files = Vec::new();
    for path in names {
        let text = std::fs::read_to_string(&path).map_err(|source| MigrateError::Read {
            path: path.clone(),
            source,
        })?;
        let body = hcl_edit::parser::parse_body(&text).map_err(|e| {
            let loc = e.location();
            MigrateError::Hcl {
                file: rel.join(path.file_name().unwrap()),
                line: loc.line(),
                column: loc.column(),
                message: e.message().to_string(),
                text: e.line().trim().to_string(),
            }
        })?;
        files.push(TfFile {
            rel: PathBuf::from(path.file_name().unwrap()),
            text,
            body,
        });
    }
    let mut vars = BTreeMap::new();
    let mut locals = BTreeMap::new();
    for f in &files {
        for b in f.body.blocks() {
            match b.ident.as_str() {
                "variable" => {
                    if let Some(name) = b.labels.first() {
                        let default = b
                            .body
                            .get_attribute("default")
                            .map(|a| eval(&a.value, &f.text, &Ctx::default()));
                        vars.insert(name.as_str().to_string(), default);
                    }
                }
                "locals" => {
                    for a in b.body.attributes() {
                        locals.insert(a.key.as_str().to_string(), a.value.clone());
                    }
                }
                _ => {}
            }
        }
    }
    Ok(Module {
        rel: rel.to_path_buf(),
        inside,
        files,
        vars,
        locals,
        json_files,
    })
}

fn find(scan: &mut Scan) {
    let mut found = Vec::new();
    for (mi, m) in scan.modules.iter().enumerate() {
        for (fi, f) in m.files.iter().enumerate() {
            for s in f.body.iter() {
                let Structure::Block(b) = s else { continue };
                let kind_s = b.ident.as_str();
                let labels: Vec<&str> = b.labels.iter().map(|l| l.as_str()).collect();
                let span = b.span().unwrap_or(0..0);
                let mk = |kind: Kind, rtype: &str, name: &str| Found {
                    kind,
                    block_kind: kind_s.to_string(),
                    rtype: rtype.to_string(),
                    name: name.to_string(),
                    module: mi,
                    file: fi,
                    line: f.line_of(span.start),
                    block: b.clone(),
                    span: span.clone(),
                };
                match (kind_s, labels.as_slice()) {
                    ("resource", [t, n]) | ("data", [t, n]) => {
                        let kind = match *t {
                            "aws_cognito_user_pool" => Some(Kind::Pool),
                            "aws_cognito_user_pool_client" => Some(Kind::Client),
                            "aws_cognito_user_pool_domain" => Some(Kind::Domain),
                            "aws_cognito_resource_server" => Some(Kind::ResourceServer),
                            "aws_cognito_user_group" => Some(Kind::Group),
                            "aws_cognito_identity_provider" => Some(Kind::IdentityProvider),
                            "aws_cognito_user" => Some(Kind::User),
                            t if t.starts_with("aws_cognito_") => Some(Kind::OtherCognito),
                            "aws_api_gateway_authorizer" => {
                                let ty = attr_lit(b, "type", &f.text);
                                (ty.as_deref() == Some("COGNITO_USER_POOLS"))
                                    .then_some(Kind::RestAuthorizer)
                            }
                            "aws_apigatewayv2_authorizer" => {
                                let ty = attr_lit(b, "authorizer_type", &f.text);
                                let jwt_issuer = b
                                    .body
                                    .get_blocks("jwt_configuration")
                                    .next()
                                    .and_then(|j| j.body.get_attribute("issuer"))
                                    .map(|a| src(&a.value, &f.text))
                                    .unwrap_or_default();
                                (ty.as_deref() == Some("JWT") && mentions_cognito(&jwt_issuer))
                                    .then_some(Kind::HttpJwtAuthorizer)
                            }
                            "aws_lambda_function" => {
                                let env = b
                                    .body
                                    .get_blocks("environment")
                                    .next()
                                    .and_then(|e| e.body.get_attribute("variables"))
                                    .map(|a| src(&a.value, &f.text))
                                    .unwrap_or_default();
                                mentions_cognito(&env).then_some(Kind::LambdaEnv)
                            }
                            "aws_api_gateway_method" => {
                                let a = attr_lit(b, "authorization", &f.text);
                                (a.as_deref() == Some("COGNITO_USER_POOLS"))
                                    .then_some(Kind::RestMethod)
                            }
                            _ => None,
                        };
                        if let Some(k) = kind {
                            found.push(mk(k, t, n));
                        }
                    }
                    ("module", [n]) => {
                        if let Some(source) = attr_lit(b, "source", &f.text) {
                            if is_cognito_module_source(&source) {
                                found.push(mk(Kind::RegistryModule, &source, n));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    scan.found = found;
}

/// Whether expression source text refers to Cognito (a resource, a registry module output, or
/// an issuer URL).
pub fn mentions_cognito(text: &str) -> bool {
    text.contains("aws_cognito_") || text.contains("cognito-idp") || text.contains("module.cognito")
}

fn attr_lit(b: &Block, name: &str, text: &str) -> Option<String> {
    b.body
        .get_attribute(name)
        .and_then(|a| match eval(&a.value, text, &Ctx::default()) {
            Val::Str(s) => Some(s),
            _ => None,
        })
}

/// The source text of an expression.
pub fn src(e: &Expression, text: &str) -> String {
    e.span()
        .and_then(|r| text.get(r))
        .map(str::to_string)
        .unwrap_or_else(|| e.to_string().trim().to_string())
}

/// A plain string literal (no interpolation), or a `"${"…"}"`-free template of literals.
pub fn literal_str(e: &Expression) -> Option<String> {
    match e {
        Expression::String(s) => Some(s.value().to_string()),
        _ => None,
    }
}

/// An evaluated value. `Unknown` keeps the source text; `hcl` is its equivalent string
/// template for `oidc.hcl` when it is built only from literals and `var.NAME`.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Val>),
    Map(BTreeMap<String, Val>),
    Unknown { src: String, hcl: Option<String> },
}

impl Val {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            Val::Str(s) if s == "true" => Some(true),
            Val::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Val::Num(n) => Some(*n),
            Val::Str(s) => s.parse().ok(),
            _ => None,
        }
    }
    pub fn as_list(&self) -> Option<&[Val]> {
        match self {
            Val::List(l) => Some(l),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&BTreeMap<String, Val>> {
        match self {
            Val::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn get(&self, k: &str) -> Option<&Val> {
        self.as_map().and_then(|m| m.get(k))
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown { .. })
    }
    /// Strings of a list value (`None` when the value is not a list of strings).
    pub fn strings(&self) -> Option<Vec<String>> {
        self.as_list()?
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect()
    }
    /// Short text for the report.
    pub fn describe(&self) -> String {
        match self {
            Val::Null => "null".into(),
            Val::Bool(b) => b.to_string(),
            Val::Num(n) => format_num(*n),
            Val::Str(s) => format!("{s:?}"),
            Val::List(l) => format!(
                "[{}]",
                l.iter().map(Val::describe).collect::<Vec<_>>().join(", ")
            ),
            Val::Map(m) => format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, v)| format!("{k} = {}", v.describe()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Val::Unknown { src, .. } => format!("`{src}` (not evaluated)"),
        }
    }
}

pub fn format_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// Evaluation context: the module's variables and locals, and `each` when expanding `for_each`.
#[derive(Default, Clone)]
pub struct Ctx<'a> {
    pub vars: Option<&'a BTreeMap<String, Option<Val>>>,
    pub locals: Option<&'a BTreeMap<String, Expression>>,
    /// The text the locals' spans refer to, by local name.
    pub local_text: Option<&'a BTreeMap<String, String>>,
    pub each: Option<(String, Val)>,
    pub depth: usize,
}

fn unknown(e: &Expression, text: &str) -> Val {
    Val::Unknown {
        src: src(e, text),
        hcl: None,
    }
}

/// Evaluates literals, arrays, objects, templates of those, `local.X` (when literal),
/// `each.key`/`each.value…`, and `var.X` as an `oidc.hcl`-carriable unknown. Everything else is
/// carried as source text.
pub fn eval(e: &Expression, text: &str, ctx: &Ctx) -> Val {
    if ctx.depth > 16 {
        return unknown(e, text);
    }
    match e {
        Expression::Null(_) => Val::Null,
        Expression::Bool(b) => Val::Bool(*b.value()),
        Expression::Number(n) => Val::Num(n.value().as_f64().unwrap_or(0.0)),
        Expression::String(s) => Val::Str(s.value().to_string()),
        Expression::Array(a) => Val::List(a.iter().map(|x| eval(x, text, ctx)).collect()),
        Expression::Object(o) => {
            let mut m = BTreeMap::new();
            for (k, v) in o.iter() {
                let key = match k {
                    ObjectKey::Ident(i) => i.as_str().to_string(),
                    ObjectKey::Expression(ke) => match eval(ke, text, ctx) {
                        Val::Str(s) => s,
                        _ => return unknown(e, text),
                    },
                };
                m.insert(key, eval(v.expr(), text, ctx));
            }
            Val::Map(m)
        }
        Expression::Parenthesis(p) => eval(p.inner(), text, ctx),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            let mut hcl = String::new();
            let mut all_known = true;
            let mut carriable = true;
            for el in t.iter() {
                match el {
                    Element::Literal(l) => {
                        out.push_str(l.value());
                        hcl.push_str(&l.value().replace("${", "$${").replace("%{", "%%{"));
                    }
                    Element::Interpolation(i) => match eval(&i.expr, text, ctx) {
                        Val::Str(s) => {
                            out.push_str(&s);
                            hcl.push_str(&s.replace("${", "$${").replace("%{", "%%{"));
                        }
                        Val::Num(n) => {
                            out.push_str(&format_num(n));
                            hcl.push_str(&format_num(n));
                        }
                        Val::Unknown { hcl: Some(h), .. } => {
                            all_known = false;
                            hcl.push_str(&h);
                        }
                        _ => {
                            all_known = false;
                            carriable = false;
                        }
                    },
                    Element::Directive(_) => {
                        all_known = false;
                        carriable = false;
                    }
                }
            }
            if all_known {
                Val::Str(out)
            } else {
                Val::Unknown {
                    src: src(e, text),
                    hcl: carriable.then_some(hcl),
                }
            }
        }
        Expression::Traversal(t) => eval_traversal(e, t, text, ctx),
        Expression::FuncCall(f)
            if f.args.len() == 1
                && matches!(f.name.name.as_str(), "toset" | "tolist" | "tomap") =>
        {
            match eval(f.args.iter().next().expect("one argument"), text, ctx) {
                v @ (Val::List(_) | Val::Map(_)) => v,
                _ => unknown(e, text),
            }
        }
        _ => unknown(e, text),
    }
}

fn eval_traversal(e: &Expression, t: &hcl_edit::expr::Traversal, text: &str, ctx: &Ctx) -> Val {
    let Expression::Variable(root) = &t.expr else {
        return unknown(e, text);
    };
    let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
    let first = match ops.first() {
        Some(TraversalOperator::GetAttr(a)) => a.as_str().to_string(),
        _ => return unknown(e, text),
    };
    let (base, rest) = match root.as_str() {
        "var" => {
            if ops.len() == 1 {
                let declared = ctx.vars.is_some_and(|v| v.contains_key(&first));
                return Val::Unknown {
                    src: src(e, text),
                    hcl: declared.then(|| format!("${{var.{first}}}")),
                };
            }
            return unknown(e, text);
        }
        "local" => {
            let (Some(locals), Some(lt)) = (ctx.locals, ctx.local_text) else {
                return unknown(e, text);
            };
            let (Some(le), Some(ltext)) = (locals.get(&first), lt.get(&first)) else {
                return unknown(e, text);
            };
            let mut c2 = ctx.clone();
            c2.depth += 1;
            c2.each = None;
            let v = eval(le, ltext, &c2);
            if v.is_unknown() {
                return unknown(e, text);
            }
            (v, &ops[1..])
        }
        "each" => {
            let Some((k, v)) = &ctx.each else {
                return unknown(e, text);
            };
            match first.as_str() {
                "key" => (Val::Str(k.clone()), &ops[1..]),
                "value" => (v.clone(), &ops[1..]),
                _ => return unknown(e, text),
            }
        }
        _ => return unknown(e, text),
    };
    let mut cur = base;
    for op in rest {
        cur = match op {
            TraversalOperator::GetAttr(a) => match cur.get(a.as_str()) {
                Some(v) => v.clone(),
                None => return unknown(e, text),
            },
            TraversalOperator::Index(ix) => match (eval(ix, text, ctx), &cur) {
                (Val::Str(k), Val::Map(m)) => match m.get(&k) {
                    Some(v) => v.clone(),
                    None => return unknown(e, text),
                },
                (Val::Num(n), Val::List(l)) => match l.get(n as usize) {
                    Some(v) => v.clone(),
                    None => return unknown(e, text),
                },
                _ => return unknown(e, text),
            },
            _ => return unknown(e, text),
        };
    }
    cur
}

/// A context for a module, with `each` bound when given.
pub fn module_ctx<'a>(
    m: &'a Module,
    local_text: &'a BTreeMap<String, String>,
    each: Option<(String, Val)>,
) -> Ctx<'a> {
    Ctx {
        vars: Some(&m.vars),
        locals: Some(&m.locals),
        local_text: Some(local_text),
        each,
        depth: 0,
    }
}

/// The text each local's expression spans refer to.
pub fn local_texts(m: &Module) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for f in &m.files {
        for b in f.body.blocks().filter(|b| b.ident.as_str() == "locals") {
            for a in b.body.attributes() {
                out.insert(a.key.as_str().to_string(), f.text.clone());
            }
        }
    }
    out
}

/// Evaluates a block's attributes (and nested blocks, as lists of maps) into a map value.
pub fn block_value(b: &Block, text: &str, ctx: &Ctx) -> BTreeMap<String, Val> {
    let mut m = BTreeMap::new();
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) => {
                m.insert(a.key.as_str().to_string(), eval(&a.value, text, ctx));
            }
            Structure::Block(inner) => {
                let v = Val::Map(block_value(inner, text, ctx));
                match m
                    .entry(inner.ident.as_str().to_string())
                    .or_insert_with(|| Val::List(Vec::new()))
                {
                    Val::List(l) => l.push(v),
                    other => *other = Val::List(vec![v]),
                }
            }
        }
    }
    m
}

/// Source text of a block attribute, if present.
pub fn attr_src(b: &Block, name: &str, text: &str) -> Option<String> {
    b.body.get_attribute(name).map(|a| src(&a.value, text))
}
