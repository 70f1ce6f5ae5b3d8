//! Tedee bridge: `api_token` (header or query) = `lowercase_hex(SHA256(token + ms)) + ms`, fresh
//! for every request (encrypted mode), or the token itself (plain mode, for development).
//!
//! The hot path keeps the SHA-256 state after the token, so a key costs one clone, the digits of
//! `ms` and one finalisation; hex comes from a lookup table.

use sha2::{Digest, Sha256};

use super::{push_hex, Auth, Plan, Reader};
use crate::Result;

/// Header and query parameter name.
pub const PARAM: &str = "api_token";

/// `nowMs` from JavaScript as whole milliseconds.
pub fn now_ms(v: f64) -> Result<u64> {
    crate::js_uint(v, "nowMs")
}

/// Decimal digits of `n` into `buf`, returning the used tail.
pub(crate) fn digits(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[i..]
}

/// Makes Tedee keys for one token.
#[derive(Clone)]
pub struct KeyMaker {
    after_token: Sha256,
}

impl KeyMaker {
    pub fn new(token: &str) -> KeyMaker {
        let mut h = Sha256::new();
        h.update(token.as_bytes());
        KeyMaker { after_token: h }
    }

    /// SHA-256 of `token + ms_digits`.
    pub fn digest(&self, ms_digits: &[u8]) -> [u8; 32] {
        let mut h = self.after_token.clone();
        h.update(ms_digits);
        h.finalize().into()
    }

    /// The key for `ms`.
    pub fn key(&self, ms: u64) -> String {
        let mut buf = [0u8; 20];
        let d = digits(ms, &mut buf);
        let mut out = Vec::with_capacity(64 + d.len());
        push_hex(&self.digest(d), &mut out);
        out.extend_from_slice(d);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// `tedeeApiKey(token, nowMs)`.
pub fn api_key(token: &str, ms: f64) -> Result<String> {
    let t = crate::secret::clean_header_secret(token, "token")?;
    Ok(KeyMaker::new(&t.value).key(now_ms(ms)?))
}

pub(crate) fn plan(r: &mut Reader) -> Result<Plan> {
    let mode = r.choice("mode", &["encrypted", "plain"])?;
    let placement = r.placement()?;
    let token = r.header_secret("token")?;
    Ok(match mode {
        "plain" => Plan::Static(Auth::placed(placement, PARAM, PARAM, token)),
        _ => Plan::Tedee(KeyMaker::new(&token), placement),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR: &str = "e59d9763edc6e59f2faccf9a769e5cf170d68439c3fd67afae5e3e72d0463a711691058833000";

    #[test]
    fn seed_vector() {
        assert_eq!(api_key("BE9xnPnGfVUS", 1691058833000.0).unwrap(), VECTOR);
        assert_eq!(KeyMaker::new("BE9xnPnGfVUS").key(1691058833000), VECTOR);
        // the same as hashing the concatenation in one go
        let plain = super::super::hex(&Sha256::digest(b"BE9xnPnGfVUS1691058833000"));
        assert_eq!(&VECTOR[..64], plain);
    }

    #[test]
    fn keys_change_every_millisecond() {
        let k = KeyMaker::new("BE9xnPnGfVUS");
        assert_ne!(k.key(1691058833000), k.key(1691058833001));
        assert!(k.key(0).ends_with('0'));
        assert_eq!(k.key(0).len(), 65);
        assert_eq!(k.key(9_007_199_254_740_991).len(), 64 + 16);
    }

    #[test]
    fn digits_of_numbers() {
        let mut b = [0u8; 20];
        assert_eq!(digits(0, &mut b), b"0");
        assert_eq!(digits(1691058833000, &mut b), b"1691058833000");
        assert_eq!(digits(u64::MAX, &mut b), b"18446744073709551615");
    }

    #[test]
    fn bad_inputs() {
        assert!(api_key("BE9xnPnGfVUS", f64::NAN).unwrap_err().to_string().starts_with("nowMs: must be a finite number"));
        assert!(api_key("BE9xnPnGfVUS", -1.0).unwrap_err().to_string().starts_with("nowMs: "));
        assert!(api_key("BE9xnPnGfVUS", 1.5).unwrap_err().to_string().starts_with("nowMs: "));
        assert!(api_key("BE9xnPnGfVUS", 1e300).unwrap_err().to_string().starts_with("nowMs: "));
        assert_eq!(api_key(" ", 0.0).unwrap_err().to_string(), "token: is empty (only whitespace)");
        assert_eq!(api_key(" BE9xnPnGfVUS\n", 1691058833000.0).unwrap(), VECTOR);
    }
}
