#![no_main]
//! Every reader of what a server sends back, through the schemes' own exchange replies (the
//! Nightscout JWT reply and the JWT payload, the Timbr get_token reply, the Actyx auth reply and
//! token, the OAuth 2.0 token reply), the Test-button check replies, the server's own words, Fernet token framing, Tedee keys.
use api_auth_core::schemes::{actyx, server_words, tedee, Config, Signer};
use api_auth_core::{fernet_token, jwt};
use api_auth_core_fuzz::{check_error, Fields};
use libfuzzer_sys::fuzz_target;

fn signers() -> Vec<Signer> {
    [
        Config::new()
            .with("scheme", "timbr")
            .with("mode", "exchange")
            .with("username", "u")
            .with("password", "p")
            .with("salt", "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="),
        Config::new().with("scheme", "nightscout").with("mode", "jwt").with("token", "r-0123456789abcdef"),
        Config::new().with("scheme", "actyx").with("appId", "com.example.a").with("placement", "query"),
        Config::new()
            .with("scheme", "oauth2")
            .with("mode", "refresh-token")
            .with("tokenUrl", "http://x/token")
            .with("clientId", "c")
            .with("clientSecret", "s")
            .with("clientAuth", "basic")
            .with("refreshToken", "r"),
    ]
    .into_iter()
    .map(|c| Signer::new(&c.with("baseUrl", "http://x")).expect("signer"))
    .collect()
}

fuzz_target!(|data: &[u8]| {
    let mut f = Fields::new(data);
    let which = f.byte();
    let status = (f.byte() as f64) * 3.0;
    let text = f.string();
    match which % 9 {
        0..=2 | 8 => {
            let mut s = signers().remove(if which % 9 == 8 { 3 } else { (which % 3) as usize });
            for body in [
                text.clone(),
                format!("{{\"token\":{}}}", serde_json::Value::String(text.clone())),
                format!("{{\"data\":[{}]}}", serde_json::Value::String(text.clone())),
                format!("{{\"access_token\":{},\"token_type\":\"Bearer\",\"expires_in\":{status}}}", serde_json::Value::String(text.clone())),
            ] {
                match s.exchange_reply(status, &body, 1_700_000_000_000.0) {
                    Ok(t) => {
                        assert!(!t.token.is_empty() && t.token.bytes().all(|b| (0x20..0x7f).contains(&b)));
                        assert!((200.0..300.0).contains(&status));
                        if let Ok(a) = s.token_auth(&t.token) {
                            api_auth_core_fuzz::check_auth(&a);
                        }
                    }
                    Err(e) => check_error(&e),
                }
                if let Err(e) = s.check_reply(status, &body) {
                    check_error(&e);
                }
                let _ = s.refusal(&body);
            }
        }
        3 => match jwt::jwt_expiry(&text, "jwt") {
            Ok(_) => {}
            Err(e) => check_error(&e),
        },
        4 => match actyx::token_info(&text) {
            Ok(i) => assert!(i.expires_ms >= i.created / 1000),
            Err(e) => check_error(&e),
        },
        5 => match fernet_token::token_timestamp(&text, "token") {
            Ok(_) => {}
            Err(e) => check_error(&e),
        },
        6 => {
            let _ = tedee::parse_key(&text);
            let w = server_words(&text);
            assert!(w.chars().count() <= 201);
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
