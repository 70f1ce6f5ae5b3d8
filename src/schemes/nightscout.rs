//! Nightscout (cgm-remote-monitor 15). Read from its source (`lib/server/env.js`,
//! `lib/server/enclave.js`, `lib/authorization/index.js`, `storage.js`):
//! - API_SECRET is trimmed (every environment value is), must have a JavaScript `.length` of 12,
//!   and is hashed as UTF-8; the client sends `api-secret: <SHA-1 hex>` (never the secret);
//! - access tokens `abbrev-<16 hex>` go raw in `api-secret` or as `?token=`;
//! - JWT mode: `GET /api/v2/authorization/request/<token>` → `{"token": JWT, "exp", "iat"}`,
//!   then `Authorization: Bearer <JWT>` (API v3 needs it), renewed before `exp`;
//! - every failed try makes the server slow that client down by 5 s: a static secret is never
//!   retried;
//! - Check: `GET /api/v1/verifyauth` (always 200; `message.canRead` …).

use sha1::{Digest, Sha1};
use sha2::Sha512;

use super::{
    json_object, refresh_at, reply_token, Api, Auth, Check, CheckResult, Exchange, Field, Mode, Placement, Plan, Reader, Request, Target, Token, PLACEMENT,
    TOKEN,
};
use crate::encode::{component, hex};
use crate::jwt::{claim, jwt_expiry};
use crate::secret::{clean, js_length, Hygiene};
use crate::verify::{same, Claims, Found, Presented, Reason, Verify};
use crate::{Code, Error, Result};

/// The server refuses to start with a shorter API_SECRET (`MIN_PASSPHRASE_LENGTH`).
pub const MIN_SECRET_CHARS: usize = 12;

/// The header the server reads the secret (or an access token) from.
const SECRET_HEADER: &str = "api-secret";
/// Renew a JWT this long before `exp` (or a tenth of its lifetime, when that is shorter).
const MARGIN_MS: u64 = 5 * 60 * 1000;

static SECRET: Field = Field::secret("secret", "API_SECRET", Hygiene::Passphrase)
    .placeholder("at least 12 characters, or ${ENV_VAR}")
    .pattern("^\\s*\\S[\\s\\S]{10,}\\S\\s*$")
    .tip("only its SHA-1 is sent");

pub static API: Api = Api {
    id: "nightscout",
    label: "Nightscout",
    base_url: "https://my-nightscout.example.com",
    modes: &[
        Mode { id: "secret", label: "API_SECRET (api-secret: SHA-1)", fields: &[&SECRET], exchange: false },
        Mode { id: "token", label: "access token (api-secret or ?token=)", fields: &[&TOKEN, &PLACEMENT], exchange: false },
        Mode { id: "jwt", label: "access token → JWT (Authorization: Bearer)", fields: &[&TOKEN], exchange: true },
    ],
    plan,
};

/// Check the length of an already trimmed API_SECRET, counted as the server counts it
/// (JavaScript `.length`: UTF-16 code units, so six emoji are 12).
pub fn check_secret_len(secret: &str, field: &str) -> Result<()> {
    let n = js_length(secret);
    if n < MIN_SECRET_CHARS {
        return Err(Error::new(field, Code::TooShort, format!("API_SECRET must be at least {MIN_SECRET_CHARS} characters after trimming (got {n})")));
    }
    Ok(())
}

pub fn sha1_hex(data: &[u8]) -> String {
    hex(&Sha1::digest(data))
}

/// API_SECRET as the server takes it: trimmed like JavaScript, anything inside (only its hash is
/// ever sent), at least 12 UTF-16 code units.
pub fn api_secret(secret: &str, field: &str) -> Result<crate::secret::Cleaned> {
    let s = clean(secret, field, SECRET.hygiene)?;
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
        return Err(Error::new("subjectIdHex", Code::BadFormat, "must be the subject's id in hex (24 hex digits for a MongoDB id)"));
    }
    if name.trim().is_empty() {
        return Err(Error::new("name", Code::Empty, "is empty"));
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

/// The JWT exchange path for an access token (encoded by the core's one percent-encoder).
fn exchange_path(token: &str) -> String {
    format!("/api/v2/authorization/request/{}", component(token))
}

fn plan(r: &mut Reader, mode: &'static Mode) -> Result<Plan> {
    let check = Check::Request { method: "GET", path: "/api/v1/verifyauth", reply: check_reply };
    match mode.id {
        "token" => {
            let placement = r.placement()?;
            let token = r.secret(&TOKEN)?;
            let auth = match placement {
                Placement::Header => Auth::header(SECRET_HEADER, token.clone()),
                Placement::Query => Auth::query("token", &token),
            };
            let mut plan = Plan::fixed(auth, check);
            plan.verify = AccessToken::new(&token)
                .map(|t| Box::new(t) as Box<dyn Verify>)
                .map_err(|_| "the access token does not have Nightscout's shape (name-0123456789abcdef)");
            plan.derived.push(sha1_hex(token.as_bytes()));
            Ok(plan)
        }
        "jwt" => {
            let token = r.secret(&TOKEN)?;
            let ex = Box::new(JwtExchange { path: exchange_path(&token) });
            let mut plan = Plan::exchanged(ex, Box::new(|t| Ok(Auth::bearer(t))), check, "its JWTs are signed with the server's own key");
            plan.derived.push(sha1_hex(token.as_bytes()));
            Ok(plan)
        }
        _ => {
            let raw = r.raw(&SECRET).unwrap_or("");
            let secret = r.secret(&SECRET)?;
            check_secret_len(&secret, SECRET.name)?;
            let hashes = SecretHashes::new(&secret);
            let mut plan = Plan::fixed(Auth::header(SECRET_HEADER, hashes.sha1.clone()), check);
            plan.derived.push(hashes.sha512.clone());
            plan.verify = Ok(Box::new(hashes));
            if raw.len() != secret.len() {
                plan.refusal_hint =
                    Some("(API_SECRET had white space around it, removed as Nightscout removes it from its environment: check the server's value)".into());
            }
            Ok(plan)
        }
    }
}

/// `GET /api/v2/authorization/request/<token>` → a JWT, renewed 5 minutes before `exp`.
struct JwtExchange {
    path: String,
}

impl Exchange for JwtExchange {
    fn request(&mut self, _now_ms: u64) -> Result<Request> {
        Ok(Request { method: "GET", target: Target::Path(self.path.clone()), headers: vec![], body: None, carried: vec![] })
    }

    fn reply(&mut self, status: u16, body: &str, _now_ms: u64) -> Result<Token> {
        if !(200..300).contains(&status) {
            return Err(super::exchange_failed(status, body));
        }
        let v = json_object(body)?;
        let token = reply_token(&v, "token")?;
        // Nightscout always issues a JWT: anything else (a proxy's page, another service) would
        // only be sent as a Bearer, refused, exchanged again and refused again.
        let e = jwt_expiry(&token, "token").map_err(|e| Error { code: Code::BadReply, ..e })?;
        let exp = claim(v.get("exp")).or(e.exp);
        let iat = claim(v.get("iat")).or(e.iat);
        let refresh = exp.map(|x| {
            let lifetime = iat.filter(|i| *i < x).map(|i| ((x - i) * 1000.0) as u64);
            refresh_at((x * 1000.0) as u64, lifetime, MARGIN_MS)
        });
        let summary = match (exp, iat) {
            (Some(x), Some(i)) if x > i => format!("JWT valid {} s", (x - i) as u64),
            _ => "JWT received".to_string(),
        };
        Ok(Token { token, refresh_at_ms: refresh, summary, notice: None, carried: vec![] })
    }
}

/// The Test button on `/api/v1/verifyauth`: always 200, the verdict in `message`.
fn check_reply(status: u16, body: &str) -> CheckResult {
    let m = (status == 200).then(|| crate::json::parse(body)).flatten().and_then(|v| v.get("message")).filter(|m| m.is_object());
    let Some(m) = m else { return super::generic_check(status, body) };
    let flag = |k: &str| m.get(k).map(|v| v.text() == "true").unwrap_or(false);
    let verdict = m.get("message").and_then(|v| v.str()).unwrap_or_default();
    let ok = verdict == "OK";
    let head = if ok { "authorized".to_string() } else { format!("not authorized ({})", if verdict.is_empty() { "UNAUTHORIZED" } else { &verdict }) };
    CheckResult {
        ok,
        message: format!("{head}; canRead: {}, canWrite: {}{}", flag("canRead"), flag("canWrite"), if flag("isAdmin") { ", isAdmin: true" } else { "" }),
    }
}

/// The hashes of API_SECRET the server accepts, and the verify side of secret mode.
struct SecretHashes {
    sha1: String,
    sha512: String,
}

impl SecretHashes {
    fn new(s: &str) -> SecretHashes {
        SecretHashes { sha1: sha1_hex(s.as_bytes()), sha512: hex(&Sha512::digest(s.as_bytes())) }
    }

    /// As `enclave.isApiKey`: the SHA-1 hex in any case, or the SHA-512 hex in lower case; not
    /// trimmed; never the plain secret.
    fn matches(&self, p: &str) -> bool {
        match p.len() {
            40 => same(p.to_ascii_lowercase().as_bytes(), self.sha1.as_bytes()),
            128 => same(p.as_bytes(), self.sha512.as_bytes()),
            _ => false,
        }
    }
}

/// `verifyApiSecret(secret, presented)`: does `presented` prove knowledge of API_SECRET?
pub fn verify_api_secret(secret: &str, presented: &str) -> Result<bool> {
    Ok(SecretHashes::new(&api_secret(secret, "secret")?.value).matches(presented))
}

/// Nightscout's secret slot (`apiSecretFromRequest`): a non-empty `?secret=` wins over the
/// `api-secret` header; the string `null` means none (`resolve`); nothing is trimmed.
fn secret_slot(p: &Presented) -> std::result::Result<String, Reason> {
    let v = match p.at(Placement::Query, "secret") {
        Found::Text(q) if !q.is_empty() => Found::Text(q),
        Found::NotText => return Err(Reason::BadFormat),
        _ => p.at(Placement::Header, SECRET_HEADER),
    };
    match v {
        Found::Text(s) if s.is_empty() || s == "null" => Err(Reason::Missing),
        Found::Text(s) => Ok(s),
        Found::NotText => Err(Reason::BadFormat),
        Found::Absent => Err(Reason::Missing),
    }
}

impl Verify for SecretHashes {
    fn check(&self, p: &Presented, _: &mut dyn Claims, _: u64, _: u64) -> Reason {
        match secret_slot(p) {
            Ok(v) if self.matches(&v) => Reason::Ok,
            Ok(_) => Reason::Mismatch,
            Err(r) => r,
        }
    }
}

/// What Nightscout knows of one access token `abbrev-<first 16 hex of the subject's digest>`.
struct AccessToken {
    /// The 16 hex digits after the last dash (a prefix of the subject's digest).
    digest16: String,
    /// SHA-1 hex of the whole token.
    sha1: String,
}

impl AccessToken {
    fn new(token: &str) -> std::result::Result<AccessToken, ()> {
        let tail = token.rsplit('-').next().unwrap_or("");
        if !token.contains('-') || tail.len() != 16 || !tail.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(());
        }
        Ok(AccessToken { digest16: tail.to_string(), sha1: sha1_hex(token.as_bytes()) })
    }

    /// As `storage.findSubject`: the part after the last dash (16+ characters) is a prefix of the
    /// subject's digest, or the whole value is a prefix (16+) of the token's SHA-1; case-sensitive,
    /// not trimmed. Only the first 16 digest characters are known here, so a longer digest prefix
    /// (which needs API_SECRET to compute) is refused.
    fn matches(&self, p: &str) -> bool {
        let tail = p.rsplit('-').next().unwrap_or("");
        let by_digest = tail.len() == 16 && same(tail.as_bytes(), self.digest16.as_bytes());
        let by_sha1 = p.len() >= 16 && p.len() <= 40 && same(p.as_bytes(), &self.sha1.as_bytes()[..p.len()]);
        by_digest | by_sha1
    }
}

/// `Authorization: Bearer x` as Nightscout reads it: two space-separated parts, `Bearer` exactly.
fn is_bearer(v: &str) -> bool {
    let parts: Vec<&str> = v.split(' ').collect();
    parts.len() == 2 && parts[0] == "Bearer"
}

impl Verify for AccessToken {
    fn check(&self, p: &Presented, _: &mut dyn Claims, _: u64, _: u64) -> Reason {
        // the secret slot and ?token= (unless a Bearer header hides it); either may prove it
        let secret = secret_slot(p);
        let token = match (p.at(Placement::Header, "authorization"), p.at(Placement::Query, "token")) {
            (Found::Text(a), _) if is_bearer(&a) => Err(Reason::Mismatch),
            (_, Found::Text(v)) if !v.is_empty() => Ok(v),
            (_, Found::NotText) => Err(Reason::BadFormat),
            _ => Err(Reason::Missing),
        };
        match (secret, token) {
            (Ok(v), _) | (_, Ok(v)) if self.matches(&v) => Reason::Ok,
            (Err(Reason::BadFormat), _) | (_, Err(Reason::BadFormat)) => Reason::BadFormat,
            (Err(Reason::Missing), Err(Reason::Missing)) => Reason::Missing,
            _ => Reason::Mismatch,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schemes::{cfg, Retry, Signer};
    use crate::verify::Verifier;
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
        assert_eq!(secret_hash("this is\tmy long pass").unwrap(), "4710d2bd600c90af89043597840ed7f091873f86");
        assert_eq!(secret_hash("😀😀😀😀😀😀").unwrap(), sha1_hex("😀😀😀😀😀😀".as_bytes()));
        assert!(secret_hash("😀😀😀😀😀").unwrap_err().to_string().ends_with("(got 10)"));
        assert_eq!(secret_hash("\u{feff}   this is my long pass phrase\u{3000}").unwrap(), "b723e97aa97846eb92d5264f084b2823f57c4aa1");
        assert!(secret_hash(" abcdefghijk ").unwrap_err().to_string().ends_with("(got 11)"));
    }

    #[test]
    fn short_secret_refused() {
        let e = secret_hash("  12345678 ").unwrap_err();
        assert_eq!(e.to_string(), "secret: API_SECRET must be at least 12 characters after trimming (got 8)");
        assert_eq!(e.code, Code::TooShort);
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

    fn signer(pairs: &[(&str, &str)]) -> Signer {
        Signer::new(&cfg(pairs)).unwrap()
    }

    fn jwt(payload: &str) -> String {
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("{}.{}.sig", b.encode(r#"{"alg":"HS256"}"#), b.encode(payload))
    }

    #[test]
    fn the_exchange_request_and_its_reply() {
        let mut s = signer(&[("scheme", "nightscout"), ("mode", "jwt"), ("token", "a b/c"), ("baseUrl", "http://ns")]);
        let r = s.exchange_request(0.0).unwrap();
        assert_eq!((r.method, r.target), ("GET", Target::Path("/api/v2/authorization/request/a%20b%2Fc".into())));
        let t = jwt(r#"{"accessToken":"x","iat":1700000000,"exp":1700028800}"#);
        let body = format!(r#"{{"token":"{t}","sub":"reader","permissionGroups":[["*:*:read"]],"iat":1700000001,"exp":1700028801}}"#);
        let tok = s.exchange_reply(200.0, &body, 0.0).unwrap();
        assert_eq!(tok.token, t);
        assert_eq!(tok.refresh_at_ms, Some(1700028801000 - 300_000));
        assert_eq!(tok.summary, "JWT valid 28800 s");
        // times from the JWT when the body has none; a short lifetime renews at 90 %
        let t2 = jwt(r#"{"iat":1700000000,"exp":1700000002}"#);
        assert_eq!(s.exchange_reply(200.0, &format!(r#"{{"token":"{t2}"}}"#), 0.0).unwrap().refresh_at_ms, Some(1700000001800));
        // a JWT without times: no refresh time, still a token
        assert_eq!(s.exchange_reply(200.0, &format!(r#"{{"token":"{}"}}"#, jwt("{}")), 0.0).unwrap().refresh_at_ms, None);
        let e = s.exchange_reply(200.0, r#"{"token":"opaque"}"#, 0.0).unwrap_err();
        assert_eq!((e.code, e.to_string().as_str()), (Code::BadReply, "token: not a JWT (expected three dot-separated base64url parts)"));
    }

    #[test]
    fn exchange_errors_carry_the_servers_words() {
        let mut s = signer(&[("scheme", "nightscout"), ("mode", "jwt"), ("token", "r-1"), ("baseUrl", "http://ns")]);
        let e = s.exchange_reply(401.0, r#"{"status":401,"message":"Unauthorized","description":"Invalid/Missing"}"#, 0.0).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (Code::Refused, "HTTP 401 Unauthorized: Invalid/Missing"));
        assert_eq!(s.exchange_reply(502.0, "Bad Gateway", 0.0).unwrap_err().code, Code::ServerError);
        let e = s.exchange_reply(200.0, r#"{"status":401,"message":"Unauthorized"}"#, 0.0).unwrap_err();
        assert_eq!(e.to_string(), "reply: no token in the reply (Unauthorized)");
        assert_eq!(s.exchange_reply(200.0, "", 0.0).unwrap_err().to_string(), "reply: the reply is empty");
        assert!(s.exchange_reply(200.0, "<html>502</html>", 0.0).unwrap_err().to_string().starts_with("reply: the reply is HTML"));
        assert_eq!(s.exchange_reply(200.0, "{}", 0.0).unwrap_err().to_string(), "reply: no token in the reply");
        assert_eq!(s.exchange_reply(200.0, "[1]", 0.0).unwrap_err().to_string(), "reply: the reply is not a JSON object");
        assert_eq!(s.exchange_reply(200.0, r#"{"token":"a\nb"}"#, 0.0).unwrap_err().code, Code::BadReply);
    }

    #[test]
    fn the_check_reads_verifyauth() {
        let ok = check_reply(200, r#"{"message":{"message":"OK","canRead":true,"canWrite":false,"isAdmin":false}}"#);
        assert_eq!(ok, CheckResult { ok: true, message: "authorized; canRead: true, canWrite: false".into() });
        let no = check_reply(200, r#"{"message":{"message":"UNAUTHORIZED","canRead":false}}"#);
        assert_eq!(no.message, "not authorized (UNAUTHORIZED); canRead: false, canWrite: false");
        assert!(!check_reply(401, r#"{"message":"Unauthorized"}"#).ok);
    }

    #[test]
    fn a_hint_when_the_server_refuses_a_trimmed_secret() {
        let s = signer(&[("scheme", "nightscout"), ("secret", " abcdefghij123456 ")]);
        assert!(s.refusal(r#"{"message":"Unauthorized"}"#).starts_with("Unauthorized (API_SECRET had white space around it"));
        assert_eq!(s.warnings(), ["secret: surrounding whitespace was removed"]);
        assert_eq!(signer(&[("scheme", "nightscout"), ("secret", "abcdefghij123456")]).refusal("x"), "x");
        // a static secret is never retried: the server slows the client down for every failure
        assert_eq!(signer(&[("scheme", "nightscout"), ("secret", "abcdefghij123456")]).retry(), Retry::Never);
    }

    fn map(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Found {
        let v: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        move |n: &str| v.iter().find(|(k, _)| k == n).map(|(_, x)| Found::Text(x.clone())).unwrap_or(Found::Absent)
    }

    fn verifier(pairs: &[(&str, &str)]) -> Verifier {
        Verifier::from_config(&cfg(pairs), 10.0).unwrap()
    }

    fn check(v: &mut Verifier, h: &[(&str, &str)], q: &[(&str, &str)]) -> &'static str {
        v.check(&map(h), &map(q), 0.0, 0.0).unwrap().as_str()
    }

    /// Nightscout's own decisions, row by row as in the verify node's help.
    #[test]
    fn verify_secret_as_nightscout_decides() {
        let s1 = "bcf210644ec3d5ee81ee80ab9e8907abb49c203d";
        let s512 = hex(&Sha512::digest(b"abcdefghij123456"));
        let mut v = verifier(&[("scheme", "nightscout"), ("secret", " abcdefghij123456\t")]);
        let mut c = |h: &[(&str, &str)], q: &[(&str, &str)]| check(&mut v, h, q);
        assert_eq!(c(&[("api-secret", s1)], &[]), "ok");
        assert_eq!(c(&[("api-secret", &s1.to_ascii_uppercase())], &[]), "ok");
        assert_eq!(c(&[("api-secret", &s512)], &[]), "ok");
        assert_eq!(c(&[("api-secret", &s512.to_ascii_uppercase())], &[]), "mismatch");
        assert_eq!(c(&[("api-secret", "abcdefghij123456")], &[]), "mismatch", "never the plain secret");
        assert_eq!(c(&[("api-secret", &format!(" {s1}"))], &[]), "mismatch", "not trimmed");
        assert_eq!(c(&[], &[("secret", s1)]), "ok");
        assert_eq!(c(&[], &[("secret", &format!(" {s1}"))]), "mismatch");
        assert_eq!(c(&[("api-secret", s1)], &[("secret", "")]), "ok", "an empty ?secret= falls back to the header");
        assert_eq!(c(&[("api-secret", s1)], &[("secret", "nope")]), "mismatch", "a non-empty ?secret= wins");
        assert_eq!(c(&[("api-secret", "wrong")], &[("secret", s1)]), "ok");
        assert_eq!(c(&[("api-secret", "null")], &[]), "missing", "the string null is no secret");
        assert_eq!(c(&[("api-secret", s1)], &[("secret", "null")]), "missing");
        assert_eq!(c(&[("api-secret", "")], &[]), "missing");
        assert_eq!(c(&[], &[]), "missing");
        assert_eq!(c(&[("api-secret", &format!("{s1}, {s1}"))], &[]), "mismatch", "two headers joined by Node");
        assert_eq!(c(&[("authorization", &format!("Bearer {s1}"))], &[]), "missing");
        let not_text = |_: &str| Found::NotText;
        assert_eq!(v.check(&map(&[]), &not_text, 0.0, 0.0).unwrap(), Reason::BadFormat);
        let mut v = verifier(&[("scheme", "nightscout"), ("secret", "this is\tmy long pass")]);
        assert_eq!(check(&mut v, &[("api-secret", "4710d2bd600c90af89043597840ed7f091873f86")], &[]), "ok");
        assert!(Verifier::from_config(&cfg(&[("scheme", "nightscout"), ("secret", "😀😀😀😀😀😀")]), 10.0).is_ok());
        assert!(Verifier::from_config(&cfg(&[("scheme", "nightscout"), ("secret", "😀😀😀😀😀")]), 10.0).is_err());
    }

    #[test]
    fn verify_token_as_nightscout_decides() {
        let t = "noderedrea-ecaba170b88208db";
        let h = sha1_hex(t.as_bytes());
        let mut v = verifier(&[("scheme", "nightscout"), ("mode", "token"), ("token", t)]);
        let mut c = |hd: &[(&str, &str)], q: &[(&str, &str)]| check(&mut v, hd, q);
        assert_eq!(c(&[("api-secret", t)], &[]), "ok");
        assert_eq!(c(&[], &[("token", t)]), "ok");
        assert_eq!(c(&[], &[("secret", t)]), "ok");
        assert_eq!(c(&[("api-secret", &t.to_ascii_uppercase())], &[]), "mismatch", "case-sensitive");
        assert_eq!(c(&[("api-secret", &h)], &[]), "ok", "the SHA-1 of the token");
        assert_eq!(c(&[("api-secret", &h[..16])], &[]), "ok", "a 16+ prefix of it");
        assert_eq!(c(&[("api-secret", &h[..15])], &[]), "mismatch");
        assert_eq!(c(&[("api-secret", &h.to_ascii_uppercase())], &[]), "mismatch");
        assert_eq!(c(&[("api-secret", &format!(" {t}"))], &[]), "ok", "a leading space is ignored by the digest match");
        assert_eq!(c(&[("api-secret", &format!("{t} "))], &[]), "mismatch");
        assert_eq!(c(&[("api-secret", "other-name-ecaba170b88208db")], &[]), "ok", "the name part is ignored");
        assert_eq!(c(&[], &[("token", "noderedrea-0000000000000000")]), "mismatch");
        assert_eq!(c(&[("api-secret", "wrong")], &[("token", t)]), "ok", "a valid ?token= beside a wrong secret");
        assert_eq!(c(&[("authorization", "Bearer xyz")], &[("token", t)]), "mismatch", "a Bearer header hides ?token=");
        assert_eq!(c(&[("authorization", "bearer xyz")], &[("token", t)]), "ok");
        assert_eq!(c(&[("api-secret", "null")], &[]), "missing");
        assert_eq!(c(&[], &[]), "missing");
        let e = Verifier::from_config(&cfg(&[("scheme", "nightscout"), ("mode", "token"), ("token", "r-1")]), 10.0).unwrap_err();
        assert_eq!(e.code, Code::NotSupported);
        assert!(e.message.contains("does not have Nightscout's shape"), "{e}");
        let e = Verifier::from_config(&cfg(&[("scheme", "nightscout"), ("mode", "jwt"), ("token", "x"), ("baseUrl", "http://n")]), 10.0).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("mode", Code::NotSupported));
    }

    #[test]
    fn api_secret_forms() {
        let s = "abcdefghij123456";
        assert!(verify_api_secret(s, "bcf210644ec3d5ee81ee80ab9e8907abb49c203d").unwrap());
        assert!(verify_api_secret(s, "BCF210644EC3D5EE81EE80AB9E8907ABB49C203D").unwrap());
        let sha512 = hex(&Sha512::digest(s.as_bytes()));
        assert!(verify_api_secret(s, &sha512).unwrap());
        assert!(!verify_api_secret(s, &sha512.to_ascii_uppercase()).unwrap());
        assert!(!verify_api_secret(s, s).unwrap(), "plain secret refused");
        assert!(!verify_api_secret(s, "").unwrap());
        assert!(verify_api_secret("short", "x").unwrap_err().to_string().starts_with("secret: API_SECRET must be at least 12"));
    }
}
