//! Timbr: `x-api-key: <user token>` and `Content-Type: application/json` on every call; the token
//! comes either from the configuration or from `POST /timbr/api/get_token` with
//! `Authorization: Bearer <Fernet token>` whose plaintext and key are configurable (the server's
//! script is not public, see PROTOCOLS.md).

use base64::Engine;
use md5::Md5;
use crate::json::Value;
use sha2::{Digest, Sha256};

use super::nightscout::json_body;
use super::{hex, Auth, Exchanged, Plan, Reader};
use crate::fernet_token::{self, b64url};
use crate::secret::{clean, Hygiene};
use crate::{excerpt, Error, Result};

pub const KEY_MODES: [&str; 3] = ["key", "md5", "sha256"];
pub const PLAINTEXT_MODES: [&str; 2] = ["base64", "plain"];

pub(crate) fn headers(token: String) -> Auth {
    Auth {
        headers: vec![("x-api-key".into(), token), ("Content-Type".into(), "application/json".into())],
        query: vec![],
    }
}

fn mode<'a>(v: Option<&str>, field: &str, allowed: &[&'a str]) -> Result<&'a str> {
    match v.map(str::trim) {
        None | Some("") => Ok(allowed[0]),
        Some(m) => allowed.iter().copied().find(|a| *a == m).ok_or_else(|| {
            let list: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
            Error::new(field, format!("unknown value{} (expected {})", super::shown(m), list.join(" or ")))
        }),
    }
}

/// `timbrFernetKey(salt, keyMode)`: the Fernet key used for the bearer.
pub fn fernet_key(salt: &str, key_mode: Option<&str>) -> Result<String> {
    let m = mode(key_mode, "keyMode", &KEY_MODES)?;
    Ok(match m {
        // text turned into a key: hashed exactly as typed
        "md5" => b64url(hex(&Md5::digest(clean(salt, "salt", Hygiene::AsTyped)?.value.as_bytes())).as_bytes()),
        "sha256" => b64url(&Sha256::digest(clean(salt, "salt", Hygiene::AsTyped)?.value.as_bytes())),
        // a key: base64 text, whose surrounding white space Python's Fernet ignores too
        _ => {
            let s = clean(salt, "salt", Hygiene::Token)?.value;
            fernet_token::key(&s, "salt")?;
            s
        }
    })
}

/// What `timbrBearer` needs.
#[derive(Debug, Clone, Default)]
pub struct Credentials<'a> {
    pub username: Option<&'a str>,
    pub password: Option<&'a str>,
    pub salt: Option<&'a str>,
    pub key_mode: Option<&'a str>,
    pub plaintext_mode: Option<&'a str>,
}

/// The plaintext of the bearer: `base64("user:password")` or `"user:password"`.
pub fn plaintext(c: &Credentials) -> Result<String> {
    let pm = mode(c.plaintext_mode, "plaintextMode", &PLAINTEXT_MODES)?;
    let user = clean(c.username.ok_or_else(|| Error::new("username", "is required"))?, "username", Hygiene::Name)?.value;
    if user.contains(':') {
        return Err(Error::new("username", "must not contain ':' (it separates user and password)"));
    }
    let pass = clean(c.password.ok_or_else(|| Error::new("password", "is required"))?, "password", Hygiene::AsTyped)?.value;
    let joined = format!("{user}:{pass}");
    Ok(match pm {
        "plain" => joined,
        _ => base64::engine::general_purpose::STANDARD.encode(joined),
    })
}

/// `timbrBearer(credentials, nowSecs)`: a fresh Fernet token (new IV every call).
pub fn bearer(c: &Credentials, now_secs: u64) -> Result<String> {
    let key = fernet_key(c.salt.ok_or_else(|| Error::new("salt", "is required"))?, c.key_mode)?;
    let p = plaintext(c)?;
    fernet_token::encrypt(&key, p.as_bytes(), now_secs)
}

/// `timbrParseTokenReply(bodyText)`: the user token from a get_token reply.
pub fn parse_token_reply(body: &str) -> Result<String> {
    let v = json_body(body)?;
    let obj = v.as_object().ok_or_else(|| Error::new("body", "the reply is not a JSON object"))?;
    let status = obj.get("status").and_then(Value::as_str).unwrap_or("");
    if status.eq_ignore_ascii_case("error") {
        let msg = match obj.get("data") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => "no message".into(),
        };
        return Err(Error::new("body", format!("Timbr refused the exchange: {}", excerpt(&msg, 200))));
    }
    let token = match obj.get("data") {
        Some(Value::Array(a)) => a.first().and_then(Value::as_str),
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(o)) => o.get("token").and_then(Value::as_str),
        _ => None,
    };
    let token = token.map(str::trim).filter(|t| !t.is_empty()).ok_or_else(|| {
        Error::new("body", "no token in the reply (expected data as a list, a string or an object with token)")
    })?;
    crate::secret::check_header_value(token, "token")?;
    Ok(token.to_string())
}

pub(crate) fn plan(r: &mut Reader) -> Result<Plan> {
    let m = r.choice("mode", &["token", "exchange"])?;
    if m == "token" {
        return Ok(Plan::Static(headers(r.header_secret("token")?)));
    }
    let username = r.clean("username", Hygiene::Name)?;
    let password = r.clean("password", Hygiene::AsTyped)?;
    let key_mode = mode(r.cfg.get("keyMode"), "keyMode", &KEY_MODES)?;
    let salt = r.clean("salt", if key_mode == "key" { Hygiene::Token } else { Hygiene::AsTyped })?;
    let c = Credentials {
        username: Some(&username),
        password: Some(&password),
        salt: Some(&salt),
        key_mode: r.cfg.get("keyMode"),
        plaintext_mode: r.cfg.get("plaintextMode"),
    };
    fernet_key(&salt, c.key_mode)?;
    plaintext(&c)?;
    Ok(Plan::Exchanged(Exchanged::Timbr))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALT: &str = "my-api-auth-salt";
    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[test]
    fn key_vectors() {
        assert_eq!(fernet_key(SALT, Some("md5")).unwrap(), "NTI3ZWEzNzIzNWE1NzE3ZWI2NjRjZWE0OWI2YzQ0NDE=");
        assert_eq!(fernet_key(SALT, Some("sha256")).unwrap(), "PgVdkQKq-HVNcfPdVO2ORz1A1MsRA_4LaFRhzJm88Dc=");
        assert_eq!(fernet_key(KEY, Some("key")).unwrap(), KEY);
        assert_eq!(fernet_key(KEY, None).unwrap(), KEY);
        assert_eq!(fernet_key(KEY, Some("")).unwrap(), KEY);
    }

    #[test]
    fn key_errors() {
        assert_eq!(
            fernet_key(SALT, Some("key")).unwrap_err().to_string(),
            "salt: not a Fernet key (expected 44 url-safe base64 characters decoding to 32 bytes)"
        );
        assert!(fernet_key(SALT, Some("sha1")).unwrap_err().to_string().starts_with("keyMode: unknown value (expected 'key' or 'md5' or 'sha256')"));
        assert!(fernet_key("", Some("md5")).unwrap_err().to_string().starts_with("salt: is empty"));
    }

    #[test]
    fn passwords_and_salts_as_typed() {
        let c = Credentials { username: Some(" admin "), password: Some(" pa ss "), ..Default::default() };
        assert_eq!(plaintext(&Credentials { plaintext_mode: Some("plain"), ..c.clone() }).unwrap(), "admin: pa ss ");
        assert_ne!(fernet_key(" my-api-auth-salt", Some("md5")).unwrap(), fernet_key(SALT, Some("md5")).unwrap());
        assert_eq!(fernet_key(&format!(" {KEY}\n"), Some("key")).unwrap(), KEY);
    }

    #[test]
    fn plaintext_vector() {
        let c = Credentials { username: Some("admin"), password: Some("secret"), ..Default::default() };
        assert_eq!(plaintext(&c).unwrap(), "YWRtaW46c2VjcmV0");
        let c = Credentials { plaintext_mode: Some("plain"), ..c };
        assert_eq!(plaintext(&c).unwrap(), "admin:secret");
        let c = Credentials { plaintext_mode: Some("hex"), ..c };
        assert!(plaintext(&c).unwrap_err().to_string().starts_with("plaintextMode: "));
        let c = Credentials { username: Some("a:b"), password: Some("p"), ..Default::default() };
        assert!(plaintext(&c).unwrap_err().to_string().starts_with("username: "));
    }

    #[test]
    fn bearer_decrypts_in_every_key_mode() {
        for (salt, km) in [(KEY, "key"), (SALT, "md5"), (SALT, "sha256")] {
            let c = Credentials { username: Some("admin"), password: Some("secret"), salt: Some(salt), key_mode: Some(km), plaintext_mode: None };
            let t = bearer(&c, 1700000000).unwrap();
            assert!(t.starts_with("gAAAAA"));
            assert_eq!(fernet_token::token_timestamp(&t, "t").unwrap(), 1700000000);
            let key = fernet_key(salt, Some(km)).unwrap();
            assert_eq!(fernet_token::decrypt(&key, &t, Some(60), Some(1700000010)).unwrap(), b"YWRtaW46c2VjcmV0");
        }
        let c = Credentials { username: Some("admin"), password: Some("secret"), salt: None, ..Default::default() };
        assert_eq!(bearer(&c, 0).unwrap_err().to_string(), "salt: is required");
    }

    #[test]
    fn token_reply_shapes() {
        assert_eq!(parse_token_reply(r#"{"status":"success","data":["tk_abc"]}"#).unwrap(), "tk_abc");
        assert_eq!(parse_token_reply(r#"{"data":["tk_abc"],"status":"success"}"#).unwrap(), "tk_abc");
        assert_eq!(parse_token_reply(r#"{"status":"success","data":"tk_abc"}"#).unwrap(), "tk_abc");
        assert_eq!(parse_token_reply(r#"{"status":"success","data":{"token":"tk_abc"}}"#).unwrap(), "tk_abc");
    }

    #[test]
    fn token_reply_errors() {
        assert_eq!(
            parse_token_reply(r#"{"status":"error","data":"Invalid credentials"}"#).unwrap_err().to_string(),
            "body: Timbr refused the exchange: Invalid credentials"
        );
        assert!(parse_token_reply("<!DOCTYPE html><html>").unwrap_err().to_string().starts_with("body: the reply is HTML"));
        assert_eq!(parse_token_reply("").unwrap_err().to_string(), "body: the reply is empty");
        for b in ["{}", r#"{"status":"success","data":[]}"#, r#"{"data":[5]}"#, r#"{"data":{"tok":"x"}}"#, r#"{"data":""}"#] {
            assert!(parse_token_reply(b).unwrap_err().to_string().starts_with("body: no token in the reply"), "{b}");
        }
        assert_eq!(parse_token_reply("null").unwrap_err().to_string(), "body: the reply is not a JSON object");
    }
}
