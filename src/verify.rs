//! Server-side checks for the verify node: constant-time comparison, the Nightscout api-secret
//! check, and [`Verifier`], which checks a request's credentials against a configuration — with,
//! for Tedee keys, a time window and a bounded single-use (replay) memory.

use std::collections::BTreeSet;


use sha2::{Digest, Sha512};

use crate::schemes::header::shape;
use crate::schemes::nightscout::{check_secret_len, sha1_hex};
use crate::schemes::tedee::KeyMaker;
use crate::schemes::{hex, Config, Placement, Reader};
use crate::secret::clean_secret;
use crate::{js_uint, Error, Result};

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
/// SHA-1 hex in any case, or SHA-512 hex in lower case, as Nightscout accepts; never the plain
/// secret.
pub fn verify_api_secret(secret: &str, presented: &str) -> Result<bool> {
    let s = clean_secret(secret, "secret")?.value;
    check_secret_len(&s, "secret")?;
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
    fn matches(&self, presented: &str) -> bool {
        let p = presented.trim();
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
    Full,
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
            Reason::Full => "full",
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

enum Kind {
    /// One place, one exact value.
    Static { source: Source, expected: String },
    NightscoutSecret(SecretHashes),
    NightscoutToken { token: String, sha1: String },
    TedeePlain(String),
    TedeeEncrypted(KeyMaker),
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier").field("size", &self.seen.len()).finish_non_exhaustive()
    }
}

/// Checks requests against one configuration. Holds the Tedee replay memory.
pub struct Verifier {
    kind: Kind,
    max_entries: usize,
    /// Accepted Tedee keys still inside the window: (ms, digest), ordered by ms for pruning.
    seen: BTreeSet<(u64, [u8; 32])>,
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
    /// A verifier for `cfg`; `max_entries` bounds the Tedee replay memory.
    pub fn new(cfg: &Config, max_entries: f64) -> Result<Verifier> {
        let max = js_uint(max_entries, "maxEntries")?;
        if max == 0 {
            return Err(Error::new("maxEntries", "must be at least 1"));
        }
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
                "token" => {
                    let t = r.header_secret("token")?;
                    Kind::NightscoutToken { sha1: sha1_hex(t.as_bytes()), token: t }
                }
                _ => {
                    let s = r.secret("secret")?;
                    check_secret_len(&s, "secret")?;
                    Kind::NightscoutSecret(SecretHashes::new(&s))
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
        Ok(Verifier { kind, max_entries: usize::try_from(max).unwrap_or(usize::MAX), seen: BTreeSet::new() })
    }

    /// Keys held in the replay memory.
    pub fn size(&self) -> usize {
        self.seen.len()
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
            Kind::Static { source, expected } => match text(lookup(source, headers, query)) {
                Ok(v) => eq(v.trim(), expected),
                Err(r) => r,
            },
            Kind::NightscoutSecret(h) => {
                let srcs = [Source::Query("secret".into()), Source::Header("api-secret".into())];
                match text(first(&srcs, headers, query)) {
                    Ok(v) if h.matches(&v) => Reason::Ok,
                    Ok(_) => Reason::Mismatch,
                    Err(r) => r,
                }
            }
            Kind::NightscoutToken { token, sha1 } => {
                let srcs = [Source::Header("api-secret".into()), Source::Query("token".into())];
                match text(first(&srcs, headers, query)) {
                    Ok(v) => {
                        let v = v.trim();
                        let by_hash = v.len() == 40 && constant_time_eq(v.to_ascii_lowercase().as_bytes(), sha1.as_bytes());
                        if constant_time_eq(v.as_bytes(), token.as_bytes()) || by_hash {
                            Reason::Ok
                        } else {
                            Reason::Mismatch
                        }
                    }
                    Err(r) => r,
                }
            }
            Kind::TedeePlain(t) => match text(first(&tedee_sources, headers, query)) {
                Ok(v) => eq(v.trim(), t),
                Err(r) => r,
            },
            Kind::TedeeEncrypted(_) => {
                let now = js_uint(now_ms, "nowMs")?;
                let window = js_uint(window_ms, "windowMs")?;
                self.prune(now, window);
                match text(first(&tedee_sources, headers, query)) {
                    Ok(v) => self.check_tedee(v.trim(), now, window),
                    Err(r) => r,
                }
            }
        })
    }

    /// Drop keys older than the window: they would be refused as stale anyway.
    fn prune(&mut self, now: u64, window: u64) {
        let lo = now.saturating_sub(window);
        if self.seen.first().is_some_and(|(ms, _)| *ms < lo) {
            self.seen = self.seen.split_off(&(lo, [0u8; 32]));
        }
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
        let entry = (ms, digest);
        if self.seen.contains(&entry) {
            return Reason::Replay;
        }
        if self.seen.len() >= self.max_entries {
            return Reason::Full;
        }
        self.seen.insert(entry);
        Reason::Ok
    }
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

    #[test]
    fn nightscout() {
        let mut v = Verifier::new(&cfg(&[("scheme", "nightscout"), ("secret", "abcdefghij123456")]), 10.0).unwrap();
        assert_eq!(check(&mut v, &[("api-secret", "bcf210644ec3d5ee81ee80ab9e8907abb49c203d")], &[], 0.0, 0.0), "ok");
        assert_eq!(check(&mut v, &[("api-secret", "abcdefghij123456")], &[], 0.0, 0.0), "mismatch");
        assert_eq!(check(&mut v, &[], &[], 0.0, 0.0), "missing");
        // ?secret= wins over the header, as on the server
        assert_eq!(check(&mut v, &[("api-secret", "bcf210644ec3d5ee81ee80ab9e8907abb49c203d")], &[("secret", "nope")], 0.0, 0.0), "mismatch");
        let mut v = Verifier::new(&cfg(&[("scheme", "nightscout"), ("mode", "token"), ("token", "noderedrea-ecaba170b88208db")]), 10.0).unwrap();
        assert_eq!(check(&mut v, &[("api-secret", "noderedrea-ecaba170b88208db")], &[], 0.0, 0.0), "ok");
        assert_eq!(check(&mut v, &[], &[("token", "noderedrea-ecaba170b88208db")], 0.0, 0.0), "ok");
        let h = sha1_hex(b"noderedrea-ecaba170b88208db");
        assert_eq!(check(&mut v, &[("api-secret", &h)], &[], 0.0, 0.0), "ok");
        assert_eq!(check(&mut v, &[], &[("token", "noderedrea-0000000000000000")], 0.0, 0.0), "mismatch");
        assert!(Verifier::new(&cfg(&[("scheme", "nightscout"), ("mode", "jwt"), ("token", "x")]), 10.0).unwrap_err().to_string().starts_with("mode: "));
    }

    #[test]
    fn unverifiable_configs() {
        assert!(Verifier::new(&cfg(&[("scheme", "actyx")]), 10.0).unwrap_err().to_string().starts_with("scheme: actyx"));
        let tb = cfg(&[("scheme", "timbr"), ("mode", "exchange")]);
        assert!(Verifier::new(&tb, 10.0).unwrap_err().to_string().starts_with("mode: timbr 'exchange'"));
        let t = cfg(&[("scheme", "tedee"), ("token", "x")]);
        assert_eq!(Verifier::new(&t, 0.0).unwrap_err().to_string(), "maxEntries: must be at least 1");
        assert!(Verifier::new(&t, f64::NAN).unwrap_err().to_string().starts_with("maxEntries: "));
    }

    const TOKEN: &str = "BE9xnPnGfVUS";

    fn tedee(max: f64) -> Verifier {
        Verifier::new(&cfg(&[("scheme", "tedee"), ("token", TOKEN)]), max).unwrap()
    }

    #[test]
    fn tedee_keys() {
        let mut v = tedee(100.0);
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
        // time passes: the memory forgets keys that are out of the window anyway
        assert_eq!(check(&mut v, &[], &[], now + 5_001.0, 5000.0), "missing");
        assert_eq!(v.size(), 2);
        assert_eq!(check(&mut v, &[], &[], now + 20_000.0, 5000.0), "missing");
        assert_eq!(v.size(), 0);
        assert!(v.check(&map(&[]), &map(&[]), f64::NAN, 1.0).unwrap_err().to_string().starts_with("nowMs: "));
        assert!(v.check(&map(&[]), &map(&[]), 1.0, -1.0).unwrap_err().to_string().starts_with("windowMs: "));
        let mut plain = Verifier::new(&cfg(&[("scheme", "tedee"), ("mode", "plain"), ("token", TOKEN)]), 1.0).unwrap();
        assert_eq!(check(&mut plain, &[("api_token", TOKEN)], &[], 0.0, 0.0), "ok");
        assert_eq!(check(&mut plain, &[("api_token", TOKEN)], &[], 0.0, 0.0), "ok");
        assert_eq!(check(&mut plain, &[("api_token", &key)], &[], 0.0, 0.0), "mismatch");
    }

    #[test]
    fn full_fails_closed() {
        let mut v = tedee(3.0);
        let k = KeyMaker::new(TOKEN);
        for i in 0..3 {
            assert_eq!(check(&mut v, &[("api_token", &k.key(1000 + i))], &[], 1000.0, 100.0), "ok");
        }
        assert_eq!(check(&mut v, &[("api_token", &k.key(1003))], &[], 1000.0, 100.0), "full");
        assert_eq!(check(&mut v, &[("api_token", &k.key(1000))], &[], 1000.0, 100.0), "replay");
        assert_eq!(v.size(), 3);
        // once the old keys leave the window there is room again
        assert_eq!(check(&mut v, &[("api_token", &k.key(1200))], &[], 1200.0, 100.0), "ok");
        assert_eq!(v.size(), 1);
    }

    /// A flood of 200 000 distinct valid keys (one per simulated millisecond, the sender's clock
    /// jittering up to half a window ahead of ours): every one is accepted once, and the memory
    /// never holds more than the window allows (2 * window + 1 distinct milliseconds).
    #[test]
    fn replay_memory_is_bounded_under_a_flood() {
        let window = 30_000u64;
        let mut v = tedee(1_000_000.0);
        let k = KeyMaker::new(TOKEN);
        let start = 1_700_000_000_000u64;
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
        assert!(max_seen as u64 >= window, "the memory was used: {max_seen}");
        // the last keys are still remembered: replaying them fails
        let now = (start + 200_000) as f64;
        for key in &keys {
            assert_eq!(check(&mut v, &[("api_token", key)], &[], now, window as f64), "replay");
        }
        // and once time has moved past the window, they are forgotten and stale
        let later = now + 2.0 * window as f64;
        assert_eq!(check(&mut v, &[("api_token", &keys[0])], &[], later, window as f64), "stale");
        assert_eq!(v.size(), 0);
    }
}
