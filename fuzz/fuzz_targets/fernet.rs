#![no_main]
//! Fernet: key parsing, token decryption with hostile times, and encrypt → decrypt round trips.
use api_auth_core::fernet_token;
use api_auth_core_fuzz::{check_error, Fields};
use libfuzzer_sys::fuzz_target;

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fuzz_target!(|data: &[u8]| {
    let mut f = Fields::new(data);
    let sel = f.byte();
    let key = if sel & 1 == 0 { KEY.to_string() } else { f.string() };
    let token = f.string();
    let ttl = if sel & 2 == 0 { None } else { Some(f.u64()) };
    let now = if sel & 4 == 0 { None } else { Some(f.u64()) };
    match fernet_token::decrypt(&key, &token, ttl, now) {
        Ok(_) => {}
        Err(e) => check_error(&e),
    }
    if let Err(e) = fernet_token::key(&key, "salt") {
        check_error(&e);
    }
    // round trip at any time JavaScript can pass (≤ 2^53 - 1): what we encrypt decrypts back
    let now = f.u64() & ((1u64 << 53) - 1);
    if let Ok(t) = fernet_token::encrypt(&key, token.as_bytes(), now) {
        let back = fernet_token::decrypt(&key, &t, None, None).expect("own token decrypts");
        assert_eq!(back, token.as_bytes());
    }
});
