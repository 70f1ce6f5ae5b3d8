//! OAuth 2.0 (RFC 6749) at any authorization server's token endpoint: client credentials (§4.4)
//! and refresh tokens (§6). Checked against oidc-provider 9, an OpenID Certified server
//! (`test/support/oidc.js`; what it answers is pinned by `test/oidc-fixture.spec.js`):
//! - `POST {tokenUrl}` with `Content-Type: application/x-www-form-urlencoded` and
//!   `Accept: application/json` (asked for HTML, oidc-provider answers errors with a web page);
//!   body `grant_type=client_credentials[&scope=…][&audience=…]` or
//!   `grant_type=refresh_token&refresh_token=…[&scope=…]`;
//! - client authentication: `Authorization: Basic base64(form(id) ":" form(secret))`
//!   (`client_secret_basic`, the default; §2.3.1: id and secret are form-encoded BEFORE base64,
//!   so a `:` `%` `+` or space in them survives) or `client_id` + `client_secret` in the body
//!   (`client_secret_post`); the secret is sent exactly as typed;
//! - reply `{access_token, token_type, expires_in?, scope?, refresh_token?}`: `token_type` is
//!   case-insensitive and must be `Bearer` (a reply without one is taken as Bearer); the token is
//!   renewed 5 minutes (or a tenth of its lifetime) before `expires_in` runs out;
//! - errors (§5.2) `{error, error_description?}`, 400 (401 for `invalid_client`): the server's own
//!   words; an `error` member in a 2xx reply is a refusal too;
//! - a `refresh_token` in a refresh reply replaces the one in memory (rotation); the stored one is
//!   then stale (oidc-provider: presenting it again revokes the whole grant), and the node says so
//!   once, never showing either token;
//! - `audience=` (Auth0 style) is sent when set; oidc-provider ignores it (only RFC 8707
//!   `resource=` binds a token there).
//!
//! Check: the token request itself (the Test button shows scope and lifetime, never the token).

use base64::Engine;

use super::{exchange_failed, json_object, refresh_at, token_from, Api, Auth, Check, Exchange, Field, Kind, Mode, Plan, Reader, Request, Target, Token};
use crate::encode::form;
use crate::json::Value;
use crate::secret::{check_header_value, Hygiene};
use crate::{excerpt, Code, Error, Result};

/// Renew an access token this long before it expires (or a tenth of its lifetime, when shorter).
const MARGIN_MS: u64 = 5 * 60 * 1000;

static TOKEN_URL: Field = Field::text("tokenUrl", "Token URL")
    .placeholder("https://auth.example.com/oauth/token")
    .pattern("^\\s*[hH][tT][tT][pP][sS]?://[^\\s/?#@]+([/?#]\\S*)?\\s*$")
    .tip("the authorization server's token endpoint")
    .exchange_url();
static CLIENT_ID: Field = Field::secret("clientId", "Client ID", Hygiene::Name).kind(Kind::Name);
static CLIENT_SECRET: Field =
    Field::secret("clientSecret", "Client secret", Hygiene::AsTyped).placeholder("paste it, or ${ENV_VAR}").tip("sent exactly as typed");
static CLIENT_AUTH: Field =
    Field::choice("clientAuth", "Client auth", &[("basic", "HTTP Basic (client_secret_basic)"), ("post", "in the body (client_secret_post)")]);
static REFRESH_TOKEN: Field = Field::secret("refreshToken", "Refresh token", Hygiene::Token)
    .placeholder("paste it, or ${ENV_VAR}")
    .tip("when the server rotates it, the node uses the new one until it restarts (it warns once)");
static SCOPE: Field = Field::text("scope", "Scope").optional().placeholder("e.g. read write (empty: the server's default)");
static AUDIENCE: Field = Field::text("audience", "Audience").optional().placeholder("only if the server wants one (Auth0)");

pub static API: Api = Api {
    id: "oauth2",
    label: "OAuth 2.0",
    base_url: "https://api.example.com",
    modes: &[
        Mode {
            id: "client-credentials",
            label: "client credentials → access token",
            fields: &[&TOKEN_URL, &CLIENT_ID, &CLIENT_SECRET, &CLIENT_AUTH, &SCOPE, &AUDIENCE],
            exchange: true,
        },
        Mode {
            id: "refresh-token",
            label: "refresh token → access token",
            fields: &[&TOKEN_URL, &CLIENT_ID, &CLIENT_SECRET, &CLIENT_AUTH, &REFRESH_TOKEN, &SCOPE],
            exchange: true,
        },
    ],
    plan,
};

/// The grant a token request asks for.
enum Grant {
    ClientCredentials {
        audience: Option<String>,
    },
    /// The refresh token in use: the stored one, or the last one the server rotated it to.
    Refresh {
        token: String,
        rotated: bool,
    },
}

/// `POST {tokenUrl}` for an access token.
struct TokenRequest {
    url: String,
    client_id: String,
    client_secret: String,
    /// `client_secret_post` (else `client_secret_basic`).
    in_body: bool,
    scope: Option<String>,
    grant: Grant,
}

/// `Authorization: Basic` for a client (RFC 6749 §2.3.1): id and secret form-encoded, then base64.
pub fn basic_credentials(client_id: &str, client_secret: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", form(client_id), form(client_secret)))
}

/// `application/x-www-form-urlencoded` text of `pairs`.
fn form_body(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&form(k));
        out.push('=');
        out.push_str(&form(v));
    }
    out
}

/// White space folded to single spaces (a scope list); None when nothing is left.
fn words(s: &str) -> Option<String> {
    let mut out = String::new();
    for w in s.split_ascii_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    Some(out).filter(|o| !o.is_empty())
}

/// The `error` member of a §5.2 error reply.
fn error_code(body: &str) -> Option<String> {
    crate::json::parse(body.trim()).filter(Value::is_object).and_then(|v| v.get("error")).and_then(|e| e.str())
}

/// `expires_in` in whole seconds: a number, or a string of digits (some servers send one); absent
/// or null is no expiry. (No float parsing or printing here: it would add a third to the core.)
fn expires_in(v: Option<Value>) -> Result<Option<u64>> {
    let Some(v) = v.filter(|v| !v.is_null()) else { return Ok(None) };
    let n = match (v.num(), v.str()) {
        (Some(n), _) if n.is_finite() && n >= 0.0 => Some(n as u64),
        (_, Some(s)) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    n.map(Some).ok_or_else(|| Error::new("reply", Code::BadReply, format!("expires_in is not a number of seconds (got {})", excerpt(&v.text(), 40))))
}

impl TokenRequest {
    /// The error for a reply that is not a token: the server's words, and what an `invalid_grant`
    /// means for a refresh token.
    fn failed(&self, status: u16, body: &str) -> Error {
        let mut e = exchange_failed(status, body);
        if let (Grant::Refresh { rotated, .. }, Some("invalid_grant")) = (&self.grant, error_code(body).as_deref()) {
            e.message.push_str(if *rotated {
                " (the server no longer accepts the refresh token it last gave this node: it was revoked or has expired; get a new one and store it in the credentials)"
            } else {
                " (the stored refresh token was already used — servers that rotate refresh tokens accept each one once —, revoked, or has expired: get a new one and store it in the credentials)"
            });
        }
        e
    }
}

impl Exchange for TokenRequest {
    fn request(&mut self, _now_ms: u64) -> Result<Request> {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        let mut carried = Vec::new();
        match &self.grant {
            Grant::ClientCredentials { .. } => pairs.push(("grant_type", "client_credentials")),
            Grant::Refresh { token, .. } => {
                pairs.push(("grant_type", "refresh_token"));
                pairs.push(("refresh_token", token));
                carried.push(token.clone());
            }
        }
        if let Some(s) = &self.scope {
            pairs.push(("scope", s));
        }
        if let Grant::ClientCredentials { audience: Some(a) } = &self.grant {
            pairs.push(("audience", a));
        }
        let mut headers =
            vec![("Content-Type".to_string(), "application/x-www-form-urlencoded".to_string()), ("Accept".to_string(), "application/json".to_string())];
        if self.in_body {
            pairs.push(("client_id", &self.client_id));
            pairs.push(("client_secret", &self.client_secret));
        } else {
            let basic = basic_credentials(&self.client_id, &self.client_secret);
            headers.push(("Authorization".to_string(), format!("Basic {basic}")));
            carried.push(basic);
        }
        Ok(Request { method: "POST", target: Target::Url(self.url.clone()), headers, body: Some(form_body(&pairs)), carried })
    }

    fn reply(&mut self, status: u16, body: &str, now_ms: u64) -> Result<Token> {
        if !(200..300).contains(&status) {
            return Err(self.failed(status, body));
        }
        let v = json_object(body)?;
        if v.get("access_token").is_none() && v.get("error").is_some_and(|e| !e.is_null()) {
            // a §5.2 error sent with a success status
            return Err(Error { code: Code::Refused, ..self.failed(status, body) });
        }
        let token = token_from(v.get("access_token"), "reply").map_err(|e| match e.message.as_str() {
            "no token in the reply" => Error { message: "no access_token in the reply".into(), ..e },
            _ => e,
        })?;
        match v.get("token_type").filter(|t| !t.is_null()) {
            None => {}
            Some(t) if t.str().is_some_and(|t| t.trim().eq_ignore_ascii_case("bearer")) => {}
            Some(t) => {
                let named = t.str().unwrap_or_else(|| t.text());
                return Err(Error::new(
                    "reply",
                    Code::BadReply,
                    format!("token_type '{}' is not supported: this node sends only Bearer tokens (RFC 6750)", excerpt(&named, 40)),
                ));
            }
        }
        let lifetime = expires_in(v.get("expires_in"))?;
        let scope = v.get("scope").and_then(|s| s.str()).and_then(|s| words(&s));

        // a refresh token in the reply: masked from now on; in refresh mode, it replaces ours
        let mut carried = Vec::new();
        let mut notice = None;
        let new_refresh = v.get("refresh_token").and_then(|t| t.str()).map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        if let Some(new) = new_refresh {
            if let Grant::Refresh { token: current, rotated } = &mut self.grant {
                if new != *current {
                    check_header_value(&new, "refresh_token")
                        .map_err(|e| Error::new("reply", Code::BadReply, format!("the refresh_token in the reply {}", e.message)))?;
                    if !*rotated {
                        notice = Some(
                            "the authorization server rotated the refresh token: the stored one is now stale (spent). This node uses the new one \
                             until it is restarted or redeployed; get a new refresh token and store it in the credentials before then."
                                .to_string(),
                        );
                    }
                    carried.push(current.clone());
                    *current = new.clone();
                    *rotated = true;
                }
            }
            carried.push(new);
        }

        let mut summary = String::from("token OK (");
        if let Some(s) = &scope {
            summary.push_str("scope ");
            summary.push_str(&excerpt(s, 100));
            summary.push_str(", ");
        }
        match lifetime {
            Some(secs) => summary.push_str(&format!("valid {secs} s)")),
            None => summary.push_str("no expiry given)"),
        }
        if notice.is_some() {
            summary.push_str("; the server rotated the refresh token: the stored one is now spent");
        }
        let refresh_at_ms = lifetime.map(|secs| {
            let life_ms = secs.saturating_mul(1000);
            refresh_at(now_ms.saturating_add(life_ms), Some(life_ms), MARGIN_MS)
        });
        Ok(Token { token, refresh_at_ms, summary, notice, carried })
    }
}

fn plan(r: &mut Reader, mode: &'static Mode) -> Result<Plan> {
    let url = r.text(&TOKEN_URL)?;
    let client_id = r.secret(&CLIENT_ID)?;
    let client_secret = r.secret(&CLIENT_SECRET)?;
    let in_body = r.choice(&CLIENT_AUTH)? == "post";
    let scope = words(&r.text(&SCOPE)?);
    let grant = if mode.id == "refresh-token" {
        Grant::Refresh { token: r.secret(&REFRESH_TOKEN)?, rotated: false }
    } else {
        Grant::ClientCredentials { audience: words(&r.text(&AUDIENCE)?) }
    };
    let x = TokenRequest { url, client_id, client_secret, in_body, scope, grant };
    Ok(Plan::exchanged(Box::new(x), Box::new(|t| Ok(Auth::bearer(t))), Check::Exchange, "its access tokens are issued by the authorization server"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schemes::{cfg, Retry, Signer};

    const URL: &str = "https://auth.example.com/oauth/token";

    fn signer(extra: &[(&str, &str)]) -> Signer {
        let mut c = cfg(&[("scheme", "oauth2"), ("tokenUrl", URL), ("clientId", "my-client"), ("clientSecret", "s3cret")]);
        for (k, v) in extra {
            c.set(k, v);
        }
        Signer::new(&c).unwrap()
    }

    fn header<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
        r.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn decode_basic(r: &Request) -> String {
        let b = header(r, "Authorization").unwrap().strip_prefix("Basic ").unwrap();
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b).unwrap()).unwrap()
    }

    #[test]
    fn client_credentials_with_basic_by_default() {
        let mut s = signer(&[]);
        assert_eq!((s.scheme(), s.mode(), s.base_url()), ("oauth2", "client-credentials", None));
        let r = s.exchange_request(0.0).unwrap();
        assert_eq!((r.method, &r.target), ("POST", &Target::Url(URL.into())));
        assert_eq!(header(&r, "Content-Type"), Some("application/x-www-form-urlencoded"));
        assert_eq!(header(&r, "Accept"), Some("application/json"));
        assert_eq!(r.body.as_deref(), Some("grant_type=client_credentials"));
        assert_eq!(decode_basic(&r), "my-client:s3cret");
        assert_eq!(r.carried, [basic_credentials("my-client", "s3cret")]);
        assert_eq!(s.retry(), Retry::FreshToken);
        assert!(matches!(s.check(), Check::Exchange));
        assert_eq!(s.auth(0.0, Some("at-1")).unwrap(), Auth::bearer("at-1"));
        let e = s.verifier(0.0).unwrap_err();
        assert_eq!(e.code, Code::NotSupported);
        assert!(e.message.ends_with("its access tokens are issued by the authorization server"), "{e}");
    }

    #[test]
    fn client_secret_post_scope_and_audience() {
        let mut s = signer(&[("clientAuth", "post"), ("scope", "  read   write "), ("audience", "https://api.example.com/")]);
        let r = s.exchange_request(0.0).unwrap();
        assert_eq!(header(&r, "Authorization"), None);
        assert_eq!(
            r.body.as_deref(),
            Some("grant_type=client_credentials&scope=read+write&audience=https%3A%2F%2Fapi.example.com%2F&client_id=my-client&client_secret=s3cret")
        );
        assert!(r.carried.is_empty(), "the secret is masked as a configured secret");
        // the same with Basic: audience and scope in the body, the client in the header
        let r = signer(&[("scope", "read"), ("audience", "aud")]).exchange_request(0.0).unwrap();
        assert_eq!(r.body.as_deref(), Some("grant_type=client_credentials&scope=read&audience=aud"));
        // an unknown choice is refused, never rewritten
        let e = Signer::new(&cfg(&[("scheme", "oauth2"), ("tokenUrl", URL), ("clientId", "c"), ("clientSecret", "s"), ("clientAuth", "jwt")])).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("clientAuth", Code::UnknownValue));
        assert_eq!(e.message, "unknown value 'jwt' (expected 'basic', 'post')");
    }

    /// RFC 6749 §2.3.1: id and secret are form-encoded, then joined by ':' and base64-encoded
    /// (oidc-provider decodes each side after splitting at the first ':').
    #[test]
    fn basic_encodes_special_characters() {
        assert_eq!(basic_credentials("svc:special", "p:a%s+s w0rd"), base64::engine::general_purpose::STANDARD.encode("svc%3Aspecial:p%3Aa%25s%2Bs+w0rd"));
        assert_eq!(basic_credentials("a", "é"), base64::engine::general_purpose::STANDARD.encode("a:%C3%A9"));
        let s = signer(&[("clientId", " svc:special "), ("clientSecret", "p:a%s+s w0rd")]);
        assert_eq!(s.warnings(), ["clientId: surrounding whitespace was removed"]);
        let mut s = signer(&[("clientSecret", " s3cret ")]);
        assert_eq!(s.warnings(), ["clientSecret: has surrounding whitespace, which is sent as typed (part of the clientSecret)"]);
        assert_eq!(decode_basic(&s.exchange_request(0.0).unwrap()), "my-client:+s3cret+");
        // in the body too, form-encoded
        let mut s = signer(&[("clientAuth", "post"), ("clientId", "svc:special"), ("clientSecret", "p:a%s+s w0rd")]);
        assert!(s.exchange_request(0.0).unwrap().body.unwrap().ends_with("&client_id=svc%3Aspecial&client_secret=p%3Aa%25s%2Bs+w0rd"));
    }

    #[test]
    fn configuration_errors() {
        let e = |c: &[(&str, &str)]| Signer::new(&cfg(c)).unwrap_err();
        let base = [("scheme", "oauth2"), ("clientId", "c"), ("clientSecret", "s")];
        let err = e(&base);
        assert_eq!((err.field.as_str(), err.code), ("tokenUrl", Code::Required));
        for bad in
            ["auth.example.com/token", "ftp://auth.example.com/token", "https://", "https:///token", "https://auth example.com/token", "https://a/\r\nX: y"]
        {
            let err = e(&[base[0], base[1], base[2], ("tokenUrl", bad)]);
            assert_eq!((err.field.as_str(), err.code), ("tokenUrl", Code::BadFormat), "{bad}");
            assert_eq!(err.message, "is not an http(s) URL (e.g. https://auth.example.com/oauth/token)", "{bad}");
        }
        let err = e(&[base[0], base[1], base[2], ("tokenUrl", "https://user:pw@auth.example.com/token")]);
        assert_eq!((err.field.as_str(), err.code), ("tokenUrl", Code::BadFormat));
        assert!(!err.to_string().contains("pw@"));
        for ok in ["HTTPS://auth.example.com/token", "http://127.0.0.1:9000/token?x=1", " https://a/b "] {
            assert!(Signer::new(&cfg(&[base[0], base[1], base[2], ("tokenUrl", ok)])).is_ok(), "{ok}");
        }
        let err = e(&[("scheme", "oauth2"), ("tokenUrl", URL), ("clientSecret", "s")]);
        assert_eq!((err.field.as_str(), err.code), ("clientId", Code::Required));
        let err = e(&[("scheme", "oauth2"), ("tokenUrl", URL), ("clientId", "c")]);
        assert_eq!((err.field.as_str(), err.code), ("clientSecret", Code::Required));
        let err = e(&[("scheme", "oauth2"), ("mode", "refresh-token"), ("tokenUrl", URL), ("clientId", "c"), ("clientSecret", "s")]);
        assert_eq!((err.field.as_str(), err.code), ("refreshToken", Code::Required));
        let err =
            e(&[("scheme", "oauth2"), ("mode", "refresh-token"), ("tokenUrl", URL), ("clientId", "c"), ("clientSecret", "s"), ("refreshToken", "rt\u{e9}x")]);
        assert_eq!((err.field.as_str(), err.code), ("refreshToken", Code::NonAscii));
        let err = e(&[("scheme", "oauth2"), ("mode", "password"), ("tokenUrl", URL), ("clientId", "c"), ("clientSecret", "s")]);
        assert_eq!(err.to_string(), "mode: unknown value 'password' for oauth2 (expected 'client-credentials', 'refresh-token')");
        // no base URL needed: the exchange goes to the token URL; one may be given for relative msg.url
        assert_eq!(signer(&[("baseUrl", "https://api.example.com")]).base_url(), Some("https://api.example.com"));
        assert!(!API.modes.iter().any(|m| m.needs_base_url()));
    }

    #[test]
    fn reply_parsing() {
        let mut s = signer(&[("scope", "read write")]);
        let now = 1_700_000_000_000u64;
        let t = s.exchange_reply(200.0, r#"{"access_token":"at-1","token_type":"Bearer","expires_in":300,"scope":"read write"}"#, now as f64).unwrap();
        assert_eq!(t.token, "at-1");
        assert_eq!(t.refresh_at_ms, Some(now + 300_000 - 30_000), "a tenth of 300 s before the end");
        assert_eq!(t.summary, "token OK (scope read write, valid 300 s)");
        assert_eq!((t.notice, t.carried.len()), (None, 0));
        // a long lifetime: 5 minutes before the end
        let t = s.exchange_reply(200.0, r#"{"access_token":"at-2","token_type":"bearer","expires_in":"3600"}"#, now as f64).unwrap();
        assert_eq!(t.refresh_at_ms, Some(now + 3_600_000 - 300_000));
        assert_eq!(t.summary, "token OK (valid 3600 s)");
        // no expires_in: kept until the API refuses it (the 401 loop)
        let t = s.exchange_reply(200.0, r#"{"access_token":" at-3 ","token_type":"BEARER","expires_in":null}"#, 0.0).unwrap();
        assert_eq!((t.token.as_str(), t.refresh_at_ms), ("at-3", None));
        assert_eq!(t.summary, "token OK (no expiry given)");
        // no token_type: taken as Bearer
        assert_eq!(s.exchange_reply(201.0, r#"{"access_token":"at-4","expires_in":2}"#, 10_000.0).unwrap().refresh_at_ms, Some(11_800));
        // a huge lifetime does not overflow
        assert!(s.exchange_reply(200.0, r#"{"access_token":"a","expires_in":1e300}"#, now as f64).unwrap().refresh_at_ms.unwrap() > now);
        // a refresh token in a client-credentials reply is not used, but masked
        let t = s.exchange_reply(200.0, r#"{"access_token":"a","token_type":"Bearer","refresh_token":"rt-x"}"#, 0.0).unwrap();
        assert_eq!((t.carried, t.notice), (vec!["rt-x".to_string()], None));
    }

    #[test]
    fn token_types_other_than_bearer_are_refused() {
        let mut s = signer(&[]);
        for (tt, named) in [("\"DPoP\"", "DPoP"), ("\"mac\"", "mac"), ("\"N_A\"", "N_A"), ("5", "5"), ("\"Bearer2\"", "Bearer2")] {
            let e = s.exchange_reply(200.0, &format!(r#"{{"access_token":"at","token_type":{tt},"expires_in":60}}"#), 0.0).unwrap_err();
            assert_eq!(e.code, Code::BadReply);
            assert_eq!(e.to_string(), format!("reply: token_type '{named}' is not supported: this node sends only Bearer tokens (RFC 6750)"));
            assert!(!e.to_string().contains("\"at\""));
        }
    }

    #[test]
    fn bad_replies() {
        let mut s = signer(&[]);
        let e = |s: &mut Signer, b: &str| s.exchange_reply(200.0, b, 0.0).unwrap_err();
        assert_eq!(e(&mut s, "{}").to_string(), "reply: no access_token in the reply");
        assert_eq!(e(&mut s, r#"{"access_token":""}"#).to_string(), "reply: no access_token in the reply");
        assert_eq!(e(&mut s, r#"{"access_token":5}"#).code, Code::BadReply);
        assert_eq!(e(&mut s, r#"{"access_token":"a\r\nb"}"#).code, Code::BadReply);
        assert!(e(&mut s, "<html>login</html>").to_string().starts_with("reply: the reply is HTML or XML"));
        assert_eq!(e(&mut s, "[]").to_string(), "reply: the reply is not a JSON object");
        let x = e(&mut s, r#"{"access_token":"a","expires_in":"soon"}"#);
        assert_eq!((x.code, x.to_string().as_str()), (Code::BadReply, "reply: expires_in is not a number of seconds (got \"soon\")"));
        assert_eq!(e(&mut s, r#"{"access_token":"a","expires_in":-5}"#).code, Code::BadReply);
        // a §5.2 error with a success status (GitHub does this): refused, in the server's words
        let x = e(&mut s, r#"{"error":"invalid_client","error_description":"bad secret"}"#);
        assert_eq!((x.code, x.to_string().as_str()), (Code::Refused, "reply: HTTP 200 invalid_client: bad secret"));
    }

    /// RFC 6749 §5.2 errors in the server's own words; 400/401/403 are refusals (the same
    /// credentials will not do), 5xx a later try may fix.
    #[test]
    fn errors_in_the_servers_words() {
        let mut s = signer(&[]);
        let e = s.exchange_reply(401.0, r#"{"error":"invalid_client","error_description":"client authentication failed"}"#, 0.0).unwrap_err();
        assert_eq!((e.code, e.to_string().as_str()), (Code::Refused, "reply: HTTP 401 invalid_client: client authentication failed"));
        let e = s.exchange_reply(400.0, r#"{"error":"invalid_scope","error_description":"requested scope is not allowed","scope":"admin"}"#, 0.0).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (Code::Refused, "HTTP 400 invalid_scope: requested scope is not allowed"));
        let e = s.exchange_reply(400.0, r#"{"error":"invalid_grant"}"#, 0.0).unwrap_err();
        assert_eq!(e.message, "HTTP 400 invalid_grant", "no refresh-token hint in client-credentials mode");
        let e = s.exchange_reply(503.0, "Service Unavailable", 0.0).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (Code::ServerError, "HTTP 503 Service Unavailable"));
        let e = s.exchange_reply(429.0, "", 0.0).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (Code::ServerError, "HTTP 429"));
    }

    fn refresher() -> Signer {
        signer(&[("mode", "refresh-token"), ("refreshToken", " rt-stored\n"), ("scope", "read")])
    }

    #[test]
    fn refresh_token_request() {
        let mut s = refresher();
        assert_eq!(s.warnings(), ["refreshToken: surrounding whitespace was removed"]);
        let r = s.exchange_request(0.0).unwrap();
        assert_eq!(r.body.as_deref(), Some("grant_type=refresh_token&refresh_token=rt-stored&scope=read"));
        assert_eq!(r.carried, ["rt-stored".to_string(), basic_credentials("my-client", "s3cret")]);
        let mut s = signer(&[("mode", "refresh-token"), ("refreshToken", "a+b/c="), ("clientAuth", "post"), ("audience", "ignored")]);
        assert_eq!(
            s.exchange_request(0.0).unwrap().body.as_deref(),
            Some("grant_type=refresh_token&refresh_token=a%2Bb%2Fc%3D&client_id=my-client&client_secret=s3cret"),
            "audience is a client-credentials field"
        );
    }

    #[test]
    fn a_rotated_refresh_token_replaces_the_stored_one_and_the_node_says_so_once() {
        let mut s = refresher();
        let t =
            s.exchange_reply(200.0, r#"{"access_token":"at-1","token_type":"Bearer","expires_in":300,"scope":"read","refresh_token":"rt-2"}"#, 0.0).unwrap();
        assert_eq!(t.carried, ["rt-stored", "rt-2"]);
        let notice = t.notice.unwrap();
        assert!(notice.starts_with("the authorization server rotated the refresh token: the stored one is now stale"), "{notice}");
        assert!(!notice.contains("rt-"));
        assert_eq!(t.summary, "token OK (scope read, valid 300 s); the server rotated the refresh token: the stored one is now spent");
        // the next refresh uses the rotated token
        let r = s.exchange_request(0.0).unwrap();
        assert_eq!(r.body.as_deref(), Some("grant_type=refresh_token&refresh_token=rt-2&scope=read"));
        assert_eq!(r.carried[0], "rt-2");
        // rotated again: replaced again, no second warning
        let t = s.exchange_reply(200.0, r#"{"access_token":"at-2","token_type":"Bearer","expires_in":300,"refresh_token":"rt-3"}"#, 0.0).unwrap();
        assert_eq!((t.notice, t.carried), (None, vec!["rt-2".to_string(), "rt-3".to_string()]));
        assert!(s.exchange_request(0.0).unwrap().body.unwrap().contains("refresh_token=rt-3&"));
        // not rotated (the same one, or none): kept
        let t = s.exchange_reply(200.0, r#"{"access_token":"at-3","token_type":"Bearer","refresh_token":"rt-3"}"#, 0.0).unwrap();
        assert_eq!(t.notice, None);
        s.exchange_reply(200.0, r#"{"access_token":"at-4","token_type":"Bearer"}"#, 0.0).unwrap();
        assert!(s.exchange_request(0.0).unwrap().body.unwrap().contains("refresh_token=rt-3&"));
        // a refresh token that could not be sent again is refused, and the one in use is kept
        let e = s.exchange_reply(200.0, "{\"access_token\":\"at-5\",\"refresh_token\":\"r\\u0000t\"}", 0.0).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("reply", Code::BadReply));
        assert_eq!(e.message, "the refresh_token in the reply contains a control character (NUL at position 2) that cannot go in an HTTP header");
        assert!(s.exchange_request(0.0).unwrap().body.unwrap().contains("refresh_token=rt-3&"));
    }

    #[test]
    fn invalid_grant_in_refresh_mode_says_what_it_means() {
        let mut s = refresher();
        let body = r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#;
        let e = s.exchange_reply(400.0, body, 0.0).unwrap_err();
        assert_eq!(e.code, Code::Refused);
        assert!(e.message.starts_with("HTTP 400 invalid_grant: grant request is invalid (the stored refresh token was already used"), "{e}");
        s.exchange_reply(200.0, r#"{"access_token":"at","token_type":"Bearer","refresh_token":"rt-new"}"#, 0.0).unwrap();
        let e = s.exchange_reply(400.0, body, 0.0).unwrap_err();
        assert!(e.message.contains("(the server no longer accepts the refresh token it last gave this node"), "{e}");
        assert!(!e.message.contains("rt-"));
        let e = s.exchange_reply(401.0, r#"{"error":"invalid_client","error_description":"client authentication failed"}"#, 0.0).unwrap_err();
        assert_eq!(e.message, "HTTP 401 invalid_client: client authentication failed");
    }

    #[test]
    fn the_table() {
        let cc = &API.modes[0];
        assert_eq!(cc.fields.iter().map(|f| f.name).collect::<Vec<_>>(), ["tokenUrl", "clientId", "clientSecret", "clientAuth", "scope", "audience"]);
        assert_eq!(
            API.modes[1].fields.iter().map(|f| f.name).collect::<Vec<_>>(),
            ["tokenUrl", "clientId", "clientSecret", "clientAuth", "refreshToken", "scope"]
        );
        assert!(TOKEN_URL.exchange_url && !TOKEN_URL.is_credential() && TOKEN_URL.required);
        assert_eq!((CLIENT_ID.kind, CLIENT_SECRET.kind, REFRESH_TOKEN.kind), (Kind::Name, Kind::Secret, Kind::Secret));
        assert!(!SCOPE.required && !AUDIENCE.required && CLIENT_AUTH.default == "basic");
    }
}
