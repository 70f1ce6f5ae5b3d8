//! Tedee bridge (local HTTP API, `http://BRIDGE_IP/v1.0`): `api_token` (header or query) =
//! `lowercase_hex(SHA256(token + ms)) + ms`, fresh for every request (encrypted mode, the app's
//! default), or the token itself (plain mode, for development). The bridge accepts each key once
//! and only near its own clock; the official client retries a 401 with a fresh key 0.5 s later.
//! Check: `GET {base}/bridge`.
//!
//! The hot path keeps the SHA-256 state after the token, so a key costs one clone, the digits of
//! `ms` and one finalisation; hex comes from a lookup table.

use sha2::{Digest, Sha256};

use super::{Api, Auth, Check, Mode, Placement, Plan, Reader, Retry, Sign, PLACEMENT, TOKEN};
use crate::encode::{push_hex, unhex};
use crate::verify::{claimed, same, scope_of, text, Claims, Presented, Reason, Verify};
use crate::{Result, MAX_SAFE_INTEGER};

/// Header and query parameter name.
const PARAM: &str = "api_token";

pub static API: Api = Api {
    id: "tedee",
    label: "Tedee bridge",
    base_url: "http://192.168.1.25/v1.0",
    modes: &[
        Mode { id: "encrypted", label: "encrypted (a fresh key per request)", fields: &[&TOKEN, &PLACEMENT], exchange: false },
        Mode { id: "plain", label: "plain (the token itself; development only)", fields: &[&TOKEN, &PLACEMENT], exchange: false },
    ],
    plan,
};

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
        // only ASCII hex and digits were pushed
        String::from_utf8(out).unwrap_or_default()
    }
}

/// `tedeeApiKey(token, nowMs)`.
pub fn api_key(token: &str, ms: f64) -> Result<String> {
    let t = crate::secret::clean(token, "token", TOKEN.hygiene)?;
    Ok(KeyMaker::new(&t.value).key(crate::js_uint(ms, "nowMs")?))
}

/// Split a key into its digest (lower-case hex, as the scheme writes it) and its canonical
/// decimal milliseconds (no leading zeros, ≤ 2^53).
pub fn parse_key(key: &str) -> Option<([u8; 32], u64, &str)> {
    let b = key.as_bytes();
    if b.len() < 65 || b.len() > 64 + 16 || b[..64].iter().any(u8::is_ascii_uppercase) {
        return None;
    }
    let digest = unhex::<32>(&b[..64])?;
    let ms_text = key.get(64..)?;
    let d = ms_text.as_bytes();
    if !d.iter().all(u8::is_ascii_digit) || (d.len() > 1 && d[0] == b'0') {
        return None;
    }
    let ms: u64 = ms_text.parse().ok()?;
    if ms as f64 > MAX_SAFE_INTEGER {
        return None;
    }
    Some((digest, ms, ms_text))
}

fn plan(r: &mut Reader, mode: &'static Mode) -> Result<Plan> {
    let placement = r.placement()?;
    let token = r.secret(&TOKEN)?;
    let check = Check::Request { method: "GET", path: "/bridge", reply: super::generic_check };
    if mode.id == "plain" {
        // the same token every time: a second identical try cannot succeed
        return Ok(Plan::fixed(Auth::placed(placement, PARAM, token), check));
    }
    let maker = KeyMaker::new(&token);
    let verify = Box::new(KeyCheck { maker: maker.clone(), scope: scope_of(API.id, token.as_bytes()) });
    Ok(Plan {
        sign: Sign::Fresh { key: Box::new(move |ms| maker.key(ms)), place: placement, name: PARAM },
        exchange: None,
        retry: Retry::FreshKey { delay_ms: 500 },
        check,
        verify: Ok(verify),
        derived: vec![],
        refusal_hint: None,
    })
}

/// The verify side of encrypted mode: the `api_token` header (else query) is a key of our token,
/// inside the window, and its millisecond was not used before. For one token a millisecond has
/// one key, so the single-use space of an external store is named after the token (`scope`).
struct KeyCheck {
    maker: KeyMaker,
    scope: String,
}

impl Verify for KeyCheck {
    fn check(&self, p: &Presented, claims: &mut dyn Claims, now: u64, window: u64) -> Reason {
        let key = match text(p.first(&[(Placement::Header, PARAM), (Placement::Query, PARAM)])) {
            Ok(k) => k,
            Err(r) => return r,
        };
        let Some((digest, ms, ms_text)) = parse_key(&key) else { return Reason::BadFormat };
        if !same(&self.maker.digest(ms_text.as_bytes()), &digest) {
            return Reason::Mismatch;
        }
        if ms.abs_diff(now) > window {
            return Reason::Stale;
        }
        claimed(claims.claim(ms, now))
    }

    fn single_use(&self) -> bool {
        true
    }

    fn scope(&self) -> Option<&str> {
        Some(&self.scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schemes::{cfg, Signer};
    use crate::verify::{scope_of, Found, Outcome, Reason, Verifier, CLAIM_SKEW_MS};
    use crate::Code;

    const VECTOR: &str = "e59d9763edc6e59f2faccf9a769e5cf170d68439c3fd67afae5e3e72d0463a711691058833000";
    const TOKEN_: &str = "BE9xnPnGfVUS";

    #[test]
    fn seed_vector() {
        assert_eq!(api_key(TOKEN_, 1691058833000.0).unwrap(), VECTOR);
        assert_eq!(KeyMaker::new(TOKEN_).key(1691058833000), VECTOR);
        let plain = crate::encode::hex(&Sha256::digest(b"BE9xnPnGfVUS1691058833000"));
        assert_eq!(&VECTOR[..64], plain);
    }

    #[test]
    fn keys_change_every_millisecond() {
        let k = KeyMaker::new(TOKEN_);
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
        assert!(api_key(TOKEN_, f64::NAN).unwrap_err().to_string().starts_with("nowMs: must be a finite number"));
        assert_eq!(api_key(TOKEN_, -1.0).unwrap_err().code, Code::BadNumber);
        assert_eq!(api_key(" ", 0.0).unwrap_err().to_string(), "token: is empty (only whitespace)");
        assert_eq!(api_key(" BE9xnPnGfVUS\n", 1691058833000.0).unwrap(), VECTOR);
    }

    #[test]
    fn retry_with_a_fresh_key_but_not_in_plain_mode() {
        let s = Signer::new(&cfg(&[("scheme", "tedee"), ("token", TOKEN_)])).unwrap();
        assert_eq!(s.retry(), Retry::FreshKey { delay_ms: 500 });
        let s = Signer::new(&cfg(&[("scheme", "tedee"), ("mode", "plain"), ("token", TOKEN_)])).unwrap();
        assert_eq!(s.retry(), Retry::Never);
    }

    fn map(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Found {
        let v: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        move |n: &str| v.iter().find(|(k, _)| k == n).map(|(_, x)| Found::Text(x.clone())).unwrap_or(Found::Absent)
    }

    fn verifier(created: u64) -> Verifier {
        Verifier::from_config(&cfg(&[("scheme", "tedee"), ("token", TOKEN_)]), created as f64).unwrap()
    }

    fn check(v: &mut Verifier, h: &[(&str, &str)], q: &[(&str, &str)], now: f64, w: f64) -> &'static str {
        v.check(&map(h), &map(q), now, w).unwrap().as_str()
    }

    #[test]
    fn keys_once_inside_the_window() {
        let mut v = verifier(1691058820000);
        let k = KeyMaker::new(TOKEN_);
        let now = 1691058833000.0;
        let key = k.key(1691058833000);
        assert_eq!(check(&mut v, &[("api_token", &key)], &[], now, 5000.0), "ok");
        assert_eq!(check(&mut v, &[("api_token", &key)], &[], now, 5000.0), "replay");
        assert_eq!(check(&mut v, &[], &[("api_token", &key)], now, 5000.0), "replay", "the same key in the query");
        assert_eq!(check(&mut v, &[("api_token", &key.to_ascii_uppercase())], &[], now, 5000.0), "bad-format", "lower-case hex only");
        assert_eq!(check(&mut v, &[], &[("api_token", &k.key(1691058833001))], now, 5000.0), "ok");
        assert_eq!(check(&mut v, &[("api_token", &k.key(1691058827999))], &[], now, 5000.0), "stale");
        assert_eq!(check(&mut v, &[("api_token", &k.key(1691058838001))], &[], now, 5000.0), "stale");
        assert_eq!(check(&mut v, &[("api_token", &k.key(1691058838000))], &[], now, 5000.0), "ok");
        let other = KeyMaker::new("other").key(1691058833000);
        assert_eq!(check(&mut v, &[("api_token", &other)], &[], now, 5000.0), "mismatch");
        for bad in [
            "",
            "x",
            &key[..64],
            &format!("{}0{}", &key[..64], &key[64..]),
            &format!("{}z", &key[..key.len() - 1]),
            &format!("g{}", &key[1..]),
            &format!("{}12345678901234567", &key[..64]),
        ] {
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
        let mut plain = Verifier::from_config(&cfg(&[("scheme", "tedee"), ("mode", "plain"), ("token", TOKEN_)]), 1.0).unwrap();
        assert_eq!(check(&mut plain, &[("api_token", TOKEN_)], &[], 0.0, 0.0), "ok");
        assert_eq!(check(&mut plain, &[("api_token", TOKEN_)], &[], 0.0, 0.0), "ok");
        assert_eq!(check(&mut plain, &[("api_token", &key)], &[], 0.0, 0.0), "mismatch");
    }

    /// Two endpoints with different windows share one memory: a short-window check must not
    /// drop what the long window still needs.
    #[test]
    fn a_short_window_does_not_reopen_a_long_one() {
        let t0 = 1_700_000_000_000u64;
        let mut v = verifier(t0);
        let k = KeyMaker::new(TOKEN_);
        let key = k.key(t0 + 1_000);
        assert_eq!(check(&mut v, &[("api_token", &key)], &[], (t0 + 1_000) as f64, 300_000.0), "ok");
        assert_eq!(check(&mut v, &[("api_token", &k.key(t0 + 121_000))], &[], (t0 + 121_000) as f64, 1_000.0), "ok");
        assert_eq!(check(&mut v, &[("api_token", &key)], &[], (t0 + 121_500) as f64, 300_000.0), "replay");
    }

    #[test]
    fn a_clock_stepping_back_does_not_reopen_keys() {
        let t0 = 1_700_000_000_000u64;
        let mut v = verifier(t0);
        let k = KeyMaker::new(TOKEN_);
        let key = k.key(t0 + 50_000);
        assert_eq!(check(&mut v, &[("api_token", &key)], &[], (t0 + 50_000) as f64, 30_000.0), "ok");
        assert_eq!(check(&mut v, &[], &[], (t0 + 170_000) as f64, 30_000.0), "missing");
        assert_eq!(check(&mut v, &[("api_token", &key)], &[], (t0 + 50_000) as f64, 30_000.0), "stale");
    }

    #[test]
    fn a_new_memory_refuses_keys_from_before_it() {
        let t0 = 1_700_000_000_000u64;
        let k = KeyMaker::new(TOKEN_);
        let mut v = verifier(t0);
        assert_eq!(check(&mut v, &[("api_token", &k.key(t0 - 1))], &[], t0 as f64, 30_000.0), "stale");
        assert_eq!(check(&mut v, &[("api_token", &k.key(t0))], &[], t0 as f64, 30_000.0), "ok");
    }

    /// A flood of 200 000 distinct valid keys (one per simulated millisecond, the sender's clock
    /// jittering up to half a window ahead of ours): every one is accepted once, the memory never
    /// grows, and another client's key is still accepted (the memory cannot be full).
    #[test]
    fn replay_memory_is_bounded_under_a_flood() {
        let window = 30_000u64;
        let start = 1_700_000_000_000u64;
        let mut v = verifier(start - window);
        v.widen(window as f64).unwrap();
        let bytes = v.memory_bytes();
        let k = KeyMaker::new(TOKEN_);
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
        assert_eq!(check(&mut v, &[("api_token", &k.key(start + 200_000 + 1_000))], &[], now, window as f64), "ok");
        for key in &keys {
            assert_eq!(check(&mut v, &[("api_token", key)], &[], now, window as f64), "replay");
        }
        let later = now + 2.0 * window as f64;
        assert_eq!(check(&mut v, &[("api_token", &keys[0])], &[], later, window as f64), "stale");
        assert_eq!(v.size(), 0);
    }

    fn claim(v: &mut Verifier, h: &[(&str, &str)], q: &[(&str, &str)], now: u64, w: u64) -> Outcome {
        v.check_claim(&map(h), &map(q), now as f64, w as f64).unwrap()
    }

    /// An external store (Redis): the core checks the key, the window and the floor, then asks
    /// for the millisecond to be claimed; it never marks its own bitmap, so the same key asks
    /// again (the store answers "used").
    #[test]
    fn external_claims_ask_for_the_millisecond() {
        let t0 = 1_700_000_000_000u64;
        let mut v = verifier(t0);
        let k = KeyMaker::new(TOKEN_);
        let w = 30_000u64;
        let key = k.key(t0 + 1_000);
        let first = claim(&mut v, &[("api_token", &key)], &[], t0 + 1_000, w);
        assert_eq!(first, Outcome::Claim { ms: t0 + 1_000, ttl_ms: w + CLAIM_SKEW_MS });
        assert_eq!(claim(&mut v, &[], &[("api_token", &key)], t0 + 1_500, w), Outcome::Claim { ms: t0 + 1_000, ttl_ms: w + CLAIM_SKEW_MS - 500 });
        assert_eq!(v.size(), 0, "the local bitmap is not used");
        // a key from the future lives until it leaves the widest window
        assert_eq!(
            claim(&mut v, &[("api_token", &k.key(t0 + 20_000))], &[], t0 + 1_500, w),
            Outcome::Claim { ms: t0 + 20_000, ttl_ms: 18_500 + w + CLAIM_SKEW_MS }
        );
        // everything else is decided by the core
        assert_eq!(claim(&mut v, &[("api_token", &KeyMaker::new("other").key(t0 + 1_000))], &[], t0 + 1_500, w), Outcome::Done(Reason::Mismatch));
        assert_eq!(claim(&mut v, &[("api_token", "abc")], &[], t0 + 1_500, w), Outcome::Done(Reason::BadFormat));
        assert_eq!(claim(&mut v, &[], &[], t0 + 1_500, w), Outcome::Done(Reason::Missing));
        assert_eq!(claim(&mut v, &[("api_token", &k.key(t0 + 40_000))], &[], t0 + 1_500, w), Outcome::Done(Reason::Stale), "outside the window");
        assert_eq!(claim(&mut v, &[("api_token", &k.key(t0 - 1))], &[], t0 + 1_500, w), Outcome::Done(Reason::Stale), "below the floor");
        // the floor rises when the store is (re)connected: what was claimed before may be lost
        v.raise_floor((t0 + 5_000) as f64).unwrap();
        assert_eq!(claim(&mut v, &[("api_token", &key)], &[], t0 + 5_000, w), Outcome::Done(Reason::Stale));
        assert_eq!(claim(&mut v, &[("api_token", &k.key(t0 + 4_999))], &[], t0 + 5_000, w), Outcome::Done(Reason::Stale));
        assert!(matches!(claim(&mut v, &[("api_token", &k.key(t0 + 5_000))], &[], t0 + 5_000, w), Outcome::Claim { .. }));
        // a clock stepping back does not lower it
        v.raise_floor(t0 as f64).unwrap();
        assert_eq!(claim(&mut v, &[("api_token", &k.key(t0 + 4_000))], &[], t0 + 4_000, w), Outcome::Done(Reason::Stale));
        assert!(v.raise_floor(f64::NAN).unwrap_err().to_string().starts_with("nowMs: "));
        assert!(v.check_claim(&map(&[]), &map(&[]), 1.0, 3_600_001.0).unwrap_err().to_string().starts_with("windowMs: "));
        // the widest window asked for sets the expiry
        v.widen(60_000.0).unwrap();
        assert_eq!(claim(&mut v, &[("api_token", &k.key(t0 + 6_000))], &[], t0 + 6_000, w), Outcome::Claim { ms: t0 + 6_000, ttl_ms: 60_000 + CLAIM_SKEW_MS });
    }

    /// The in-memory check and the external one agree on every decision but the claim.
    #[test]
    fn external_and_memory_decide_alike() {
        let t0 = 1_700_000_000_000u64;
        let (mut mem, mut ext) = (verifier(t0), verifier(t0));
        let k = KeyMaker::new(TOKEN_);
        for i in 0..2_000u64 {
            let now = t0 + 37 * i;
            let ms = (now + (i * 7_919) % 70_000).saturating_sub(35_000);
            let key = if i % 5 == 0 { KeyMaker::new("x").key(ms) } else { k.key(ms) };
            let m = check(&mut mem, &[("api_token", &key)], &[], now as f64, 30_000.0);
            match claim(&mut ext, &[("api_token", &key)], &[], now, 30_000) {
                Outcome::Claim { ms: c, .. } => assert!(c == ms && (m == "ok" || m == "replay"), "{i}: {m}"),
                Outcome::Done(r) => assert_eq!(r.as_str(), m, "{i}"),
            }
        }
    }

    #[test]
    fn the_scope_names_the_token_not_the_key() {
        let v = verifier(0);
        let scope = v.scope().unwrap().to_string();
        assert_eq!(scope.len(), 32);
        assert!(scope.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(scope, scope_of("tedee", TOKEN_.as_bytes()));
        assert!(!scope.contains(TOKEN_));
        let full = crate::encode::hex(&Sha256::digest(b"node-red-contrib-api-auth/replay-scope/v1\0tedee\0BE9xnPnGfVUS"));
        assert_eq!(scope, full[..32]);
        assert_ne!(scope, crate::encode::hex(&Sha256::digest(TOKEN_.as_bytes()))[..32]);
        // another token, another space; the same token, the same space on every instance
        let other = Verifier::from_config(&cfg(&[("scheme", "tedee"), ("token", "another-token")]), 0.0).unwrap();
        assert_ne!(other.scope().unwrap(), scope);
        assert_eq!(verifier(12345).scope().unwrap(), scope);
        // a token with surrounding white space is trimmed before: the same space
        let padded = Verifier::from_config(&cfg(&[("scheme", "tedee"), ("token", " BE9xnPnGfVUS\n")]), 0.0).unwrap();
        assert_eq!(padded.scope().unwrap(), scope);
        // static schemes have no single-use space
        let plain = Verifier::from_config(&cfg(&[("scheme", "tedee"), ("mode", "plain"), ("token", TOKEN_)]), 0.0).unwrap();
        assert_eq!(plain.scope(), None);
        let mut plain = plain;
        assert_eq!(plain.check_claim(&map(&[("api_token", TOKEN_)]), &map(&[]), 0.0, 0.0).unwrap(), Outcome::Done(Reason::Ok));
    }
}
