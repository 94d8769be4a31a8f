//! HTTP fetching of discovery documents and JWKS, with a size cap.

use serde_json::Value;

/// Largest discovery document or JWKS accepted.
pub(crate) const MAX_DOC_BYTES: usize = 512 * 1024;

/// What the checker needs from `.well-known/openid-configuration`.
#[derive(Debug, Clone)]
pub(crate) struct Discovered {
    pub jwks_uri: String,
    pub userinfo_endpoint: Option<String>,
}

/// The discovery URL of an issuer.
pub(crate) fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

/// GETs `url` and returns the body, refusing non-2xx answers and bodies over `MAX_DOC_BYTES`.
pub(crate) async fn get_bytes(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, String> {
    let mut resp = client
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| describe(&e))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("HTTP {} from {url}", status.as_u16()));
    }
    if resp
        .content_length()
        .is_some_and(|l| l as usize > MAX_DOC_BYTES)
    {
        return Err(format!("response from {url} is over {MAX_DOC_BYTES} bytes"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| describe(&e))? {
        if body.len() + chunk.len() > MAX_DOC_BYTES {
            return Err(format!("response from {url} is over {MAX_DOC_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Fetches and checks an issuer's discovery document (its `issuer` must match exactly).
pub(crate) async fn discover(client: &reqwest::Client, issuer: &str) -> Result<Discovered, String> {
    let url = discovery_url(issuer);
    let body = get_bytes(client, &url).await?;
    let doc: Value = serde_json::from_slice(&body)
        .map_err(|_| format!("discovery document at {url} is not JSON"))?;
    let doc_issuer = doc
        .get("issuer")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if doc_issuer != issuer {
        return Err(format!(
            "discovery document at {url} names issuer {:?}",
            crate::error::Sanitized::new(doc_issuer)
        ));
    }
    let jwks_uri = doc
        .get("jwks_uri")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("discovery document at {url} has no jwks_uri"))?
        .to_string();
    let userinfo_endpoint = doc
        .get("userinfo_endpoint")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Discovered {
        jwks_uri,
        userinfo_endpoint,
    })
}

/// A short description of a reqwest error (never includes a token: we never put one in a URL).
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "bad response body"
    } else {
        "request failed"
    };
    match e.url() {
        Some(u) => format!("{what} ({u})"),
        None => what.to_string(),
    }
}
