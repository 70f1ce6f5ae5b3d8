//! The core's one percent-encoder and one hex codec.

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// What `encodeURIComponent` leaves as it is.
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b)
}

fn percent(s: &str, space_as_plus: bool) -> String {
    if s.bytes().all(unreserved) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if unreserved(b) {
            out.push(b as char);
        } else if b == b' ' && space_as_plus {
            out.push('+');
        } else {
            out.push('%');
            out.push(HEX_UPPER[(b >> 4) as usize] as char);
            out.push(HEX_UPPER[(b & 15) as usize] as char);
        }
    }
    out
}

/// Percent-encode like JavaScript's `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
/// Used for query names and values and for a token in a path.
pub fn component(s: &str) -> String {
    percent(s, false)
}

/// `application/x-www-form-urlencoded` for a form body and for OAuth 2.0's client credentials in
/// HTTP Basic (RFC 6749 §2.3.1, Appendix B): as [`component`], with a space as `+`.
pub fn form(s: &str) -> String {
    percent(s, true)
}

/// Undo percent-encoding (`%XX` → the byte; anything else as it is), as a server reads a query.
pub fn decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Some([x]) = unhex::<1>(&b[i + 1..i + 3]) {
                out.push(x);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Lower-case hex of `bytes`, appended to `out`.
pub fn push_hex(bytes: &[u8], out: &mut Vec<u8>) {
    for b in bytes {
        out.push(HEX_LOWER[(b >> 4) as usize]);
        out.push(HEX_LOWER[(b & 15) as usize]);
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut v = Vec::with_capacity(bytes.len() * 2);
    push_hex(bytes, &mut v);
    // only ASCII hex digits were pushed
    String::from_utf8(v).unwrap_or_default()
}

/// The bytes of `N` hex digits (either case), or None.
pub fn unhex<const N: usize>(s: &[u8]) -> Option<[u8; N]> {
    if s.len() != 2 * N {
        return None;
    }
    let v = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = (v(s[2 * i])? << 4) | v(s[2 * i + 1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_encode_uri_component() {
        assert_eq!(component("abc-_.!~*'()09"), "abc-_.!~*'()09");
        assert_eq!(component("a&admin=1#x"), "a%26admin%3D1%23x");
        assert_eq!(component("a b+c/d%"), "a%20b%2Bc%2Fd%25");
        assert_eq!(component("é"), "%C3%A9");
    }

    #[test]
    fn decodes_what_it_encodes() {
        for s in ["a&admin=1#x", "a b+c/d%", "é", "plain", "%", "%4", "%zz"] {
            assert_eq!(decode(&component(s)), s);
        }
        assert_eq!(decode("%4"), "%4");
        assert_eq!(decode("a%2x%41"), "a%2xA");
    }

    #[test]
    fn form_encoding_writes_spaces_as_plus() {
        assert_eq!(form("p:a%s+s w0rd"), "p%3Aa%25s%2Bs+w0rd");
        assert_eq!(form("svc:special"), "svc%3Aspecial");
    }

    #[test]
    fn hex_both_ways() {
        assert_eq!(hex(&[0, 1, 0xab, 0xff]), "0001abff");
        assert_eq!(unhex::<2>(b"aBff"), Some([0xab, 0xff]));
        assert_eq!(unhex::<2>(b"abf"), None);
        assert_eq!(unhex::<1>(b"g0"), None);
    }
}
