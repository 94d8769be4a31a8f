//! The `oidc.hcl` model: what the user declares, with the source location of every block and
//! attribute so that each diagnostic can name `file:line:col`.
//!
//! Loading ([`load`]) parses and evaluates the file (variables, `env()`), rejecting unknown
//! blocks and attributes; [`validate`] then checks references and Vault's own rules. Both report
//! every problem they find, not just the first.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub mod duration;
pub mod load;
pub mod render;
pub mod template;
pub mod validate;

pub use load::{load, LoadOptions};
pub use validate::validate;

/// The objects Vault creates on its own. They may be referenced and configured, but are never
/// deleted and never reported as unmanaged.
pub const BUILTIN_KEY: &str = "default";
pub const BUILTIN_PROVIDER: &str = "default";
pub const BUILTIN_ASSIGNMENT: &str = "allow_all";

/// The signing algorithms Vault's OIDC keys support.
pub const ALGORITHMS: [&str; 7] = [
    "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "EdDSA",
];

/// Vault's defaults, applied when an attribute is omitted.
pub mod defaults {
    pub const ALGORITHM: &str = "RS256";
    pub const ROTATION_PERIOD: u64 = 86_400;
    pub const VERIFICATION_TTL: u64 = 86_400;
    pub const TOKEN_TTL: u64 = 86_400;
    pub const CLIENT_KEY: &str = super::BUILTIN_KEY;
    pub const CLIENT_TYPE: &str = "confidential";
}

/// A 1-based position in a source file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loc {
    pub line: usize,
    pub col: usize,
}

/// Where a block and each of its attributes were declared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spans {
    pub block: Loc,
    pub attrs: BTreeMap<String, Loc>,
}

impl Spans {
    /// The attribute's location, or the block's when the attribute was not written.
    pub fn attr(&self, name: &str) -> Loc {
        self.attrs.get(name).copied().unwrap_or(self.block)
    }
}

/// One problem found in a config file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub loc: Loc,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.loc.line == 0 {
            // Not tied to a position: the file as a whole, or a command-line value.
            return write!(f, "{}: {}", self.file.display(), self.message);
        }
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.loc.line,
            self.loc.col,
            self.message
        )
    }
}

/// Every problem found in a config file, in source order.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ConfigError {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl ConfigError {
    pub fn single(file: &Path, loc: Loc, message: impl Into<String>) -> Self {
        ConfigError {
            diagnostics: vec![Diagnostic {
                file: file.to_path_buf(),
                loc,
                message: message.into(),
            }],
        }
    }
}

/// `key "NAME"`: a named signing key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Key {
    pub algorithm: Option<String>,
    pub rotation_period: Option<u64>,
    pub verification_ttl: Option<u64>,
    /// Explicit list; when absent, the client_ids of the clients and roles that use this key.
    pub allowed_client_ids: Option<Vec<String>>,
    pub spans: Spans,
}

/// `scope "NAME"`: a provider scope with its claims template.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    pub description: Option<String>,
    pub template: Option<String>,
    pub spans: Spans,
}

/// `assignment "NAME"`: which entities and groups may use a client.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assignment {
    /// Identity group names, resolved to IDs at plan time.
    pub groups: Vec<String>,
    /// Entity names, resolved to IDs at plan time.
    pub entities: Vec<String>,
    pub group_ids: Vec<String>,
    pub entity_ids: Vec<String>,
    pub spans: Spans,
}

/// `client "NAME"`: a relying party of the provider.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Client {
    pub key: Option<String>,
    pub client_type: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
    pub assignments: Option<Vec<String>>,
    pub id_token_ttl: Option<u64>,
    pub access_token_ttl: Option<u64>,
    /// OpenBao's client-credentials grant (not in Vault).
    pub client_credentials: Option<bool>,
    pub spans: Spans,
}

/// `provider "NAME"`: an OIDC provider (issuer).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Provider {
    /// `scheme://host[:port]`; when absent Vault uses its `api_addr` and the field is not managed.
    pub issuer: Option<String>,
    /// Client names, or `["*"]`.
    pub clients: Option<Vec<String>>,
    pub scopes: Option<Vec<String>>,
    pub spans: Spans,
}

impl Provider {
    /// Whether the provider lists the client named `client` (by name, or with `"*"`).
    pub fn allows_client(&self, client: &str) -> bool {
        self.clients
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|c| c == "*" || c == client)
    }
}

/// `role "NAME"`: identity tokens minted at `identity/oidc/token/NAME`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Role {
    pub key: String,
    pub ttl: Option<u64>,
    pub template: Option<String>,
    pub spans: Spans,
}

/// A whole config file after evaluation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub file: PathBuf,
    pub keys: BTreeMap<String, Key>,
    pub scopes: BTreeMap<String, Scope>,
    pub assignments: BTreeMap<String, Assignment>,
    pub clients: BTreeMap<String, Client>,
    pub providers: BTreeMap<String, Provider>,
    pub roles: BTreeMap<String, Role>,
}

impl Config {
    /// The verification TTL of a key as Vault will have it: declared, or Vault's default.
    pub fn key_verification_ttl(&self, key: &str) -> u64 {
        self.keys
            .get(key)
            .and_then(|k| k.verification_ttl)
            .unwrap_or(defaults::VERIFICATION_TTL)
    }

    /// Whether `name` is a key this config can reference (declared or built in).
    pub fn has_key(&self, name: &str) -> bool {
        name == BUILTIN_KEY || self.keys.contains_key(name)
    }

    pub fn has_assignment(&self, name: &str) -> bool {
        name == BUILTIN_ASSIGNMENT || self.assignments.contains_key(name)
    }

    /// The key a client signs with, after defaults.
    pub fn client_key<'a>(&self, client: &'a Client) -> &'a str {
        client.key.as_deref().unwrap_or(defaults::CLIENT_KEY)
    }
}
