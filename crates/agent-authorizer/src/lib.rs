//! # agent-authorizer
//!
//! An API Gateway Lambda authorizer for tokens issued by Vault/OpenBao (provider ID tokens and
//! agents' identity tokens), and — during a declared migration window — legacy Cognito tokens.
//! Built on the embedded [`oidc_checker`]; configured only from `AUTHORIZER_*` environment
//! variables ([`config`]).
//!
//! Events: REST API `TOKEN` and `REQUEST` authorizers and HTTP API payload 2.0 (simple or IAM
//! responses). Decisions:
//!
//! * no token, or a token that does not check → the `Unauthorized` error (API Gateway: 401);
//! * the JWKS cannot be fetched and nothing is cached → an `Unavailable` error (API Gateway: 500),
//!   so clients are not told to log in again while Vault is down;
//! * a valid token without a required group → a Deny policy / `isAuthorized: false` (403);
//! * otherwise Allow, `principalId` = username, context `{username, sub, groups, issuer, kind}`.
//!
//! One JSON line per decision goes to stderr; it never contains the token.

pub mod config;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerPolicy, ApiGatewayCustomAuthorizerRequest,
    ApiGatewayCustomAuthorizerRequestTypeRequest, ApiGatewayCustomAuthorizerResponse,
    ApiGatewayV2CustomAuthorizerIamPolicyResponse, ApiGatewayV2CustomAuthorizerSimpleResponse,
    ApiGatewayV2CustomAuthorizerV2Request,
};
use aws_lambda_events::http::HeaderMap;
use aws_lambda_events::iam::{IamPolicyEffect, IamPolicyStatement};
use oidc_checker::{Checker, Principal, TokenKind};
use serde_json::{json, Map, Value};

pub use config::{Config, ConfigError};

/// The refusal API Gateway turns into a 401 (the message must be exactly `Unauthorized`).
pub const UNAUTHORIZED: &str = "Unauthorized";

/// An error answer of the function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `Unauthorized` (→ 401) or `Unavailable` (→ 500).
    pub error_type: &'static str,
    pub message: &'static str,
}

impl Refusal {
    pub const UNAUTHORIZED: Refusal = Refusal {
        error_type: UNAUTHORIZED,
        message: UNAUTHORIZED,
    };
    pub const UNAVAILABLE: Refusal = Refusal {
        error_type: "Unavailable",
        message: "authorizer cannot check tokens right now",
    };

    /// The function-error JSON (as the Lambda runtime API receives it).
    pub fn to_json(&self) -> Value {
        json!({"errorType": self.error_type, "errorMessage": self.message})
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for Refusal {}

impl From<Refusal> for lambda_runtime::Diagnostic {
    fn from(r: Refusal) -> Self {
        lambda_runtime::Diagnostic {
            error_type: r.error_type.to_string(),
            error_message: r.message.to_string(),
        }
    }
}

/// The kind of event received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    RestToken,
    RestRequest,
    HttpApi,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::RestToken => "rest_token",
            EventKind::RestRequest => "rest_request",
            EventKind::HttpApi => "http_api",
        }
    }
}

/// What the event asks about.
struct Request {
    kind: EventKind,
    token: Option<String>,
    /// `methodArn` / `routeArn`.
    arn: Option<String>,
}

/// The parts of an execute-api ARN: `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecuteApiArn<'a> {
    /// `arn:aws:execute-api:REGION:ACCOUNT`
    pub prefix: &'a str,
    pub api: &'a str,
    pub stage: &'a str,
    pub method: &'a str,
    /// With a leading `/`.
    pub path: String,
}

impl<'a> ExecuteApiArn<'a> {
    pub fn parse(arn: &'a str) -> Option<Self> {
        let mut colons = arn.match_indices(':').map(|(i, _)| i);
        let cut = colons.nth(4)?;
        let (prefix, rest) = (&arn[..cut], &arn[cut + 1..]);
        if !prefix.starts_with("arn:") {
            return None;
        }
        let mut parts = rest.splitn(4, '/');
        let api = parts.next().filter(|s| !s.is_empty())?;
        let stage = parts.next().filter(|s| !s.is_empty())?;
        let method = parts.next().filter(|s| !s.is_empty())?;
        let path = format!("/{}", parts.next().unwrap_or(""));
        Some(ExecuteApiArn {
            prefix,
            api,
            stage,
            method,
            path,
        })
    }

    /// Every method and path of this API stage.
    pub fn stage_wildcard(&self) -> String {
        format!("{}:{}/{}/*", self.prefix, self.api, self.stage)
    }

    /// The resource matching a route rule in this API stage.
    pub fn rule_resource(&self, rule: &config::RouteRule) -> String {
        let method = if rule.any_method() {
            "*".to_string()
        } else {
            rule.method.to_ascii_uppercase()
        };
        format!(
            "{}:{}/{}/{}/{}",
            self.prefix,
            self.api,
            self.stage,
            method,
            rule.path.trim_start_matches('/')
        )
    }
}

/// Result of one decision, also what is logged.
#[derive(Debug, Clone)]
pub struct Decision {
    pub event: Option<EventKind>,
    /// `allow`, `deny`, `unauthorized` or `unavailable`.
    pub decision: &'static str,
    /// `ok`, `missing_token`, `bad_event`, `group`, `route_group`, `cognito_window_closed` or a
    /// checker category (`expired`, `audience`, `issuer`, …).
    pub reason: &'static str,
    pub username: Option<String>,
    pub kind: Option<&'static str>,
    /// The response, or the refusal.
    pub outcome: Result<Value, Refusal>,
}

/// The authorizer: configuration plus a warm checker.
#[derive(Clone)]
pub struct Authorizer {
    config: Config,
    checker: Checker,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Writes one JSON log line to stderr.
pub fn log_line(v: Value) {
    use std::io::Write;
    let mut line = v.to_string();
    line.push('\n');
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

fn strip_bearer(v: &str) -> Option<String> {
    let v = v.trim();
    if v.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let t = match v.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("bearer ") => v[7..].trim(),
        _ => v,
    };
    (!t.is_empty()).then(|| t.to_string())
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(strip_bearer)
}

impl Authorizer {
    /// The token from the configured header, else from `Authorization` (any case).
    fn header_token(&self, headers: &HeaderMap) -> Option<String> {
        self.config
            .token_header
            .as_deref()
            .and_then(|h| header(headers, h))
            .or_else(|| header(headers, "authorization"))
    }

    /// Builds the checker (no network). Call [`Authorizer::hydrate`] next.
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        let checker = config.checker()?;
        Ok(Authorizer { config, checker })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn checker(&self) -> &Checker {
        &self.checker
    }

    /// Fetches every issuer's JWKS. On failure the function still starts: a background task
    /// keeps retrying (with backoff up to 30 s) and every check also refetches on demand, so
    /// tokens are refused while Vault is down and accepted again once it is back.
    pub async fn hydrate(&self) -> bool {
        let started = Instant::now();
        match self.checker.hydrate().await {
            Ok(()) => {
                log_line(
                    json!({"level": "info", "msg": "jwks hydrated", "issuers": self.checker.issuers().count(), "ms": started.elapsed().as_millis() as u64}),
                );
                true
            }
            Err(e) => {
                log_line(
                    json!({"level": "warn", "msg": "jwks not hydrated at init; tokens are refused until an issuer answers", "reason": e.category(), "detail": e.to_string()}),
                );
                let checker = self.checker.clone();
                tokio::spawn(async move {
                    let mut wait = Duration::from_secs(1);
                    loop {
                        tokio::time::sleep(wait).await;
                        if checker.hydrate().await.is_ok() {
                            log_line(json!({"level": "info", "msg": "jwks hydrated after retry"}));
                            break;
                        }
                        wait = (wait * 2).min(Duration::from_secs(30));
                    }
                });
                false
            }
        }
    }

    fn parse(&self, event: &Value) -> Result<Request, ()> {
        let typ = event.get("type").and_then(Value::as_str).unwrap_or("");
        if event.get("version").and_then(Value::as_str) == Some("2.0")
            || event.get("routeArn").is_some()
        {
            let e: ApiGatewayV2CustomAuthorizerV2Request =
                serde_json::from_value(event.clone()).map_err(|_| ())?;
            let mut token = self.header_token(&e.headers);
            if token.is_none() {
                // A custom identity source may name anything; its first value is the token.
                token = e
                    .identity_source
                    .as_ref()
                    .and_then(|s| s.first())
                    .and_then(|s| strip_bearer(s));
            }
            return Ok(Request {
                kind: EventKind::HttpApi,
                token,
                arn: e.route_arn,
            });
        }
        if typ.eq_ignore_ascii_case("TOKEN") {
            let e: ApiGatewayCustomAuthorizerRequest =
                serde_json::from_value(event.clone()).map_err(|_| ())?;
            return Ok(Request {
                kind: EventKind::RestToken,
                token: e.authorization_token.as_deref().and_then(strip_bearer),
                arn: e.method_arn,
            });
        }
        if typ.eq_ignore_ascii_case("REQUEST") {
            let e: ApiGatewayCustomAuthorizerRequestTypeRequest =
                serde_json::from_value(event.clone()).map_err(|_| ())?;
            let token = self
                .header_token(&e.headers)
                .or_else(|| self.header_token(&e.multi_value_headers));
            return Ok(Request {
                kind: EventKind::RestRequest,
                token,
                arn: e.method_arn,
            });
        }
        Err(())
    }

    /// Decides on one event (no logging).
    pub async fn decide(&self, event: &Value) -> Decision {
        let refuse = |event, reason, refusal: Refusal| Decision {
            event,
            decision: if refusal == Refusal::UNAUTHORIZED {
                "unauthorized"
            } else {
                "unavailable"
            },
            reason,
            username: None,
            kind: None,
            outcome: Err(refusal),
        };
        let Ok(req) = self.parse(event) else {
            return refuse(None, "bad_event", Refusal::UNAUTHORIZED);
        };
        let Some(token) = req.token.as_deref() else {
            return refuse(Some(req.kind), "missing_token", Refusal::UNAUTHORIZED);
        };
        let principal = match self.checker.check(token).await {
            Ok(p) => p,
            Err(e) if e.is_unavailable() => {
                return refuse(Some(req.kind), e.category(), Refusal::UNAVAILABLE)
            }
            Err(e) => return refuse(Some(req.kind), e.category(), Refusal::UNAUTHORIZED),
        };
        if matches!(
            principal.kind,
            TokenKind::CognitoId | TokenKind::CognitoAccess
        ) {
            if let Some(until) = self.config.cognito_until {
                if now_secs() >= until {
                    let mut d = refuse(
                        Some(req.kind),
                        "cognito_window_closed",
                        Refusal::UNAUTHORIZED,
                    );
                    d.username = Some(principal.username);
                    d.kind = Some(principal.kind.as_str());
                    return d;
                }
            }
        }
        self.respond(req, principal)
    }

    fn respond(&self, req: Request, p: Principal) -> Decision {
        let cfg = &self.config;
        let in_any = |groups: &[String]| groups.iter().any(|g| p.in_group(g));
        let arn = req.arn.as_deref().and_then(ExecuteApiArn::parse);
        // Whole-stage decision (cacheable for every route).
        let global_ok = cfg.required_groups.is_empty() || in_any(&cfg.required_groups);
        // Route rules the principal does not satisfy: denied for this principal on every route
        // they match, which keeps the policy a function of the principal alone (cache-safe).
        let denied_rules: Vec<&config::RouteRule> = cfg
            .route_rules
            .iter()
            .filter(|r| !in_any(&r.groups))
            .collect();
        let this_route_denied = match &arn {
            Some(a) => denied_rules.iter().any(|r| r.matches(a.method, &a.path)),
            // No parsable ARN: be strict when any rule is unsatisfied.
            None => !denied_rules.is_empty(),
        };
        let (decision, reason) = if !global_ok {
            ("deny", "group")
        } else if this_route_denied {
            ("deny", "route_group")
        } else {
            ("allow", "ok")
        };
        let context = json!({
            "username": p.username,
            "sub": p.subject,
            "groups": p.groups.join(","),
            "issuer": p.issuer,
            "kind": p.kind.as_str(),
        });

        let response = if req.kind == EventKind::HttpApi && cfg.http_api_simple_responses {
            let mut r = ApiGatewayV2CustomAuthorizerSimpleResponse::<Value>::default();
            r.is_authorized = decision == "allow";
            r.context = context;
            serde_json::to_value(r)
        } else {
            let wildcard = arn
                .as_ref()
                .map(ExecuteApiArn::stage_wildcard)
                .or_else(|| req.arn.clone())
                .unwrap_or_else(|| "*".to_string());
            let mut statements = Vec::new();
            if !global_ok {
                statements.push(statement(IamPolicyEffect::Deny, vec![wildcard]));
            } else {
                statements.push(statement(IamPolicyEffect::Allow, vec![wildcard]));
                let deny: Vec<String> = match &arn {
                    Some(a) => denied_rules.iter().map(|r| a.rule_resource(r)).collect(),
                    None if this_route_denied => {
                        vec![req.arn.clone().unwrap_or_else(|| "*".into())]
                    }
                    None => Vec::new(),
                };
                if !deny.is_empty() {
                    statements.push(statement(IamPolicyEffect::Deny, deny));
                }
            }
            let mut policy = ApiGatewayCustomAuthorizerPolicy::default();
            policy.version = Some("2012-10-17".into());
            policy.statement = statements;
            if req.kind == EventKind::HttpApi {
                let mut r = ApiGatewayV2CustomAuthorizerIamPolicyResponse::<Value>::default();
                r.principal_id = Some(p.username.clone());
                r.policy_document = policy;
                r.context = context;
                serde_json::to_value(r)
            } else {
                let mut r = ApiGatewayCustomAuthorizerResponse::<Value>::default();
                r.principal_id = Some(p.username.clone());
                r.policy_document = policy;
                r.context = context;
                serde_json::to_value(r).map(|mut v| {
                    if let Some(o) = v.as_object_mut() {
                        o.retain(|k, v| k != "usageIdentifierKey" || !v.is_null());
                    }
                    v
                })
            }
        };
        Decision {
            event: Some(req.kind),
            decision,
            reason,
            username: Some(p.username),
            kind: Some(p.kind.as_str()),
            outcome: response.map_err(|_| Refusal::UNAVAILABLE),
        }
    }

    /// Decides, logs one JSON line and returns the response or the refusal.
    pub async fn handle(&self, event: &Value, request_id: &str) -> Result<Value, Refusal> {
        let started = Instant::now();
        let d = self.decide(event).await;
        let mut line = Map::new();
        line.insert("request_id".into(), json!(request_id));
        line.insert("decision".into(), json!(d.decision));
        line.insert("reason".into(), json!(d.reason));
        line.insert("username".into(), json!(d.username));
        line.insert("kind".into(), json!(d.kind));
        line.insert("event".into(), json!(d.event.map(EventKind::as_str)));
        line.insert(
            "latency_us".into(),
            json!(started.elapsed().as_micros() as u64),
        );
        log_line(Value::Object(line));
        d.outcome
    }
}

fn statement(effect: IamPolicyEffect, resource: Vec<String>) -> IamPolicyStatement {
    let mut s = IamPolicyStatement::default();
    s.action = vec!["execute-api:Invoke".into()];
    s.effect = effect;
    s.resource = resource;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        let a = ExecuteApiArn::parse(
            "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/admin/users",
        )
        .unwrap();
        assert_eq!(a.prefix, "arn:aws:execute-api:eu-west-1:123456789012");
        assert_eq!((a.api, a.stage, a.method), ("abc123", "prod", "GET"));
        assert_eq!(a.path, "/admin/users");
        assert_eq!(
            a.stage_wildcard(),
            "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*"
        );
        let rule = config::RouteRule {
            method: "ANY".into(),
            path: "/admin/*".into(),
            groups: vec!["admins".into()],
        };
        assert_eq!(
            a.rule_resource(&rule),
            "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*/admin/*"
        );
        let root =
            ExecuteApiArn::parse("arn:aws:execute-api:eu-west-1:1:abc/$default/GET/").unwrap();
        assert_eq!(root.path, "/");
        assert!(ExecuteApiArn::parse("nonsense").is_none());
    }

    #[test]
    fn bearer() {
        assert_eq!(strip_bearer("Bearer abc").as_deref(), Some("abc"));
        assert_eq!(strip_bearer("bearer  abc ").as_deref(), Some("abc"));
        assert_eq!(strip_bearer("abc").as_deref(), Some("abc"));
        assert_eq!(strip_bearer("Bearer "), None);
        assert_eq!(strip_bearer(""), None);
    }
}
