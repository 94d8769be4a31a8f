//! The authorization step of the code flow, two ways:
//!
//! - through the API ([`authorize_api`]): `GET identity/oidc/provider/P/authorize` with the
//!   user's Vault token answers the code directly (CI, tests, `login --vault-token`);
//! - in the browser ([`authorization_url`], [`open_browser`], [`Loopback`]): the Vault UI's
//!   authorization page signs the user in and redirects to a loopback listener (RFC 8252).
//!
//! Either way the returned `state` must equal the one sent.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::pkce::Pkce;
use super::{EndpointError, FlowError};
use crate::vault::api::oidc::flows::{AuthorizeRequest, OAuthError};
use crate::vault::api::oidc::responses::Secret;
use crate::vault::Vault;

/// The values of one authorization request.
#[derive(Debug, Clone)]
pub struct AuthParams {
    pub provider: String,
    pub client_id: String,
    pub redirect_uri: String,
    /// Space-separated, starting with `openid`.
    pub scope: String,
    pub state: String,
    pub nonce: String,
    pub pkce: Pkce,
}

impl AuthParams {
    /// Fresh random `state`, `nonce` and PKCE verifier.
    pub fn new(provider: &str, client_id: &str, redirect_uri: &str, scopes: &[String]) -> Self {
        let mut scope = vec!["openid".to_string()];
        for s in scopes {
            for part in s.split_whitespace() {
                if !scope.iter().any(|x| x == part) {
                    scope.push(part.to_string());
                }
            }
        }
        AuthParams {
            provider: provider.to_string(),
            client_id: client_id.to_string(),
            redirect_uri: redirect_uri.to_string(),
            scope: scope.join(" "),
            state: super::pkce::random_token(24),
            nonce: super::pkce::random_token(24),
            pkce: Pkce::new(),
        }
    }

    fn pairs(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", self.scope.as_str()),
            ("state", self.state.as_str()),
            ("nonce", self.nonce.as_str()),
            ("code_challenge", self.pkce.challenge.as_str()),
            ("code_challenge_method", Pkce::METHOD),
        ]
    }
}

/// Checks the `state` that came back against the one sent.
pub fn check_state(expected: &str, returned: &str) -> Result<(), FlowError> {
    if returned != expected {
        return Err(FlowError::StateMismatch);
    }
    Ok(())
}

/// The authorize step through the API with the Vault token of `vault`; returns the code.
pub async fn authorize_api(vault: &Vault, p: &AuthParams) -> Result<Secret, FlowError> {
    let ep = AuthorizeRequest {
        name: p.provider.clone(),
        client_id: p.client_id.clone(),
        redirect_uri: p.redirect_uri.clone(),
        response_type: "code".into(),
        scope: p.scope.clone(),
        state: p.state.clone(),
        nonce: p.nonce.clone(),
        code_challenge: p.pkce.challenge.clone(),
        code_challenge_method: Pkce::METHOD.into(),
    };
    let answer = super::exec_bare(vault, "authorization", ep)
        .await
        .map_err(|e| match e {
            EndpointError::OAuth { error, .. } => explain(error, p),
            EndpointError::Vault(v) => FlowError::Vault(v),
        })?;
    check_state(&p.state, &answer.state)?;
    Ok(answer.code)
}

/// A clear message for the OAuth errors of the authorization endpoint.
fn explain(error: OAuthError, p: &AuthParams) -> FlowError {
    let hint = match error.error.as_str() {
        "access_denied" => format!(
            "; the signed-in identity is not in an assignment of client {}",
            p.client_id
        ),
        "invalid_redirect_uri" => format!(
            "; {} is not a registered redirect URI of the client (add it to the client's \
             redirect_uris in oidc.hcl and apply)",
            p.redirect_uri
        ),
        _ => String::new(),
    };
    FlowError::AuthorizationRefused { error, hint }
}

/// The browser URL: the provider's authorization endpoint (the Vault UI) with the request.
pub fn authorization_url(endpoint: &str, p: &AuthParams) -> Result<String, FlowError> {
    let mut url =
        url::Url::parse(endpoint).map_err(|source| FlowError::BadAuthorizationEndpoint {
            endpoint: endpoint.to_string(),
            source,
        })?;
    url.query_pairs_mut().extend_pairs(p.pairs());
    Ok(url.to_string())
}

/// Opens `url` with `$BROWSER`, else `xdg-open` (`open` on macOS). Returns false when nothing
/// could be started; the caller prints the URL either way.
pub fn open_browser(url: &str) -> bool {
    let cmd = std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| {
            if cfg!(target_os = "macos") {
                "open".into()
            } else {
                "xdg-open".into()
            }
        });
    std::process::Command::new(cmd.trim())
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}

/// A loopback HTTP listener for the redirect URI (`http://127.0.0.1:PORT/PATH`).
#[derive(Debug)]
pub struct Loopback {
    listener: TcpListener,
    path: String,
}

impl Loopback {
    /// Binds the host and port of `redirect_uri`, which must be a loopback `http` URI.
    pub async fn bind(redirect_uri: &str) -> Result<Loopback, FlowError> {
        let url = url::Url::parse(redirect_uri).map_err(|source| FlowError::BadRedirectUri {
            redirect_uri: redirect_uri.to_string(),
            source,
        })?;
        let host = url.host_str().unwrap_or_default().to_string();
        let loopback = matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]" | "::1");
        if url.scheme() != "http" || !loopback {
            return Err(FlowError::NotLoopback {
                redirect_uri: redirect_uri.to_string(),
            });
        }
        let port = url.port().unwrap_or(80);
        let bind_host = if host == "localhost" {
            "127.0.0.1".to_string()
        } else {
            host.trim_matches(|c| c == '[' || c == ']').to_string()
        };
        let listener = TcpListener::bind((bind_host.as_str(), port))
            .await
            .map_err(|source| FlowError::Listen {
                host: host.clone(),
                port,
                source,
            })?;
        Ok(Loopback {
            listener,
            path: url.path().to_string(),
        })
    }

    /// Waits for the redirect carrying the code; checks `state`. Requests to other paths get a
    /// 404 and are ignored.
    pub async fn wait_for_code(
        &self,
        expected_state: &str,
        timeout: Duration,
    ) -> Result<Secret, FlowError> {
        tokio::time::timeout(timeout, self.accept_loop(expected_state))
            .await
            .map_err(|_| FlowError::RedirectTimeout {
                seconds: timeout.as_secs(),
            })?
    }

    async fn accept_loop(&self, expected_state: &str) -> Result<Secret, FlowError> {
        loop {
            let (mut sock, _) = self.listener.accept().await.map_err(FlowError::Accept)?;
            let mut buf = Vec::with_capacity(2048);
            let mut chunk = [0u8; 1024];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let head = String::from_utf8_lossy(&buf);
            let target = head
                .lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("/")
                .to_string();
            let url = url::Url::parse(&format!("http://loopback{target}"));
            let Ok(url) = url else {
                respond(&mut sock, 400, "Bad request.").await;
                continue;
            };
            if url.path() != self.path {
                respond(&mut sock, 404, "Not found.").await;
                continue;
            }
            let get = |k: &str| {
                url.query_pairs()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.into_owned())
            };
            if let Some(err) = get("error") {
                let error = OAuthError {
                    error: err,
                    error_description: get("error_description").unwrap_or_default(),
                };
                respond(&mut sock, 400, "Sign-in failed. You can close this tab.").await;
                return Err(FlowError::AuthorizationRefused {
                    error,
                    hint: String::new(),
                });
            }
            let state = get("state").unwrap_or_default();
            if let Err(e) = check_state(expected_state, &state) {
                respond(&mut sock, 400, "Sign-in failed: state mismatch.").await;
                return Err(e);
            }
            let Some(code) = get("code").filter(|c| !c.is_empty()) else {
                respond(&mut sock, 400, "Sign-in failed: no code.").await;
                return Err(FlowError::NoCode);
            };
            respond(
                &mut sock,
                200,
                "Signed in. You can close this tab and return to the terminal.",
            )
            .await;
            return Ok(Secret(code));
        }
    }
}

async fn respond(sock: &mut tokio::net::TcpStream, status: u16, text: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let body = format!(
        "<!doctype html><html><head><title>vault-oidc</title></head><body><p>{text}</p></body></html>"
    );
    let resp = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{body}",
        body.len()
    );
    let _ = sock.write_all(resp.as_bytes()).await;
    let _ = sock.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_always_starts_with_openid_without_duplicates() {
        let p = AuthParams::new(
            "main",
            "cid",
            "http://127.0.0.1:8250/oidc/callback",
            &["profile".into(), "openid groups".into()],
        );
        assert_eq!(p.scope, "openid profile groups");
        assert_ne!(p.state, p.nonce);
    }

    #[test]
    fn url_carries_pkce_state_and_nonce() {
        let p = AuthParams::new("main", "cid", "http://127.0.0.1:8250/cb", &[]);
        let u = authorization_url(
            "http://127.0.0.1:8200/ui/vault/identity/oidc/provider/main/authorize",
            &p,
        )
        .unwrap();
        let url = url::Url::parse(&u).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"], p.pkce.challenge);
        assert_eq!(q["state"], p.state);
        assert_eq!(q["nonce"], p.nonce);
        assert_eq!(q["response_type"], "code");
        assert!(!u.contains(&p.pkce.verifier));
    }

    #[tokio::test]
    async fn loopback_rejects_a_wrong_state_and_accepts_the_right_one() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let uri = format!("http://127.0.0.1:{port}/oidc/callback");
        let lb = Loopback::bind(&uri).await.unwrap();
        let send = |q: &'static str| async move {
            let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap();
            s.write_all(format!("GET {q} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
                .await
                .unwrap();
            let mut out = String::new();
            let _ = s.read_to_string(&mut out).await;
            out
        };
        let (r, resp) = tokio::join!(
            lb.wait_for_code("good", Duration::from_secs(10)),
            send("/oidc/callback?code=c1&state=bad")
        );
        assert!(r.unwrap_err().to_string().contains("state mismatch"));
        assert!(resp.starts_with("HTTP/1.1 400"), "{resp}");
        let (r, _, resp) = tokio::join!(
            lb.wait_for_code("good", Duration::from_secs(10)),
            send("/favicon.ico"),
            async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                send("/oidc/callback?code=c2&state=good").await
            }
        );
        assert_eq!(r.unwrap().expose(), "c2");
        assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
        assert!(Loopback::bind("https://app.example.com/cb").await.is_err());
    }
}
