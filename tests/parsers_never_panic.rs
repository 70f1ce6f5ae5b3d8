//! Property tests: no parser or check panics on any input (a panic under WASM kills the module),
//! and what a Signer emits, the Verifier of the same configuration accepts (once, for single-use
//! keys) while a one-character change is refused. Test builds keep overflow checks on, so
//! arithmetic overflow would be caught here too.

use api_auth_core::schemes::{actyx, nightscout, tedee, timbr, Config, Signer, APIS};
use api_auth_core::verify::{Found, Reason, Verifier};
use api_auth_core::{fernet_token, jwt, secret};
use base64::Engine;
use proptest::prelude::*;

const CASES: u32 = 2000;
const KEY: &str = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
const ACTYX_SAMPLE: &str = "AAAAXaZnY3JlYXRlZBsABcIhKEY90mVhcHBJZG9jb20uZXhhbXBsZS5hcHBmY3ljbGVzAGphcHBWZXJzaW9uZTEuMC4waHZhbGlkaXR5GgABUYBnYXBwTW9kZWV0cmlhbAEuMkUrR1EHEC/ZPnOm5yCUZCOMwUGqP6UQLOC2r2xWr5ja9HC0KaYXfyQMaQmUcg7nA9BdwWe2KPUtETN1aqQTfeYDTOja38YXd32Ig9NOY39rg5H+ViDm6Lo0OXzYgwQ=";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// JSON-looking text: fragments that reach deep into the reply parsers.
fn jsonish() -> impl Strategy<Value = String> {
    let frag = prop_oneof![
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just(":".to_string()),
        Just("\"token\"".to_string()),
        Just("\"data\"".to_string()),
        Just("\"status\"".to_string()),
        Just("\"error\"".to_string()),
        Just("\"success\"".to_string()),
        Just("\"exp\"".to_string()),
        Just("\"iat\"".to_string()),
        Just("null".to_string()),
        Just("1e999".to_string()),
        Just("-1".to_string()),
        Just("18446744073709551616".to_string()),
        Just("\"\\u0000\"".to_string()),
        Just("\"\\ud800\"".to_string()),
        Just("\"message\"".to_string()),
        Just("\"code\"".to_string()),
        "\"[ -~]{0,12}\"",
        any::<String>(),
    ];
    prop::collection::vec(frag, 0..16).prop_map(|v| v.concat())
}

/// An arbitrary CBOR-ish Actyx token: a length prefix and bytes, or the sample with mutations.
fn actyxish() -> impl Strategy<Value = String> {
    let sample = base64::engine::general_purpose::STANDARD.decode(ACTYX_SAMPLE).unwrap();
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200).prop_map(|b| b64(&b)),
        (any::<u32>(), prop::collection::vec(any::<u8>(), 0..120)).prop_map(|(n, b)| {
            let mut v = (n % 200).to_be_bytes().to_vec();
            v.extend(b);
            b64(&v)
        }),
        prop::collection::vec((0usize..194, any::<u8>()), 1..6).prop_map(move |muts| {
            let mut v = sample.clone();
            for (i, b) in muts {
                v[i] = b;
            }
            b64(&v)
        }),
        any::<String>(),
    ]
}

fn jwtish() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        (any::<String>(), jsonish(), any::<String>()).prop_map(|(h, p, s)| format!("{}.{}.{}", b64url(h.as_bytes()), b64url(p.as_bytes()), s)),
        prop::collection::vec(any::<u8>(), 0..80).prop_map(|b| format!("e30.{}.x", b64url(&b))),
    ]
}

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![any::<f64>(), (0u64..1u64 << 54).prop_map(|n| n as f64), Just(f64::NAN), Just(-0.0), Just(1e300)]
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop_oneof![Just(None), any::<String>().prop_map(Some), "[ -~]{0,20}".prop_map(Some)]
}

/// A JSON string literal for `s` (what a server would send).
fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// A configuration of an exchange mode of every API, with a base URL.
fn exchange_signers() -> Vec<Signer> {
    [
        Config::new().with("scheme", "timbr").with("mode", "exchange").with("username", "u").with("password", "p").with("salt", KEY),
        Config::new().with("scheme", "nightscout").with("mode", "jwt").with("token", "r-0123456789abcdef"),
        Config::new().with("scheme", "actyx").with("appId", "com.example.a").with("placement", "query"),
        Config::new().with("scheme", "oauth2").with("tokenUrl", "http://x/token").with("clientId", "c").with("clientSecret", "s"),
        Config::new()
            .with("scheme", "oauth2")
            .with("mode", "refresh-token")
            .with("tokenUrl", "http://x/token")
            .with("clientId", "c")
            .with("clientSecret", "s")
            .with("refreshToken", "rt"),
    ]
    .into_iter()
    .map(|c| Signer::new(&c.with("baseUrl", "http://x")).unwrap())
    .collect()
}

/// Printable ASCII without white space at the ends: a value every hygiene rule keeps as it is.
fn clean_value() -> &'static str {
    "[!-~][ -~]{10,30}[!-~]"
}

/// A verifiable configuration of every API and mode that has a verify side.
fn verifiable() -> impl Strategy<Value = Config> {
    let tok = clean_value();
    let m2 = |a: &'static str, b: &'static str| prop_oneof![Just(a), Just(b)];
    prop_oneof![
        (tok, m2("authtoken", "bearer")).prop_map(|(t, m): (String, &str)| Config::new().with("scheme", "timetagger").with("mode", m).with("token", &t)),
        tok.prop_map(|t: String| Config::new().with("scheme", "timbr").with("token", &t)),
        tok.prop_map(|t: String| Config::new().with("scheme", "nightscout").with("secret", &t)),
        ("[a-z0-9_]{1,10}", "[0-9a-f]{16}", m2("header", "query")).prop_map(|(n, h, p): (String, String, &str)| Config::new()
            .with("scheme", "nightscout")
            .with("mode", "token")
            .with("placement", p)
            .with("token", &format!("{n}-{h}"))),
        (tok, m2("encrypted", "plain"), m2("header", "query")).prop_map(|(t, m, p): (String, &str, &str)| Config::new()
            .with("scheme", "tedee")
            .with("mode", m)
            .with("placement", p)
            .with("token", &t)),
        (tok, "[A-Za-z][A-Za-z0-9-]{0,12}", "[ -~]{0,8}", "[a-z_]{1,8}", m2("header", "query")).prop_map(
            |(t, h, pre, q, p): (String, String, String, String, &str)| Config::new()
                .with("scheme", "header")
                .with("placement", p)
                .with("headerName", &h)
                .with("prefix", &pre)
                .with("queryName", &q)
                .with("token", &t)
        ),
    ]
}

/// The request a client would send with `auth`: headers (lower-case names) and the decoded query.
type Pairs = Vec<(String, String)>;

fn presented(a: &api_auth_core::schemes::Auth) -> (Pairs, Pairs) {
    let h = a.headers.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.clone())).collect();
    let q = a.query.iter().map(|(n, v)| (api_auth_core::encode::decode(n), api_auth_core::encode::decode(v))).collect();
    (h, q)
}

fn check(v: &mut Verifier, h: &[(String, String)], q: &[(String, String)], now: f64) -> Reason {
    let look = |list: &[(String, String)], n: &str| list.iter().find(|(k, _)| k == n).map(|(_, v)| Found::Text(v.clone())).unwrap_or(Found::Absent);
    let hs = |n: &str| look(h, n);
    let qs = |n: &str| look(q, n);
    v.check(&hs, &qs, now, 30_000.0).unwrap()
}

/// Change one character of the value `i` of `list` (to another printable character).
fn mutate(list: &mut [(String, String)], i: usize, at: usize, to: u8) {
    let (_, v) = &mut list[i];
    let mut b = v.clone().into_bytes();
    let k = at % b.len();
    let c = if b[k] == to {
        if to == b'~' {
            b'!'
        } else {
            to + 1
        }
    } else {
        to
    };
    b[k] = c;
    *v = String::from_utf8(b).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_verifier_accepts_what_the_signer_emits_and_nothing_one_character_off(cfg in verifiable(), at in any::<usize>(), to in 0x21u8..0x7f, which in any::<usize>()) {
        let now = 1_700_000_000_000.0;
        let signer = Signer::new(&cfg).unwrap();
        let auth = signer.auth(now, None).unwrap();
        let (h, q) = presented(&auth);
        prop_assert!(!h.is_empty() || !q.is_empty());
        let mut v = Verifier::from_config(&cfg, now - 1000.0).unwrap();
        prop_assert_eq!(check(&mut v, &h, &q, now), Reason::Ok);
        let single_use = signer.fresh_place().is_some();
        // a single-use key once only; a static credential every time
        prop_assert_eq!(check(&mut v, &h, &q, now), if single_use { Reason::Replay } else { Reason::Ok });
        // one character changed in any credential: refused
        let fresh = signer.auth(now + 1.0, None).unwrap();
        let (mut h2, mut q2) = presented(&fresh);
        let n = h2.len() + q2.len();
        let i = which % n;
        let before: Vec<String> = h2.iter().chain(q2.iter()).map(|(_, v)| v.clone()).collect();
        if i < h2.len() { mutate(&mut h2, i, at, to) } else { mutate(&mut q2, i - h2.len(), at, to) }
        let after: Vec<String> = h2.iter().chain(q2.iter()).map(|(_, v)| v.clone()).collect();
        // Nightscout's own rules make some changes no change (the verify node's help has the
        // table): the SHA-1 of API_SECRET in any case, and only the part of an access token after
        // its last dash counts
        if cfg.get("scheme") == Some("nightscout") {
            let same_hash = after[i].eq_ignore_ascii_case(&before[i]);
            let same_tail = after[i].rsplit('-').next() == before[i].rsplit('-').next();
            prop_assume!(if cfg.get("mode") == Some("token") { !same_tail } else { !same_hash });
        }
        let r = check(&mut v, &h2, &q2, now + 1.0);
        prop_assert!(r != Reason::Ok, "accepted a changed credential: {:?} {:?}", h2, q2);
    }

    #[test]
    fn jwt_expiry_never_panics(t in jwtish()) {
        let _ = jwt::jwt_expiry(&t, "jwt");
    }

    #[test]
    fn actyx_token_never_panics(t in actyxish()) {
        let _ = actyx::token_info(&t);
    }

    #[test]
    fn fernet_token_never_panics(
        body in prop::collection::vec(any::<u8>(), 0..120),
        version in prop_oneof![Just(0x80u8), any::<u8>()],
        raw in any::<String>(),
        ttl in prop::option::of(any::<u64>()),
        now in prop::option::of(any::<u64>()),
    ) {
        let mut v = vec![version];
        v.extend(body);
        let tok = base64::engine::general_purpose::URL_SAFE.encode(&v);
        let _ = fernet_token::decrypt(KEY, &tok, ttl, now);
        let _ = fernet_token::decrypt(KEY, &raw, ttl, now);
        let _ = fernet_token::decrypt(&raw, &tok, ttl, now);
    }

    #[test]
    fn exchange_replies_never_panic(body in prop_oneof![jsonish(), any::<String>()], token in prop_oneof![actyxish(), jwtish()], status in 0u16..700) {
        for mut s in exchange_signers() {
            let _ = s.exchange_request(1_700_000_000_000.0);
            for b in [
                body.clone(),
                format!("{{\"token\":{}}}", quoted(&token)),
                format!("{{\"data\":[{}]}}", quoted(&token)),
                format!("{{\"access_token\":{},\"token_type\":\"Bearer\",\"expires_in\":{},\"refresh_token\":{}}}", quoted(&token), status, quoted(&body)),
            ] {
                if let Ok(t) = s.exchange_reply(status as f64, &b, 0.0) {
                    // a token that comes back can go in a header
                    prop_assert!(t.token.bytes().all(|c| (0x20..0x7f).contains(&c)));
                    prop_assert!((200..300).contains(&status));
                }
                let _ = s.check_reply(status as f64, &b);
                let _ = s.refusal(&b);
            }
        }
        let _ = api_auth_core::schemes::server_words(&body);
    }

    #[test]
    fn secrets_and_masks_never_panic(s in any::<String>(), field in "[a-zA-Z]{1,10}") {
        if let Ok(c) = secret::clean_secret(&s, &field) {
            prop_assert_eq!(c.value.as_str(), secret::js_trim(&s));
        } else {
            let e = secret::clean_secret(&s, &field).unwrap_err().to_string();
            let prefix = format!("{}: ", field);
            prop_assert!(e.starts_with(&prefix));
            if s.trim().chars().count() >= 4 { prop_assert!(!e.contains(s.trim())); }
        }
        let m = secret::mask_secret(&s);
        prop_assert!(m == "****" || m.chars().count() == 13);
        let _ = nightscout::secret_hash(&s);
        let _ = nightscout::access_token(&s, &s, &s);
        let _ = timbr::fernet_key(&s, "key");
        let _ = timbr::plaintext(&s, &s, "base64");
        let _ = tedee::api_key(&s, 0.0);
    }

    #[test]
    fn signer_never_panics(
        scheme in prop_oneof![Just("timetagger"), Just("timbr"), Just("nightscout"), Just("tedee"), Just("actyx"), Just("oauth2"), Just("header"), Just("x")],
        mode in prop_oneof![Just(None), Just(Some("exchange".to_string())), Just(Some("token".to_string())), Just(Some("jwt".to_string())), Just(Some("plain".to_string())), Just(Some("bearer".to_string())), Just(Some("refresh-token".to_string())), opt_text()],
        placement in prop_oneof![Just(None), Just(Some("query".to_string())), opt_text()],
        token in opt_text(), secret_v in opt_text(), other in opt_text(),
        now in any_f64(), window in any_f64(), exchanged in opt_text(),
    ) {
        let mut c = Config::new().with("scheme", scheme).with("baseUrl", "http://x");
        for (k, v) in [("mode", mode), ("placement", placement), ("token", token.clone()), ("secret", secret_v)] {
            if let Some(v) = v { c.set(k, &v); }
        }
        if let Some(o) = &other {
            for f in Config::names() {
                if c.get(f).is_none() { c.set(f, o); }
            }
        }
        if let Ok(mut s) = Signer::new(&c) {
            let _ = s.auth(now, exchanged.as_deref());
            let _ = s.fresh_key(now);
            let _ = s.query_names();
            let _ = s.exchange_request(now);
        }
        if let Ok(mut v) = Verifier::from_config(&c, 16.0) {
            let t = token.unwrap_or_default();
            let h = |_: &str| Found::Text(t.clone());
            let q = |_: &str| Found::NotText;
            let _ = v.check(&h, &q, now, window);
            let _ = v.check(&q, &h, now, window);
            prop_assert!(v.memory_bytes() <= 1_000_000);
        }
    }

    #[test]
    fn tedee_verifier_inputs_never_panic(
        key in prop_oneof![any::<String>(), "[0-9a-fA-F]{64}[0-9]{0,20}", Just(String::new())],
        now in any_f64(), window in any_f64(), ms in 0u64..(1u64 << 53),
    ) {
        let c = Config::new().with("scheme", "tedee").with("token", "BE9xnPnGfVUS");
        let mut v = Verifier::from_config(&c, 4.0).unwrap();
        let h = |_: &str| Found::Text(key.clone());
        let none = |_: &str| Found::Absent;
        let _ = v.check(&h, &none, now, window);
        let valid = tedee::KeyMaker::new("BE9xnPnGfVUS").key(ms);
        let hv = |_: &str| Found::Text(valid.clone());
        let _ = v.check(&hv, &none, now, window);
        prop_assert!(v.memory_bytes() <= 1_000_000);
    }
}

#[test]
fn every_api_is_in_the_table_once() {
    let ids: Vec<&str> = APIS.iter().map(|a| a.id).collect();
    let mut d = ids.clone();
    d.sort();
    d.dedup();
    assert_eq!(d.len(), ids.len());
}
