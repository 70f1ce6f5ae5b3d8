//! Nightscout (cgm-remote-monitor v15): `api-secret: sha1hex(API_SECRET)`, access tokens (raw in
//! `api-secret` or `?token=`), and the JWT exchange `GET /api/v2/authorization/request/<token>`.

use crate::json::{self, Value};
use sha1::{Digest, Sha1};

use super::{hex, Auth, Exchanged, Plan, Reader};
use crate::jwt::{claim, jwt_expiry};
use crate::secret::{clean, clean_secret, js_length, Hygiene};
use crate::{excerpt, Error, Result};

/// The server refuses to start with a shorter API_SECRET.
pub const MIN_SECRET_CHARS: usize = 12;

/// Check the length of an already trimmed API_SECRET, counted as the server counts it
/// (JavaScript `.length`: UTF-16 code units, so six emoji are 12).
pub fn check_secret_len(secret: &str, field: &str) -> Result<()> {
    let n = js_length(secret);
    if n < MIN_SECRET_CHARS {
        return Err(Error::new(field, format!("API_SECRET must be at least {MIN_SECRET_CHARS} characters after trimming (got {n})")));
    }
    Ok(())
}

pub fn sha1_hex(data: &[u8]) -> String {
    hex(&Sha1::digest(data))
}

/// API_SECRET as the server takes it (`lib/server/env.js` trims every environment value, then
/// requires a `.length` of 12 and hashes the UTF-8 bytes): trimmed like JavaScript, anything
/// inside (only its hash is ever sent).
pub fn api_secret(secret: &str, field: &str) -> Result<crate::secret::Cleaned> {
    let s = clean(secret, field, Hygiene::Passphrase)?;
    check_secret_len(&s.value, field)?;
    Ok(s)
}

/// `nightscoutSecretHash(secret)`: what goes in `api-secret`.
pub fn secret_hash(secret: &str) -> Result<String> {
    Ok(sha1_hex(api_secret(secret, "secret")?.value.as_bytes()))
}

/// `nightscoutAccessToken(secret, subjectIdHex, name)`: the token the server issues for a subject.
pub fn access_token(secret: &str, subject_id_hex: &str, name: &str) -> Result<String> {
    let hash = secret_hash(secret)?;
    let id = subject_id_hex.trim().to_ascii_lowercase();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::new("subjectIdHex", "must be the subject's id in hex (24 hex digits for a MongoDB id)"));
    }
    if name.trim().is_empty() {
        return Err(Error::new("name", "is empty"));
    }
    // The server does `name.toLowerCase()` and keeps `[a-z0-9_]`. Only two non-ASCII characters
    // lower-case into that set: KELVIN SIGN → 'k' and 'İ' → 'i' + combining dot (dropped).
    let abbrev: String = name
        .chars()
        .map(|c| match c {
            '\u{212A}' => 'k',
            '\u{0130}' => 'i',
            c => c.to_ascii_lowercase(),
        })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(10)
        .collect();
    let digest = sha1_hex(format!("{hash}{id}").as_bytes());
    Ok(format!("{abbrev}-{}", &digest[..16]))
}

/// `nightscoutExchangePath(accessToken)`, the token percent-encoded by the one encoder of the
/// core (as `encodeURIComponent`).
pub fn exchange_path(access_token: &str) -> Result<String> {
    let t = clean_secret(access_token, "accessToken")?;
    Ok(format!("/api/v2/authorization/request/{}", super::encode_query(&t.value)))
}

/// The JWT from an exchange reply, with its times.
#[derive(Debug, Clone, PartialEq)]
pub struct JwtReply {
    pub token: String,
    pub exp: Option<f64>,
    pub iat: Option<f64>,
}

/// A reply body as JSON, or a clear error saying what came instead.
pub(crate) fn json_body(body: &str) -> Result<Value> {
    let t = body.trim();
    if t.is_empty() {
        return Err(Error::new("body", "the reply is empty"));
    }
    json::parse(t).map_err(|_| {
        let what = if t.starts_with('<') { "HTML or XML" } else { "not JSON" };
        Error::new("body", format!("the reply is {what} (starts with \"{}\")", excerpt(t, 40)))
    })
}

/// `nightscoutParseJwtReply(bodyText)`: `exp` / `iat` from the body, else from the JWT.
pub fn parse_jwt_reply(body: &str) -> Result<JwtReply> {
    let v = json_body(body)?;
    let obj = v.as_object().ok_or_else(|| Error::new("body", "the reply is not a JSON object"))?;
    let token = match obj.get("token") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        _ => {
            let msg = [obj.get("status"), obj.get("message"), obj.get("description")]
                .iter()
                .flatten()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" ");
            return Err(Error::new(
                "body",
                if msg.is_empty() { "no token in the reply".to_string() } else { format!("no token in the reply ({})", excerpt(&msg, 120)) },
            ));
        }
    };
    crate::secret::check_header_value(&token, "token")?;
    // Nightscout always issues a JWT: anything else (a proxy's page, another service) would only
    // be sent as a Bearer, refused, exchanged again and refused again.
    let e = jwt_expiry(&token, "token")?;
    let exp = claim(obj.get("exp")).or(e.exp);
    let iat = claim(obj.get("iat")).or(e.iat);
    Ok(JwtReply { token, exp, iat })
}

pub(crate) fn plan(r: &mut Reader) -> Result<Plan> {
    let mode = r.choice("mode", &["secret", "token", "jwt"])?;
    Ok(match mode {
        "token" => {
            let placement = r.placement()?;
            let token = r.header_secret("token")?;
            Plan::Static(Auth::placed(placement, "api-secret", "token", token))
        }
        "jwt" => {
            r.header_secret("token")?;
            Plan::Exchanged(Exchanged::NightscoutJwt)
        }
        _ => {
            let secret = r.clean("secret", Hygiene::Passphrase)?;
            check_secret_len(&secret, "secret")?;
            Plan::Static(Auth::header("api-secret", sha1_hex(secret.as_bytes())))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn sha1_vectors() {
        assert_eq!(secret_hash("abcdefghij123456").unwrap(), "bcf210644ec3d5ee81ee80ab9e8907abb49c203d");
        assert_eq!(secret_hash("this is my long pass phrase").unwrap(), "b723e97aa97846eb92d5264f084b2823f57c4aa1");
        assert_eq!(secret_hash("  abcdefghij123456 ").unwrap(), "bcf210644ec3d5ee81ee80ab9e8907abb49c203d");
    }

    /// The secrets the server starts with (and hashes as env.js leaves them) are accepted.
    #[test]
    fn secrets_as_the_server_takes_them() {
        // a TAB inside is part of the secret (only its hash is sent)
        assert_eq!(secret_hash("this is\tmy long pass").unwrap(), "4710d2bd600c90af89043597840ed7f091873f86");
        // six emoji are 12 UTF-16 code units: the server starts with them
        assert_eq!(secret_hash("😀😀😀😀😀😀").unwrap(), sha1_hex("😀😀😀😀😀😀".as_bytes()));
        assert!(secret_hash("😀😀😀😀😀").unwrap_err().to_string().ends_with("(got 10)"));
        // surrounding white space is trimmed by the server too (lodash _trim = JavaScript's)
        assert_eq!(secret_hash("\u{feff}   this is my long pass phrase\u{3000}").unwrap(), "b723e97aa97846eb92d5264f084b2823f57c4aa1");
        assert!(secret_hash(" abcdefghijk ").unwrap_err().to_string().ends_with("(got 11)"));
    }

    #[test]
    fn short_secret_refused() {
        assert_eq!(secret_hash("  12345678 ").unwrap_err().to_string(), "secret: API_SECRET must be at least 12 characters after trimming (got 8)");
        assert!(secret_hash("abcdefghij12").is_ok());
        assert!(secret_hash("").unwrap_err().to_string().starts_with("secret: is empty"));
    }

    #[test]
    fn access_token_vector() {
        assert_eq!(access_token("abcdefghij123456", "5f0000000000000000000001", "Node-RED reader").unwrap(), "noderedrea-ecaba170b88208db");
        assert_eq!(access_token("abcdefghij123456", "5F0000000000000000000001", "Node-RED reader").unwrap(), "noderedrea-ecaba170b88208db");
        let t = access_token("abcdefghij123456", "5f0000000000000000000001", "\u{212A}elvin Ünïcode_ÄB").unwrap();
        assert!(t.starts_with("kelvinncod-"), "{t}");
        assert!(access_token("abcdefghij123456", "xyz", "n").unwrap_err().to_string().starts_with("subjectIdHex: "));
        assert!(access_token("abcdefghij123456", "5f00", " ").unwrap_err().to_string().starts_with("name: "));
        assert!(access_token("short", "5f00", "n").unwrap_err().to_string().starts_with("secret: "));
    }

    #[test]
    fn exchange_path_is_encoded() {
        assert_eq!(exchange_path("noderedrea-ecaba170b88208db").unwrap(), "/api/v2/authorization/request/noderedrea-ecaba170b88208db");
        assert_eq!(exchange_path("a b/c").unwrap(), "/api/v2/authorization/request/a%20b%2Fc");
        assert!(exchange_path("").unwrap_err().to_string().starts_with("accessToken: "));
    }

    fn jwt(payload: &str) -> String {
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("{}.{}.sig", b.encode(r#"{"alg":"HS256"}"#), b.encode(payload))
    }

    #[test]
    fn parses_the_reply() {
        let t = jwt(r#"{"accessToken":"x","iat":1700000000,"exp":1700028800}"#);
        let body = format!(r#"{{"token":"{t}","sub":"reader","permissionGroups":[["*:*:read"]],"iat":1700000001,"exp":1700028801}}"#);
        let r = parse_jwt_reply(&body).unwrap();
        assert_eq!(r, JwtReply { token: t.clone(), exp: Some(1700028801.0), iat: Some(1700000001.0) });
        // times from the JWT when the body has none
        let r = parse_jwt_reply(&format!(r#"{{"token":"{t}"}}"#)).unwrap();
        assert_eq!((r.exp, r.iat), (Some(1700028800.0), Some(1700000000.0)));
        // a JWT without times: no times, still a token
        let r = parse_jwt_reply(&format!(r#"{{"token":"{}"}}"#, jwt(r#"{"accessToken":"x"}"#))).unwrap();
        assert_eq!((r.exp, r.iat), (None, None));
        // anything but a JWT is refused: it would only be refused as a Bearer, again and again
        assert_eq!(
            parse_jwt_reply(r#"{"token":"opaque"}"#).unwrap_err().to_string(),
            "token: not a JWT (expected three dot-separated base64url parts)"
        );
    }

    #[test]
    fn reply_errors() {
        let e = parse_jwt_reply(r#"{"status":401,"message":"Unauthorized","description":"Invalid/Missing"}"#).unwrap_err().to_string();
        assert_eq!(e, "body: no token in the reply (401 Unauthorized Invalid/Missing)");
        assert_eq!(parse_jwt_reply("").unwrap_err().to_string(), "body: the reply is empty");
        assert!(parse_jwt_reply("<html>502</html>").unwrap_err().to_string().starts_with("body: the reply is HTML"));
        assert_eq!(parse_jwt_reply("{}").unwrap_err().to_string(), "body: no token in the reply");
        assert_eq!(parse_jwt_reply("[1]").unwrap_err().to_string(), "body: the reply is not a JSON object");
        assert!(parse_jwt_reply(r#"{"token":"a\nb"}"#).unwrap_err().to_string().starts_with("token: contains a control"));
    }
}
