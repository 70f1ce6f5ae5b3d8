//! Read `exp` / `iat` from a JWT payload, without verifying the signature: the client only needs
//! to know when to refresh. The server remains the judge of validity.

use base64::Engine;

use crate::json::{self, Value};
use crate::{Code, Error, Result};

/// Times found in a JWT payload (seconds since the epoch), each only if present and numeric.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Expiry {
    pub exp: Option<f64>,
    pub iat: Option<f64>,
}

/// A claim as a number of seconds: a finite non-negative JSON number.
pub(crate) fn claim(v: Option<Value>) -> Option<f64> {
    let n = v?.num()?;
    if n.is_finite() && n >= 0.0 {
        Some(n)
    } else {
        None
    }
}

/// Decode the payload of `jwt` and read `exp` and `iat`.
pub fn jwt_expiry(jwt: &str, field: &str) -> Result<Expiry> {
    let jwt = jwt.trim();
    let parts: Vec<&str> = jwt.split('.').collect();
    // header and payload must be present; the signature may be empty (an unsigned JWT)
    if parts.len() != 3 || parts[0].is_empty() || parts[1].is_empty() {
        return Err(Error::new(field, Code::BadFormat, "not a JWT (expected three dot-separated base64url parts)"));
    }
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[1].trim_end_matches('='))
        .map_err(|_| Error::new(field, Code::BadFormat, "JWT payload is not base64url"))?;
    let text = String::from_utf8(payload).map_err(|_| Error::new(field, Code::BadFormat, "JWT payload is not JSON"))?;
    let obj = json::parse(&text).ok_or_else(|| Error::new(field, Code::BadFormat, "JWT payload is not JSON"))?;
    if !obj.is_object() {
        return Err(Error::new(field, Code::BadFormat, "JWT payload is not a JSON object"));
    }
    Ok(Expiry { exp: claim(obj.get("exp")), iat: claim(obj.get("iat")) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make(payload: &str) -> String {
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("{}.{}.{}", b.encode(r#"{"alg":"HS256","typ":"JWT"}"#), b.encode(payload), b.encode("sig"))
    }

    #[test]
    fn reads_exp_and_iat() {
        let e = jwt_expiry(&make(r#"{"sub":"reader","iat":1700000000,"exp":1700028800}"#), "jwt").unwrap();
        assert_eq!(e, Expiry { exp: Some(1700028800.0), iat: Some(1700000000.0) });
    }

    #[test]
    fn missing_or_odd_claims_are_absent() {
        // TimeTagger tokens carry `expires`, not `exp`.
        let e = jwt_expiry(&make(r#"{"username":"u","expires":32503680000,"seed":"x"}"#), "jwt").unwrap();
        assert_eq!(e, Expiry::default());
        let e = jwt_expiry(&make(r#"{"exp":"soon","iat":-5}"#), "jwt").unwrap();
        assert_eq!(e, Expiry::default());
    }

    #[test]
    fn unsigned_jwt_with_empty_signature_is_read() {
        let t = make(r#"{"exp":5}"#);
        let unsigned = format!("{}.", &t[..t.rfind('.').unwrap()]);
        assert_eq!(jwt_expiry(&unsigned, "jwt").unwrap().exp, Some(5.0));
    }

    #[test]
    fn garbage_is_a_clear_error() {
        for (input, msg) in [
            ("", "jwt: not a JWT"),
            ("abc", "jwt: not a JWT"),
            ("a.b.c.d", "jwt: not a JWT"),
            ("..", "jwt: not a JWT"),
            ("eyJ.%%%.x", "jwt: JWT payload is not base64url"),
            ("eyJ.bm90IGpzb24.x", "jwt: JWT payload is not JSON"),
            ("eyJ.WzFd.x", "jwt: JWT payload is not a JSON object"),
        ] {
            let e = jwt_expiry(input, "jwt").unwrap_err().to_string();
            assert!(e.starts_with(msg), "{input:?} -> {e}");
        }
    }
}
