//! Actyx: `POST /api/v2/auth` with the app manifest → `{"token": ...}`, then
//! `Authorization: Bearer <token>` or `?access_token=<token>`.
//!
//! The manifest is checked as the node checks it, so a bad one fails here with a clear message
//! instead of a 400. The token is read (not verified) to know when it expires:
//! standard base64 of `u32 BE length | CBOR map | 0x01 | 32-byte key | 64-byte signature`.

use base64::Engine;
use crate::json::{self, Value};

use super::nightscout::json_body;
use super::{Exchanged, Plan, Reader};
use crate::secret::check_no_controls;
use crate::{excerpt, Error, Result};

/// An app manifest; `version_field` is how the caller named the version (`version` in the
/// request body, `appVersion` in the configuration), for error messages.
#[derive(Debug, Clone, Default)]
pub struct Manifest<'a> {
    pub app_id: Option<&'a str>,
    pub display_name: Option<&'a str>,
    pub version: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub version_field: &'a str,
}

/// `^[a-z0-9-]+(\.[a-z0-9-]+)*$`
pub fn app_id_ok(id: &str) -> bool {
    !id.is_empty() && id.split('.').all(|seg| !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
}

fn required<'a>(v: Option<&'a str>, field: &str) -> Result<&'a str> {
    match v {
        None => Err(Error::new(field, "is required")),
        Some(s) if s.trim().is_empty() => Err(Error::new(field, "is empty")),
        Some(s) => {
            check_no_controls(s, field)?;
            Ok(s)
        }
    }
}

/// `actyxValidateManifest(manifest)`: the JSON request body.
pub fn validate_manifest(m: &Manifest) -> Result<String> {
    let app_id = required(m.app_id, "appId")?;
    if !app_id_ok(app_id) {
        return Err(Error::new(
            "appId",
            format!("'{}' is not a valid app id (lower-case letters, digits and '-', in dot-separated parts, e.g. com.example.my-app)", excerpt(app_id, 80)),
        ));
    }
    let signature = m.signature.map(str::trim).filter(|s| !s.is_empty());
    if signature.is_none() && !app_id.starts_with("com.example.") {
        return Err(Error::new(
            "appId",
            format!("Trial app id needs to start with 'com.example.'. Got '{}'. (Without a signature only trial ids are accepted.)", excerpt(app_id, 80)),
        ));
    }
    let display_name = required(m.display_name, "displayName")?;
    let vf = if m.version_field.is_empty() { "version" } else { m.version_field };
    let version = required(m.version, vf)?;
    if let Some(s) = signature {
        check_no_controls(s, "signature")?;
    }
    // members in name order (the order serde_json's map wrote them in)
    let mut body = String::from("{\"appId\":");
    json::write_string(&mut body, app_id);
    body.push_str(",\"displayName\":");
    json::write_string(&mut body, display_name);
    if let Some(s) = signature {
        body.push_str(",\"signature\":");
        json::write_string(&mut body, s);
    }
    body.push_str(",\"version\":");
    json::write_string(&mut body, version);
    body.push('}');
    Ok(body)
}

/// What an Actyx token says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// Microseconds since the epoch.
    pub created: u64,
    /// Seconds.
    pub validity: u64,
    /// `created / 1000 + validity * 1000`: when the node stops accepting it.
    pub expires_ms: u64,
    pub app_id: String,
    pub app_mode: String,
    pub cycles: u64,
    pub app_version: String,
}

/// A CBOR value of the subset Actyx tokens use.
#[derive(Debug, Clone, PartialEq)]
enum Cbor {
    Uint(u64),
    Text(String),
    Other,
}

/// A tiny CBOR reader: definite-length maps with text keys and uint/text values (other simple
/// scalars are skipped). Anything else is an error; nothing panics.
struct CborReader<'a> {
    data: &'a [u8],
    pos: usize,
}

const BAD: &str = "not an Actyx token (its CBOR payload is malformed)";

impl<'a> CborReader<'a> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.data.get(self.pos).ok_or_else(|| Error::new("token", BAD))?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8]> {
        let n = usize::try_from(n).map_err(|_| Error::new("token", BAD))?;
        let end = self.pos.checked_add(n).filter(|e| *e <= self.data.len()).ok_or_else(|| Error::new("token", BAD))?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// Major type and argument.
    fn head(&mut self) -> Result<(u8, u64)> {
        let b = self.byte()?;
        let (major, info) = (b >> 5, b & 31);
        let arg = match info {
            0..=23 => info as u64,
            24..=27 => {
                let bytes = self.take(1u64 << (info - 24))?;
                bytes.iter().fold(0u64, |a, b| (a << 8) | *b as u64)
            }
            _ => return Err(Error::new("token", BAD)),
        };
        Ok((major, arg))
    }

    fn text(&mut self, len: u64) -> Result<String> {
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| Error::new("token", BAD))
    }

    fn value(&mut self) -> Result<Cbor> {
        let (major, arg) = self.head()?;
        match major {
            0 => Ok(Cbor::Uint(arg)),
            1 => Ok(Cbor::Other),
            2 => {
                self.take(arg)?;
                Ok(Cbor::Other)
            }
            3 => Ok(Cbor::Text(self.text(arg)?)),
            7 => Ok(Cbor::Other),
            _ => Err(Error::new("token", BAD)),
        }
    }

    fn map(&mut self) -> Result<Vec<(String, Cbor)>> {
        let (major, n) = self.head()?;
        if major != 5 || n > 64 {
            return Err(Error::new("token", BAD));
        }
        let mut out = Vec::new();
        for _ in 0..n {
            let (km, kl) = self.head()?;
            if km != 3 {
                return Err(Error::new("token", BAD));
            }
            let k = self.text(kl)?;
            let v = self.value()?;
            out.push((k, v));
        }
        Ok(out)
    }
}

/// `actyxTokenInfo(token)`.
pub fn token_info(token: &str) -> Result<TokenInfo> {
    let t = token.trim();
    if t.is_empty() {
        return Err(Error::new("token", "is empty"));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(t)
        .map_err(|_| Error::new("token", "not an Actyx token (not standard base64)"))?;
    if bytes.len() < 4 {
        return Err(Error::new("token", "not an Actyx token (too short)"));
    }
    let len = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as u64;
    if len > (bytes.len() - 4) as u64 {
        return Err(Error::new("token", "not an Actyx token (length prefix larger than the token)"));
    }
    let payload = &bytes[4..4 + len as usize];
    let mut r = CborReader { data: payload, pos: 0 };
    let map = r.map()?;
    let get = |k: &str| map.iter().find(|(key, _)| key == k).map(|(_, v)| v);
    let uint = |k: &str| match get(k) {
        Some(Cbor::Uint(n)) => Ok(*n),
        _ => Err(Error::new("token", format!("not an Actyx token (no number '{k}')"))),
    };
    let text = |k: &str| match get(k) {
        Some(Cbor::Text(s)) => Ok(s.clone()),
        _ => Err(Error::new("token", format!("not an Actyx token (no text '{k}')"))),
    };
    let created = uint("created")?;
    let validity = uint("validity")?;
    Ok(TokenInfo {
        created,
        validity,
        expires_ms: (created / 1000).saturating_add(validity.saturating_mul(1000)),
        app_id: text("appId")?,
        app_mode: text("appMode")?,
        cycles: uint("cycles")?,
        app_version: text("appVersion")?,
    })
}

/// `actyxParseTokenReply(bodyText)`: the token and what it says.
pub fn parse_token_reply(body: &str) -> Result<(String, TokenInfo)> {
    let v = json_body(body)?;
    let obj = v.as_object().ok_or_else(|| Error::new("body", "the reply is not a JSON object"))?;
    match obj.get("token") {
        Some(Value::String(t)) if !t.trim().is_empty() => {
            let t = t.trim();
            crate::secret::check_header_value(t, "token")?;
            let info = token_info(t)?;
            Ok((t.to_string(), info))
        }
        _ => {
            let code = obj.get("code").and_then(Value::as_str);
            let msg = obj.get("message").and_then(Value::as_str);
            Err(Error::new(
                "body",
                match (code, msg) {
                    (None, None) => "no token in the reply".to_string(),
                    _ => format!("no token in the reply ({} {})", code.unwrap_or(""), excerpt(msg.unwrap_or(""), 200)).replace("( ", "(").replace(" )", ")"),
                },
            ))
        }
    }
}

pub(crate) fn plan(r: &mut Reader) -> Result<Plan> {
    r.choice("mode", &["exchange"])?;
    let placement = r.placement()?;
    let m = Manifest {
        app_id: r.cfg.get("appId"),
        display_name: r.cfg.get("displayName"),
        version: r.cfg.get("appVersion"),
        signature: r.cfg.get("signature"),
        version_field: "appVersion",
    };
    validate_manifest(&m)?;
    Ok(Plan::Exchanged(Exchanged::Actyx(placement)))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const SAMPLE: &str = "AAAAXaZnY3JlYXRlZBsABcIhKEY90mVhcHBJZG9jb20uZXhhbXBsZS5hcHBmY3ljbGVzAGphcHBWZXJzaW9uZTEuMC4waHZhbGlkaXR5GgABUYBnYXBwTW9kZWV0cmlhbAEuMkUrR1EHEC/ZPnOm5yCUZCOMwUGqP6UQLOC2r2xWr5ja9HC0KaYXfyQMaQmUcg7nA9BdwWe2KPUtETN1aqQTfeYDTOja38YXd32Ig9NOY39rg5H+ViDm6Lo0OXzYgwQ=";

    fn m<'a>(id: &'a str, name: &'a str, version: &'a str, sig: Option<&'a str>) -> Manifest<'a> {
        Manifest { app_id: Some(id), display_name: Some(name), version: Some(version), signature: sig, version_field: "version" }
    }

    #[test]
    fn seed_sample_token() {
        let i = token_info(SAMPLE).unwrap();
        assert_eq!(
            i,
            TokenInfo {
                created: 1620822548954578,
                validity: 86400,
                expires_ms: 1620822548954 + 86_400_000,
                app_id: "com.example.app".into(),
                app_mode: "trial".into(),
                cycles: 0,
                app_version: "1.0.0".into(),
            }
        );
    }

    #[test]
    fn reply() {
        let (t, i) = parse_token_reply(&format!("{{\"token\":\"{SAMPLE}\"}}")).unwrap();
        assert_eq!(t, SAMPLE);
        assert_eq!(i.validity, 86400);
        assert_eq!(
            parse_token_reply(r#"{"code":"ERR_BAD_REQUEST","message":"Invalid request."}"#).unwrap_err().to_string(),
            "body: no token in the reply (ERR_BAD_REQUEST Invalid request.)"
        );
        assert_eq!(parse_token_reply("{}").unwrap_err().to_string(), "body: no token in the reply");
        assert!(parse_token_reply(r#"{"token":"bm9wZQ=="}"#).unwrap_err().to_string().starts_with("token: not an Actyx token"));
    }

    #[test]
    fn bad_tokens() {
        for (t, msg) in [
            ("", "token: is empty"),
            ("!!!", "token: not an Actyx token (not standard base64)"),
            ("AAA=", "token: not an Actyx token (too short)"),
            ("AAAA/w==", "token: not an Actyx token (length prefix"),
            ("AAAAAaA=", "token: not an Actyx token (no number 'created')"),
            ("AAAAAaU=", "token: not an Actyx token (its CBOR payload is malformed)"),
        ] {
            let e = token_info(t).unwrap_err().to_string();
            assert!(e.starts_with(msg), "{t}: {e}");
        }
        // truncate the sample's CBOR anywhere: always an error, never a panic
        let bytes = base64::engine::general_purpose::STANDARD.decode(SAMPLE).unwrap();
        for cut in 0..93 {
            let mut b = bytes[..4 + cut].to_vec();
            b[3] = cut as u8;
            let t = base64::engine::general_purpose::STANDARD.encode(&b);
            assert!(token_info(&t).is_err(), "cut {cut}");
        }
    }

    #[test]
    fn manifests() {
        assert_eq!(
            validate_manifest(&m("com.example.app", "Example", "1.0.0", None)).unwrap(),
            r#"{"appId":"com.example.app","displayName":"Example","version":"1.0.0"}"#
        );
        assert_eq!(
            validate_manifest(&m("com.acme.line-7", "Line 7", "2.0", Some("v2tzaWdu"))).unwrap(),
            r#"{"appId":"com.acme.line-7","displayName":"Line 7","signature":"v2tzaWdu","version":"2.0"}"#
        );
        let e = |mm: Manifest| validate_manifest(&mm).unwrap_err().to_string();
        assert_eq!(
            e(m("com.acme.app", "A", "1", None)),
            "appId: Trial app id needs to start with 'com.example.'. Got 'com.acme.app'. (Without a signature only trial ids are accepted.)"
        );
        assert!(e(m("com.acme.app", "A", "1", Some(" "))).starts_with("appId: Trial app id"));
        for bad in ["Com.example.app", "com.example.", "com..example", ".com", "com.example.app_1", "com example", ""] {
            assert!(e(m(bad, "A", "1", Some("sig"))).starts_with("appId: "), "{bad}");
        }
        assert_eq!(e(m("com.example.a", "", "1", None)), "displayName: is empty");
        assert_eq!(e(m("com.example.a", "A", " ", None)), "version: is empty");
        assert_eq!(e(Manifest { version: None, ..m("com.example.a", "A", "1", None) }), "version: is required");
        assert_eq!(e(Manifest { app_id: None, ..m("x", "A", "1", None) }), "appId: is required");
        assert!(app_id_ok("com.example.app") && app_id_ok("a") && app_id_ok("a-b.c-d.0"));
    }
}
