//! Parsing and evaluating `oidc.hcl`: variables (`--var`, `--var-file`, defaults), `env("NAME")`,
//! and a schema per block kind so unknown blocks and attributes are caught with a suggestion.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hcl::eval::{Context, Evaluate, FuncArgs, FuncDef, ParamType};
use hcl::Value;
use hcl_edit::structure::{Attribute, Block, Body};
use hcl_edit::Span;

use super::duration::parse_duration;
use super::{
    Assignment, Client, Config, ConfigError, Diagnostic, Key, Loc, Provider, Role, Scope, Spans,
};

/// Where variable values come from, besides the defaults in the file.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// tfvars-syntax files, applied in order.
    pub var_files: Vec<PathBuf>,
    /// `NAME=VALUE` pairs, applied after the files.
    pub vars: Vec<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Ty {
    Str,
    StrList,
    Duration,
    Bool,
    Any,
}

struct Schema {
    kind: &'static str,
    attrs: &'static [(&'static str, Ty)],
    required: &'static [&'static str],
}

const SCHEMAS: &[Schema] = &[
    Schema {
        kind: "variable",
        attrs: &[
            ("default", Ty::Any),
            ("description", Ty::Str),
            ("type", Ty::Any),
            ("sensitive", Ty::Bool),
        ],
        required: &[],
    },
    Schema {
        kind: "key",
        attrs: &[
            ("algorithm", Ty::Str),
            ("rotation_period", Ty::Duration),
            ("verification_ttl", Ty::Duration),
            ("allowed_client_ids", Ty::StrList),
        ],
        required: &[],
    },
    Schema {
        kind: "scope",
        attrs: &[("description", Ty::Str), ("template", Ty::Str)],
        required: &[],
    },
    Schema {
        kind: "assignment",
        attrs: &[
            ("groups", Ty::StrList),
            ("entities", Ty::StrList),
            ("group_ids", Ty::StrList),
            ("entity_ids", Ty::StrList),
        ],
        required: &[],
    },
    Schema {
        kind: "client",
        attrs: &[
            ("key", Ty::Str),
            ("client_type", Ty::Str),
            ("redirect_uris", Ty::StrList),
            ("assignments", Ty::StrList),
            ("id_token_ttl", Ty::Duration),
            ("access_token_ttl", Ty::Duration),
            ("client_credentials", Ty::Bool),
        ],
        required: &[],
    },
    Schema {
        kind: "provider",
        attrs: &[
            ("issuer", Ty::Str),
            ("clients", Ty::StrList),
            ("scopes", Ty::StrList),
        ],
        required: &[],
    },
    Schema {
        kind: "role",
        attrs: &[
            ("key", Ty::Str),
            ("ttl", Ty::Duration),
            ("template", Ty::Str),
        ],
        required: &["key"],
    },
];

/// An evaluated attribute value, typed by the schema.
#[derive(Debug, Clone)]
enum Val {
    Str(String),
    List(Vec<String>),
    Secs(u64),
    Bool(bool),
}

/// Maps byte offsets to 1-based line and column.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(src: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn loc(&self, src: &str, offset: usize) -> Loc {
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let col = src
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        Loc { line, col }
    }
}

/// Collects diagnostics for one file.
struct Sink<'a> {
    file: &'a Path,
    src: &'a str,
    index: LineIndex,
    diags: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    fn new(file: &'a Path, src: &'a str) -> Self {
        Sink {
            file,
            src,
            index: LineIndex::new(src),
            diags: Vec::new(),
        }
    }

    fn loc_of(&self, item: &impl Span) -> Loc {
        item.span()
            .map(|r| self.index.loc(self.src, r.start))
            .unwrap_or_default()
    }

    fn error(&mut self, loc: Loc, message: impl Into<String>) {
        self.diags.push(Diagnostic {
            file: self.file.to_path_buf(),
            loc,
            message: message.into(),
        });
    }
}

fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!(" (did you mean {c:?}?)"))
        .unwrap_or_default()
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path)
        .map_err(|e| ConfigError::single(path, Loc::default(), format!("cannot read file: {e}")))
}

fn parse(path: &Path, src: &str) -> Result<Body, ConfigError> {
    hcl_edit::parser::parse_body(src).map_err(|e| {
        let loc = Loc {
            line: e.location().line(),
            col: e.location().column(),
        };
        ConfigError::single(path, loc, format!("syntax error: {}", e.message()))
    })
}

fn env_func(args: FuncArgs) -> Result<Value, String> {
    let name = args[0].as_str().ok_or("env() takes a string")?;
    std::env::var(name)
        .map(Value::String)
        .map_err(|_| format!("environment variable {name} is not set"))
}

fn base_context() -> Context<'static> {
    let mut ctx = Context::new();
    ctx.declare_func("env", FuncDef::new(env_func, [ParamType::String]));
    ctx
}

fn eval_expr(expr: &hcl_edit::expr::Expression, ctx: &Context) -> Result<Value, String> {
    let expr: hcl::Expression = expr.clone().into();
    expr.evaluate(ctx).map_err(|e| e.to_string())
}

/// Variable values, each with where it was set (a var file and position) when known.
type VarValues = BTreeMap<String, (Value, Option<(PathBuf, Loc)>)>;

/// Reads a tfvars file: attributes only, literal values (and `env()`).
fn load_var_file(path: &Path, vars: &mut VarValues) -> Result<(), ConfigError> {
    let src = read(path)?;
    let body = parse(path, &src)?;
    let mut sink = Sink::new(path, &src);
    let ctx = base_context();
    for structure in body.iter() {
        match structure.as_attribute() {
            Some(attr) => match eval_expr(&attr.value, &ctx) {
                Ok(v) => {
                    let loc = sink.loc_of(attr);
                    vars.insert(attr.key.to_string(), (v, Some((path.to_path_buf(), loc))));
                }
                Err(e) => {
                    let loc = sink.loc_of(&attr.value);
                    sink.error(loc, format!("variable {}: {e}", attr.key.as_str()));
                }
            },
            None => {
                let loc = sink.loc_of(structure);
                sink.error(loc, "a variables file holds only `name = value` lines");
            }
        }
    }
    finish(sink)
}

fn finish(sink: Sink) -> Result<(), ConfigError> {
    if sink.diags.is_empty() {
        Ok(())
    } else {
        Err(ConfigError {
            diagnostics: sink.diags,
        })
    }
}

/// A `--var` value: HCL when it looks like a list or object, else the literal string.
fn parse_cli_value(raw: &str) -> Value {
    let t = raw.trim_start();
    if t.starts_with('[') || t.starts_with('{') {
        if let Ok(expr) = raw.parse::<hcl::Expression>() {
            if let Ok(v) = expr.evaluate(&Context::new()) {
                return v;
            }
        }
    }
    Value::String(raw.to_string())
}

/// Loads, evaluates and type-checks a config file. References and Vault's rules are checked by
/// [`super::validate`].
pub fn load(path: &Path, opts: &LoadOptions) -> Result<Config, ConfigError> {
    let src = read(path)?;
    let body = parse(path, &src)?;
    let mut sink = Sink::new(path, &src);

    // Variables: declared defaults, then files, then flags.
    let mut declared: BTreeMap<String, Loc> = BTreeMap::new();
    let mut values = VarValues::new();
    let empty_ctx = base_context();
    for block in body.blocks().filter(|b| b.ident.as_str() == "variable") {
        let Some(name) = single_label(&mut sink, block) else {
            continue;
        };
        let loc = sink.loc_of(block);
        if declared.insert(name.clone(), loc).is_some() {
            sink.error(loc, format!("variable {name:?} is declared twice"));
            continue;
        }
        check_attrs(&mut sink, block, schema("variable"));
        if let Some(attr) = block.body.get_attribute("default") {
            match eval_expr(&attr.value, &empty_ctx) {
                Ok(v) => {
                    values.insert(name, (v, None));
                }
                Err(e) => {
                    let loc = sink.loc_of(&attr.value);
                    sink.error(loc, format!("variable {name:?} default: {e}"));
                }
            }
        }
    }
    let mut external = BTreeMap::new();
    for file in &opts.var_files {
        load_var_file(file, &mut external)?;
    }
    for pair in &opts.vars {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(ConfigError::single(
                path,
                Loc::default(),
                format!("--var {pair:?}: expected NAME=VALUE"),
            ));
        };
        external.insert(k.trim().to_string(), (parse_cli_value(v), None));
    }
    for (name, (value, origin)) in external {
        if !declared.contains_key(&name) {
            let hint = did_you_mean(&name, declared.keys().map(String::as_str));
            let (file, loc) = origin.unwrap_or((path.to_path_buf(), Loc::default()));
            sink.diags.push(Diagnostic {
                file,
                loc,
                message: format!("a value was given for undeclared variable {name:?}{hint}"),
            });
            continue;
        }
        values.insert(name, (value, None));
    }
    for (name, loc) in &declared {
        if !values.contains_key(name) {
            sink.error(
                *loc,
                format!("variable {name:?} has no value: set it with --var {name}=… or --var-file"),
            );
        }
    }
    let mut ctx = base_context();
    let var_obj: hcl::Map<String, Value> = values.into_iter().map(|(k, (v, _))| (k, v)).collect();
    ctx.declare_var("var", Value::Object(var_obj));

    let mut config = Config {
        file: path.to_path_buf(),
        ..Config::default()
    };
    for structure in body.iter() {
        let Some(block) = structure.as_block() else {
            let loc = sink.loc_of(structure);
            let name = structure
                .as_attribute()
                .map(|a| a.key.to_string())
                .unwrap_or_default();
            sink.error(
                loc,
                format!("unexpected top-level attribute {name:?}: only blocks are allowed here"),
            );
            continue;
        };
        let kind = block.ident.as_str();
        if kind == "variable" {
            continue;
        }
        let Some(schema) = SCHEMAS.iter().find(|s| s.kind == kind) else {
            let hint = did_you_mean(kind, SCHEMAS.iter().map(|s| s.kind));
            let loc = sink.loc_of(block);
            sink.error(loc, format!("unknown block type {kind:?}{hint}"));
            continue;
        };
        let Some(name) = single_label(&mut sink, block) else {
            continue;
        };
        let (vals, spans) = eval_block(&mut sink, block, schema, &ctx);
        let dup = match kind {
            "key" => insert(&mut config.keys, name.clone(), build_key(vals, spans)),
            "scope" => insert(&mut config.scopes, name.clone(), build_scope(vals, spans)),
            "assignment" => insert(
                &mut config.assignments,
                name.clone(),
                build_assignment(vals, spans),
            ),
            "client" => insert(&mut config.clients, name.clone(), build_client(vals, spans)),
            "provider" => insert(
                &mut config.providers,
                name.clone(),
                build_provider(vals, spans),
            ),
            "role" => insert(&mut config.roles, name.clone(), build_role(vals, spans)),
            _ => unreachable!("every schema kind is handled"),
        };
        if dup {
            let loc = sink.loc_of(block);
            sink.error(
                loc,
                format!("duplicate {kind} {name:?}: each name may be declared once"),
            );
        }
    }
    finish(sink)?;
    Ok(config)
}

fn insert<T>(map: &mut BTreeMap<String, T>, name: String, value: T) -> bool {
    if map.contains_key(&name) {
        return true;
    }
    map.insert(name, value);
    false
}

fn schema(kind: &str) -> &'static Schema {
    SCHEMAS.iter().find(|s| s.kind == kind).expect("known kind")
}

fn single_label(sink: &mut Sink, block: &Block) -> Option<String> {
    let kind = block.ident.as_str();
    if block.labels.len() != 1 {
        let loc = sink.loc_of(block);
        sink.error(
            loc,
            format!("a {kind} block takes exactly one name: {kind} \"NAME\" {{ … }}"),
        );
        return None;
    }
    let name = block.labels[0].as_str().to_string();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
    {
        let loc = sink.loc_of(block);
        sink.error(
            loc,
            format!("{kind} name {name:?} must be non-empty letters, digits, '_', '-' or '.'"),
        );
        return None;
    }
    Some(name)
}

/// Reports nested blocks and unknown attributes.
fn check_attrs(sink: &mut Sink, block: &Block, schema: &Schema) {
    for inner in block.body.blocks() {
        let loc = sink.loc_of(inner);
        sink.error(
            loc,
            format!(
                "unexpected block {:?} inside {}",
                inner.ident.as_str(),
                schema.kind
            ),
        );
    }
    for attr in block.body.attributes() {
        let key = attr.key.as_str();
        if !schema.attrs.iter().any(|(n, _)| *n == key) {
            let hint = did_you_mean(key, schema.attrs.iter().map(|(n, _)| *n));
            let loc = sink.loc_of(attr);
            sink.error(
                loc,
                format!("unknown attribute {key:?} in {} block{hint}", schema.kind),
            );
        }
    }
}

fn eval_block(
    sink: &mut Sink,
    block: &Block,
    schema: &Schema,
    ctx: &Context,
) -> (BTreeMap<String, Val>, Spans) {
    check_attrs(sink, block, schema);
    let mut spans = Spans {
        block: sink.loc_of(block),
        attrs: BTreeMap::new(),
    };
    let mut vals = BTreeMap::new();
    for attr in block.body.attributes() {
        let key = attr.key.as_str();
        let Some((_, ty)) = schema.attrs.iter().find(|(n, _)| *n == key) else {
            continue;
        };
        let loc = sink.loc_of(attr);
        if spans.attrs.insert(key.to_string(), loc).is_some() {
            sink.error(loc, format!("attribute {key:?} is set twice"));
            continue;
        }
        match eval_expr(&attr.value, ctx).and_then(|v| typed(v, *ty)) {
            Ok(v) => {
                vals.insert(key.to_string(), v);
            }
            Err(e) => {
                let value_loc = sink.loc_of(&attr.value);
                sink.error(value_loc, format!("{} attribute {key:?}: {e}", schema.kind));
            }
        }
    }
    for req in schema.required {
        if !vals.contains_key(*req) && !spans.attrs.contains_key(*req) {
            sink.error(
                spans.block,
                format!(
                    "{} block is missing required attribute {req:?}",
                    schema.kind
                ),
            );
        }
    }
    (vals, spans)
}

fn value_as_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn typed(v: Value, ty: Ty) -> Result<Val, String> {
    match ty {
        Ty::Str => value_as_string(&v)
            .map(Val::Str)
            .ok_or_else(|| "expected a string".into()),
        Ty::Bool => v
            .as_bool()
            .map(Val::Bool)
            .ok_or_else(|| "expected true or false".into()),
        Ty::Duration => {
            let text = value_as_string(&v)
                .ok_or("expected a duration such as \"30m\" or a number of seconds")?;
            parse_duration(&text).map(Val::Secs)
        }
        Ty::StrList => match v {
            Value::Array(items) => items
                .iter()
                .map(|i| value_as_string(i).ok_or_else(|| "expected a list of strings".to_string()))
                .collect::<Result<Vec<_>, _>>()
                .map(Val::List),
            _ => Err("expected a list of strings".into()),
        },
        Ty::Any => Ok(Val::Str(String::new())),
    }
}

fn take_str(vals: &mut BTreeMap<String, Val>, k: &str) -> Option<String> {
    match vals.remove(k) {
        Some(Val::Str(s)) => Some(s),
        _ => None,
    }
}

fn take_list(vals: &mut BTreeMap<String, Val>, k: &str) -> Option<Vec<String>> {
    match vals.remove(k) {
        Some(Val::List(l)) => Some(l),
        _ => None,
    }
}

fn take_secs(vals: &mut BTreeMap<String, Val>, k: &str) -> Option<u64> {
    match vals.remove(k) {
        Some(Val::Secs(s)) => Some(s),
        _ => None,
    }
}

fn take_bool(vals: &mut BTreeMap<String, Val>, k: &str) -> Option<bool> {
    match vals.remove(k) {
        Some(Val::Bool(b)) => Some(b),
        _ => None,
    }
}

fn build_key(mut v: BTreeMap<String, Val>, spans: Spans) -> Key {
    Key {
        algorithm: take_str(&mut v, "algorithm"),
        rotation_period: take_secs(&mut v, "rotation_period"),
        verification_ttl: take_secs(&mut v, "verification_ttl"),
        allowed_client_ids: take_list(&mut v, "allowed_client_ids"),
        spans,
    }
}

fn build_scope(mut v: BTreeMap<String, Val>, spans: Spans) -> Scope {
    Scope {
        description: take_str(&mut v, "description"),
        template: take_str(&mut v, "template"),
        spans,
    }
}

fn build_assignment(mut v: BTreeMap<String, Val>, spans: Spans) -> Assignment {
    Assignment {
        groups: take_list(&mut v, "groups").unwrap_or_default(),
        entities: take_list(&mut v, "entities").unwrap_or_default(),
        group_ids: take_list(&mut v, "group_ids").unwrap_or_default(),
        entity_ids: take_list(&mut v, "entity_ids").unwrap_or_default(),
        spans,
    }
}

fn build_client(mut v: BTreeMap<String, Val>, spans: Spans) -> Client {
    Client {
        key: take_str(&mut v, "key"),
        client_type: take_str(&mut v, "client_type"),
        redirect_uris: take_list(&mut v, "redirect_uris"),
        assignments: take_list(&mut v, "assignments"),
        id_token_ttl: take_secs(&mut v, "id_token_ttl"),
        access_token_ttl: take_secs(&mut v, "access_token_ttl"),
        client_credentials: take_bool(&mut v, "client_credentials"),
        spans,
    }
}

fn build_provider(mut v: BTreeMap<String, Val>, spans: Spans) -> Provider {
    Provider {
        issuer: take_str(&mut v, "issuer"),
        clients: take_list(&mut v, "clients"),
        scopes: take_list(&mut v, "scopes"),
        spans,
    }
}

fn build_role(mut v: BTreeMap<String, Val>, spans: Spans) -> Role {
    Role {
        key: take_str(&mut v, "key").unwrap_or_default(),
        ttl: take_secs(&mut v, "ttl"),
        template: take_str(&mut v, "template"),
        spans,
    }
}

/// Used by callers that hold an attribute and want its location (e.g. `migrate`).
pub fn attribute_loc(src: &str, attr: &Attribute) -> Loc {
    attr.span()
        .map(|r| LineIndex::new(src).loc(src, r.start))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn load_str(src: &str, opts: &LoadOptions) -> Result<Config, ConfigError> {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(src.as_bytes()).unwrap();
        load(f.path(), opts)
    }

    #[test]
    fn loads_every_block_kind_with_variables() {
        let src = r#"
variable "app_url" { default = "https://app.example.com" }
key "agents" {
  algorithm = "ES256"
  rotation_period = "24h"
  verification_ttl = 172800
}
scope "profile" {
  template = <<-EOT
    {"username": {{identity.entity.name}}}
  EOT
}
assignment "eng" { groups = ["engineers"] }
client "webapp" {
  key = "agents"
  redirect_uris = ["${var.app_url}/oauth/callback"]
  assignments = ["eng"]
  id_token_ttl = "30m"
}
provider "main" {
  clients = ["webapp"]
  scopes = ["profile"]
}
role "agent" {
  key = "agents"
  ttl = "15m"
}
"#;
        let c = load_str(src, &LoadOptions::default()).unwrap();
        assert_eq!(c.keys["agents"].rotation_period, Some(86_400));
        assert_eq!(c.keys["agents"].verification_ttl, Some(172_800));
        assert_eq!(
            c.clients["webapp"].redirect_uris.as_ref().unwrap()[0],
            "https://app.example.com/oauth/callback"
        );
        assert_eq!(c.clients["webapp"].id_token_ttl, Some(1800));
        assert_eq!(
            c.scopes["profile"].template.as_deref(),
            Some("{\"username\": {{identity.entity.name}}}\n")
        );
        assert_eq!(c.roles["agent"].ttl, Some(900));
        assert_eq!(
            c.clients["webapp"].spans.attr("key"),
            Loc { line: 15, col: 3 }
        );

        let c = load_str(
            src,
            &LoadOptions {
                vars: vec!["app_url=https://staging.example".into()],
                var_files: vec![],
            },
        )
        .unwrap();
        assert_eq!(
            c.clients["webapp"].redirect_uris.as_ref().unwrap()[0],
            "https://staging.example/oauth/callback"
        );
    }

    #[test]
    fn unknown_names_get_suggestions_and_locations() {
        let src = "key \"k\" {\n  algoritm = \"RS256\"\n}\nclinet \"c\" {}\n";
        let err = load_str(src, &LoadOptions::default()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(
                ":2:3: unknown attribute \"algoritm\" in key block (did you mean \"algorithm\"?)"
            ),
            "{text}"
        );
        assert!(
            text.contains(":4:1: unknown block type \"clinet\" (did you mean \"client\"?)"),
            "{text}"
        );
    }

    #[test]
    fn duplicates_bad_durations_and_missing_variables_are_reported() {
        let src = "variable \"v\" {}\nkey \"k\" {}\nkey \"k\" {}\nclient \"c\" { id_token_ttl = \"ten\" }\n";
        let err = load_str(src, &LoadOptions::default()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(":1:1: variable \"v\" has no value"), "{text}");
        assert!(text.contains(":3:1: duplicate key \"k\""), "{text}");
        assert!(
            text.contains(":4:29: client attribute \"id_token_ttl\": invalid duration"),
            "{text}"
        );
    }

    #[test]
    fn env_function_and_var_files() {
        std::env::set_var("VAULT_OIDC_TEST_ENV", "from-env");
        let mut vf = tempfile::NamedTempFile::new().unwrap();
        writeln!(vf, "issuer = \"https://vault.staging\"").unwrap();
        let src = "variable \"issuer\" {}\nscope \"s\" { description = env(\"VAULT_OIDC_TEST_ENV\") }\nprovider \"p\" { issuer = var.issuer }\n";
        let c = load_str(
            src,
            &LoadOptions {
                var_files: vec![vf.path().to_path_buf()],
                vars: vec![],
            },
        )
        .unwrap();
        assert_eq!(c.scopes["s"].description.as_deref(), Some("from-env"));
        assert_eq!(
            c.providers["p"].issuer.as_deref(),
            Some("https://vault.staging")
        );
    }

    #[test]
    fn missing_files_and_undeclared_cli_variables_name_the_file() {
        let err = load(Path::new("/nonexistent/oidc.hcl"), &LoadOptions::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("/nonexistent/oidc.hcl: cannot read file"),
            "{err}"
        );
        let err = load_str(
            "variable \"app_url\" { default = \"x\" }\n",
            &LoadOptions {
                vars: vec!["app_ur=y".into()],
                var_files: vec![],
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains(": a value was given for undeclared variable \"app_ur\" (did you mean \"app_url\"?)"), "{err}");
    }

    #[test]
    fn syntax_errors_name_the_position() {
        let err =
            load_str("key \"k\" {\n  algorithm = \n}\n", &LoadOptions::default()).unwrap_err();
        assert_eq!(err.diagnostics[0].loc.line, 2, "{err}");
    }
}
