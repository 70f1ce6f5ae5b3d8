//! Secret hygiene shared by every scheme, decided once per field by its [`Hygiene`]: a pasted
//! token is trimmed (with a warning), a password or salt is used exactly as typed. Also: refuse
//! values that cannot go in an HTTP header, mask a secret for logs.
//!
//! Error messages name the field and the position of a bad character, never the value.

use crate::error::{Code, Error, Result};

/// How a field's value is cleaned before it is used. Each scheme says which its fields get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hygiene {
    /// A pasted token or key that is sent as is (header or URL): surrounding whitespace is removed
    /// with a warning (a stray space from copy/paste is the most common setup mistake), and it
    /// must be printable ASCII.
    Token,
    /// A name (user name): surrounding whitespace removed with a warning; no control characters.
    Name,
    /// A passphrase the server itself trims and then only hashes (Nightscout's API_SECRET):
    /// surrounding whitespace removed as JavaScript's `trim` does (with a warning), and any
    /// character inside, TAB included, since only the hash is ever sent.
    Passphrase,
    /// A password or salt that is only encrypted or hashed: used exactly as typed. Only an empty
    /// value is refused; surrounding whitespace is kept (and noted in a warning).
    AsTyped,
}

/// What cleaning did besides returning the value: the node turns it into a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// Surrounding whitespace was removed.
    Trimmed,
    /// The value has surrounding whitespace and is used with it, as typed.
    KeptWhitespace,
}

/// A secret after cleaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    pub value: String,
    pub trimmed: bool,
    pub note: Option<Note>,
}

impl Cleaned {
    /// The warning for `field`, if cleaning has something to say.
    pub fn warning(&self, field: &str) -> Option<String> {
        self.note.map(|n| match n {
            Note::Trimmed => format!("{field}: surrounding whitespace was removed"),
            Note::KeptWhitespace => format!("{field}: has surrounding whitespace, which is sent as typed (part of the {field})"),
        })
    }
}

/// JavaScript's white space (`String.prototype.trim`, `\s`): Unicode White_Space without U+0085,
/// plus U+FEFF (BOM). Rust's `char::is_whitespace` differs on exactly those two.
pub fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
    )
}

/// `s.trim()` as JavaScript does it.
pub fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

/// Length as JavaScript counts it (`.length`: UTF-16 code units; an emoji counts 2).
pub fn js_length(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Clean `value` of `field` by the rule `h`.
pub fn clean(value: &str, field: &str, h: Hygiene) -> Result<Cleaned> {
    let t = js_trim(value);
    if t.is_empty() && (value.is_empty() || h != Hygiene::AsTyped) {
        return Err(Error::new(field, Code::Empty, if value.is_empty() { "is empty" } else { "is empty (only whitespace)" }));
    }
    let changed = t.len() != value.len();
    let (v, note) = match h {
        Hygiene::AsTyped => (value, changed.then_some(Note::KeptWhitespace)),
        _ => (t, changed.then_some(Note::Trimmed)),
    };
    match h {
        Hygiene::Token => check_header_value(v, field)?,
        Hygiene::Name => check_no_controls(v, field)?,
        Hygiene::Passphrase | Hygiene::AsTyped => {}
    }
    Ok(Cleaned { value: v.to_string(), trimmed: note == Some(Note::Trimmed), note })
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
                Code::ControlChar,
                format!("contains a control character ({} at position {}) that cannot go in an HTTP header", control_name(c), i + 1),
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
            Code::NonAscii,
            format!("contains a non-ASCII character (at position {}); HTTP header values must be plain ASCII", i + 1),
        ));
    }
    Ok(())
}

/// Trim surrounding whitespace; refuse an empty value and control characters ([`Hygiene::Name`]).
pub fn clean_secret(value: &str, field: &str) -> Result<Cleaned> {
    clean(value, field, Hygiene::Name)
}

/// For a value that goes into an HTTP header as is ([`Hygiene::Token`]): also printable ASCII only.
pub fn clean_header_secret(value: &str, field: &str) -> Result<Cleaned> {
    clean(value, field, Hygiene::Token)
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
        return Err(Error::new(field, Code::Empty, "is empty"));
    }
    for (i, c) in name.chars().enumerate() {
        let ok = c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if !ok {
            return Err(Error::new(field, Code::BadFormat, format!("is not a valid HTTP header name (bad character at position {})", i + 1)));
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
        assert_eq!(c, Cleaned { value: "abc".into(), trimmed: true, note: Some(Note::Trimmed) });
        assert_eq!(c.warning("token").unwrap(), "token: surrounding whitespace was removed");
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
    fn hygiene_per_kind() {
        // a password is used exactly as typed, whitespace and control characters included
        let c = clean(" pa ss\t", "password", Hygiene::AsTyped).unwrap();
        assert_eq!((c.value.as_str(), c.trimmed), (" pa ss\t", false));
        assert_eq!(c.warning("password").unwrap(), "password: has surrounding whitespace, which is sent as typed (part of the password)");
        assert_eq!(clean("   ", "password", Hygiene::AsTyped).unwrap().value, "   ");
        assert_eq!(clean("", "password", Hygiene::AsTyped).unwrap_err().to_string(), "password: is empty");
        assert_eq!(clean("p\u{1}w", "salt", Hygiene::AsTyped).unwrap().value, "p\u{1}w");
        assert!(clean("pw", "password", Hygiene::AsTyped).unwrap().warning("password").is_none());
        // a passphrase is trimmed like JavaScript does (BOM yes, U+0085 no), anything inside
        let c = clean("\u{feff} a\tb \u{3000}", "secret", Hygiene::Passphrase).unwrap();
        assert_eq!((c.value.as_str(), c.trimmed), ("a\tb", true));
        assert_eq!(clean("\u{85}ab", "secret", Hygiene::Passphrase).unwrap().value, "\u{85}ab");
        assert!(clean(" \t ", "secret", Hygiene::Passphrase).is_err());
        // a name: trimmed, no controls, any letters
        assert_eq!(clean(" Jörg ", "username", Hygiene::Name).unwrap().value, "Jörg");
        assert!(clean("a\nb", "username", Hygiene::Name).is_err());
        // a token: trimmed, printable ASCII
        assert!(clean("tök", "token", Hygiene::Token).is_err());
        assert_eq!(clean(" tok\r\n", "token", Hygiene::Token).unwrap().value, "tok");
    }

    #[test]
    fn js_counts() {
        assert_eq!(js_length("abc"), 3);
        assert_eq!(js_length("😀😀😀😀😀😀"), 12);
        assert_eq!(js_length("é"), 1);
        assert_eq!(js_trim("\u{2028}x\u{a0}"), "x");
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
