//! Shared helpers of the fuzz targets: cut the fuzzer's bytes into fields, and the invariants
//! every result of the core must keep (errors are "<field>: <problem>", nothing that goes on the
//! wire can inject a header or a query parameter).

use api_auth_core::schemes::Auth;
use api_auth_core::secret::{check_header_name, check_header_value};
use api_auth_core::Error;

/// Reads fields from fuzzer bytes: strings end at 0xFF (never in UTF-8), numbers take a selector
/// byte (a table of hostile values, or 8 raw bytes as an f64).
pub struct Fields<'a> {
    data: &'a [u8],
}

pub const HOSTILE_F64: [f64; 16] = [
    0.0,
    -0.0,
    -1.0,
    1.5,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    9_007_199_254_740_991.0,
    9_007_199_254_740_992.0,
    1.152_921_504_606_847e18,
    1e300,
    -1e300,
    f64::MIN_POSITIVE,
    1_691_058_833_000.0,
    1_700_000_000.0,
    4_294_967_296.0,
];

impl<'a> Fields<'a> {
    pub fn new(data: &'a [u8]) -> Fields<'a> {
        Fields { data }
    }

    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    pub fn string(&mut self) -> String {
        let end = self.data.iter().position(|b| *b == 0xFF).unwrap_or(self.data.len());
        let s = String::from_utf8_lossy(&self.data[..end]).into_owned();
        self.data = if end < self.data.len() { &self.data[end + 1..] } else { &[] };
        s
    }

    /// None (absent), Some(string) — one selector byte first.
    pub fn opt_string(&mut self) -> Option<String> {
        if self.byte() % 5 == 0 {
            None
        } else {
            Some(self.string())
        }
    }

    /// One of `choices`, or (for 1 in 4) an arbitrary string.
    pub fn choice(&mut self, choices: &[&str]) -> Option<String> {
        let b = self.byte() as usize;
        if b % 4 == 3 {
            return self.opt_string();
        }
        choices.get(b % (choices.len() + 1)).map(|s| s.to_string())
    }

    pub fn f64(&mut self) -> f64 {
        let sel = self.byte();
        if sel < 200 {
            return HOSTILE_F64[sel as usize % HOSTILE_F64.len()];
        }
        let mut b = [0u8; 8];
        for x in b.iter_mut() {
            *x = self.byte();
        }
        f64::from_le_bytes(b)
    }

    pub fn u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        for x in b.iter_mut() {
            *x = self.byte();
        }
        u64::from_le_bytes(b)
    }
}

/// An error names a field: `"<field>: <problem>"`, both non-empty, with a stable code.
pub fn check_error(e: &Error) {
    assert!(!e.field.is_empty(), "error without a field: {e:?}");
    assert!(!e.message.is_empty(), "error without a message: {e:?}");
    assert!(api_auth_core::Code::ALL.contains(&e.code));
    assert!(e.to_string().starts_with(&format!("{}: ", e.field)));
}

/// What goes on the wire cannot inject a header or a query parameter.
pub fn check_auth(a: &Auth) {
    for (name, value) in a.headers.iter().chain(a.extra.iter()) {
        assert!(check_header_name(name, "name").is_ok(), "bad header name {name:?}");
        assert!(check_header_value(value, "value").is_ok(), "bad header value {value:?}");
    }
    for (name, value) in &a.query {
        assert!(!name.is_empty(), "empty query name");
        for c in name.chars().chain(value.chars()) {
            assert!(c.is_ascii_graphic(), "query text with {c:?}: {name}={value}");
            assert!(!"&#? ".contains(c), "query text with {c:?}: {name}={value}");
        }
    }
}
