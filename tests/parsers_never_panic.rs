//! Property tests: no parser or check panics on any input (a panic under WASM kills the module).
//! Test builds keep overflow checks on, so arithmetic overflow would be caught here too.

use api_auth_core::schemes::{actyx, nightscout, timbr, Config, Signer};
use api_auth_core::verify::{Found, Verifier};
use api_auth_core::{fernet_token, json, jwt, secret};
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
        Just("{".to_string()), Just("}".to_string()), Just("[".to_string()), Just("]".to_string()),
        Just(",".to_string()), Just(":".to_string()), Just("\"token\"".to_string()), Just("\"data\"".to_string()),
        Just("\"status\"".to_string()), Just("\"error\"".to_string()), Just("\"success\"".to_string()),
        Just("\"exp\"".to_string()), Just("\"iat\"".to_string()), Just("null".to_string()), Just("1e999".to_string()),
        Just("-1".to_string()), Just("18446744073709551616".to_string()), Just("\"\\u0000\"".to_string()),
        Just("\"\\ud800\"".to_string()), Just("\"message\"".to_string()), Just("\"code\"".to_string()),
        "\"[ -~]{0,12}\"", any::<String>(),
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

/// A JSON number's text: signs, zeros, fractions, exponents, integers beyond u64.
fn json_number() -> impl Strategy<Value = json::Number> {
    let text = prop_oneof![
        "-?(0|[1-9][0-9]{0,25})(\\.[0-9]{1,12})?([eE][+-]?[0-9]{1,3})?",
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
    ];
    // texts too large for f64 (1e400) are refused by the parser: not a value
    text.prop_filter_map("beyond f64", |t| json::Number::parse(&t))
}

/// An arbitrary JSON value, nested up to a few levels.
fn json_value() -> impl Strategy<Value = json::Value> {
    use json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        json_number().prop_map(Value::Number),
        any::<String>().prop_map(Value::String),
        "[\\x00-\\x1f\"\\\\/a\u{7f}]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop_oneof![any::<String>(), "[a-c]{0,2}"], inner), 0..6)
                .prop_map(|m| Value::Object(json::Object(m))),
        ]
    })
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop_oneof![Just(None), any::<String>().prop_map(Some), "[ -~]{0,20}".prop_map(Some)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn json_parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200), text in prop_oneof![jsonish(), any::<String>()]) {
        for input in [&bytes[..], text.as_bytes()] {
            if let Ok(v) = json::parse_bytes(input) {
                // whatever parses, writes back to JSON that parses to the same value
                prop_assert_eq!(json::parse(&v.to_string()), Ok(v));
            }
        }
        let _ = json::parse(&text);
        let _ = json::Number::parse(&text);
    }

    #[test]
    fn json_round_trip(v in json_value()) {
        let text = v.to_string();
        prop_assert_eq!(json::parse(&text), Ok(v.clone()));
        // and with whitespace around every token
        let spaced = text.replace(',', " ,\n").replace(':', "\t: ").replace('[', "[ ").replace('{', "{\r\n");
        if !matches!(v, json::Value::String(_)) && !text.contains('"') {
            prop_assert_eq!(json::parse(&spaced), Ok(v));
        }
    }

    #[test]
    fn jwt_expiry_never_panics(t in jwtish()) {
        let _ = jwt::jwt_expiry(&t, "jwt");
    }

    #[test]
    fn actyx_token_never_panics(t in actyxish()) {
        let _ = actyx::token_info(&t);
        let _ = actyx::parse_token_reply(&format!("{{\"token\":{}}}", json::Value::String(t.clone())));
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
    fn reply_parsers_never_panic(body in prop_oneof![jsonish(), any::<String>()]) {
        let _ = timbr::parse_token_reply(&body);
        let _ = nightscout::parse_jwt_reply(&body);
        let _ = actyx::parse_token_reply(&body);
    }

    #[test]
    fn manifest_never_panics(id in opt_text(), name in opt_text(), version in opt_text(), sig in opt_text()) {
        let m = actyx::Manifest {
            app_id: id.as_deref(), display_name: name.as_deref(), version: version.as_deref(),
            signature: sig.as_deref(), version_field: "version",
        };
        if let Ok(body) = actyx::validate_manifest(&m) {
            let v = json::parse(&body).unwrap();
            prop_assert!(v["appId"].as_str().unwrap().starts_with("com.example.") || v.get("signature").is_some());
        }
    }

    #[test]
    fn secrets_and_masks_never_panic(s in any::<String>(), field in "[a-zA-Z]{1,10}") {
        if let Ok(c) = secret::clean_secret(&s, &field) {
            prop_assert_eq!(c.value.as_str(), s.trim());
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
        let _ = nightscout::exchange_path(&s);
        let _ = timbr::fernet_key(&s, Some("key"));
    }

    #[test]
    fn signer_never_panics(
        scheme in prop_oneof![Just("timetagger"), Just("timbr"), Just("nightscout"), Just("tedee"), Just("actyx"), Just("header"), Just("x")],
        mode in prop_oneof![Just(None), Just(Some("exchange".to_string())), Just(Some("token".to_string())), Just(Some("jwt".to_string())), Just(Some("plain".to_string())), Just(Some("bearer".to_string())), opt_text()],
        placement in prop_oneof![Just(None), Just(Some("query".to_string())), opt_text()],
        token in opt_text(), secret_v in opt_text(), other in opt_text(),
        now in any_f64(), window in any_f64(), exchanged in opt_text(),
    ) {
        let mut c = Config::default();
        c.set("scheme", Some(scheme.to_string()));
        c.set("mode", mode);
        c.set("placement", placement);
        c.set("token", token.clone());
        c.set("secret", secret_v);
        for f in ["username", "password", "salt", "headerName", "prefix", "queryName", "appId", "displayName", "appVersion", "keyMode"] {
            c.set(f, other.clone());
        }
        if let Ok(s) = Signer::new(&c) {
            let _ = s.build(now, exchanged.as_deref());
            let _ = s.tedee_key(now);
        }
        if let Ok(mut v) = Verifier::new(&c, 16.0) {
            let t = token.unwrap_or_default();
            let h = |_: &str| Found::Text(t.clone());
            let q = |_: &str| Found::NotText;
            let _ = v.check(&h, &q, now, window);
            let _ = v.check(&q, &h, now, window);
            prop_assert!(v.size() <= 16);
        }
    }

    #[test]
    fn tedee_verifier_inputs_never_panic(
        key in prop_oneof![any::<String>(), "[0-9a-fA-F]{64}[0-9]{0,20}", Just(String::new())],
        now in any_f64(), window in any_f64(), ms in 0u64..(1u64 << 53),
    ) {
        let mut c = Config::default();
        c.set("scheme", Some("tedee".into()));
        c.set("token", Some("BE9xnPnGfVUS".into()));
        let mut v = Verifier::new(&c, 4.0).unwrap();
        let h = |_: &str| Found::Text(key.clone());
        let none = |_: &str| Found::Absent;
        let _ = v.check(&h, &none, now, window);
        let valid = api_auth_core::schemes::tedee::KeyMaker::new("BE9xnPnGfVUS").key(ms);
        let hv = |_: &str| Found::Text(valid.clone());
        let _ = v.check(&hv, &none, now, window);
        prop_assert!(v.size() <= 4);
    }
}
