//! HCL literals for generated Terraform, and the alignment `terraform fmt` applies.

pub use crate::config::render::quote;

/// An HCL list of string literals on one line.
pub fn list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// A map key: bare when it is an identifier, else quoted.
pub fn key(name: &str) -> String {
    let ident = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ident {
        name.to_string()
    } else {
        quote(name)
    }
}

/// A string value: a `<<-EOT` heredoc (indented to `indent`) for multi-line text ending in a
/// newline, else a quoted literal. Template sequences are escaped either way.
pub fn text(value: &str, indent: usize) -> String {
    let body = match value.strip_suffix('\n') {
        Some(b) if b.contains('\n') || b.trim_start().starts_with('{') => b,
        _ => return quote(value),
    };
    if body.lines().any(|l| l.trim() == "EOT") || body.contains('\r') {
        return quote(value);
    }
    let pad = " ".repeat(indent + 2);
    let mut out = String::from("<<-EOT\n");
    for line in body.split('\n') {
        let escaped = line.replace("${", "$${").replace("%{", "%%{");
        if escaped.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&pad);
            out.push_str(&escaped);
            out.push('\n');
        }
    }
    out.push_str(&" ".repeat(indent));
    out.push_str("EOT");
    out
}

/// The attribute name of a line that is a complete one-line `name = value` attribute.
fn single_line_attr(line: &str) -> Option<(usize, String, String)> {
    let indent = line.len() - line.trim_start().len();
    let t = &line[indent..];
    let name_end = if let Some(rest) = t.strip_prefix('"') {
        let mut escaped = false;
        let mut end = None;
        for (i, c) in rest.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(i + 2);
                    break;
                }
                _ => escaped = false,
            }
        }
        end?
    } else {
        t.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))?
    };
    if name_end == 0 {
        return None;
    }
    let name = &t[..name_end];
    let rest = t[name_end..].trim_start();
    let value = rest.strip_prefix('=')?;
    if value.starts_with('=') || value.starts_with('>') {
        return None;
    }
    let value = value.trim_start();
    if value.starts_with("<<") || !balanced(value) {
        return None;
    }
    Some((indent, name.to_string(), value.to_string()))
}

/// Whether brackets in `s` (outside string literals) close on the same line.
fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    let mut in_str = false;
    let mut escaped = false;
    for c in s.chars() {
        if in_str {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => in_str = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '{' | '[' | '(' => depth += 1,
            '}' | ']' | ')' => depth -= 1,
            '#' => break,
            _ => {}
        }
    }
    depth == 0
}

/// Aligns the `=` of consecutive one-line attributes, as `terraform fmt` does. An attribute
/// whose value is a heredoc takes part in the alignment and its body does not break the run.
pub fn align(src: &str) -> String {
    enum Line {
        Attr(usize, String, String),
        /// A heredoc body or end marker: transparent.
        Body,
        Other,
    }
    let lines: Vec<&str> = src.split('\n').collect();
    let mut parsed: Vec<Line> = Vec::with_capacity(lines.len());
    let mut heredoc: Option<String> = None;
    for line in &lines {
        if let Some(tag) = &heredoc {
            if line.trim() == tag {
                heredoc = None;
            }
            parsed.push(Line::Body);
            continue;
        }
        if let Some(pos) = line.find("<<") {
            let tag: String = line[pos..]
                .trim_start_matches('<')
                .trim_start_matches('-')
                .trim()
                .to_string();
            if !tag.is_empty() && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                heredoc = Some(tag);
                let head = format!("{}0", &line[..pos]);
                parsed.push(match single_line_attr(&head) {
                    Some((indent, name, _)) => Line::Attr(indent, name, line[pos..].to_string()),
                    None => Line::Other,
                });
                continue;
            }
        }
        parsed.push(match single_line_attr(line) {
            Some((indent, name, value)) => Line::Attr(indent, name, value),
            None => Line::Other,
        });
    }
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let mut i = 0;
    while i < lines.len() {
        if !matches!(parsed[i], Line::Attr(..)) {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && !matches!(parsed[i], Line::Other) {
            i += 1;
        }
        let width = parsed[start..i]
            .iter()
            .filter_map(|p| match p {
                Line::Attr(_, n, _) => Some(n.chars().count()),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        for (j, p) in parsed[start..i].iter().enumerate() {
            if let Line::Attr(indent, name, value) = p {
                let pad = width - name.chars().count();
                out[start + j] = format!(
                    "{}{}{} = {}",
                    " ".repeat(*indent),
                    name,
                    " ".repeat(pad),
                    value
                );
            }
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_multi_line_values_break_the_run() {
        let src = "resource \"a\" \"b\" {\n  x = 1\n  abcd = 2\n  # c\n  e = 3 # t\n  ffff = [\n    1,\n  ]\n  g = { a = 1 }\n}";
        let want = "resource \"a\" \"b\" {\n  x    = 1\n  abcd = 2\n  # c\n  e = 3 # t\n  ffff = [\n    1,\n  ]\n  g = { a = 1 }\n}";
        assert_eq!(align(src), want);
        assert_eq!(align(want), want);
    }

    #[test]
    fn aligns_consecutive_one_line_attributes_only() {
        let src = "a {\n  x = 1\n  long = 2\n  m = {\n    y = 3\n  }\n  z = \"a = b\"\n}\n";
        let want = "a {\n  x    = 1\n  long = 2\n  m = {\n    y = 3\n  }\n  z = \"a = b\"\n}\n";
        assert_eq!(align(src), want);
    }

    #[test]
    fn heredoc_bodies_are_left_alone_and_their_attribute_aligns() {
        let t = text("{\"a\": {{x}}, \"b\": \"${y}\"}\n", 4);
        assert_eq!(t, "<<-EOT\n      {\"a\": {{x}}, \"b\": \"$${y}\"}\n    EOT");
        // As `terraform fmt` does: the heredoc's opening line joins the alignment group.
        assert_eq!(
            align(&format!("  ab = 1\n  t = {t}\n")),
            format!("  ab = 1\n  t  = {t}\n")
        );
    }
}
