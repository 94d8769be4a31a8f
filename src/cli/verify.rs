//! `vault-oidc verify`: check tokens with the embedded checker (`oidc-checker`) and print the
//! principal as JSON.
//!
//! * `vault-oidc verify [TOKEN] --issuer URL --audience AUD …` checks one token (from the
//!   argument, else stdin), prints the principal as JSON and exits 0, or prints
//!   `invalid token: CATEGORY: detail` on stderr and exits 1.
//! * `--stdin-lines`: one token a line in, one JSON result a line out (`{"line":N,"valid":true,
//!   "principal":{…}}` or `{"line":N,"valid":false,"error":CATEGORY,"message":…,"detail":…}`);
//!   exit 0 only if every token was valid. Blank lines are skipped.
//!
//! Tokens are never echoed: not in results, not in errors.

use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use oidc_checker::{Algorithm, CheckError, Checker, Expect, IssuerConfig, Principal, Userinfo};
use serde_json::json;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The token (JWT, or an opaque `b.…` token with --userinfo). Read from stdin when absent;
    /// prefer stdin, as arguments are visible to other local users.
    pub token: Option<String>,
    /// The trusted issuer (exact `iss`), e.g. https://vault.example.com/v1/identity/oidc/provider/default.
    #[arg(long)]
    pub issuer: String,
    /// An accepted audience (client id, or the identity role's client id); repeatable.
    #[arg(long = "audience", required = true, value_name = "AUD")]
    pub audiences: Vec<String>,
    /// JWKS URL (default: from the issuer's .well-known/openid-configuration).
    #[arg(long)]
    pub jwks_url: Option<String>,
    /// An allowed algorithm (RS256 RS384 RS512 ES256 ES384 ES512 EdDSA; default: all); repeatable.
    #[arg(long = "alg", value_name = "ALG")]
    pub algs: Vec<Algorithm>,
    /// Claim holding the username (default `username`, falling back to `sub`).
    #[arg(long)]
    pub username_claim: Option<String>,
    /// Claim holding the groups (default `groups`).
    #[arg(long)]
    pub groups_claim: Option<String>,
    /// The principal must be in this group (in any one of them when repeated).
    #[arg(long = "require-group", value_name = "G")]
    pub require_groups: Vec<String>,
    /// With several --require-group: require all of them instead of any one.
    #[arg(long)]
    pub require_all_groups: bool,
    /// Clock skew allowed for exp/nbf/iat, in seconds (default 30, at most 300).
    #[arg(long, value_name = "SECONDS")]
    pub leeway: Option<u64>,
    /// The expected `nonce` of an ID token.
    #[arg(long)]
    pub nonce: Option<String>,
    /// The issuer is a Cognito user pool (token_use, cognito:username, cognito:groups, client_id).
    #[arg(long)]
    pub cognito: bool,
    /// Accept opaque access tokens by asking the issuer's userinfo endpoint.
    #[arg(long)]
    pub userinfo: bool,
    /// One token a line on stdin, one JSON result a line on stdout.
    #[arg(long, conflicts_with = "token")]
    pub stdin_lines: bool,
}

fn env_var(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
}

fn build_checker(args: &Args, global: &super::GlobalOpts) -> anyhow::Result<Checker> {
    let mut cfg = if args.cognito {
        IssuerConfig::cognito(&args.issuer)
    } else {
        IssuerConfig::new(&args.issuer)
    };
    cfg.audiences = args.audiences.clone();
    cfg.jwks_url = args.jwks_url.clone();
    if !args.algs.is_empty() {
        cfg.algorithms = args.algs.clone();
    }
    if let Some(c) = &args.username_claim {
        cfg.username_claim = c.clone();
    }
    if let Some(c) = &args.groups_claim {
        cfg.groups_claim = c.clone();
    }
    cfg.required_groups = args.require_groups.clone();
    cfg.require_all_groups = args.require_all_groups;
    if let Some(l) = args.leeway {
        cfg.leeway = Duration::from_secs(l);
    }
    if args.userinfo {
        cfg.userinfo = Userinfo::Discover;
    }
    let mut builder = Checker::builder().issuer(cfg);
    let ca = global
        .ca_cert
        .clone()
        .or_else(|| env_var(&["VAULT_CACERT", "BAO_CACERT"]).map(PathBuf::from));
    if let Some(path) = ca {
        let pem = std::fs::read(&path)
            .with_context(|| format!("reading CA certificate {}", path.display()))?;
        builder = builder.ca_pem(pem);
    }
    let skip = global.tls_skip_verify
        || env_var(&["VAULT_SKIP_VERIFY", "BAO_SKIP_VERIFY"])
            .is_some_and(|v| !matches!(v.as_str(), "0" | "false" | "False" | "FALSE"));
    builder = builder.danger_accept_invalid_certs(skip);
    Ok(builder.build()?)
}

/// Strips surrounding whitespace and an optional `Bearer ` prefix.
fn clean(token: &str) -> &str {
    let t = token.trim();
    t.strip_prefix("Bearer ")
        .or_else(|| t.strip_prefix("bearer "))
        .map_or(t, str::trim)
}

async fn check(
    checker: &Checker,
    token: &str,
    nonce: Option<&str>,
) -> Result<Principal, CheckError> {
    checker
        .check_with(
            token,
            Expect {
                nonce,
                access_token: None,
            },
        )
        .await
}

pub async fn run(args: Args, global: &super::GlobalOpts) -> anyhow::Result<ExitCode> {
    let checker = build_checker(&args, global)?;
    let nonce = args.nonce.as_deref();
    if args.stdin_lines {
        let stdin = std::io::stdin();
        let mut out = std::io::stdout().lock();
        let mut all_valid = true;
        for (i, line) in stdin.lock().lines().enumerate() {
            let line = line.context("reading stdin")?;
            let token = clean(&line);
            if token.is_empty() {
                continue;
            }
            let result = match check(&checker, token, nonce).await {
                Ok(p) => json!({"line": i + 1, "valid": true, "principal": p}),
                Err(e) => {
                    all_valid = false;
                    json!({
                        "line": i + 1,
                        "valid": false,
                        "error": e.category(),
                        "message": e.public_message(),
                        "detail": e.to_string(),
                    })
                }
            };
            writeln!(out, "{result}")?;
        }
        out.flush()?;
        return Ok(if all_valid {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let raw = match &args.token {
        Some(t) => t.clone(),
        None => {
            let mut s = String::new();
            std::io::stdin()
                .take(1024 * 1024)
                .read_to_string(&mut s)
                .context("reading the token from stdin")?;
            s
        }
    };
    let token = clean(&raw);
    if token.is_empty() {
        anyhow::bail!("no token given (pass it as an argument or on stdin)");
    }
    match check(&checker, token, nonce).await {
        Ok(p) => {
            println!("{}", serde_json::to_string_pretty(&p)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("invalid token: {}: {e}", e.category());
            Ok(ExitCode::FAILURE)
        }
    }
}
