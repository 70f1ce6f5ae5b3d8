//! A small JSON reader and writer (RFC 8259), in place of `serde_json`, which cost ~30 KB of the
//! WebAssembly module for the three reply bodies, one JWT payload and one request body the core
//! handles.
//!
//! - [`parse`] / [`parse_bytes`]: one JSON text → [`Value`]. Whitespace is space, tab, CR and LF
//!   only; no byte order mark, no trailing garbage, no comments, no trailing commas, no single
//!   quotes, no raw control characters in strings, no lone surrogates in `\u` escapes. Arrays and
//!   objects nest at most [`MAX_DEPTH`] deep (as `serde_json`: 127 levels parse, 128 are refused),
//!   so no input can exhaust the stack. Every error is an [`Error`]; nothing panics.
//! - Numbers keep their text as written (so integers of any size stay exact, and writing a value
//!   back gives the same number text) and their `f64` value. A number too large for `f64`
//!   (`1e400`) is refused, as `serde_json` does; one too small for `f64` (`1e-400`) is 0.
//! - Objects keep their members in order, duplicates included; [`Object::get`] returns the last
//!   member of a name (as `serde_json`: the last one wins).
//! - [`Value`]'s `Display` and [`write_string`] write compact JSON, escaping as `serde_json` does.

use std::fmt;

/// Arrays and objects may nest at most `MAX_DEPTH - 1` levels (`serde_json`'s limit).
pub const MAX_DEPTH: usize = 128;

/// Why a text is not JSON, and where (byte offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error {
    pub pos: usize,
    pub what: &'static str,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what)?;
        f.write_str(" at byte ")?;
        f.write_str(&self.pos.to_string())
    }
}

impl std::error::Error for Error {}

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Object),
}

/// A JSON number: its text as written (valid JSON number syntax) and its finite `f64` value.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    text: String,
    value: f64,
}

/// A JSON object: its members in order, duplicates kept.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object(pub Vec<(String, Value)>);

impl Object {
    /// The value of the last member named `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

static NULL: Value = Value::Null;

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Any number as `f64` (always finite).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(n.as_f64()),
            _ => None,
        }
    }

    /// A number written as a non-negative integer (no fraction, no exponent) that fits in `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// A number written as an integer (no fraction, no exponent) that fits in `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// The member `key` of an object (the last one of that name); `None` for anything else.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    /// Compact JSON text.
    pub fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(true) => out.push_str("true"),
            Value::Bool(false) => out.push_str("false"),
            Value::Number(n) => out.push_str(&n.text),
            Value::String(s) => write_string(out, s),
            Value::Array(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Value::Object(o) => {
                out.push('{');
                for (i, (k, v)) in o.0.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// `value["key"]`: the member, or `null` when absent or not an object (as `serde_json`).
impl std::ops::Index<&str> for Value {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write(&mut s);
        f.write_str(&s)
    }
}

impl Number {
    /// A number from its JSON text; `None` unless `text` is exactly one JSON number with a finite
    /// `f64` value.
    pub fn parse(text: &str) -> Option<Number> {
        let mut p = Parser { s: text.as_bytes(), pos: 0 };
        let n = p.number().ok()?;
        if p.pos == text.len() {
            Some(n)
        } else {
            None
        }
    }

    pub fn as_f64(&self) -> f64 {
        self.value
    }

    /// The text as written.
    pub fn as_text(&self) -> &str {
        &self.text
    }

    fn is_integer(&self) -> bool {
        !self.text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
    }

    pub fn as_u64(&self) -> Option<u64> {
        if !self.is_integer() || self.text.starts_with('-') {
            return None;
        }
        self.text.bytes().try_fold(0u64, |a, b| a.checked_mul(10)?.checked_add(u64::from(b - b'0')))
    }

    pub fn as_i64(&self) -> Option<i64> {
        if !self.is_integer() {
            return None;
        }
        let (neg, digits) = match self.text.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, self.text.as_str()),
        };
        // accumulate negatively: i64::MIN has no positive counterpart
        let n = digits.bytes().try_fold(0i64, |a, b| a.checked_mul(10)?.checked_sub(i64::from(b - b'0')))?;
        if neg {
            Some(n)
        } else {
            n.checked_neg()
        }
    }
}

/// Append `s` as a JSON string: `"` and `\` escaped, control characters as `\n`, `\t`, `\r`,
/// `\b`, `\f` or `\u00xx`; everything else as is (the escapes `serde_json` writes).
pub fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        // `i` is at an ASCII byte, so both slices end on character boundaries
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Parse one JSON text.
pub fn parse(text: &str) -> Result<Value, Error> {
    parse_bytes(text.as_bytes())
}

/// Parse one JSON text given as bytes (strings must be UTF-8).
pub fn parse_bytes(bytes: &[u8]) -> Result<Value, Error> {
    let mut p = Parser { s: bytes, pos: 0 };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.pos != bytes.len() {
        return Err(p.err("trailing characters"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

/// Powers of ten as `f64`, each correctly rounded (the table `serde_json` uses).
#[rustfmt::skip]
const POW10: [f64; 309] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
    1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31, 1e32, 1e33, 1e34, 1e35, 1e36, 1e37,
    1e38, 1e39, 1e40, 1e41, 1e42, 1e43, 1e44, 1e45, 1e46, 1e47, 1e48, 1e49, 1e50, 1e51, 1e52, 1e53, 1e54, 1e55,
    1e56, 1e57, 1e58, 1e59, 1e60, 1e61, 1e62, 1e63, 1e64, 1e65, 1e66, 1e67, 1e68, 1e69, 1e70, 1e71, 1e72, 1e73,
    1e74, 1e75, 1e76, 1e77, 1e78, 1e79, 1e80, 1e81, 1e82, 1e83, 1e84, 1e85, 1e86, 1e87, 1e88, 1e89, 1e90, 1e91,
    1e92, 1e93, 1e94, 1e95, 1e96, 1e97, 1e98, 1e99, 1e100, 1e101, 1e102, 1e103, 1e104, 1e105, 1e106, 1e107, 1e108,
    1e109, 1e110, 1e111, 1e112, 1e113, 1e114, 1e115, 1e116, 1e117, 1e118, 1e119, 1e120, 1e121, 1e122, 1e123,
    1e124, 1e125, 1e126, 1e127, 1e128, 1e129, 1e130, 1e131, 1e132, 1e133, 1e134, 1e135, 1e136, 1e137, 1e138,
    1e139, 1e140, 1e141, 1e142, 1e143, 1e144, 1e145, 1e146, 1e147, 1e148, 1e149, 1e150, 1e151, 1e152, 1e153,
    1e154, 1e155, 1e156, 1e157, 1e158, 1e159, 1e160, 1e161, 1e162, 1e163, 1e164, 1e165, 1e166, 1e167, 1e168,
    1e169, 1e170, 1e171, 1e172, 1e173, 1e174, 1e175, 1e176, 1e177, 1e178, 1e179, 1e180, 1e181, 1e182, 1e183,
    1e184, 1e185, 1e186, 1e187, 1e188, 1e189, 1e190, 1e191, 1e192, 1e193, 1e194, 1e195, 1e196, 1e197, 1e198,
    1e199, 1e200, 1e201, 1e202, 1e203, 1e204, 1e205, 1e206, 1e207, 1e208, 1e209, 1e210, 1e211, 1e212, 1e213,
    1e214, 1e215, 1e216, 1e217, 1e218, 1e219, 1e220, 1e221, 1e222, 1e223, 1e224, 1e225, 1e226, 1e227, 1e228,
    1e229, 1e230, 1e231, 1e232, 1e233, 1e234, 1e235, 1e236, 1e237, 1e238, 1e239, 1e240, 1e241, 1e242, 1e243,
    1e244, 1e245, 1e246, 1e247, 1e248, 1e249, 1e250, 1e251, 1e252, 1e253, 1e254, 1e255, 1e256, 1e257, 1e258,
    1e259, 1e260, 1e261, 1e262, 1e263, 1e264, 1e265, 1e266, 1e267, 1e268, 1e269, 1e270, 1e271, 1e272, 1e273,
    1e274, 1e275, 1e276, 1e277, 1e278, 1e279, 1e280, 1e281, 1e282, 1e283, 1e284, 1e285, 1e286, 1e287, 1e288,
    1e289, 1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299, 1e300, 1e301, 1e302, 1e303,
    1e304, 1e305, 1e306, 1e307, 1e308
];

impl<'a> Parser<'a> {
    fn err(&self, what: &'static str) -> Error {
        Error { pos: self.pos, what }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &'static [u8], v: Value) -> Result<Value, Error> {
        match self.s.get(self.pos..self.pos + word.len()) {
            Some(w) if w == word => {
                self.pos += word.len();
                Ok(v)
            }
            _ => Err(self.err("invalid literal")),
        }
    }

    /// A value; `depth` is how many arrays/objects enclose it.
    fn value(&mut self, depth: usize) -> Result<Value, Error> {
        match self.peek() {
            None => Err(self.err("unexpected end of input")),
            Some(b'n') => self.literal(b"null", Value::Null),
            Some(b't') => self.literal(b"true", Value::Bool(true)),
            Some(b'f') => self.literal(b"false", Value::Bool(false)),
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => Ok(Value::Number(self.number()?)),
            Some(b'[') => {
                let depth = self.open(depth)?;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth)?);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Value::Array(items));
                        }
                        None => return Err(self.err("unterminated array")),
                        _ => return Err(self.err("expected ',' or ']'")),
                    }
                }
            }
            Some(b'{') => {
                let depth = self.open(depth)?;
                let mut members = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Value::Object(Object(members)));
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return Err(self.err("expected a member name (a string)"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.peek() != Some(b':') {
                        return Err(self.err("expected ':'"));
                    }
                    self.pos += 1;
                    self.ws();
                    let v = self.value(depth)?;
                    members.push((k, v));
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Value::Object(Object(members)));
                        }
                        None => return Err(self.err("unterminated object")),
                        _ => return Err(self.err("expected ',' or '}'")),
                    }
                }
            }
            Some(_) => Err(self.err("expected a value")),
        }
    }

    /// Step over `[` / `{`, one level deeper.
    fn open(&mut self, depth: usize) -> Result<usize, Error> {
        let depth = depth + 1;
        if depth >= MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        self.pos += 1;
        Ok(depth)
    }

    fn hex4(&mut self) -> Result<u16, Error> {
        let digits = self.s.get(self.pos..self.pos + 4).ok_or_else(|| self.err("truncated \\u escape"))?;
        let mut n = 0u16;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.err("invalid \\u escape")),
            };
            n = (n << 4) | u16::from(v);
        }
        self.pos += 4;
        Ok(n)
    }

    /// A string; `pos` is at its opening quote.
    fn string(&mut self) -> Result<String, Error> {
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            // copy the run of plain bytes up to the next quote, backslash or control character
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.extend_from_slice(&self.s[start..self.pos]);
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return String::from_utf8(out).map_err(|_| Error { pos: start, what: "invalid UTF-8 in a string" });
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let e = self.peek().ok_or_else(|| self.err("unterminated string"))?;
                    self.pos += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = match hi {
                                0xD800..=0xDBFF => {
                                    if self.s.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                        return Err(self.err("lone surrogate in a \\u escape"));
                                    }
                                    self.pos += 2;
                                    let lo = self.hex4()?;
                                    if !(0xDC00..=0xDFFF).contains(&lo) {
                                        return Err(self.err("lone surrogate in a \\u escape"));
                                    }
                                    0x10000 + ((u32::from(hi) - 0xD800) << 10) + (u32::from(lo) - 0xDC00)
                                }
                                0xDC00..=0xDFFF => return Err(self.err("lone surrogate in a \\u escape")),
                                _ => u32::from(hi),
                            };
                            char::from_u32(code).ok_or_else(|| self.err("invalid \\u escape"))?
                        }
                        _ => return Err(self.err("invalid escape")),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                Some(_) => return Err(self.err("control character in a string")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Result<Number, Error> {
        let start = self.pos;
        let neg = self.peek() == Some(b'-');
        if neg {
            self.pos += 1;
        }
        let int_start = self.pos;
        let int_len = self.digits();
        if int_len == 0 {
            return Err(self.err("invalid number"));
        }
        if int_len > 1 && self.s.get(int_start) == Some(&b'0') {
            return Err(Error { pos: int_start, what: "invalid number (leading zero)" });
        }
        let mut frac = (0, 0);
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let f = self.pos;
            if self.digits() == 0 {
                return Err(self.err("invalid number (no digits after '.')"));
            }
            frac = (f, self.pos);
        }
        let mut exp: i64 = 0;
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            let eneg = match self.peek() {
                Some(b'-') => {
                    self.pos += 1;
                    true
                }
                Some(b'+') => {
                    self.pos += 1;
                    false
                }
                _ => false,
            };
            let e = self.pos;
            if self.digits() == 0 {
                return Err(self.err("invalid number (no digits in the exponent)"));
            }
            // saturate: anything beyond ±100000 is zero or too large anyway
            for &d in &self.s[e..self.pos] {
                exp = (exp * 10 + i64::from(d - b'0')).min(100_000);
            }
            if eneg {
                exp = -exp;
            }
        }
        // significant digits: the first 19 exactly in a u64, the rest only move the exponent
        let (mut mant, mut kept, mut dropped) = (0u64, 0, 0i64);
        let digits = self.s[int_start..int_start + int_len].iter().chain(&self.s[frac.0..frac.1]);
        for &d in digits.skip_while(|d| **d == b'0') {
            if kept < 19 {
                mant = mant * 10 + u64::from(d - b'0');
                kept += 1;
            } else {
                dropped += 1;
            }
        }
        // value = digits * 10^(exp - fraction digits) = mant * 10^(exp - fraction digits + dropped)
        let e10 = exp - (frac.1 - frac.0) as i64 + dropped;
        let value = to_f64(mant, e10);
        if !value.is_finite() {
            return Err(Error { pos: start, what: "number out of range" });
        }
        let text = self.s[start..self.pos].iter().map(|&b| b as char).collect();
        Ok(Number { text, value: if neg { -value } else { value } })
    }
}

/// `mant * 10^e10` as `f64`, as `serde_json` computes it: one multiplication or division by a
/// correctly rounded power of ten (exact when mant < 2^53 and |e10| <= 22, else within an ulp or
/// so); infinite when too large.
fn to_f64(mant: u64, mut e10: i64) -> f64 {
    let mut v = mant as f64;
    loop {
        match POW10.get(e10.unsigned_abs() as usize) {
            Some(&p) => return if e10 >= 0 { v * p } else { v / p },
            None => {
                if v == 0.0 {
                    return v;
                }
                if e10 >= 0 {
                    return f64::INFINITY;
                }
                v /= 1e308;
                e10 += 308;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> f64 {
        parse(text).unwrap().as_f64().unwrap()
    }

    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64).abs_diff(b.to_bits() as i64)
    }

    fn what(text: &str) -> &'static str {
        parse(text).unwrap_err().what
    }

    #[test]
    fn scalars() {
        assert_eq!(parse("null").unwrap(), Value::Null);
        assert_eq!(parse("true").unwrap(), Value::Bool(true));
        assert_eq!(parse(" \t\r\nfalse \n").unwrap(), Value::Bool(false));
        assert_eq!(parse(r#""abc""#).unwrap(), Value::String("abc".into()));
        assert_eq!(parse(r#""""#).unwrap(), Value::String(String::new()));
    }

    #[test]
    fn nested_structures_keep_order() {
        let v = parse(r#" { "b" : [1, {"c": [true, null, "x"]}, []], "a": {}, "b2": -1.5e3 } "#).unwrap();
        let o = v.as_object().unwrap();
        assert_eq!(o.0.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["b", "a", "b2"]);
        assert_eq!(v["b"].as_array().unwrap().len(), 3);
        assert_eq!(v["b"].as_array().unwrap()[1]["c"].as_array().unwrap()[2].as_str(), Some("x"));
        assert_eq!(v["b2"].as_f64(), Some(-1500.0));
        assert_eq!(v["a"], Value::Object(Object::default()));
        assert_eq!(v["missing"], Value::Null);
        assert_eq!(v["b"]["not an object"], Value::Null);
        assert_eq!(v.to_string(), r#"{"b":[1,{"c":[true,null,"x"]},[]],"a":{},"b2":-1.5e3}"#);
    }

    #[test]
    fn duplicate_keys_last_wins() {
        let v = parse(r#"{"token":"first","token":"second"}"#).unwrap();
        assert_eq!(v["token"].as_str(), Some("second"));
        assert_eq!(v.as_object().unwrap().len(), 2);
    }

    #[test]
    fn escapes() {
        let v = parse(r#""a\"b\\c\/d\be\ff\ng\rh\ti\u0041\u00e9\u20AC\ud83d\ude00\u0000""#).unwrap();
        assert_eq!(v.as_str(), Some("a\"b\\c/d\u{8}e\u{c}f\ng\rh\tiAé€😀\0"));
        assert_eq!(parse("\"é€😀 raw\"").unwrap().as_str(), Some("é€😀 raw"));
        // surrogates: lone high, lone low, high followed by a non-low, truncated pair
        for bad in [r#""\ud83d""#, r#""\ude00""#, r#""\ud83d\u0041""#, r#""\ud83dx""#, r#""\ud83d\u""#, r#""\ud83d\ud83d""#] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(what(r#""\ud83d""#), "lone surrogate in a \\u escape");
        for bad in [r#""\x""#, r#""\u12""#, r#""\u12G4""#, r#""\'""#, "\"\\", r#""\U0041""#] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn writer_escapes_like_serde_json() {
        let mut s = String::new();
        write_string(&mut s, "a\"b\\c/\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}é😀");
        assert_eq!(s, "\"a\\\"b\\\\c/\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}é😀\"");
        assert_eq!(parse(&s).unwrap().as_str(), Some("a\"b\\c/\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}é😀"));
    }

    #[test]
    fn numbers() {
        assert_eq!(n("0"), 0.0);
        assert!(n("-0").is_sign_negative() && n("-0") == 0.0);
        assert!(n("-0.0").is_sign_negative());
        assert_eq!(n("1"), 1.0);
        assert_eq!(n("-12.5"), -12.5);
        assert_eq!(n("1e3"), 1000.0);
        assert_eq!(n("1E+3"), 1000.0);
        assert_eq!(n("25e-1"), 2.5);
        assert_eq!(n("0.1"), 0.1);
        assert_eq!(n("0.30000000000000004"), 0.30000000000000004);
        assert_eq!(n("1700000000"), 1700000000.0);
        assert_eq!(n("1700000000.5"), 1700000000.5);
        assert_eq!(n("123456789012345678"), 123456789012345678.0);
        assert_eq!(n("9007199254740993"), 9007199254740992.0);
        assert_eq!(n("1e308"), 1e308);
        assert_eq!(n("1.7976931348623157e308"), f64::MAX);
        assert_eq!(n("1e-400"), 0.0);
        // outside the exact range: within an ulp or two of the correctly rounded value
        for t in ["0.000000000000000000000000000001", "1e-30", "4.35e-300", "123456789012345678901234567890e-10", "9.87654321e250",
                  "0.1234567890123456789e5", "2.2250738585072014e-308", "5e-324", "1.5e-320", "31415926535897932384626e-22"] {
            assert!(ulps(n(t), t.parse().unwrap()) <= 2, "{t}: {} vs {}", n(t), t.parse::<f64>().unwrap());
        }
        assert_eq!(n("100000000000000000000000000000"), 1e29);
        assert_eq!(n("0e999999999999999999999"), 0.0);
        // beyond f64: refused, like serde_json
        for big in ["1e400", "-1e400", "1e309", "2e308", "1e99999999999999999999", "1234567890123456789e300"] {
            assert_eq!(what(big), "number out of range", "{big}");
        }
        for bad in ["01", "-01", "00", "1.", ".5", "-", "+1", "1e", "1e+", "1.e3", "0x10", "NaN", "Infinity", "-Infinity", "1_000", "--1"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn integers_stay_exact() {
        let u = |t: &str| parse(t).unwrap().as_u64();
        let i = |t: &str| parse(t).unwrap().as_i64();
        assert_eq!(u("1620822548954578"), Some(1620822548954578));
        assert_eq!(u("18446744073709551615"), Some(u64::MAX));
        assert_eq!(u("18446744073709551616"), None);
        assert_eq!(u("0"), Some(0));
        assert_eq!(u("-1"), None);
        assert_eq!(u("-0"), None);
        assert_eq!(u("1.0"), None);
        assert_eq!(u("1e2"), None);
        assert_eq!(i("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(i("9223372036854775807"), Some(i64::MAX));
        assert_eq!(i("9223372036854775808"), None);
        assert_eq!(i("-9223372036854775809"), None);
        assert_eq!(i("-42"), Some(-42));
        // big integers keep their text
        let big = "123456789012345678901234567890";
        assert_eq!(parse(big).unwrap().to_string(), big);
        assert_eq!(Number::parse(big).unwrap().as_text(), big);
        assert!(Number::parse("1 ").is_none() && Number::parse("1e400").is_none() && Number::parse("").is_none());
    }

    #[test]
    fn invalid_texts() {
        for bad in [
            "", " ", "[1,]", "[1,,2]", "[,1]", "{\"a\":1,}", "{,}", "{'a':1}", "['a']", "{\"a\" 1}", "{\"a\":}", "{a:1}", "{1:1}",
            "[1 2]", "\"a\nb\"", "\"a\u{1}b\"", "\"tab\there\"", "\"abc", "[1", "[", "{", "{\"a\"", "{\"a\":1", "nul", "tru", "nulll",
            "True", "null x", "1 2", "{} {}", "\u{feff}{}", "// c\n1", "/* c */ 1", "[1]]", "\u{a0}1", "\u{c}1", "\u{b}1",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(what("[1,]"), "expected a value");
        assert_eq!(what("\"a\u{1}\""), "control character in a string");
        assert_eq!(what("[1] x"), "trailing characters");
        assert_eq!(what("\"abc"), "unterminated string");
        assert!(parse_bytes(b"\"\xff\"").is_err());
        assert!(parse_bytes(b"\"\xed\xa0\x80\"").is_err(), "an encoded surrogate is not UTF-8");
        assert_eq!(parse_bytes("\"é\"".as_bytes()).unwrap().as_str(), Some("é"));
    }

    #[test]
    fn depth_limit() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
        assert!(parse(&ok).is_ok());
        let too_deep = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(what(&too_deep), "nested too deeply");
        let objs = format!("{}1{}", "{\"a\":".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
        assert_eq!(what(&objs), "nested too deeply");
        assert_eq!(what(&"[".repeat(10_000)), "nested too deeply");
        assert_eq!(what(&"{\"a\":[".repeat(10_000)), "nested too deeply");
    }

    #[test]
    fn round_trip() {
        for t in [r#"{"a":[1,-0,2.5e-3,"\u0000\"\\",{"":null}],"a":true}"#, "[]", "{}", "\"\"", "-0", "123456789012345678901234567890"] {
            let v = parse(t).unwrap();
            assert_eq!(parse(&v.to_string()).unwrap(), v, "{t}");
            assert_eq!(v.to_string(), t);
        }
    }
}
