//! Server-side checks for the verify node: constant-time comparison, the Nightscout api-secret
//! check, and [`Verifier`], which checks a request's credentials against a configuration — with,
//! for Tedee keys, a time window and a bounded single-use (replay) memory.

pub mod replay;

use sha2::{Digest, Sha512};

use crate::schemes::header::shape;
use crate::schemes::nightscout::{api_secret, sha1_hex};
use crate::schemes::tedee::KeyMaker;
use crate::schemes::{hex, Config, Placement, Reader};
use crate::secret::Hygiene;
use crate::{js_uint, Error, Result};
use replay::{Claim, ReplayMemory, MAX_HORIZON_MS};

/// Equal contents, in time that depends only on the lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b.iter()) {
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}

/// Does `presented` (an `api-secret` header) prove knowledge of API_SECRET `secret`?
/// As Nightscout's `enclave.isApiKey`: the SHA-1 hex in any case, or the SHA-512 hex in lower
/// case, not trimmed; never the plain secret. The secret is taken as the server takes it.
pub fn verify_api_secret(secret: &str, presented: &str) -> Result<bool> {
    let s = api_secret(secret, "secret")?.value;
    Ok(SecretHashes::new(&s).matches(presented))
}

struct SecretHashes {
    sha1: String,
    sha512: String,
}

impl SecretHashes {
    fn new(s: &str) -> SecretHashes {
        SecretHashes { sha1: sha1_hex(s.as_bytes()), sha512: hex(&Sha512::digest(s.as_bytes())) }
    }
    fn matches(&self, p: &str) -> bool {
        match p.len() {
            40 => constant_time_eq(p.to_ascii_lowercase().as_bytes(), self.sha1.as_bytes()),
            128 => constant_time_eq(p.as_bytes(), self.sha512.as_bytes()),
            _ => false,
        }
    }
}

/// The outcome of [`Verifier::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Ok,
    Missing,
    Mismatch,
    BadFormat,
    Stale,
    Replay,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Ok => "ok",
            Reason::Missing => "missing",
            Reason::Mismatch => "mismatch",
            Reason::BadFormat => "bad-format",
            Reason::Stale => "stale",
            Reason::Replay => "replay",
        }
    }
}

/// A header or query value as found in a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Absent,
    Text(String),
    /// Present but not a single string (e.g. a repeated query parameter).
    NotText,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Header(String),
    Query(String),
}

/// What Nightscout knows of one access token `abbrev-<first 16 hex of the subject's digest>`.
struct AccessToken {
    /// The 16 hex digits after the last dash (a prefix of the subject's digest).
    digest16: String,
    /// SHA-1 hex of the whole token.
    sha1: String,
}

impl AccessToken {
    fn new(token: &str) -> Result<AccessToken> {
        let tail = token.rsplit('-').next().unwrap_or("");
        if !token.contains('-') || tail.len() != 16 || !tail.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(Error::new("token", "is not a Nightscout access token (name-0123456789abcdef), so Nightscout's rules cannot be applied to it"));
        }
        Ok(AccessToken { digest16: tail.to_string(), sha1: sha1_hex(token.as_bytes()) })
    }

    /// As Nightscout's `storage.findSubject`: the part after the last dash (16+ characters) is a
    /// prefix of the subject's digest, or the whole value is a prefix (16+) of the token's SHA-1;
    /// case-sensitive, not trimmed. Only the first 16 digest characters are known here, so a
    /// longer digest prefix (which needs API_SECRET to compute) is refused.
    fn matches(&self, p: &str) -> bool {
        let tail = p.rsplit('-').next().unwrap_or("");
        let by_digest = tail.len() == 16 && constant_time_eq(tail.as_bytes(), self.digest16.as_bytes());
        let by_sha1 = p.len() >= 16 && p.len() <= 40 && constant_time_eq(p.as_bytes(), &self.sha1.as_bytes()[..p.len()]);
        by_digest | by_sha1
    }
}

enum Kind {
    /// One place, one exact value.
    Static { source: Source, expected: String },
    NightscoutSecret(SecretHashes),
    NightscoutToken(AccessToken),
    TedeePlain(String),
    TedeeEncrypted(KeyMaker),
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier").field("size", &self.size()).finish_non_exhaustive()
    }
}

/// Checks requests against one configuration. Holds the Tedee replay memory.
pub struct Verifier {
    kind: Kind,
    /// Which milliseconds of the Tedee token were used (see [`replay`]).
    memory: ReplayMemory,
}


fn lookup(src: &Source, headers: &dyn Fn(&str) -> Found, query: &dyn Fn(&str) -> Found) -> Found {
    match src {
        Source::Header(n) => headers(n),
        Source::Query(n) => query(n),
    }
}

/// The first present value among `sources`.
fn first(sources: &[Source], headers: &dyn Fn(&str) -> Found, query: &dyn Fn(&str) -> Found) -> Found {
    for s in sources {
        let f = lookup(s, headers, query);
        if f != Found::Absent {
            return f;
        }
    }
    Found::Absent
}

fn is_hex(s: &[u8]) -> bool {
    s.iter().all(|b| b.is_ascii_hexdigit())
}

fn unhex32(s: &[u8]) -> Option<[u8; 32]> {
    if s.len() != 64 || !is_hex(s) {
        return None;
    }
    let v = |c: u8| match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    };
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = (v(s[2 * i]) << 4) | v(s[2 * i + 1]);
    }
    Some(out)
}

/// Split a Tedee key into its digest and its canonical decimal milliseconds.
pub fn parse_tedee_key(key: &str) -> Option<([u8; 32], u64, &str)> {
    let b = key.as_bytes();
    if b.len() < 65 || b.len() > 64 + 16 {
        return None;
    }
    let digest = unhex32(&b[..64])?;
    let ms_text = &key[64..];
    let d = ms_text.as_bytes();
    if !d.iter().all(u8::is_ascii_digit) || (d.len() > 1 && d[0] == b'0') {
        return None;
    }
    let ms: u64 = ms_text.parse().ok()?;
    if ms as f64 > crate::MAX_SAFE_INTEGER {
        return None;
    }
    Some((digest, ms, ms_text))
}

impl Verifier {
    /// A verifier for `cfg`, created at `created_ms`: its replay memory refuses every Tedee key
    /// older than that (a new memory cannot know which were used before).
    pub fn new(cfg: &Config, created_ms: f64) -> Result<Verifier> {
        let created = js_uint(created_ms, "nowMs")?;
        let mut r = Reader::new(cfg);
        let scheme = r.scheme()?;
        let kind = match scheme {
            "timetagger" => {
                let mode = r.choice("mode", &["authtoken", "bearer"])?;
                let t = r.header_secret("token")?;
                match mode {
                    "bearer" => Kind::Static { source: Source::Header("authorization".into()), expected: format!("Bearer {t}") },
                    _ => Kind::Static { source: Source::Header("authtoken".into()), expected: t },
                }
            }
            "timbr" => {
                if r.choice("mode", &["token", "exchange"])? == "exchange" {
                    return Err(Error::new("mode", "timbr 'exchange' cannot be verified here (only 'token': a static x-api-key)"));
                }
                Kind::Static { source: Source::Header("x-api-key".into()), expected: r.header_secret("token")? }
            }
            "nightscout" => match r.choice("mode", &["secret", "token", "jwt"])? {
                "jwt" => return Err(Error::new("mode", "nightscout 'jwt' cannot be verified here (use 'secret' or 'token')")),
                "token" => Kind::NightscoutToken(AccessToken::new(&r.header_secret("token")?)?),
                _ => {
                    let s = r.clean("secret", Hygiene::Passphrase)?;
                    Kind::NightscoutSecret(SecretHashes::new(&api_secret(&s, "secret")?.value))
                }
            },
            "tedee" => {
                let mode = r.choice("mode", &["encrypted", "plain"])?;
                r.placement()?;
                let t = r.header_secret("token")?;
                match mode {
                    "plain" => Kind::TedeePlain(t),
                    _ => Kind::TedeeEncrypted(KeyMaker::new(&t)),
                }
            }
            "actyx" => return Err(Error::new("scheme", "actyx tokens cannot be verified here (they are signed by the Actyx node)")),
            _ => {
                let s = shape(&r)?;
                let t = r.header_secret("token")?;
                let expected = format!("{}{}", s.prefix, t);
                match s.placement {
                    Placement::Header => Kind::Static { source: Source::Header(s.name.to_ascii_lowercase()), expected },
                    Placement::Query => Kind::Static { source: Source::Query(s.name), expected },
                }
            }
        };
        // the memory grows to the widest window asked for (`widen`, or a check's own window)
        Ok(Verifier { kind, memory: ReplayMemory::new(created, 0) })
    }

    /// Tedee keys (used milliseconds) held in the replay memory.
    pub fn size(&self) -> usize {
        self.memory.used()
    }

    /// Bytes held by the replay memory (fixed by the widest window).
    pub fn memory_bytes(&self) -> usize {
        self.memory.bytes()
    }

    /// Serve windows up to `window_ms` (a verify node says so when it starts).
    pub fn widen(&mut self, window_ms: f64) -> Result<()> {
        let w = window(window_ms)?;
        self.memory.widen(w);
        Ok(())
    }

    /// Check one request. `headers` looks up lower-case header names, `query` parameter names.
    /// `now_ms` and `window_ms` are used by Tedee encrypted keys only.
    pub fn check(&mut self, headers: &dyn Fn(&str) -> Found, query: &dyn Fn(&str) -> Found, now_ms: f64, window_ms: f64) -> Result<Reason> {
        let text = |f: Found| match f {
            Found::Absent => Err(Reason::Missing),
            Found::NotText => Err(Reason::BadFormat),
            Found::Text(s) if s.is_empty() => Err(Reason::Missing),
            Found::Text(s) => Ok(s),
        };
        let eq = |a: &str, b: &str| if constant_time_eq(a.as_bytes(), b.as_bytes()) { Reason::Ok } else { Reason::Mismatch };
        let tedee_sources = [Source::Header("api_token".into()), Source::Query("api_token".into())];
        Ok(match &self.kind {
            // presented values are compared exactly as they arrive (no trimming)
            Kind::Static { source, expected } => match text(lookup(source, headers, query)) {
                Ok(v) => eq(&v, expected),
                Err(r) => r,
            },
            Kind::NightscoutSecret(h) => match nightscout_secret_slot(headers, query) {
                Ok(v) if h.matches(&v) => Reason::Ok,
                Ok(_) => Reason::Mismatch,
                Err(r) => r,
            },
            Kind::NightscoutToken(t) => {
                // the secret slot and ?token= (unless a Bearer header hides it); either may prove it
                let secret = nightscout_secret_slot(headers, query);
                let token = match (headers("authorization"), query("token")) {
                    (Found::Text(a), _) if is_bearer(&a) => Err(Reason::Mismatch),
                    (_, Found::Text(v)) if !v.is_empty() => Ok(v),
                    (_, Found::NotText) => Err(Reason::BadFormat),
                    _ => Err(Reason::Missing),
                };
                match (secret, token) {
                    (Ok(v), _) | (_, Ok(v)) if t.matches(&v) => Reason::Ok,
                    (Err(Reason::BadFormat), _) | (_, Err(Reason::BadFormat)) => Reason::BadFormat,
                    (Err(Reason::Missing), Err(Reason::Missing)) => Reason::Missing,
                    _ => Reason::Mismatch,
                }
            }
            Kind::TedeePlain(t) => match text(first(&tedee_sources, headers, query)) {
                Ok(v) => eq(&v, t),
                Err(r) => r,
            },
            Kind::TedeeEncrypted(_) => {
                let now = js_uint(now_ms, "nowMs")?;
                let window = window(window_ms)?;
                self.memory.widen(window);
                self.memory.advance(now);
                match text(first(&tedee_sources, headers, query)) {
                    Ok(v) => self.check_tedee(&v, now, window),
                    Err(r) => r,
                }
            }
        })
    }

    fn check_tedee(&mut self, key: &str, now: u64, window: u64) -> Reason {
        let Kind::TedeeEncrypted(maker) = &self.kind else { return Reason::Mismatch };
        let Some((digest, ms, ms_text)) = parse_tedee_key(key) else { return Reason::BadFormat };
        if !constant_time_eq(&maker.digest(ms_text.as_bytes()), &digest) {
            return Reason::Mismatch;
        }
        if ms.abs_diff(now) > window {
            return Reason::Stale;
        }
        match self.memory.claim(ms, now) {
            Claim::Fresh => Reason::Ok,
            Claim::Replay => Reason::Replay,
            Claim::Stale => Reason::Stale,
        }
    }
}

/// Nightscout's secret slot (`apiSecretFromRequest`): a non-empty `?secret=` wins over the
/// `api-secret` header; the string `null` means none (`resolve`); nothing is trimmed.
fn nightscout_secret_slot(headers: &dyn Fn(&str) -> Found, query: &dyn Fn(&str) -> Found) -> std::result::Result<String, Reason> {
    let v = match query("secret") {
        Found::Text(q) if !q.is_empty() => Found::Text(q),
        Found::NotText => return Err(Reason::BadFormat),
        _ => headers("api-secret"),
    };
    match v {
        Found::Text(s) if s.is_empty() || s == "null" => Err(Reason::Missing),
        Found::Text(s) => Ok(s),
        Found::NotText => Err(Reason::BadFormat),
        Found::Absent => Err(Reason::Missing),
    }
}

/// `Authorization: Bearer x` as Nightscout reads it: two space-separated parts, `Bearer` exactly.
fn is_bearer(v: &str) -> bool {
    let parts: Vec<&str> = v.split(' ').collect();
    parts.len() == 2 && parts[0] == "Bearer"
}

/// A window from JavaScript: whole milliseconds, at most [`MAX_HORIZON_MS`].
fn window(window_ms: f64) -> Result<u64> {
    let w = js_uint(window_ms, "windowMs")?;
    if w > MAX_HORIZON_MS {
        return Err(Error::new("windowMs", format!("must be at most {MAX_HORIZON_MS} (one hour)")));
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schemes::cfg;

    fn map(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Found {
        let v: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        move |n: &str| v.iter().find(|(k, _)| k == n).map(|(_, x)| Found::Text(x.clone())).unwrap_or(Found::Absent)
    }

    fn check(v: &mut Verifier, h: &[(&str, &str)], q: &[(&str, &str)], now: f64, w: f64) -> &'static str {
        v.check(&map(h), &map(q), now, w).unwrap().as_str()
    }

    #[test]
    fn constant_time() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(constant_time_eq(b"", b""));
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
        assert!(!verify_api_secret(s, "bcf210644ec3d5ee81ee80ab9e8907abb49c203e").unwrap());
        assert!(verify_api_secret("short", "x").unwrap_err().to_string().starts_with("secret: API_SECRET must be at least 12"));
    }

    #[test]
    fn static_schemes() {
        let mut v = Verifier::new(&cfg(&[("scheme", "timetagger"), ("token", "tt")]), 10.0).unwrap();
        assert_eq!(check(&mut v, &[("authtoken", "tt")], &[], 0.0, 0.0), "ok");
        assert_eq!(check(&mut v, &[("authtoken", "tx")], &[], 0.0, 0.0), "mismatch");
        assert_eq!(check(&mut v, &[("authorization", "Bearer tt")], &[], 0.0, 0.0), "missing");
        assert_eq!(check(&mut v, &[("authtoken", "")], &[], 0.0, 0.0), "missing");
        let mut v = Verifier::new(&cfg(&[("scheme", "timetagger"), ("mode", "bearer"), ("token", "tt")]), 10.0).unwrap();
        assert_eq!(check(&mut v, &[("authorization", "Bearer tt")], &[], 0.0, 0.0), "ok");
        assert_eq!(check(&mut v, &[("authorization", "bearer tt")], &[], 0.0, 0.0), "mismatch");
        let mut v = Verifier::new(&cfg(&[("scheme", "timbr"), ("token", "tk_1")]), 10.0).unwrap();
        assert_eq!(check(&mut v, &[("x-api-key", "tk_1")], &[], 0.0, 0.0), "ok");
        let mut v = Verifier::new(&cfg(&[("scheme", "header"), ("headerName", "X-Key"), ("prefix", "K "), ("token", "abc")]), 10.0).unwrap();
        assert_eq!(check(&mut v, &[("x-key", "K abc")], &[], 0.0, 0.0), "ok");
        assert_eq!(check(&mut v, &[("x-key", "abc")], &[], 0.0, 0.0), "mismatch");
        assert_eq!(check(&mut v, &[], &[("api_key", "K abc")], 0.0, 0.0), "missing");
        let mut v = Verifier::new(&cfg(&[("scheme", "header"), ("placement", "query"), ("queryName", "k"), ("token", "abc")]), 10.0).unwrap();
        assert_eq!(check(&mut v, &[], &[("k", "abc")], 0.0, 0.0), "ok");
        assert_eq!(check(&mut v, &[("k", "abc")], &[], 0.0, 0.0), "missing");
        let not_text = |_: &str| Found::NotText;
        assert_eq!(v.check(&map(&[]), &not_text, 0.0, 0.0).unwrap(), Reason::BadFormat);
    }

    /// Nightscout's own decisions (cgm-remote-monitor `lib/authorization/index.js` `resolve`,
    /// `apiSecretFromRequest`, `enclave.isApiKey`, `storage.findSubject`), row by row as in the
    /// verify node's help.
    #[test]
    fn nightscout_secret_as_nightscout_decides() {
        let s1 = "bcf210644ec3d5ee81ee80ab9e8907abb49c203d";
        let s512 = hex(&Sha512::digest(b"abcdefghij123456"));
        let mut v = Verifier::new(&cfg(&[("scheme", "nightscout"), ("secret", " abcdefghij123456\t")]), 10.0).unwrap();
        let mut c = |h: &[(&str, &str)], q: &[(&str, &str)]| check(&mut v, h, q, 0.0, 0.0);
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
        // the secret is taken as the server takes it: trimmed, a TAB inside kept, UTF-16 length
        let mut v = Verifier::new(&cfg(&[("scheme", "nightscout"), ("secret", "this is\tmy long pass")]), 10.0).unwrap();
        assert_eq!(check(&mut v, &[("api-secret", "4710d2bd600c90af89043597840ed7f091873f86")], &[], 0.0, 0.0), "ok");
        assert!(Verifier::new(&cfg(&[("scheme", "nightscout"), ("secret", "😀😀😀😀😀😀")]), 10.0).is_ok());
        assert!(Verifier::new(&cfg(&[("scheme", "nightscout"), ("secret", "😀😀😀😀😀")]), 10.0).is_err());
    }

    #[test]
    fn nightscout_token_as_nightscout_decides() {
        let t = "noderedrea-ecaba170b88208db";
        let h = sha1_hex(t.as_bytes());
        let mut v = Verifier::new(&cfg(&[("scheme", "nightscout"), ("mode", "token"), ("token", t)]), 10.0).unwrap();
        let mut c = |hd: &[(&str, &str)], q: &[(&str, &str)]| check(&mut v, hd, q, 0.0, 0.0);
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
        assert!(Verifier::new(&cfg(&[("scheme", "nightscout"), ("mode", "token"), ("token", "r-1")]), 10.0).unwrap_err().to_string().starts_with("token: is not a Nightscout access token"));
        assert!(Verifier::new(&cfg(&[("scheme", "nightscout"), ("mode", "jwt"), ("token", "x")]), 10.0).unwrap_err().to_string().starts_with("mode: "));
    }

    #[test]
    fn unverifiable_configs() {
        assert!(Verifier::new(&cfg(&[("scheme", "actyx")]), 10.0).unwrap_err().to_string().starts_with("scheme: actyx"));
        let tb = cfg(&[("scheme", "timbr"), ("mode", "exchange")]);
        assert!(Verifier::new(&tb, 10.0).unwrap_err().to_string().starts_with("mode: timbr 'exchange'"));
        let t = cfg(&[("scheme", "tedee"), ("token", "x")]);
        assert!(Verifier::new(&t, f64::NAN).unwrap_err().to_string().starts_with("nowMs: "));
        assert!(Verifier::new(&t, -1.0).unwrap_err().to_string().starts_with("nowMs: "));
    }

    const TOKEN: &str = "BE9xnPnGfVUS";

    fn tedee(created: u64) -> Verifier {
        Verifier::new(&cfg(&[("scheme", "tedee"), ("token", TOKEN)]), created as f64).unwrap()
    }

    #[test]
    fn tedee_keys() {
        let mut v = tedee(1691058820000);
        let k = KeyMaker::new(TOKEN);
        let now = 1691058833000.0;
        let key = k.key(1691058833000);
        assert_eq!(check(&mut v, &[("api_token", &key)], &[], now, 5000.0), "ok");
        assert_eq!(check(&mut v, &[("api_token", &key)], &[], now, 5000.0), "replay");
        assert_eq!(check(&mut v, &[], &[("api_token", &key.to_ascii_uppercase())], now, 5000.0), "replay");
        assert_eq!(check(&mut v, &[], &[("api_token", &k.key(1691058833001))], now, 5000.0), "ok");
        assert_eq!(check(&mut v, &[("api_token", &k.key(1691058827999))], &[], now, 5000.0), "stale");
        assert_eq!(check(&mut v, &[("api_token", &k.key(1691058838001))], &[], now, 5000.0), "stale");
        assert_eq!(check(&mut v, &[("api_token", &k.key(1691058838000))], &[], now, 5000.0), "ok");
        let other = KeyMaker::new("other").key(1691058833000);
        assert_eq!(check(&mut v, &[("api_token", &other)], &[], now, 5000.0), "mismatch");
        for bad in ["", "x", &key[..64], &format!("{}0{}", &key[..64], &key[64..]), &format!("{}z", &key[..key.len() - 1]), &format!("g{}", &key[1..]), &format!("{}12345678901234567", &key[..64])] {
            let r = check(&mut v, &[("api_token", bad)], &[], now, 5000.0);
            assert!(r == "bad-format" || (bad.is_empty() && r == "missing"), "{bad}: {r}");
        }
        assert_eq!(check(&mut v, &[], &[], now, 5000.0), "missing");
        assert_eq!(v.size(), 3);
        // time passes: what is below the floor (highest time seen - widest window) is forgotten
        assert_eq!(check(&mut v, &[], &[], now + 5_001.0, 5000.0), "missing");
        assert_eq!(v.size(), 2);
        assert_eq!(check(&mut v, &[], &[], now + 20_000.0, 5000.0), "missing");
        assert_eq!(v.size(), 0);
        assert!(v.check(&map(&[]), &map(&[]), f64::NAN, 1.0).unwrap_err().to_string().starts_with("nowMs: "));
        assert!(v.check(&map(&[]), &map(&[]), 1.0, -1.0).unwrap_err().to_string().starts_with("windowMs: "));
        assert!(v.check(&map(&[]), &map(&[]), 1.0, 3_600_001.0).unwrap_err().to_string().starts_with("windowMs: must be at most"));
        let mut plain = Verifier::new(&cfg(&[("scheme", "tedee"), ("mode", "plain"), ("token", TOKEN)]), 1.0).unwrap();
        assert_eq!(check(&mut plain, &[("api_token", TOKEN)], &[], 0.0, 0.0), "ok");
        assert_eq!(check(&mut plain, &[("api_token", TOKEN)], &[], 0.0, 0.0), "ok");
        assert_eq!(check(&mut plain, &[("api_token", &key)], &[], 0.0, 0.0), "mismatch");
    }

    /// Two endpoints with different windows share one memory: a short-window check must not
    /// drop what the long window still needs.
    #[test]
    fn a_short_window_does_not_reopen_a_long_one() {
        let t0 = 1_700_000_000_000u64;
        let mut v = tedee(t0);
        let k = KeyMaker::new(TOKEN);
        let key = k.key(t0 + 1_000);
        assert_eq!(check(&mut v, &[("api_token", &key)], &[], (t0 + 1_000) as f64, 300_000.0), "ok");
        // a request to a 1 s endpoint two minutes later
        assert_eq!(check(&mut v, &[("api_token", &k.key(t0 + 121_000))], &[], (t0 + 121_000) as f64, 1_000.0), "ok");
        // the first key, replayed on the 5 min endpoint: still remembered
        assert_eq!(check(&mut v, &[("api_token", &key)], &[], (t0 + 121_500) as f64, 300_000.0), "replay");
    }

    #[test]
    fn a_clock_stepping_back_does_not_reopen_keys() {
        let t0 = 1_700_000_000_000u64;
        let mut v = tedee(t0);
        let k = KeyMaker::new(TOKEN);
        let key = k.key(t0 + 50_000);
        assert_eq!(check(&mut v, &[("api_token", &key)], &[], (t0 + 50_000) as f64, 30_000.0), "ok");
        // our clock jumps 2 minutes ahead, then back
        assert_eq!(check(&mut v, &[], &[], (t0 + 170_000) as f64, 30_000.0), "missing");
        assert_eq!(check(&mut v, &[("api_token", &key)], &[], (t0 + 50_000) as f64, 30_000.0), "stale");
    }

    #[test]
    fn a_new_memory_refuses_keys_from_before_it() {
        let t0 = 1_700_000_000_000u64;
        let k = KeyMaker::new(TOKEN);
        let key = k.key(t0 - 1);
        let mut v = tedee(t0);
        assert_eq!(check(&mut v, &[("api_token", &key)], &[], t0 as f64, 30_000.0), "stale");
        assert_eq!(check(&mut v, &[("api_token", &k.key(t0))], &[], t0 as f64, 30_000.0), "ok");
    }

    /// A flood of 200 000 distinct valid keys (one per simulated millisecond, the sender's clock
    /// jittering up to half a window ahead of ours): every one is accepted once, the memory never
    /// grows, and another client's key is still accepted (the memory cannot be full).
    #[test]
    fn replay_memory_is_bounded_under_a_flood() {
        let window = 30_000u64;
        let start = 1_700_000_000_000u64;
        let mut v = tedee(start - window);
        v.widen(window as f64).unwrap();
        let bytes = v.memory_bytes();
        let k = KeyMaker::new(TOKEN);
        let mut max_seen = 0;
        let mut keys = Vec::new();
        for i in 0..200_000u64 {
            let ms = start + i;
            let now = ms - (i * 7919) % (window / 2);
            let key = k.key(ms);
            assert_eq!(check(&mut v, &[("api_token", &key)], &[], now as f64, window as f64), "ok", "key {i}");
            max_seen = max_seen.max(v.size());
            assert!(v.size() as u64 <= 2 * window + 1, "size {} at key {i}", v.size());
            if i >= 200_000 - 1000 {
                keys.push(key);
            }
        }
        assert_eq!(v.memory_bytes(), bytes, "fixed size");
        assert!(max_seen as u64 >= window, "the memory was used: {max_seen}");
        let now = (start + 200_000) as f64;
        // a fresh key of this moment is still accepted
        assert_eq!(check(&mut v, &[("api_token", &k.key(start + 200_000 + 1_000))], &[], now, window as f64), "ok");
        // the last keys are still remembered: replaying them fails
        for key in &keys {
            assert_eq!(check(&mut v, &[("api_token", key)], &[], now, window as f64), "replay");
        }
        // and once time has moved past the window, they are stale
        let later = now + 2.0 * window as f64;
        assert_eq!(check(&mut v, &[("api_token", &keys[0])], &[], later, window as f64), "stale");
        assert_eq!(v.size(), 0);
    }
}
