//! # api-auth-core
//!
//! The signing core of `node-red-contrib-api-auth`, compiled to WebAssembly for Node-RED.
//!
//! What it does:
//! - secret hygiene shared by every scheme: trim, refuse what cannot go in an HTTP header, mask
//!   for logs ([`secret`]);
//! - for each of the five APIs (TimeTagger, Timbr, Nightscout, Tedee bridge, Actyx) and a generic
//!   header/query token: build the headers and query parameters of a request, build the token
//!   exchange request and parse its reply ([`schemes`]);
//! - server-side checks for the verify node: constant-time comparison, Nightscout api-secret
//!   check, Tedee key check with a time window and a bounded single-use memory ([`verify`]).
//!
//! What it does not do:
//! - no I/O: the JavaScript side sends requests and hands the reply bodies in;
//! - no clock: every function that needs the time takes it as an argument
//!   (`std::time::SystemTime::now()` is never called; it panics on `wasm32-unknown-unknown`);
//! - no randomness of its own: Fernet IVs come from `getrandom` (Node's crypto under WASM);
//! - no signature verification of Actyx tokens or JWTs: their payloads are only read, to know when
//!   to refresh.
//!
//! Every failure is an [`Error`] whose text is `"<field>: <problem>"` and never contains a secret.
//! No input panics: a panic under WebAssembly aborts the whole module.
//!
//! Only `wasm.rs` knows about wasm-bindgen; everything else is plain Rust, tested natively.

pub mod fernet_token;
pub mod json;
pub mod jwt;
pub mod schemes;
pub mod secret;
pub mod verify;

#[cfg(target_arch = "wasm32")]
mod wasm;

use std::fmt;

/// A bad input: which field, and what is wrong with it. Displayed as `"<field>: <problem>"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub field: String,
    pub problem: String,
}

impl Error {
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Error {
        Error { field: field.into(), problem: problem.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// Largest integer a JavaScript number holds exactly (2^53 - 1).
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A time or count from JavaScript: finite, non-negative, whole, at most 2^53 - 1.
pub fn js_uint(value: f64, field: &str) -> Result<u64> {
    if !value.is_finite() {
        return Err(Error::new(field, "must be a finite number"));
    }
    if value < 0.0 {
        return Err(Error::new(field, "must not be negative"));
    }
    if value.fract() != 0.0 {
        return Err(Error::new(field, "must be a whole number"));
    }
    if value > MAX_SAFE_INTEGER {
        return Err(Error::new(field, "is too large (more than 2^53 - 1)"));
    }
    Ok(value as u64)
}

/// Shorten text from a server reply for an error message (never used on secrets).
pub(crate) fn excerpt(text: &str, max_chars: usize) -> String {
    let mut out: String = text.chars().take(max_chars).map(|c| if c.is_control() { ' ' } else { c }).collect();
    if text.chars().count() > max_chars {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_uint_checks() {
        assert_eq!(js_uint(0.0, "nowMs"), Ok(0));
        assert_eq!(js_uint(1691058833000.0, "nowMs"), Ok(1691058833000));
        assert_eq!(js_uint(MAX_SAFE_INTEGER, "nowMs"), Ok(9_007_199_254_740_991));
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, 1.5, 9.1e15, -0.5] {
            let e = js_uint(bad, "nowMs").unwrap_err();
            assert_eq!(e.field, "nowMs");
            assert!(e.to_string().starts_with("nowMs: "));
        }
    }

    #[test]
    fn excerpt_is_short() {
        assert_eq!(excerpt("abc", 5), "abc");
        assert_eq!(excerpt("abcdef\n", 3), "abc…");
        assert_eq!(excerpt("a\nb", 5), "a b");
        assert_eq!(excerpt("ééééé", 2), "éé…");
    }
}
