#![no_main]
//! Every builder: a Signer for every scheme and mode with arbitrary field values and times (its
//! static, fresh and token auth, its exchange request), the Tedee key, the Timbr bearer and key,
//! the Nightscout hash and access token, the OAuth 2.0 token request, the secret hygiene helpers.
use api_auth_core::schemes::{nightscout, tedee, timbr, Config, Signer};
use api_auth_core::secret::{self, Hygiene};
use api_auth_core_fuzz::{check_auth, check_error, Fields};
use libfuzzer_sys::fuzz_target;

const SCHEMES: [&str; 7] = ["timetagger", "timbr", "nightscout", "tedee", "actyx", "header", "oauth2"];
const MODES: [&str; 12] =
    ["authtoken", "bearer", "token", "exchange", "secret", "jwt", "encrypted", "plain", "", "query", "client-credentials", "refresh-token"];

fuzz_target!(|data: &[u8]| {
    let mut f = Fields::new(data);
    let mut c = Config::new();
    for (name, choices) in [
        ("scheme", &SCHEMES[..]),
        ("mode", &MODES[..]),
        ("placement", &["header", "query"][..]),
        ("keyMode", &["key", "md5", "sha256"][..]),
        ("plaintextMode", &["base64", "plain"][..]),
        ("baseUrl", &["http://x"][..]),
        ("tokenUrl", &["http://x/token", "https://a.example/oauth/token?x=1"][..]),
        ("clientAuth", &["basic", "post"][..]),
    ] {
        if let Some(v) = f.choice(choices) {
            c.set(name, &v);
        }
    }
    for field in [
        "token",
        "secret",
        "username",
        "password",
        "salt",
        "headerName",
        "prefix",
        "queryName",
        "appId",
        "displayName",
        "appVersion",
        "signature",
        "clientId",
        "clientSecret",
        "refreshToken",
        "scope",
        "audience",
    ] {
        if let Some(v) = f.opt_string() {
            c.set(field, &v);
        }
    }
    let now = f.f64();
    let exchanged = f.opt_string();
    match Signer::new(&c) {
        Ok(mut s) => {
            for w in s.warnings() {
                assert!(w.contains(": "));
            }
            match s.auth(now, exchanged.as_deref()) {
                Ok(a) => check_auth(&a),
                Err(e) => check_error(&e),
            }
            if let Some(a) = s.static_auth() {
                check_auth(a);
            }
            if let Err(e) = s.fresh_key(now) {
                check_error(&e);
            }
            match s.exchange_request(now) {
                Ok(r) => {
                    for (n, v) in &r.headers {
                        assert!(secret::check_header_name(n, "n").is_ok() && secret::check_header_value(v, "v").is_ok());
                    }
                }
                Err(e) => check_error(&e),
            }
            let _ = (s.query_names(), s.header_names(), s.retry(), s.derived().len());
        }
        Err(e) => check_error(&e),
    }
    let a = f.string();
    let b = f.string();
    let d = f.string();
    let results: Vec<Result<String, _>> = vec![
        tedee::api_key(&a, now),
        nightscout::secret_hash(&a),
        nightscout::access_token(&a, &b, &d),
        timbr::fernet_key(&a, c.get("keyMode").unwrap_or("key")),
        timbr::plaintext(&a, &b, c.get("plaintextMode").unwrap_or("base64")),
        timbr::bearer(&a, &b, f.u64() >> (f.byte() % 64)),
        secret::clean_secret(&a, "token").map(|x| x.value),
        secret::clean(&a, "password", Hygiene::AsTyped).map(|x| x.value),
        secret::clean(&a, "secret", Hygiene::Passphrase).map(|x| x.value),
    ];
    for r in results {
        if let Err(e) = r {
            check_error(&e);
        }
    }
});
