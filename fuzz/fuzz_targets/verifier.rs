#![no_main]
//! The verify node's checks: Verifier::new with arbitrary configuration, then a run of checks
//! with arbitrary header / query values and hostile times; the replay memory keeps its fixed size
//! (set by the widest window) and a key accepted once is never accepted again. Also
//! verify_api_secret and constant_time_eq.
use api_auth_core::schemes::{nightscout, Config};
use api_auth_core::verify::{self, Found, Verifier};
use api_auth_core_fuzz::{check_error, Fields};
use libfuzzer_sys::fuzz_target;

const SCHEMES: [&str; 6] = ["timetagger", "timbr", "nightscout", "tedee", "actyx", "header"];
const NAMES: [&str; 8] = ["authtoken", "authorization", "x-api-key", "api-secret", "api_token", "token", "secret", "api_key"];

fn found(f: &mut Fields) -> Found {
    match f.byte() % 3 {
        0 => Found::Absent,
        1 => Found::NotText,
        _ => Found::Text(f.string()),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut f = Fields::new(data);
    let mut c = Config::new();
    let modes = ["authtoken", "bearer", "token", "secret", "encrypted", "plain", "exchange", "jwt"];
    for (name, choices) in [("scheme", &SCHEMES[..]), ("mode", &modes[..]), ("placement", &["header", "query"][..])] {
        if let Some(v) = f.choice(choices) {
            c.set(name, &v);
        }
    }
    for name in ["token", "secret", "headerName", "prefix", "queryName"] {
        if let Some(v) = f.opt_string() {
            c.set(name, &v);
        }
    }
    let created = f.f64();
    let mut v = match Verifier::from_config(&c, created) {
        Ok(v) => v,
        Err(e) => {
            check_error(&e);
            // a usable verifier anyway, to fuzz the checks
            let c = Config::new().with("scheme", "tedee").with("token", "BE9xnPnGfVUS");
            Verifier::from_config(&c, (f.byte() as f64) * 1000.0).expect("tedee verifier")
        }
    };
    let mut accepted: Vec<String> = Vec::new();
    let mut widest = 0u64;
    for _ in 0..(f.byte() % 16) {
        let h: Vec<(String, Found)> = (0..3).map(|i| (NAMES[(f.byte() as usize + i) % NAMES.len()].to_string(), found(&mut f))).collect();
        let q: Vec<(String, Found)> = (0..2).map(|i| (NAMES[(f.byte() as usize + i) % NAMES.len()].to_string(), found(&mut f))).collect();
        let look = |list: &Vec<(String, Found)>, n: &str| list.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or(Found::Absent);
        let hs = |n: &str| look(&h, n);
        let qs = |n: &str| look(&q, n);
        let now = f.f64();
        let window = f.f64();
        if window.is_finite() && window >= 0.0 && window.fract() == 0.0 && window <= 3_600_000.0 {
            widest = widest.max(window as u64);
        }
        match v.check(&hs, &qs, now, window) {
            Ok(verify::Reason::Ok) => {
                if let Some(Found::Text(k)) = [hs("api_token"), qs("api_token")].into_iter().find(|x| *x != Found::Absent) {
                    if k.len() >= 65 {
                        assert!(!accepted.contains(&k.to_ascii_lowercase()), "a Tedee key was accepted twice");
                        accepted.push(k.to_ascii_lowercase());
                    }
                }
            }
            Ok(_) => {}
            Err(e) => check_error(&e),
        }
        // the memory is sized by the widest window (one bit per millisecond of ±window), never by
        // the number of keys
        let bound = (2 * widest + 2).div_ceil(64) as usize * 8;
        assert!(v.memory_bytes() <= bound, "replay memory {} over its bound {} (widest window {})", v.memory_bytes(), bound, widest);
    }
    let a = f.string();
    let b = f.string();
    if let Err(e) = nightscout::verify_api_secret(&a, &b) {
        check_error(&e);
    }
    assert_eq!(verify::same(a.as_bytes(), b.as_bytes()), a == b);
});
