//! The state directory where `login` keeps its session and `token` its cache:
//! `$VAULT_OIDC_STATE_DIR`, else `$XDG_STATE_HOME/vault-oidc`, else `~/.local/state/vault-oidc`.
//! Directories are 0700 and every file 0600, written atomically.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::FlowError;
use crate::fsutil::write_atomic;

/// Overrides the state directory (tests, CI).
pub const STATE_DIR_ENV: &str = "VAULT_OIDC_STATE_DIR";

/// The state directory (not created).
pub fn state_dir() -> Result<PathBuf, FlowError> {
    let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(d) = non_empty(STATE_DIR_ENV) {
        return Ok(PathBuf::from(d));
    }
    if let Some(d) = non_empty("XDG_STATE_HOME") {
        return Ok(PathBuf::from(d).join("vault-oidc"));
    }
    let home = non_empty("HOME").ok_or(FlowError::NoStateDir)?;
    Ok(PathBuf::from(home).join(".local/state/vault-oidc"))
}

/// Creates `dir` (and parents) with mode 0700 for the directories it creates, and makes sure
/// `dir` itself is 0700.
pub fn ensure_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)?;
    Ok(())
}

/// Writes `value` as JSON to `path`, 0600, creating its directory 0700.
pub fn write_private_json<T: Serialize>(path: &Path, value: &T) -> Result<(), FlowError> {
    if let Some(dir) = path.parent() {
        ensure_private_dir(dir).map_err(FlowError::state_io("creating", dir))?;
    }
    let bytes = serde_json::to_vec_pretty(value).map_err(|source| FlowError::Encode {
        path: path.to_path_buf(),
        source,
    })?;
    write_atomic(path, &bytes, true).map_err(FlowError::state_io("writing", path))
}

/// What `login` stores: the tokens, who they speak for, and the Vault token used to sign in
/// (which `logout` revokes). Its `Debug` never shows a token.
#[derive(Clone, Serialize, Deserialize)]
pub struct Session {
    pub vault_address: String,
    pub provider: String,
    pub client: String,
    pub client_id: String,
    pub issuer: String,
    pub id_token: String,
    pub access_token: String,
    /// Unix seconds.
    pub expires_at: u64,
    pub username: String,
    pub groups: Vec<String>,
    /// The Vault token the authorize step used (API mode); `None` after a browser sign-in,
    /// whose Vault session lives in the browser.
    #[serde(default)]
    pub vault_token: Option<String>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("vault_address", &self.vault_address)
            .field("provider", &self.provider)
            .field("client", &self.client)
            .field("client_id", &self.client_id)
            .field("issuer", &self.issuer)
            .field("expires_at", &self.expires_at)
            .field("username", &self.username)
            .field("groups", &self.groups)
            .finish_non_exhaustive()
    }
}

/// The session file and the token cache directory inside a state directory.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    pub fn new(dir: impl Into<PathBuf>) -> Store {
        Store { dir: dir.into() }
    }

    /// The store at [`state_dir`].
    pub fn open_default() -> Result<Store, FlowError> {
        Ok(Store::new(state_dir()?))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn session_path(&self) -> PathBuf {
        self.dir.join("session.json")
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.dir.join("tokens")
    }

    pub fn save_session(&self, s: &Session) -> Result<(), FlowError> {
        write_private_json(&self.session_path(), s)
    }

    pub fn load_session(&self) -> Result<Option<Session>, FlowError> {
        let path = self.session_path();
        match std::fs::read(&path) {
            Ok(b) => match serde_json::from_slice(&b) {
                Ok(s) => Ok(Some(s)),
                Err(error) => Err(FlowError::CorruptSession { path, error }),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(FlowError::state_io("reading", path)(e)),
        }
    }

    /// Removes the session and every cached token; returns how many files were removed.
    pub fn clear(&self) -> Result<usize, FlowError> {
        let mut removed = 0;
        let session = self.session_path();
        match std::fs::remove_file(&session) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(FlowError::state_io("removing", session)(e)),
        }
        let cache = self.cache_dir();
        match std::fs::read_dir(&cache) {
            Ok(entries) => {
                for e in entries {
                    let p = e.map_err(FlowError::state_io("listing", &cache))?.path();
                    if p.is_file() {
                        std::fs::remove_file(&p).map_err(FlowError::state_io("removing", &p))?;
                        removed += 1;
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(FlowError::state_io("listing", cache)(e)),
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session {
            vault_address: "http://127.0.0.1:8200".into(),
            provider: "main".into(),
            client: "cli".into(),
            client_id: "cid".into(),
            issuer: "http://x/v1/identity/oidc/provider/main".into(),
            id_token: "IDTOKEN".into(),
            access_token: "ACCESSTOKEN".into(),
            expires_at: 1,
            username: "alice".into(),
            groups: vec!["engineers".into()],
            vault_token: Some("VAULTTOKEN".into()),
        }
    }

    #[test]
    fn session_round_trip_private_and_cleared() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().join("state"));
        assert!(store.load_session().unwrap().is_none());
        store.save_session(&session()).unwrap();
        let back = store.load_session().unwrap().unwrap();
        assert_eq!(back.username, "alice");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&store.session_path()), 0o600);
            assert_eq!(mode(store.dir()), 0o700);
        }
        assert_eq!(store.clear().unwrap(), 1);
        assert_eq!(store.clear().unwrap(), 0);
        assert!(store.load_session().unwrap().is_none());
    }

    #[test]
    fn debug_hides_tokens() {
        let d = format!("{:?}", session());
        assert!(!d.contains("IDTOKEN") && !d.contains("ACCESSTOKEN") && !d.contains("VAULTTOKEN"));
    }
}
