//! Drives OpenBao's OIDC provider endpoints as a client would, through the HTTP API.
//!
//! OpenBao 2.7 behaviour (checked against the real server):
//! - `GET|POST identity/oidc/provider/P/authorize` needs the user's Vault token (the `default`
//!   policy allows it) and answers **200 with a bare JSON object** `{"code": "...", "state": "..."}`
//!   (no `data` wrapper, no redirect). Refusals are **400** with an OAuth error object
//!   `{"error": "access_denied", "error_description": "identity entity not authorized by client
//!   assignment", "state": "..."}`; other codes: `invalid_redirect_uri`, `invalid_scope`,
//!   `invalid_request`, `unauthorized_client`. A token without an entity (e.g. root) gets
//!   `access_denied: identity entity must be associated with the request`.
//! - `POST identity/oidc/provider/P/token` takes a form body; answers
//!   `{"access_token", "expires_in", "id_token", "token_type": "Bearer"}`; errors are 400/401
//!   with `{"error": "invalid_grant", "error_description": ...}`. A code is single-use (also when
//!   the exchange failed, e.g. on a wrong `code_verifier`).

use crate::http::{form_encode, url_encode};
use crate::util::{base64_decode, base64url_encode, random_token, sha256};
use crate::Bao;
use serde_json::Value;

/// Tokens returned by the token endpoint.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub id_token: String,
    pub access_token: String,
    pub expires_in: u64,
    /// The whole token-endpoint answer.
    pub raw: Value,
}

/// A PKCE verifier and its S256 challenge.
#[derive(Debug, Clone)]
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl Pkce {
    /// A fresh random verifier (43 chars) and its S256 challenge.
    pub fn new() -> Pkce {
        Pkce::from_verifier(&random_token(32))
    }

    pub fn from_verifier(verifier: &str) -> Pkce {
        Pkce {
            verifier: verifier.to_string(),
            challenge: base64url_encode(&sha256(verifier.as_bytes())),
        }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Pkce::new()
    }
}

fn oauth_error(context: &str, status: u16, body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(v) if v.get("error").is_some() => format!(
            "{context} refused (HTTP {status}): {}: {}",
            v["error"].as_str().unwrap_or_default(),
            v.get("error_description")
                .and_then(Value::as_str)
                .unwrap_or_default()
        ),
        Ok(v) if v.get("errors").is_some() => {
            format!("{context} failed (HTTP {status}): {}", v["errors"])
        }
        _ => format!("{context} failed (HTTP {status}): {}", body.trim()),
    }
}

/// The authorize step alone: `GET identity/oidc/provider/P/authorize` with the user's token.
/// Returns the whole JSON answer on 200 (`{"code", "state"}`), else an error string that
/// contains the OAuth `error` code (e.g. `access_denied`).
#[allow(clippy::too_many_arguments)]
pub fn authorize(
    bao: &Bao,
    user_token: &str,
    provider: &str,
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    state: &str,
    nonce: &str,
    code_challenge: &str,
) -> Result<Value, String> {
    let query = form_encode(&[
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("response_type", "code"),
        ("scope", scope),
        ("state", state),
        ("nonce", nonce),
        ("code_challenge", code_challenge),
        ("code_challenge_method", "S256"),
    ]);
    let target = format!(
        "/v1/identity/oidc/provider/{}/authorize?{query}",
        url_encode(provider)
    );
    let resp = bao
        .http("GET", &target, &[("X-Vault-Token", user_token)], None)
        .map_err(|e| format!("authorize request to {} failed: {e}", bao.addr()))?;
    let body = resp.text();
    if resp.status != 200 {
        return Err(oauth_error("authorize", resp.status, &body));
    }
    serde_json::from_str(&body).map_err(|e| format!("authorize answer is not JSON ({e}): {body}"))
}

/// The token step alone: `POST identity/oidc/provider/P/token` with
/// `grant_type=authorization_code`. Client authentication is HTTP basic when `client_secret`
/// is given (confidential clients), else `client_id` in the body (public clients).
pub fn exchange_code(
    bao: &Bao,
    provider: &str,
    client_id: &str,
    client_secret: Option<&str>,
    code: &str,
    redirect_uri: &str,
    code_verifier: &str,
) -> Result<Tokens, String> {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", code_verifier),
    ];
    if client_secret.is_none() {
        form.push(("client_id", client_id));
    }
    token_request(bao, provider, client_id, client_secret, &form)
}

/// The client-credentials grant (`grant_type=client_credentials`, HTTP basic auth). OpenBao
/// only allows it for clients written with `client_credentials=true`.
pub fn client_credentials(
    bao: &Bao,
    provider: &str,
    client_id: &str,
    client_secret: &str,
    scope: &str,
) -> Result<Value, String> {
    let form = [("grant_type", "client_credentials"), ("scope", scope)];
    let (status, body) = token_post(bao, provider, client_id, Some(client_secret), &form)?;
    if status != 200 {
        return Err(oauth_error("token (client_credentials)", status, &body));
    }
    serde_json::from_str(&body).map_err(|e| format!("token answer is not JSON ({e}): {body}"))
}

fn token_post(
    bao: &Bao,
    provider: &str,
    client_id: &str,
    client_secret: Option<&str>,
    form: &[(&str, &str)],
) -> Result<(u16, String), String> {
    let body = form_encode(form);
    let basic;
    let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
    if let Some(secret) = client_secret {
        basic = format!(
            "Basic {}",
            standard_base64(format!("{}:{}", url_encode(client_id), url_encode(secret)).as_bytes())
        );
        headers.push(("Authorization", basic.as_str()));
    }
    let target = format!("/v1/identity/oidc/provider/{}/token", url_encode(provider));
    let resp = bao
        .http("POST", &target, &headers, Some(body.as_bytes()))
        .map_err(|e| format!("token request to {} failed: {e}", bao.addr()))?;
    Ok((resp.status, resp.text()))
}

fn token_request(
    bao: &Bao,
    provider: &str,
    client_id: &str,
    client_secret: Option<&str>,
    form: &[(&str, &str)],
) -> Result<Tokens, String> {
    let (status, body) = token_post(bao, provider, client_id, client_secret, form)?;
    if status != 200 {
        return Err(oauth_error("token", status, &body));
    }
    let raw: Value = serde_json::from_str(&body)
        .map_err(|e| format!("token answer is not JSON ({e}): {body}"))?;
    let s = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_string);
    Ok(Tokens {
        id_token: s("id_token").ok_or_else(|| format!("token answer without id_token: {raw}"))?,
        access_token: s("access_token")
            .ok_or_else(|| format!("token answer without access_token: {raw}"))?,
        expires_in: raw.get("expires_in").and_then(Value::as_u64).unwrap_or(0),
        raw,
    })
}

fn standard_base64(data: &[u8]) -> String {
    let mut s = base64url_encode(data).replace('-', "+").replace('_', "/");
    while s.len() % 4 != 0 {
        s.push('=');
    }
    s
}

/// The authorization-code flow with PKCE (S256), state and nonce, as the logged-in user
/// `user_token`: authorize (checks the returned `state`), then exchanges the code. Errors carry
/// the OAuth error code, e.g. `"authorize refused (HTTP 400): access_denied: identity entity not
/// authorized by client assignment"`.
#[allow(clippy::too_many_arguments)]
pub fn authorization_code_pkce(
    bao: &Bao,
    user_token: &str,
    provider: &str,
    client_id: &str,
    client_secret: Option<&str>,
    redirect_uri: &str,
    scope: &str,
    nonce: &str,
) -> Result<Tokens, String> {
    let pkce = Pkce::new();
    let state = random_token(16);
    let answer = authorize(
        bao,
        user_token,
        provider,
        client_id,
        redirect_uri,
        scope,
        &state,
        nonce,
        &pkce.challenge,
    )?;
    let returned_state = answer.get("state").and_then(Value::as_str);
    if returned_state != Some(state.as_str()) {
        return Err(format!(
            "authorize returned state {returned_state:?}, expected {state:?}"
        ));
    }
    let code = answer
        .get("code")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("authorize answer without code: {answer}"))?;
    exchange_code(
        bao,
        provider,
        client_id,
        client_secret,
        code,
        redirect_uri,
        &pkce.verifier,
    )
}

/// Unverified decode of a JWT's payload (claims), for assertions. Panics on a malformed token.
pub fn decode_claims(jwt: &str) -> Value {
    decode_part(jwt, 1)
}

/// Unverified decode of a JWT's header (`alg`, `kid`).
pub fn decode_header(jwt: &str) -> Value {
    decode_part(jwt, 0)
}

fn decode_part(jwt: &str, i: usize) -> Value {
    let part = jwt
        .split('.')
        .nth(i)
        .unwrap_or_else(|| panic!("not a JWT (no part {i}): {jwt:.40}"));
    let bytes = base64_decode(part).unwrap_or_else(|| panic!("JWT part {i} is not base64url"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("JWT part {i} is not JSON: {e}"))
}

/// The provider's discovery document (unauthenticated
/// `identity/oidc/provider/P/.well-known/openid-configuration`).
pub fn discovery(bao: &Bao, provider: &str) -> Result<Value, crate::ApiError> {
    bao.api_with_token(
        "",
        "GET",
        &format!("identity/oidc/provider/{provider}/.well-known/openid-configuration"),
        None,
    )
}

/// The provider's JWKS (unauthenticated `identity/oidc/provider/P/.well-known/keys`).
pub fn jwks(bao: &Bao, provider: &str) -> Result<Value, crate::ApiError> {
    bao.api_with_token(
        "",
        "GET",
        &format!("identity/oidc/provider/{provider}/.well-known/keys"),
        None,
    )
}
