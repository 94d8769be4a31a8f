//! Durations as Vault accepts them: `"90s"`, `"30m"`, `"24h"`, `"7d"`, compounds like `"1h30m"`,
//! or a plain number of seconds. Everything is normalised to whole seconds, which is what Vault
//! returns on read.

/// Parses a duration into seconds. Returns a message fit for a diagnostic on failure.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(secs) = text.parse::<u64>() {
        return Ok(secs);
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            digits.push(ch);
            continue;
        }
        let unit = match ch {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => {
                return Err(format!(
                    "invalid duration {text:?}: unknown unit {ch:?} (use s, m, h or d)"
                ))
            }
        };
        let n: u64 = digits
            .parse()
            .map_err(|_| format!("invalid duration {text:?}: expected a number before {ch:?}"))?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("duration {text:?} is too large"))?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(format!(
            "invalid duration {text:?}: missing unit after {digits}"
        ));
    }
    Ok(total)
}

/// Formats seconds as the shortest exact duration string (`86400` → `"24h"`, `90` → `"90s"`).
pub fn format_duration(secs: u64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    if secs % 3600 == 0 {
        format!("{}h", secs / 3600)
    } else if secs % 60 == 0 {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_compounds_and_seconds() {
        assert_eq!(parse_duration("90s"), Ok(90));
        assert_eq!(parse_duration("30m"), Ok(1800));
        assert_eq!(parse_duration("24h"), Ok(86_400));
        assert_eq!(parse_duration("1h30m"), Ok(5400));
        assert_eq!(parse_duration("2d"), Ok(172_800));
        assert_eq!(parse_duration("3600"), Ok(3600));
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse_duration("").is_err());
        assert!(parse_duration("10x").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("10").is_ok());
        assert!(parse_duration("1h5").is_err());
    }

    #[test]
    fn formats_shortest_exact() {
        assert_eq!(format_duration(86_400), "24h");
        assert_eq!(format_duration(1800), "30m");
        assert_eq!(format_duration(90), "90s");
        assert_eq!(parse_duration(&format_duration(5400)), Ok(5400));
    }
}
