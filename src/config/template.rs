//! Claim templates: JSON with `{{identity.…}}` placeholders that Vault fills in. They are not JSON
//! as written, so they are compared and checked after each placeholder outside a string is
//! replaced by a marker string. Two templates that differ only in whitespace or key order are
//! the same template.

use serde_json::Value;

/// Claims Vault sets itself; a template may not set them.
pub const RESERVED_CLAIMS: [&str; 10] = [
    "iat",
    "aud",
    "exp",
    "iss",
    "sub",
    "namespace",
    "nonce",
    "auth_time",
    "at_hash",
    "c_hash",
];

const MARKER: &str = "\u{1}placeholder:";

/// Replaces each `{{…}}` outside a JSON string by a marker string, so the result can be parsed.
fn substitute_placeholders(template: &str) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = template;
    while let Some(ch) = rest.chars().next() {
        if in_string {
            out.push(ch);
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_string = false;
            }
            rest = &rest[ch.len_utf8()..];
            continue;
        }
        if rest.starts_with("{{") {
            if let Some(end) = rest.find("}}") {
                let inner = rest[2..end].trim();
                out.push_str(&serde_json::to_string(&format!("{MARKER}{inner}")).expect("string"));
                rest = &rest[end + 2..];
                continue;
            }
        }
        if ch == '"' {
            in_string = true;
        }
        out.push(ch);
        rest = &rest[ch.len_utf8()..];
    }
    out
}

/// Parses a template as JSON with placeholders. The error message is serde's, with line and column
/// inside the template.
pub fn parse(template: &str) -> Result<Value, String> {
    if template.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_str(&substitute_placeholders(template)).map_err(|e| e.to_string())
}

/// The form two templates are compared in: canonical JSON when it parses, else trimmed text.
pub fn normalize(template: &str) -> String {
    match parse(template) {
        Ok(v) if template.trim().is_empty() => v.to_string().replace("{}", ""),
        Ok(v) => v.to_string(),
        Err(_) => template.trim().to_string(),
    }
}

/// A canonical template made readable: markers shown as the `{{…}}` placeholders they stand for.
pub fn display(canonical: &str) -> String {
    let escaped_marker = "\"\\u0001placeholder:";
    let mut out = String::with_capacity(canonical.len());
    let mut rest = canonical;
    while let Some(start) = rest.find(escaped_marker) {
        out.push_str(&rest[..start]);
        let after = &rest[start + escaped_marker.len()..];
        let end = after.find('"').unwrap_or(after.len());
        out.push_str("{{");
        out.push_str(&after[..end]);
        out.push_str("}}");
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The reserved claims a template sets at its top level.
pub fn reserved_claims_set(template: &str) -> Vec<String> {
    match parse(template) {
        Ok(Value::Object(map)) => map
            .keys()
            .filter(|k| RESERVED_CLAIMS.contains(&k.as_str()))
            .cloned()
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_outside_strings_parse() {
        let t =
            r#"{"username": {{identity.entity.name}}, "groups": {{identity.entity.groups.names}}}"#;
        assert!(parse(t).is_ok());
    }

    #[test]
    fn placeholders_inside_strings_are_left_alone() {
        let t = r#"{"label": "user-{{identity.entity.name}}"}"#;
        let v = parse(t).unwrap();
        assert_eq!(v["label"], "user-{{identity.entity.name}}");
    }

    #[test]
    fn whitespace_and_order_do_not_matter() {
        let a = "{\"a\": {{identity.entity.name}}, \"b\": 1}\n";
        let b = "{ \"b\":1,\n  \"a\":{{ identity.entity.name }} }";
        assert_eq!(normalize(a), normalize(b));
        assert_ne!(
            normalize(a),
            normalize("{\"a\": {{identity.entity.id}}, \"b\": 1}")
        );
    }

    #[test]
    fn invalid_json_is_reported() {
        assert!(parse("{\"a\": }").is_err());
        assert!(parse("{\"a\": {{identity.entity.name}}").is_err());
    }

    #[test]
    fn reserved_claims_are_found() {
        assert_eq!(
            reserved_claims_set(r#"{"sub": 1, "x": 2, "aud": 3}"#),
            vec!["aud", "sub"]
        );
        assert!(reserved_claims_set(r#"{"x": {"sub": 1}}"#).is_empty());
    }

    #[test]
    fn display_shows_placeholders() {
        let c = normalize("{\"b\": {{identity.entity.name}}, \"a\": 1}");
        assert_eq!(display(&c), "{\"a\":1,\"b\":{{identity.entity.name}}}");
    }

    #[test]
    fn empty_template_normalizes_to_empty() {
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("  \n"), "");
    }
}
