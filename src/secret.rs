//! Secret hygiene shared by every scheme: trim surrounding whitespace (and say so), refuse values
//! that cannot go in an HTTP header, mask a secret for logs.
//!
//! Error messages name the field and the position of a bad character, never the value.

use crate::{Error, Result};

/// A secret after trimming, and whether trimming changed it (the node warns about that: a stray
/// space from copy/paste is the most common setup mistake).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    pub value: String,
    pub trimmed: bool,
}

fn control_name(c: char) -> &'static str {
    match c {
        '\r' => "CR",
        '\n' => "LF",
        '\0' => "NUL",
        '\t' => "TAB",
        '\u{7f}' => "DEL",
        _ => "control character",
    }
}

/// Refuse C0 controls and DEL (CR, LF, NUL, TAB inside the value, ...).
pub fn check_no_controls(value: &str, field: &str) -> Result<()> {
    for (i, c) in value.chars().enumerate() {
        if (c as u32) < 0x20 || c == '\u{7f}' {
            return Err(Error::new(
                field,
                format!(
                    "contains a control character ({} at position {}) that cannot go in an HTTP header",
                    control_name(c),
                    i + 1
                ),
            ));
        }
    }
    Ok(())
}

/// What may be sent as an HTTP header value: printable ASCII only.
pub fn check_header_value(value: &str, field: &str) -> Result<()> {
    check_no_controls(value, field)?;
    if let Some(i) = value.chars().position(|c| !c.is_ascii()) {
        return Err(Error::new(
            field,
            format!(
                "contains a non-ASCII character (at position {}); HTTP header values must be plain ASCII",
                i + 1
            ),
        ));
    }
    Ok(())
}

/// Trim surrounding whitespace; refuse an empty value and control characters.
pub fn clean_secret(value: &str, field: &str) -> Result<Cleaned> {
    let t = value.trim();
    if t.is_empty() {
        return Err(Error::new(
            field,
            if value.is_empty() { "is empty" } else { "is empty (only whitespace)" },
        ));
    }
    check_no_controls(t, field)?;
    Ok(Cleaned { value: t.to_string(), trimmed: t.len() != value.len() })
}

/// [`clean_secret`] for a value that goes into an HTTP header as is: also printable ASCII only.
pub fn clean_header_secret(value: &str, field: &str) -> Result<Cleaned> {
    let c = clean_secret(value, field)?;
    check_header_value(&c.value, field)?;
    Ok(c)
}

/// First 6 characters + `...` + last 4; `****` when shorter than 16 characters.
pub fn mask_secret(s: &str) -> String {
    let n = s.chars().count();
    if n < 16 {
        return "****".to_string();
    }
    let head: String = s.chars().take(6).collect();
    let tail: String = s.chars().skip(n - 4).collect();
    format!("{head}...{tail}")
}

/// RFC 9110 `token` characters: what a header name may contain.
pub fn check_header_name(name: &str, field: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::new(field, "is empty"));
    }
    for (i, c) in name.chars().enumerate() {
        let ok = c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if !ok {
            return Err(Error::new(
                field,
                format!("is not a valid HTTP header name (bad character at position {})", i + 1),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_reports() {
        let c = clean_secret("  abc \t", "token").unwrap();
        assert_eq!(c, Cleaned { value: "abc".into(), trimmed: true });
        let c = clean_secret("abc", "token").unwrap();
        assert!(!c.trimmed);
        assert_eq!(clean_secret("\r\nabc\r\n", "token").unwrap().value, "abc");
    }

    #[test]
    fn refuses_empty() {
        assert_eq!(clean_secret("", "token").unwrap_err().to_string(), "token: is empty");
        assert_eq!(clean_secret("   ", "secret").unwrap_err().to_string(), "secret: is empty (only whitespace)");
    }

    #[test]
    fn refuses_controls_naming_field_not_value() {
        for (v, name) in [("abc\rdef", "CR"), ("abc\ndef", "LF"), ("abc\0def", "NUL"), ("ab\x7fc", "DEL"), ("ab\x01c", "control")] {
            let e = clean_secret(v, "token").unwrap_err().to_string();
            assert!(e.starts_with("token: contains a control character ("), "{e}");
            assert!(e.contains(name), "{e}");
            assert!(!e.contains("abc"), "{e}");
        }
    }

    #[test]
    fn header_values_must_be_ascii() {
        let e = clean_header_secret("tökenvalue", "token").unwrap_err().to_string();
        assert!(e.starts_with("token: contains a non-ASCII character (at position 2)"), "{e}");
        assert!(clean_secret("tökenvalue", "password").is_ok());
    }

    #[test]
    fn masks() {
        assert_eq!(mask_secret(""), "****");
        assert_eq!(mask_secret("123456789012345"), "****");
        assert_eq!(mask_secret("1234567890123456"), "123456...3456");
        assert_eq!(mask_secret("abcdefghijklmnopqrstuvwxyz"), "abcdef...wxyz");
        assert_eq!(mask_secret("ééééééééééééééééé"), "éééééé...éééé");
    }

    #[test]
    fn header_names() {
        assert!(check_header_name("X-Api-Key", "headerName").is_ok());
        assert!(check_header_name("Authorization", "headerName").is_ok());
        assert!(check_header_name("", "headerName").is_err());
        assert!(check_header_name("X Api", "headerName").is_err());
        assert!(check_header_name("X:Api", "headerName").is_err());
        assert!(check_header_name("Xé", "headerName").is_err());
    }
}
