//! # api-auth-core
//!
//! The signing core of `node-red-contrib-api-auth`, compiled to WebAssembly for Node-RED. It
//! *describes*; JavaScript *carries* (the sans-I/O shape of rustls or matrix-rust-sdk-crypto-wasm).
//!
//! What it does:
//! - one file per API in [`schemes`] owns everything about that API: its modes and fields (with the
//!   hygiene each field gets, [`secret::Hygiene`]), the headers and query it adds, its token
//!   exchange request as data and how a reply becomes a token with a refresh time or an error with
//!   the server's own words, whether a 401/403 is worth one retry, its Test-button check, and what
//!   its verify side accepts; [`schemes::table`] lists them all for the editor;
//! - [`schemes::Signer`]: a checked configuration that signs requests (secrets stay inside);
//! - [`verify::Verifier`]: the server side for the verify node, built from the same scheme
//!   description, with a single-use memory for Tedee-style keys ([`verify::replay`]).
//!
//! What it does not do:
//! - no I/O: JavaScript sends the requests the core describes and hands the replies back;
//! - no clock: every function that needs the time takes it as an argument
//!   (`std::time::SystemTime::now()` is never called; it panics on `wasm32-unknown-unknown`);
//! - no randomness of its own: Fernet IVs come from `getrandom` (Node's crypto under WASM);
//! - no JSON parser of its own: JSON comes from the platform ([`json`]);
//! - no signature verification of Actyx tokens or JWTs: their payloads are only read, to know when
//!   to refresh.
//!
//! Every failure is an [`Error`] with a field, a stable [`Code`] and a text (`"<field>: <problem>"`)
//! that never contains a secret. No input panics: a panic under WebAssembly aborts the module.
//!
//! Only `wasm.rs` knows about wasm-bindgen; everything else is plain Rust, tested natively.

pub mod encode;
pub mod error;
pub mod fernet_token;
pub mod json;
pub mod jwt;
pub mod schemes;
pub mod secret;
pub mod verify;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::{Code, Error, Result};

/// Largest integer a JavaScript number holds exactly (2^53 - 1).
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A time or count from JavaScript: finite, non-negative, whole, at most 2^53 - 1.
pub fn js_uint(value: f64, field: &str) -> Result<u64> {
    let problem = if !value.is_finite() {
        "must be a finite number"
    } else if value < 0.0 {
        "must not be negative"
    } else if value.fract() != 0.0 {
        "must be a whole number"
    } else if value > MAX_SAFE_INTEGER {
        "is too large (more than 2^53 - 1)"
    } else {
        return Ok(value as u64);
    };
    Err(Error::new(field, Code::BadNumber, problem))
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
            assert_eq!((e.field.as_str(), e.code), ("nowMs", Code::BadNumber));
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
