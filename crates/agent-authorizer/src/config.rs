//! Configuration, read only from the `AUTHORIZER_*` environment variables.

use std::time::Duration;

use oidc_checker::{Checker, IssuerConfig, JwksTiming};
use serde::Deserialize;

pub const ISSUERS: &str = "AUTHORIZER_ISSUERS";
pub const AUDIENCES: &str = "AUTHORIZER_AUDIENCES";
pub const USERNAME_CLAIM: &str = "AUTHORIZER_USERNAME_CLAIM";
pub const GROUPS_CLAIM: &str = "AUTHORIZER_GROUPS_CLAIM";
pub const REQUIRED_GROUPS: &str = "AUTHORIZER_REQUIRED_GROUPS";
pub const ROUTE_RULES: &str = "AUTHORIZER_ROUTE_RULES";
pub const TOKEN_HEADER: &str = "AUTHORIZER_TOKEN_HEADER";
pub const HTTP_API_SIMPLE_RESPONSES: &str = "AUTHORIZER_HTTP_API_SIMPLE_RESPONSES";
pub const COGNITO_ISSUERS: &str = "AUTHORIZER_COGNITO_ISSUERS";
pub const COGNITO_CLIENT_IDS: &str = "AUTHORIZER_COGNITO_CLIENT_IDS";
pub const COGNITO_UNTIL: &str = "AUTHORIZER_COGNITO_UNTIL";
pub const LEEWAY_SECONDS: &str = "AUTHORIZER_LEEWAY_SECONDS";

/// Every variable read, for documentation and tests.
pub const ALL: [&str; 12] = [
    ISSUERS,
    AUDIENCES,
    USERNAME_CLAIM,
    GROUPS_CLAIM,
    REQUIRED_GROUPS,
    ROUTE_RULES,
    TOKEN_HEADER,
    HTTP_API_SIMPLE_RESPONSES,
    COGNITO_ISSUERS,
    COGNITO_CLIENT_IDS,
    COGNITO_UNTIL,
    LEEWAY_SECONDS,
];

/// A bad configuration value. `variable` is the environment variable at fault; `detail` never
/// repeats a secret (none of these variables holds one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub detail: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.variable, self.detail)
    }
}

impl std::error::Error for ConfigError {}

/// One route rule: requests matching `method` and `path` need one of `groups`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteRule {
    /// HTTP method, or `*` / `ANY` for every method.
    pub method: String,
    /// Path pattern; `*` matches any run of characters (also `/`), as in IAM resource ARNs.
    pub path: String,
    /// The principal must be in at least one of these groups.
    pub groups: Vec<String>,
}

impl RouteRule {
    pub fn any_method(&self) -> bool {
        self.method == "*" || self.method.eq_ignore_ascii_case("ANY")
    }

    pub fn matches(&self, method: &str, path: &str) -> bool {
        (self.any_method() || self.method.eq_ignore_ascii_case(method)) && glob(&self.path, path)
    }
}

/// `*` matches any (possibly empty) run of characters; everything else is literal.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Everything the authorizer needs, parsed and validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub issuers: Vec<String>,
    pub audiences: Vec<String>,
    pub username_claim: String,
    pub groups_claim: String,
    pub required_groups: Vec<String>,
    pub route_rules: Vec<RouteRule>,
    /// Lower-cased header name also searched for the token (REQUEST and HTTP API events).
    pub token_header: Option<String>,
    pub http_api_simple_responses: bool,
    pub cognito_issuers: Vec<String>,
    pub cognito_client_ids: Vec<String>,
    /// Unix seconds after which Cognito tokens are refused; `None`: no end declared.
    pub cognito_until: Option<u64>,
    pub leeway: Option<Duration>,
}

fn list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn check_url(variable: &'static str, url: &str) -> Result<(), ConfigError> {
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "https://".len()
        && !url.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(ConfigError {
            variable,
            detail: format!("{url:?} is not an http(s) URL"),
        })
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the configuration through `get` (a variable set to an empty string counts as unset).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let err = |variable, detail: String| ConfigError { variable, detail };

        let issuers = list(&get(ISSUERS).unwrap_or_default());
        if issuers.is_empty() {
            return Err(err(
                ISSUERS,
                "required: comma-separated trusted issuer URLs".into(),
            ));
        }
        for i in &issuers {
            check_url(ISSUERS, i)?;
        }
        let audiences = list(&get(AUDIENCES).unwrap_or_default());
        if audiences.is_empty() {
            return Err(err(
                AUDIENCES,
                "required: comma-separated allowed client ids".into(),
            ));
        }
        let claim = |var: &'static str, default: &str| -> Result<String, ConfigError> {
            let v = get(var).map(|s| s.trim().to_string());
            match v {
                None => Ok(default.to_string()),
                Some(s) if s.contains(|c: char| c.is_whitespace() || c == ',') => {
                    Err(err(var, format!("{s:?} is not a claim name")))
                }
                Some(s) => Ok(s),
            }
        };
        let username_claim = claim(USERNAME_CLAIM, "username")?;
        let groups_claim = claim(GROUPS_CLAIM, "groups")?;
        let required_groups = list(&get(REQUIRED_GROUPS).unwrap_or_default());
        let route_rules = match get(ROUTE_RULES) {
            None => Vec::new(),
            Some(json) => {
                let rules: Vec<RouteRule> = serde_json::from_str(&json).map_err(|e| {
                    err(
                        ROUTE_RULES,
                        format!("not a JSON list of {{method, path, groups}}: {e}"),
                    )
                })?;
                for r in &rules {
                    if r.method.is_empty()
                        || !r
                            .method
                            .chars()
                            .all(|c| c.is_ascii_alphabetic() || c == '*')
                    {
                        return Err(err(ROUTE_RULES, format!("bad method {:?}", r.method)));
                    }
                    if !r.path.starts_with('/') {
                        return Err(err(
                            ROUTE_RULES,
                            format!("path {:?} must start with /", r.path),
                        ));
                    }
                    if r.groups.is_empty() || r.groups.iter().any(|g| g.is_empty()) {
                        return Err(err(
                            ROUTE_RULES,
                            format!(
                                "rule {} {} needs at least one non-empty group",
                                r.method, r.path
                            ),
                        ));
                    }
                }
                rules
            }
        };
        let token_header = match get(TOKEN_HEADER) {
            None => None,
            Some(h) => {
                let h = h.trim().to_ascii_lowercase();
                if !h
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                {
                    return Err(err(TOKEN_HEADER, format!("{h:?} is not a header name")));
                }
                Some(h)
            }
        };
        let http_api_simple_responses = match get(HTTP_API_SIMPLE_RESPONSES) {
            None => false,
            Some(v) => match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" => false,
                other => {
                    return Err(err(
                        HTTP_API_SIMPLE_RESPONSES,
                        format!("{other:?} is not true/false"),
                    ))
                }
            },
        };
        let cognito_issuers = list(&get(COGNITO_ISSUERS).unwrap_or_default());
        for i in &cognito_issuers {
            check_url(COGNITO_ISSUERS, i)?;
            if issuers.contains(i) {
                return Err(err(COGNITO_ISSUERS, format!("{i} is also in {ISSUERS}")));
            }
        }
        let cognito_client_ids = list(&get(COGNITO_CLIENT_IDS).unwrap_or_default());
        if !cognito_issuers.is_empty() && cognito_client_ids.is_empty() {
            return Err(err(
                COGNITO_CLIENT_IDS,
                format!("required when {COGNITO_ISSUERS} is set"),
            ));
        }
        let cognito_until = match get(COGNITO_UNTIL) {
            None => None,
            Some(v) => Some(parse_rfc3339(v.trim()).ok_or_else(|| {
                err(COGNITO_UNTIL, format!("{v:?} is not an RFC 3339 date-time"))
            })?),
        };
        let leeway = match get(LEEWAY_SECONDS) {
            None => None,
            Some(v) => match v.trim().parse::<u64>() {
                Ok(s) if s <= 300 => Some(Duration::from_secs(s)),
                _ => {
                    return Err(err(
                        LEEWAY_SECONDS,
                        format!("{v:?} is not a number of seconds from 0 to 300"),
                    ))
                }
            },
        };
        Ok(Config {
            issuers,
            audiences,
            username_claim,
            groups_claim,
            required_groups,
            route_rules,
            token_header,
            http_api_simple_responses,
            cognito_issuers,
            cognito_client_ids,
            cognito_until,
            leeway,
        })
    }

    /// The checker for this configuration. Group requirements are *not* given to the checker:
    /// the authorizer evaluates them itself so that a missing group is a Deny (403), not a 401.
    pub fn checker(&self) -> Result<Checker, ConfigError> {
        let mut b = Checker::builder().jwks_timing(JwksTiming {
            // Short, so that a Vault that was down at init is retried quickly.
            refetch_interval: Duration::from_secs(2),
            ..JwksTiming::default()
        });
        for iss in &self.issuers {
            let mut c = IssuerConfig::new(iss)
                .username_claim(&self.username_claim)
                .groups_claim(&self.groups_claim);
            for a in &self.audiences {
                c = c.audience(a);
            }
            if let Some(l) = self.leeway {
                c = c.leeway(l);
            }
            b = b.issuer(c);
        }
        for iss in &self.cognito_issuers {
            // Cognito user pools serve their keys at a fixed place.
            let mut c = IssuerConfig::cognito(iss).jwks_url(format!(
                "{}/.well-known/jwks.json",
                iss.trim_end_matches('/')
            ));
            for a in &self.cognito_client_ids {
                c = c.audience(a);
            }
            if let Some(l) = self.leeway {
                c = c.leeway(l);
            }
            b = b.issuer(c);
        }
        b.build().map_err(|e| ConfigError {
            variable: ISSUERS,
            detail: e.to_string(),
        })
    }
}

/// Parses an RFC 3339 date-time (`2026-01-31T23:59:59Z`, `…+02:00`, fractional seconds
/// ignored) into Unix seconds.
pub fn parse_rfc3339(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let days_in_month = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    if d < 1 || d > days_in_month || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        c @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if *c == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    // Days from civil (Howard Hinnant).
    let (yy, m) = if mo <= 2 {
        (y - 1, mo + 9)
    } else {
        (y, mo - 3)
    };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let t = days * 86_400 + h * 3600 + mi * 60 + sec - offset;
    u64::try_from(t).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| m.get(k).cloned())
    }

    const BASE: [(&str, &str); 2] = [
        (ISSUERS, "https://vault.example.com/v1/identity/oidc/provider/default, https://vault.example.com/v1/identity/oidc"),
        (AUDIENCES, "client-a,client-b"),
    ];

    #[test]
    fn minimal_and_defaults() {
        let c = cfg(&BASE).unwrap();
        assert_eq!(c.issuers.len(), 2);
        assert_eq!(c.audiences, ["client-a", "client-b"]);
        assert_eq!(c.username_claim, "username");
        assert_eq!(c.groups_claim, "groups");
        assert!(!c.http_api_simple_responses);
        assert!(c.route_rules.is_empty() && c.cognito_issuers.is_empty());
        c.checker().unwrap();
    }

    #[test]
    fn each_bad_variable_is_named() {
        let cases: &[(&str, &str)] = &[
            (ISSUERS, "vault.example.com"),
            (AUDIENCES, " , "),
            (USERNAME_CLAIM, "a b"),
            (REQUIRED_GROUPS, ""),
            (ROUTE_RULES, "{"),
            (
                ROUTE_RULES,
                r#"[{"method":"GET","path":"admin","groups":["a"]}]"#,
            ),
            (
                ROUTE_RULES,
                r#"[{"method":"GET","path":"/admin","groups":[]}]"#,
            ),
            (TOKEN_HEADER, "x token"),
            (HTTP_API_SIMPLE_RESPONSES, "maybe"),
            (
                COGNITO_ISSUERS,
                "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
            ),
            (COGNITO_UNTIL, "tomorrow"),
            (LEEWAY_SECONDS, "301"),
        ];
        for (var, value) in cases {
            let mut pairs = BASE.to_vec();
            pairs.retain(|(k, _)| k != var);
            pairs.push((var, value));
            match cfg(&pairs) {
                Ok(_) if *var == REQUIRED_GROUPS => {}
                Ok(_) => panic!("{var}={value} accepted"),
                Err(e) => {
                    let expected = if *var == COGNITO_ISSUERS {
                        COGNITO_CLIENT_IDS
                    } else {
                        var
                    };
                    assert_eq!(e.variable, expected, "{var}={value}: {e}");
                }
            }
        }
    }

    #[test]
    fn full_configuration() {
        let mut pairs = BASE.to_vec();
        pairs.extend([
            (REQUIRED_GROUPS, "engineering, ops"),
            (
                ROUTE_RULES,
                r#"[{"method":"GET","path":"/admin/*","groups":["admins"]}]"#,
            ),
            (TOKEN_HEADER, "X-Agent-Token"),
            (HTTP_API_SIMPLE_RESPONSES, "TRUE"),
            (
                COGNITO_ISSUERS,
                "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
            ),
            (COGNITO_CLIENT_IDS, "cog-client"),
            (COGNITO_UNTIL, "2026-09-30T00:00:00+02:00"),
            (LEEWAY_SECONDS, "10"),
        ]);
        let c = cfg(&pairs).unwrap();
        assert_eq!(c.required_groups, ["engineering", "ops"]);
        assert_eq!(c.token_header.as_deref(), Some("x-agent-token"));
        assert!(c.http_api_simple_responses);
        assert_eq!(c.cognito_until, Some(1_790_719_200));
        assert_eq!(c.leeway, Some(Duration::from_secs(10)));
        assert_eq!(c.checker().unwrap().issuers().count(), 3);
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(
            parse_rfc3339("2024-02-29T12:30:15.123Z"),
            Some(1_709_209_815)
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T14:30:15+02:00"),
            Some(1_709_209_815)
        );
        assert_eq!(parse_rfc3339("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2024-01-01"), None);
        assert_eq!(parse_rfc3339("2024-01-01T00:00:00"), None);
        assert_eq!(parse_rfc3339("2024-01-01T00:00:00Zjunk"), None);
    }

    #[test]
    fn globs_and_rules() {
        assert!(glob("/admin/*", "/admin/users/1"));
        assert!(glob("/admin/*", "/admin/"));
        assert!(!glob("/admin/*", "/admin"));
        assert!(glob("/*/reports", "/x/reports"));
        assert!(!glob("/a", "/ab"));
        assert!(glob("*", ""));
        let r = RouteRule {
            method: "ANY".into(),
            path: "/admin*".into(),
            groups: vec!["admins".into()],
        };
        assert!(r.matches("DELETE", "/admin/x"));
        let r = RouteRule {
            method: "get".into(),
            ..r
        };
        assert!(r.matches("GET", "/admin") && !r.matches("POST", "/admin"));
    }
}
