//! Typed errors: which field, a stable code, and a text for people.
//!
//! The code is the contract: the nodes choose their status and message by it, never by the text.
//! The text names the field and what is wrong with it, and never contains a secret.

use std::fmt;

/// What kind of problem an [`Error`] is. Its [`Code::as_str`] spelling is stable: the nodes, the
/// tests and flows that inspect `err.code` rely on it.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// A required field is absent.
    Required,
    /// A field is empty, or only white space where that cannot be meant.
    Empty,
    /// A CR, LF, NUL or other control character where it could inject a header.
    ControlChar,
    /// A non-ASCII character in a value that goes into an HTTP header as is.
    NonAscii,
    /// A value outside the choices of a field (`mode`, `placement`, `keyMode` …).
    UnknownValue,
    /// A value of the wrong shape (a header name, an app id, a Fernet key, an access token …).
    BadFormat,
    /// A value too short for the server (Nightscout's API_SECRET).
    TooShort,
    /// A time or count from JavaScript that is not a whole, finite, non-negative number.
    BadNumber,
    /// An argument of the wrong JavaScript type.
    BadType,
    /// Something this configuration cannot do (verify an exchanged token, a Tedee key of a
    /// TimeTagger configuration …).
    NotSupported,
    /// A scheme with a token exchange was asked to sign before it had a token.
    NoToken,
    /// The server refused the credentials (an exchange answered 400/401/403): trying again with
    /// the same credentials cannot help.
    Refused,
    /// The server failed (5xx, or an unexpected status): a later try may work.
    ServerError,
    /// The reply is not what the API sends (HTML, not JSON, no token, a malformed token).
    BadReply,
}

impl Code {
    /// The stable spelling of the code.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Required => "required",
            Code::Empty => "empty",
            Code::ControlChar => "control-char",
            Code::NonAscii => "non-ascii",
            Code::UnknownValue => "unknown-value",
            Code::BadFormat => "bad-format",
            Code::TooShort => "too-short",
            Code::BadNumber => "bad-number",
            Code::BadType => "bad-type",
            Code::NotSupported => "not-supported",
            Code::NoToken => "no-token",
            Code::Refused => "refused",
            Code::ServerError => "server-error",
            Code::BadReply => "bad-reply",
        }
    }

    /// Every code, for the documentation and the tests.
    pub const ALL: [Code; 14] = [
        Code::Required,
        Code::Empty,
        Code::ControlChar,
        Code::NonAscii,
        Code::UnknownValue,
        Code::BadFormat,
        Code::TooShort,
        Code::BadNumber,
        Code::BadType,
        Code::NotSupported,
        Code::NoToken,
        Code::Refused,
        Code::ServerError,
        Code::BadReply,
    ];
}

/// A bad input or a refused exchange: which field, which [`Code`], and what is wrong.
/// Displayed as `"<field>: <message>"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub field: String,
    pub code: Code,
    pub message: String,
}

impl Error {
    pub fn new(field: impl Into<String>, code: Code, message: impl Into<String>) -> Error {
        Error { field: field.into(), code, message: message.into() }
    }

    pub fn required(field: &str) -> Error {
        Error::new(field, Code::Required, "is required")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_kebab_case() {
        let names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        assert!(names.iter().all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')));
    }

    #[test]
    fn displays_field_and_message() {
        let e = Error::new("token", Code::Empty, "is empty");
        assert_eq!(e.to_string(), "token: is empty");
        assert_eq!(Error::required("salt").code, Code::Required);
    }
}
