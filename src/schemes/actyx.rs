//! Actyx (local-first event platform, node API on port 4454): `POST /api/v2/auth` with the app
//! manifest `{appId, displayName, version, signature?}` → `{"token": …}`, then
//! `Authorization: Bearer <token>` or `?access_token=<token>` (raw: the node does not
//! percent-decode it). Tokens are renewed 60 s before `created + validity`, and once on a 401
//! (`ERR_TOKEN_EXPIRED` after the node restarted). Check: the exchange itself.
//!
//! The manifest is checked as the node checks it, so a bad one fails here with a clear message
//! instead of a 400. The token is read (not verified) to know when it expires:
//! standard base64 of `u32 BE length | CBOR map | 0x01 | 32-byte key | 64-byte signature`.

use base64::Engine;

use super::{json_object, refresh_at, reply_token, Api, Auth, Check, Exchange, Field, Mode, Placement, Plan, Reader, Request, Target, Token, PLACEMENT};
use crate::secret::check_no_controls;
use crate::{excerpt, Code, Error, Result};

/// Renew a token this long before `created + validity`.
const MARGIN_MS: u64 = 60 * 1000;

static APP_ID: Field = Field::text("appId", "App id")
    .default_value("com.example.node-red")
    .placeholder("e.g. com.example.my-app")
    .pattern("^[a-z0-9-]+(\\.[a-z0-9-]+)*$")
    .tip("lower case; without a signature it must start with com.example.");
// the node accepts any display name and version, empty ones too
static DISPLAY_NAME: Field = Field::text("displayName", "Display name").default_value("Node-RED").optional();
static APP_VERSION: Field = Field::text("appVersion", "App version").default_value("1.0.0").optional();
static SIGNATURE: Field = Field::text("signature", "Signature").optional().placeholder("only for a signed (non-trial) manifest");

pub static API: Api = Api {
    id: "actyx",
    label: "Actyx",
    base_url: "http://localhost:4454",
    modes: &[Mode { id: "exchange", label: "app manifest → token", fields: &[&APP_ID, &DISPLAY_NAME, &APP_VERSION, &SIGNATURE, &PLACEMENT], exchange: true }],
    plan,
};

/// `^[a-z0-9-]+(\.[a-z0-9-]+)*$`
pub fn app_id_ok(id: &str) -> bool {
    !id.is_empty() && id.split('.').all(|seg| !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
}

/// An app manifest.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    pub app_id: String,
    pub display_name: String,
    pub version: String,
    pub signature: Option<String>,
}

/// Check a manifest as the node does; the JSON request body.
pub fn manifest_body(m: &Manifest) -> Result<String> {
    let app_id = m.app_id.as_str();
    if !app_id_ok(app_id) {
        return Err(Error::new(
            APP_ID.name,
            Code::BadFormat,
            format!("'{}' is not a valid app id (lower-case letters, digits and '-', in dot-separated parts, e.g. com.example.my-app)", excerpt(app_id, 80)),
        ));
    }
    if m.signature.is_none() && !app_id.starts_with("com.example.") {
        return Err(Error::new(
            APP_ID.name,
            Code::BadFormat,
            format!("Trial app id needs to start with 'com.example.'. Got '{}'. (Without a signature only trial ids are accepted.)", excerpt(app_id, 80)),
        ));
    }
    let mut members = vec![("appId", app_id), ("displayName", m.display_name.as_str())];
    if let Some(s) = &m.signature {
        check_no_controls(s, SIGNATURE.name)?;
        members.push(("signature", s.as_str()));
    }
    members.push(("version", m.version.as_str()));
    Ok(crate::json::object_text(&members))
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
        let b = *self.data.get(self.pos).ok_or_else(|| Error::new("token", Code::BadFormat, BAD))?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8]> {
        let n = usize::try_from(n).map_err(|_| Error::new("token", Code::BadFormat, BAD))?;
        let end = self.pos.checked_add(n).filter(|e| *e <= self.data.len()).ok_or_else(|| Error::new("token", Code::BadFormat, BAD))?;
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
            _ => return Err(Error::new("token", Code::BadFormat, BAD)),
        };
        Ok((major, arg))
    }

    fn text(&mut self, len: u64) -> Result<String> {
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| Error::new("token", Code::BadFormat, BAD))
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
            _ => Err(Error::new("token", Code::BadFormat, BAD)),
        }
    }

    fn map(&mut self) -> Result<Vec<(String, Cbor)>> {
        let (major, n) = self.head()?;
        if major != 5 || n > 64 {
            return Err(Error::new("token", Code::BadFormat, BAD));
        }
        let mut out = Vec::new();
        for _ in 0..n {
            let (km, kl) = self.head()?;
            if km != 3 {
                return Err(Error::new("token", Code::BadFormat, BAD));
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
        return Err(Error::new("token", Code::Empty, "is empty"));
    }
    let bytes =
        base64::engine::general_purpose::STANDARD.decode(t).map_err(|_| Error::new("token", Code::BadFormat, "not an Actyx token (not standard base64)"))?;
    if bytes.len() < 4 {
        return Err(Error::new("token", Code::BadFormat, "not an Actyx token (too short)"));
    }
    let len = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as u64;
    if len > (bytes.len() - 4) as u64 {
        return Err(Error::new("token", Code::BadFormat, "not an Actyx token (length prefix larger than the token)"));
    }
    let payload = &bytes[4..4 + len as usize];
    let mut r = CborReader { data: payload, pos: 0 };
    let map = r.map()?;
    let get = |k: &str| map.iter().find(|(key, _)| key == k).map(|(_, v)| v);
    let uint = |k: &str| match get(k) {
        Some(Cbor::Uint(n)) => Ok(*n),
        _ => Err(Error::new("token", Code::BadFormat, format!("not an Actyx token (no number '{k}')"))),
    };
    let text = |k: &str| match get(k) {
        Some(Cbor::Text(s)) => Ok(s.clone()),
        _ => Err(Error::new("token", Code::BadFormat, format!("not an Actyx token (no text '{k}')"))),
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

/// `POST /api/v2/auth` with the manifest.
struct Auth2 {
    body: String,
}

impl Exchange for Auth2 {
    fn request(&mut self, _now_ms: u64) -> Result<Request> {
        Ok(Request {
            method: "POST",
            target: Target::Path("/api/v2/auth".into()),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Some(self.body.clone()),
            carried: vec![],
        })
    }

    fn reply(&mut self, status: u16, body: &str, _now_ms: u64) -> Result<Token> {
        if !(200..300).contains(&status) {
            return Err(super::exchange_failed(status, body));
        }
        let v = json_object(body)?;
        let token = reply_token(&v, "token")?;
        let info = token_info(&token).map_err(|e| Error { code: Code::BadReply, ..e })?;
        Ok(Token {
            refresh_at_ms: Some(refresh_at(info.expires_ms, Some(info.validity.saturating_mul(1000)), MARGIN_MS)),
            summary: format!("token exchange OK (appId {}, mode {}, valid {} s)", info.app_id, info.app_mode, info.validity),
            token,
            notice: None,
            carried: vec![],
        })
    }
}

fn plan(r: &mut Reader, _: &'static Mode) -> Result<Plan> {
    let placement = r.placement()?;
    let m = Manifest {
        app_id: r.text(&APP_ID)?,
        display_name: r.text(&DISPLAY_NAME)?,
        version: r.text(&APP_VERSION)?,
        signature: r.text(&SIGNATURE).ok().filter(|s| !s.is_empty()),
    };
    let body = manifest_body(&m)?;
    let use_token = move |t: &str| -> Result<Auth> {
        Ok(match placement {
            Placement::Header => Auth::bearer(t),
            // the node does not percent-decode access_token: it goes raw, so it must be plain
            // base64 (whose + / = are legal in a query)
            Placement::Query => {
                if !t.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)) {
                    return Err(Error::new("exchangedToken", Code::BadFormat, "is not base64, so it cannot go raw in the query"));
                }
                Auth::raw_query("access_token", t.to_string())
            }
        })
    };
    Ok(Plan::exchanged(Box::new(Auth2 { body }), Box::new(use_token), Check::Exchange, "its tokens are signed by the Actyx node"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schemes::{cfg, Signer};

    pub(crate) const SAMPLE: &str = "AAAAXaZnY3JlYXRlZBsABcIhKEY90mVhcHBJZG9jb20uZXhhbXBsZS5hcHBmY3ljbGVzAGphcHBWZXJzaW9uZTEuMC4waHZhbGlkaXR5GgABUYBnYXBwTW9kZWV0cmlhbAEuMkUrR1EHEC/ZPnOm5yCUZCOMwUGqP6UQLOC2r2xWr5ja9HC0KaYXfyQMaQmUcg7nA9BdwWe2KPUtETN1aqQTfeYDTOja38YXd32Ig9NOY39rg5H+ViDm6Lo0OXzYgwQ=";

    fn m(id: &str, name: &str, version: &str, sig: Option<&str>) -> Manifest {
        Manifest { app_id: id.into(), display_name: name.into(), version: version.into(), signature: sig.map(str::to_string) }
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

    fn signer(extra: &[(&str, &str)]) -> Signer {
        let mut c = cfg(&[("scheme", "actyx"), ("appId", "com.example.app"), ("displayName", "Example"), ("appVersion", "1.0.0"), ("baseUrl", "http://ax")]);
        for (k, v) in extra {
            c.set(k, v);
        }
        Signer::new(&c).unwrap()
    }

    #[test]
    fn the_exchange_and_its_reply() {
        let mut s = signer(&[]);
        let r = s.exchange_request(0.0).unwrap();
        assert_eq!((r.method, &r.target), ("POST", &Target::Path("/api/v2/auth".into())));
        assert_eq!(r.body.as_deref(), Some(r#"{"appId":"com.example.app","displayName":"Example","version":"1.0.0"}"#));
        let t = s.exchange_reply(200.0, &format!("{{\"token\":\"{SAMPLE}\"}}"), 0.0).unwrap();
        assert_eq!(t.token, SAMPLE);
        assert_eq!(t.refresh_at_ms, Some(1620822548954 + 86_400_000 - 60_000));
        assert_eq!(t.summary, "token exchange OK (appId com.example.app, mode trial, valid 86400 s)");
        let e = s.exchange_reply(400.0, r#"{"code":"ERR_MANIFEST_INVALID","message":"Invalid manifest."}"#, 0.0).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (Code::Refused, "HTTP 400 ERR_MANIFEST_INVALID: Invalid manifest."));
        let e = s.exchange_reply(200.0, r#"{"code":"ERR_BAD_REQUEST","message":"Invalid request."}"#, 0.0).unwrap_err();
        assert_eq!(e.to_string(), "reply: no token in the reply (ERR_BAD_REQUEST: Invalid request.)");
        assert_eq!(s.exchange_reply(200.0, "{}", 0.0).unwrap_err().to_string(), "reply: no token in the reply");
        let e = s.exchange_reply(200.0, r#"{"token":"bm9wZQ=="}"#, 0.0).unwrap_err();
        assert!(e.to_string().starts_with("token: not an Actyx token"), "{e}");
        assert_eq!(e.code, Code::BadReply);
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
            manifest_body(&m("com.example.app", "Example", "1.0.0", None)).unwrap(),
            r#"{"appId":"com.example.app","displayName":"Example","version":"1.0.0"}"#
        );
        assert_eq!(
            manifest_body(&m("com.acme.line-7", "Line 7", "2.0", Some("v2tzaWdu"))).unwrap(),
            r#"{"appId":"com.acme.line-7","displayName":"Line 7","signature":"v2tzaWdu","version":"2.0"}"#
        );
        let e = |mm: Manifest| manifest_body(&mm).unwrap_err().to_string();
        assert_eq!(
            e(m("com.acme.app", "A", "1", None)),
            "appId: Trial app id needs to start with 'com.example.'. Got 'com.acme.app'. (Without a signature only trial ids are accepted.)"
        );
        for bad in ["Com.example.app", "com.example.", "com..example", ".com", "com.example.app_1", "com example", ""] {
            assert!(e(m(bad, "A", "1", Some("sig"))).starts_with("appId: "), "{bad}");
        }
        // the node takes an empty display name and version (checked against ax 2.18.2)
        assert!(manifest_body(&m("com.example.a", "", "", None)).is_ok());
        assert!(app_id_ok("com.example.app") && app_id_ok("a") && app_id_ok("a-b.c-d.0"));
        // through a configuration: an empty signature is no signature
        let mut s = signer(&[("signature", " ")]);
        assert!(!s.exchange_request(0.0).unwrap().body.unwrap().contains("signature"));
        assert!(Signer::new(&cfg(&[("scheme", "actyx"), ("appId", "com.acme.app"), ("baseUrl", "http://a")])).is_err());
    }

    #[test]
    fn query_placement_sends_the_token_raw() {
        let s = signer(&[("placement", "query")]);
        assert_eq!(s.auth(0.0, Some("AAAA+/=")).unwrap().query, [("access_token".to_string(), "AAAA+/=".to_string())]);
        assert_eq!(s.auth(0.0, Some("a&b")).unwrap_err().code, Code::BadFormat);
    }
}
