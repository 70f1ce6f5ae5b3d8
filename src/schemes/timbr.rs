//! Timbr (semantic SQL platform, `timbr-api`): `x-api-key: <user token>` and
//! `Content-Type: application/json` on every call. The user token comes from the configuration, or
//! from `POST /timbr/api/get_token` with `Authorization: Bearer <Fernet token>`; what is encrypted
//! and the key are configurable, since the server's script is not public (PROTOCOLS.md §2):
//! plaintext `base64("user:password")` (default) or `"user:password"`; key: the salt is a Fernet
//! key (default), or `urlsafe_b64(md5hex(salt))`, or `urlsafe_b64(sha256(salt))`. A fresh Fernet
//! token is made for every exchange. Replies are `{"status":"success","data":…}` with `data` a
//! list, a string or `{token}`; errors `{"status":"error","data":"…"}`.
//! Check: `GET /timbr/api/ontologies` (user token), the exchange itself (username + password).

use base64::Engine;
use md5::Md5;
use sha2::{Digest, Sha256};

use super::{json_object, token_from, Api, Auth, Check, Exchange, Field, Kind, Mode, Plan, Reader, Request, Retry, Target, Token, TOKEN};
use crate::encode::hex;
use crate::fernet_token::{self, b64url};
use crate::secret::{clean, Hygiene};
use crate::{excerpt, Code, Error, Result};

static USERNAME: Field = Field::secret("username", "Username", Hygiene::Name).kind(Kind::Name);
static PASSWORD: Field = Field::secret("password", "Password", Hygiene::AsTyped).tip("sent exactly as typed (inside the Fernet token)");
static SALT: Field = Field::secret("salt", "Salt (API_AUTH_SALT)", Hygiene::AsTyped).placeholder("the server's API_AUTH_SALT, or ${ENV_VAR}");
static KEY_MODE: Field =
    Field::choice("keyMode", "Salt is", &[("key", "a Fernet key (44 characters)"), ("md5", "text: key = base64(md5 hex)"), ("sha256", "text: key = sha256")]);
static PLAINTEXT_MODE: Field = Field::choice("plaintextMode", "Encrypt", &[("base64", "base64(\"user:password\")"), ("plain", "\"user:password\"")]);

pub static API: Api = Api {
    id: "timbr",
    label: "Timbr",
    base_url: "https://timbr.example.com",
    modes: &[
        Mode { id: "token", label: "user token (x-api-key)", fields: &[&TOKEN], exchange: false },
        Mode { id: "exchange", label: "username + password → get_token", fields: &[&USERNAME, &PASSWORD, &SALT, &KEY_MODE, &PLAINTEXT_MODE], exchange: true },
    ],
    plan,
};

/// What every call carries besides the credential.
fn with_token(token: &str) -> Auth {
    Auth::header("x-api-key", token.to_string()).with_extra("Content-Type", "application/json")
}

/// `timbrFernetKey(salt, keyMode)`: the Fernet key used for the bearer.
pub fn fernet_key(salt: &str, key_mode: &str) -> Result<String> {
    Ok(match key_mode {
        // text turned into a key: hashed exactly as typed
        "md5" => b64url(hex(&Md5::digest(clean(salt, SALT.name, Hygiene::AsTyped)?.value.as_bytes())).as_bytes()),
        "sha256" => b64url(&Sha256::digest(clean(salt, SALT.name, Hygiene::AsTyped)?.value.as_bytes())),
        // a key: base64 text, whose surrounding white space Python's Fernet ignores too
        "key" => {
            let s = clean(salt, SALT.name, Hygiene::Token)?.value;
            fernet_token::key(&s, SALT.name)?;
            s
        }
        other => return Err(Error::new(KEY_MODE.name, Code::UnknownValue, format!("unknown value{} (expected 'key', 'md5', 'sha256')", super::shown(other)))),
    })
}

/// The plaintext of the bearer: `base64("user:password")` or `"user:password"`.
pub fn plaintext(username: &str, password: &str, plaintext_mode: &str) -> Result<String> {
    let user = clean(username, USERNAME.name, USERNAME.hygiene)?.value;
    if user.contains(':') {
        return Err(Error::new(USERNAME.name, Code::BadFormat, "must not contain ':' (it separates user and password)"));
    }
    let pass = clean(password, PASSWORD.name, PASSWORD.hygiene)?.value;
    let joined = format!("{user}:{pass}");
    Ok(match plaintext_mode {
        "plain" => joined,
        "base64" => base64::engine::general_purpose::STANDARD.encode(joined),
        other => return Err(Error::new(PLAINTEXT_MODE.name, Code::UnknownValue, format!("unknown value{} (expected 'base64', 'plain')", super::shown(other)))),
    })
}

/// `timbrBearer(…)`: a fresh Fernet token (new IV every call) at `now_secs`.
pub fn bearer(key: &str, plaintext: &str, now_secs: u64) -> Result<String> {
    fernet_token::encrypt(key, plaintext.as_bytes(), now_secs)
}

/// The user token in a get_token reply: `data` as a list, a string, or an object with `token`.
pub fn token_in_reply(body: &str) -> Result<String> {
    let v = json_object(body)?;
    if v.get("status").and_then(|s| s.str()).is_some_and(|s| s.eq_ignore_ascii_case("error")) {
        let msg = v.get("data").map(|d| d.str().unwrap_or_else(|| d.text())).unwrap_or_else(|| "no message".into());
        return Err(Error::new("reply", Code::Refused, format!("Timbr refused the exchange: {}", excerpt(&msg, 200))));
    }
    let data = v.get("data");
    let token = match &data {
        Some(d) if d.is_array() => d.first(),
        Some(d) if d.is_object() => d.get("token"),
        other => other.clone(),
    };
    token_from(token, "reply").map_err(|e| match e.code {
        Code::BadReply if e.message == "no token in the reply" => {
            Error::new("reply", Code::BadReply, "no token in the reply (expected data as a list, a string or an object with token)")
        }
        _ => e,
    })
}

/// `POST /timbr/api/get_token` with a fresh Fernet bearer.
struct GetToken {
    key: String,
    plaintext: String,
}

impl Exchange for GetToken {
    fn request(&mut self, now_ms: u64) -> Result<Request> {
        let b = bearer(&self.key, &self.plaintext, now_ms / 1000)?;
        Ok(Request {
            method: "POST",
            target: Target::Path("/timbr/api/get_token".into()),
            headers: vec![("Content-Type".into(), "application/json".into()), ("Authorization".into(), format!("Bearer {b}"))],
            body: None,
            carried: vec![b],
        })
    }

    fn reply(&mut self, status: u16, body: &str, _now_ms: u64) -> Result<Token> {
        if !(200..300).contains(&status) {
            return Err(super::exchange_failed(status, body));
        }
        // user tokens do not expire unless revoked
        Ok(Token { token: token_in_reply(body)?, refresh_at_ms: None, summary: "token exchange OK".into(), notice: None, carried: vec![] })
    }
}

fn plan(r: &mut Reader, mode: &'static Mode) -> Result<Plan> {
    if mode.id == "token" {
        let token = r.secret(&TOKEN)?;
        let check = Check::Request { method: "GET", path: "/timbr/api/ontologies", reply: super::generic_check };
        return Ok(Plan::fixed(with_token(&token), check));
    }
    let username = r.secret(&USERNAME)?;
    let password = r.secret(&PASSWORD)?;
    let key_mode = r.choice(&KEY_MODE)?;
    // a key-mode salt is a key (trimmed, ASCII); text turned into a key is used as typed
    let salt = if key_mode == "key" { r.secret(&Field { hygiene: Hygiene::Token, ..SALT })? } else { r.secret(&SALT)? };
    let key = fernet_key(&salt, key_mode)?;
    let plaintext = plaintext(&username, &password, r.choice(&PLAINTEXT_MODE)?)?;
    let mut plan =
        Plan::exchanged(Box::new(GetToken { key, plaintext }), Box::new(|t| Ok(with_token(t))), Check::Exchange, "its user tokens come from the Timbr server");
    plan.retry = Retry::FreshToken;
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schemes::{cfg, Signer};

    const SALT_: &str = "my-api-auth-salt";
    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[test]
    fn key_vectors() {
        assert_eq!(fernet_key(SALT_, "md5").unwrap(), "NTI3ZWEzNzIzNWE1NzE3ZWI2NjRjZWE0OWI2YzQ0NDE=");
        assert_eq!(fernet_key(SALT_, "sha256").unwrap(), "PgVdkQKq-HVNcfPdVO2ORz1A1MsRA_4LaFRhzJm88Dc=");
        assert_eq!(fernet_key(KEY, "key").unwrap(), KEY);
    }

    #[test]
    fn key_errors() {
        let e = fernet_key(SALT_, "key").unwrap_err();
        assert_eq!(e.to_string(), "salt: not a Fernet key (expected 44 url-safe base64 characters decoding to 32 bytes)");
        assert_eq!(e.code, Code::BadFormat);
        assert_eq!(fernet_key(SALT_, "sha1").unwrap_err().to_string(), "keyMode: unknown value (expected 'key', 'md5', 'sha256')");
        assert!(fernet_key("", "md5").unwrap_err().to_string().starts_with("salt: is empty"));
    }

    #[test]
    fn passwords_and_salts_as_typed() {
        assert_eq!(plaintext(" admin ", " pa ss ", "plain").unwrap(), "admin: pa ss ");
        assert_ne!(fernet_key(" my-api-auth-salt", "md5").unwrap(), fernet_key(SALT_, "md5").unwrap());
        assert_eq!(fernet_key(&format!(" {KEY}\n"), "key").unwrap(), KEY);
        let s = Signer::new(&cfg(&[
            ("scheme", "timbr"),
            ("mode", "exchange"),
            ("username", "admin"),
            ("password", " pw "),
            ("salt", KEY),
            ("baseUrl", "http://t"),
        ]))
        .unwrap();
        assert_eq!(s.warnings(), ["password: has surrounding whitespace, which is sent as typed (part of the password)"]);
    }

    #[test]
    fn plaintext_vector() {
        assert_eq!(plaintext("admin", "secret", "base64").unwrap(), "YWRtaW46c2VjcmV0");
        assert_eq!(plaintext("admin", "secret", "plain").unwrap(), "admin:secret");
        assert_eq!(plaintext("admin", "secret", "hex").unwrap_err().code, Code::UnknownValue);
        assert!(plaintext("a:b", "p", "base64").unwrap_err().to_string().starts_with("username: "));
    }

    #[test]
    fn the_exchange_request_carries_a_fresh_bearer_that_decrypts_in_every_key_mode() {
        for (salt, km) in [(KEY, "key"), (SALT_, "md5"), (SALT_, "sha256")] {
            let mut s = Signer::new(&cfg(&[
                ("scheme", "timbr"),
                ("mode", "exchange"),
                ("username", "admin"),
                ("password", "secret"),
                ("salt", salt),
                ("keyMode", km),
                ("baseUrl", "http://t"),
            ]))
            .unwrap();
            let r = s.exchange_request(1700000000123.0).unwrap();
            assert_eq!((r.method, &r.target), ("POST", &Target::Path("/timbr/api/get_token".into())));
            let auth = &r.headers.iter().find(|(k, _)| k == "Authorization").unwrap().1;
            let t = auth.strip_prefix("Bearer ").unwrap();
            assert_eq!(r.carried, [t]);
            assert!(t.starts_with("gAAAAA"));
            assert_eq!(fernet_token::token_timestamp(t, "t").unwrap(), 1700000000);
            assert_eq!(fernet_token::decrypt(&fernet_key(salt, km).unwrap(), t, Some(60), Some(1700000010)).unwrap(), b"YWRtaW46c2VjcmV0");
            let again = s.exchange_request(1700000000123.0).unwrap();
            assert_ne!(again.headers, r.headers, "a fresh IV every time");
        }
    }

    #[test]
    fn token_reply_shapes() {
        for b in [
            r#"{"status":"success","data":["tk_abc"]}"#,
            r#"{"data":["tk_abc"],"status":"success"}"#,
            r#"{"status":"success","data":"tk_abc"}"#,
            r#"{"status":"success","data":{"token":"tk_abc"}}"#,
        ] {
            assert_eq!(token_in_reply(b).unwrap(), "tk_abc", "{b}");
        }
    }

    #[test]
    fn token_reply_errors() {
        let e = token_in_reply(r#"{"status":"error","data":"Invalid credentials"}"#).unwrap_err();
        assert_eq!((e.code, e.to_string().as_str()), (Code::Refused, "reply: Timbr refused the exchange: Invalid credentials"));
        assert!(token_in_reply("<!DOCTYPE html><html>").unwrap_err().to_string().starts_with("reply: the reply is HTML"));
        assert_eq!(token_in_reply("").unwrap_err().to_string(), "reply: the reply is empty");
        for b in ["{}", r#"{"status":"success","data":[]}"#, r#"{"data":[5]}"#, r#"{"data":{"tok":"x"}}"#, r#"{"data":""}"#] {
            assert!(token_in_reply(b).unwrap_err().to_string().starts_with("reply: no token in the reply"), "{b}");
        }
        assert_eq!(token_in_reply("null").unwrap_err().to_string(), "reply: the reply is not a JSON object");
        let mut s =
            Signer::new(&cfg(&[("scheme", "timbr"), ("mode", "exchange"), ("username", "a"), ("password", "b"), ("salt", KEY), ("baseUrl", "http://t")]))
                .unwrap();
        assert_eq!(s.exchange_reply(401.0, r#"{"status":"error","data":"bad bearer"}"#, 0.0).unwrap_err().message, "HTTP 401 bad bearer");
        assert_eq!(s.retry(), Retry::FreshToken);
    }
}
