#![no_main]
//! Every parser of what a server sends back: the Nightscout JWT reply and the JWT payload, the
//! Timbr get_token reply, the Actyx auth reply and token, Fernet token framing, Tedee keys.
use api_auth_core::schemes::{actyx, nightscout, timbr};
use api_auth_core::{fernet_token, jwt, verify};
use api_auth_core_fuzz::{check_error, Fields};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut f = Fields::new(data);
    let which = f.byte();
    let text = f.string();
    match which % 8 {
        0 => match nightscout::parse_jwt_reply(&text) {
            Ok(r) => {
                assert!(!r.token.is_empty());
                assert!(r.exp.map_or(true, |e| e.is_finite() && e >= 0.0));
                assert!(r.iat.map_or(true, |e| e.is_finite() && e >= 0.0));
            }
            Err(e) => check_error(&e),
        },
        1 => match jwt::jwt_expiry(&text, "jwt") {
            Ok(_) => {}
            Err(e) => check_error(&e),
        },
        2 => match timbr::parse_token_reply(&text) {
            Ok(t) => assert!(!t.is_empty() && t.is_ascii()),
            Err(e) => check_error(&e),
        },
        3 => match actyx::parse_token_reply(&text) {
            Ok((t, i)) => {
                assert!(!t.is_empty() && t.is_ascii());
                assert!(i.expires_ms >= i.created / 1000);
            }
            Err(e) => check_error(&e),
        },
        4 => match actyx::token_info(&text) {
            Ok(_) => {}
            Err(e) => check_error(&e),
        },
        5 => match fernet_token::token_timestamp(&text, "token") {
            Ok(_) => {}
            Err(e) => check_error(&e),
        },
        6 => {
            let _ = verify::parse_tedee_key(&text);
        }
        _ => {
            // the raw bytes as base64 of an Actyx token: reaches the CBOR reader far more often
            let b64 = base64_std(data);
            match actyx::token_info(&b64) {
                Ok(_) => {}
                Err(e) => check_error(&e),
            }
        }
    }
});

fn base64_std(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 { T[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if c.len() > 2 { T[n as usize & 63] as char } else { '=' });
    }
    out
}
