#![no_main]
//! Every builder: Signer / build_auth for every scheme and mode with arbitrary field values and
//! times, the Tedee key, the Actyx manifest, the Timbr bearer and key, the Nightscout hash,
//! access token and exchange path, the secret hygiene helpers.
use api_auth_core::schemes::{actyx, build_auth, nightscout, tedee, timbr, Config, Signer};
use api_auth_core::secret;
use api_auth_core_fuzz::{check_auth, check_error, Fields};
use libfuzzer_sys::fuzz_target;

const SCHEMES: [&str; 6] = ["timetagger", "timbr", "nightscout", "tedee", "actyx", "header"];
const MODES: [&str; 10] = ["authtoken", "bearer", "token", "exchange", "secret", "jwt", "encrypted", "plain", "", "query"];

fuzz_target!(|data: &[u8]| {
    let mut f = Fields::new(data);
    let mut c = Config::default();
    c.scheme = f.choice(&SCHEMES);
    c.mode = f.choice(&MODES);
    c.placement = f.choice(&["header", "query"]);
    c.key_mode = f.choice(&timbr::KEY_MODES);
    c.plaintext_mode = f.choice(&timbr::PLAINTEXT_MODES);
    for field in ["token", "secret", "username", "password", "salt", "headerName", "prefix", "queryName", "appId", "displayName", "appVersion", "signature"] {
        let v = f.opt_string();
        c.set(field, v);
    }
    let now = f.f64();
    let exchanged = f.opt_string();
    match Signer::new(&c) {
        Ok(s) => {
            for w in s.warnings() {
                assert!(w.contains(": "));
            }
            match s.build(now, exchanged.as_deref()) {
                Ok(a) => check_auth(&a),
                Err(e) => check_error(&e),
            }
            if let Err(e) = s.tedee_key(now) {
                check_error(&e);
            }
            let _ = s.needs_exchange();
        }
        Err(e) => check_error(&e),
    }
    match build_auth(&c, now, exchanged.as_deref()) {
        Ok(a) => check_auth(&a),
        Err(e) => check_error(&e),
    }
    let a = f.string();
    let b = f.string();
    let d = f.string();
    let results: Vec<Result<String, _>> = vec![
        tedee::api_key(&a, now),
        nightscout::secret_hash(&a),
        nightscout::access_token(&a, &b, &d),
        nightscout::exchange_path(&a),
        timbr::fernet_key(&a, c.key_mode.as_deref()),
        timbr::bearer(
            &timbr::Credentials {
                username: c.username.as_deref(),
                password: c.password.as_deref(),
                salt: c.salt.as_deref(),
                key_mode: c.key_mode.as_deref(),
                plaintext_mode: c.plaintext_mode.as_deref(),
            },
            f.u64() >> (f.byte() % 64),
        ),
        actyx::validate_manifest(&actyx::Manifest {
            app_id: c.app_id.as_deref(),
            display_name: c.display_name.as_deref(),
            version: c.app_version.as_deref(),
            signature: c.signature.as_deref(),
            version_field: "version",
        }),
        secret::clean_secret(&a, "token").map(|x| x.value),
        secret::clean_header_secret(&a, "token").map(|x| x.value),
    ];
    for r in results {
        if let Err(e) = r {
            check_error(&e);
        }
    }
    if let Ok(p) = nightscout::exchange_path(&a) {
        assert!(p.is_ascii() && !p.contains(['?', '#', ' ', '\r', '\n']), "{p:?}");
    }
    let m = secret::mask_secret(&a);
    assert!(m == "****" || m.chars().count() == 13);
});
