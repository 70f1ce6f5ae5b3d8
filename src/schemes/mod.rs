//! The scheme configuration, and the one entry point that turns it into headers and query
//! parameters: [`Signer`]. One file per API holds its headers, its exchange request and the
//! parsing of its exchange reply.

pub mod actyx;
pub mod header;
pub mod nightscout;
pub mod tedee;
pub mod timbr;
pub mod timetagger;

use crate::secret::{clean, Hygiene};
use crate::{Error, Result};

/// The scheme configuration as the config node stores it (camelCase names in JavaScript).
/// Every field is optional here; each scheme says which it needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub scheme: Option<String>,
    pub mode: Option<String>,
    pub placement: Option<String>,
    pub token: Option<String>,
    pub secret: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub salt: Option<String>,
    pub header_name: Option<String>,
    pub prefix: Option<String>,
    pub query_name: Option<String>,
    pub key_mode: Option<String>,
    pub plaintext_mode: Option<String>,
    pub app_id: Option<String>,
    pub display_name: Option<String>,
    pub app_version: Option<String>,
    pub signature: Option<String>,
}

impl Config {
    /// Field names as JavaScript spells them (the names used in error messages).
    pub const FIELDS: [&'static str; 17] = [
        "scheme", "mode", "placement", "token", "secret", "username", "password", "salt", "headerName",
        "prefix", "queryName", "keyMode", "plaintextMode", "appId", "displayName", "appVersion", "signature",
    ];

    /// Set a field by its JavaScript name; false for an unknown name.
    pub fn set(&mut self, field: &str, value: Option<String>) -> bool {
        match self.slot(field) {
            Some(s) => {
                *s = value;
                true
            }
            None => false,
        }
    }

    fn slot(&mut self, field: &str) -> Option<&mut Option<String>> {
        Some(match field {
            "scheme" => &mut self.scheme,
            "mode" => &mut self.mode,
            "placement" => &mut self.placement,
            "token" => &mut self.token,
            "secret" => &mut self.secret,
            "username" => &mut self.username,
            "password" => &mut self.password,
            "salt" => &mut self.salt,
            "headerName" => &mut self.header_name,
            "prefix" => &mut self.prefix,
            "queryName" => &mut self.query_name,
            "keyMode" => &mut self.key_mode,
            "plaintextMode" => &mut self.plaintext_mode,
            "appId" => &mut self.app_id,
            "displayName" => &mut self.display_name,
            "appVersion" => &mut self.app_version,
            "signature" => &mut self.signature,
            _ => return None,
        })
    }

    /// A field by its JavaScript name.
    pub fn get(&self, field: &str) -> Option<&str> {
        let v = match field {
            "scheme" => &self.scheme,
            "mode" => &self.mode,
            "placement" => &self.placement,
            "token" => &self.token,
            "secret" => &self.secret,
            "username" => &self.username,
            "password" => &self.password,
            "salt" => &self.salt,
            "headerName" => &self.header_name,
            "prefix" => &self.prefix,
            "queryName" => &self.query_name,
            "keyMode" => &self.key_mode,
            "plaintextMode" => &self.plaintext_mode,
            "appId" => &self.app_id,
            "displayName" => &self.display_name,
            "appVersion" => &self.app_version,
            "signature" => &self.signature,
            _ => &None,
        };
        v.as_deref()
    }
}

/// What to add to a request: headers (names as the scheme spells them) and query parameters
/// (names and values ready to append as `name=value`: percent-encoded like JavaScript's
/// `encodeURIComponent`, except Actyx's `access_token`, which that server reads raw).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Auth {
    pub headers: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
}

impl Auth {
    pub(crate) fn header(name: &str, value: String) -> Auth {
        Auth { headers: vec![(name.to_string(), value)], query: vec![] }
    }
    pub(crate) fn query(name: &str, value: String) -> Auth {
        // the name too: a header-scheme queryName may hold spaces or non-ASCII letters
        Auth { headers: vec![], query: vec![(encode_query(name), encode_query(&value))] }
    }
    pub(crate) fn placed(placement: Placement, header: &str, query: &str, value: String) -> Auth {
        match placement {
            Placement::Header => Auth::header(header, value),
            Placement::Query => Auth::query(query, value),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Header,
    Query,
}

/// Reads a [`Config`]: cleans secrets (collecting warnings), checks choices.
pub(crate) struct Reader<'a> {
    pub cfg: &'a Config,
    pub warnings: Vec<String>,
}

/// A bad option value for an error message: shown only when it cannot be a misplaced secret
/// (a short word of letters), else left out.
pub(crate) fn shown(v: &str) -> String {
    let v = v.trim();
    if !v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'_' || b == b' ') {
        format!(" '{v}'")
    } else {
        String::new()
    }
}

impl<'a> Reader<'a> {
    pub fn new(cfg: &'a Config) -> Reader<'a> {
        Reader { cfg, warnings: Vec::new() }
    }

    /// A required field, cleaned by its hygiene rule (a warning is kept when cleaning noted something).
    pub fn clean(&mut self, field: &str, h: Hygiene) -> Result<String> {
        let v = self.cfg.get(field).ok_or_else(|| Error::new(field, "is required"))?;
        let c = clean(v, field, h)?;
        if let Some(w) = c.warning(field) {
            self.warnings.push(w);
        }
        Ok(c.value)
    }

    /// A required secret that goes into an HTTP header or URL as is: trimmed, printable ASCII.
    pub fn header_secret(&mut self, field: &str) -> Result<String> {
        self.clean(field, Hygiene::Token)
    }

    /// One of `allowed`; absent or empty means the first (the default).
    pub fn choice(&self, field: &str, allowed: &[&'static str]) -> Result<&'static str> {
        match self.cfg.get(field) {
            None | Some("") => Ok(allowed[0]),
            Some(v) => allowed.iter().copied().find(|a| *a == v.trim()).ok_or_else(|| {
                let list: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
                Error::new(field, format!("unknown value{} (expected {})", shown(v), list.join(" or ")))
            }),
        }
    }

    pub fn placement(&self) -> Result<Placement> {
        Ok(match self.choice("placement", &["header", "query"])? {
            "query" => Placement::Query,
            _ => Placement::Header,
        })
    }

    pub fn scheme(&self) -> Result<&'static str> {
        const SCHEMES: [&str; 6] = ["timetagger", "timbr", "nightscout", "tedee", "actyx", "header"];
        match self.cfg.get("scheme") {
            None | Some("") => Err(Error::new("scheme", "is required (timetagger, timbr, nightscout, tedee, actyx or header)")),
            Some(v) => SCHEMES.iter().copied().find(|s| *s == v.trim()).ok_or_else(|| {
                Error::new("scheme", format!("unknown scheme{} (expected timetagger, timbr, nightscout, tedee, actyx or header)", shown(v)))
            }),
        }
    }
}

/// How a scheme signs once its configuration is checked.
#[derive(Clone)]
pub(crate) enum Plan {
    /// The same headers/query every time.
    Static(Auth),
    /// A fresh Tedee key per request.
    Tedee(tedee::KeyMaker, Placement),
    /// Needs a token from an exchange (done by the JavaScript side).
    Exchanged(Exchanged),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exchanged {
    Timbr,
    NightscoutJwt,
    Actyx(Placement),
}

/// A checked configuration that signs requests; secrets stay inside.
#[derive(Clone)]
pub struct Signer {
    scheme: &'static str,
    plan: Plan,
    warnings: Vec<String>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("scheme", &self.scheme).finish_non_exhaustive()
    }
}

impl Signer {
    /// Check `cfg`; every problem is an error naming the field.
    pub fn new(cfg: &Config) -> Result<Signer> {
        let mut r = Reader::new(cfg);
        let scheme = r.scheme()?;
        let plan = match scheme {
            "timetagger" => timetagger::plan(&mut r)?,
            "timbr" => timbr::plan(&mut r)?,
            "nightscout" => nightscout::plan(&mut r)?,
            "tedee" => tedee::plan(&mut r)?,
            "actyx" => actyx::plan(&mut r)?,
            _ => header::plan(&mut r)?,
        };
        Ok(Signer { scheme, plan, warnings: r.warnings })
    }

    pub fn scheme(&self) -> &'static str {
        self.scheme
    }

    /// Headers and query parameters for one request at `now_ms` (used by Tedee only), with the
    /// token from the exchange for the schemes that have one.
    pub fn build(&self, now_ms: f64, exchanged: Option<&str>) -> Result<Auth> {
        match &self.plan {
            Plan::Static(auth) => Ok(auth.clone()),
            Plan::Tedee(maker, placement) => {
                let key = maker.key(tedee::now_ms(now_ms)?);
                Ok(Auth::placed(*placement, tedee::PARAM, tedee::PARAM, key))
            }
            Plan::Exchanged(kind) => {
                let t = match exchanged {
                    None => return Err(Error::new("token", "no exchanged token yet")),
                    Some(t) if t.trim().is_empty() => return Err(Error::new("token", "no exchanged token yet")),
                    Some(t) => t.trim(),
                };
                crate::secret::check_header_value(t, "exchangedToken")?;
                let t = t.to_string();
                Ok(match kind {
                    Exchanged::Timbr => timbr::headers(t),
                    Exchanged::NightscoutJwt => Auth::header("Authorization", format!("Bearer {t}")),
                    Exchanged::Actyx(p) => match p {
                        Placement::Header => Auth::header("Authorization", format!("Bearer {t}")),
                        Placement::Query => {
                            // Actyx does not percent-decode access_token: it goes raw, so it
                            // must be plain base64 (whose + / = are legal in a query).
                            if !t.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)) {
                                return Err(Error::new("exchangedToken", "is not base64, so it cannot go raw in the query"));
                            }
                            Auth { headers: vec![], query: vec![("access_token".to_string(), t)] }
                        }
                    },
                })
            }
        }
    }

    /// The Tedee key for `now_ms` (the token itself in plain mode).
    pub fn tedee_key(&self, now_ms: f64) -> Result<String> {
        match &self.plan {
            Plan::Tedee(maker, _) => Ok(maker.key(tedee::now_ms(now_ms)?)),
            Plan::Static(auth) if self.scheme == "tedee" => {
                Ok(auth.headers.iter().chain(auth.query.iter()).map(|(_, v)| v.clone()).next().unwrap_or_default())
            }
            _ => Err(Error::new("scheme", format!("tedeeKey is only for the tedee scheme (this signer is {})", self.scheme))),
        }
    }

    /// The query parameters this signer puts in a URL (names as they appear there), so the nodes
    /// can mask their values wherever a signed URL turns up.
    pub fn query_names(&self) -> Vec<String> {
        match &self.plan {
            Plan::Static(auth) => auth.query.iter().map(|(n, _)| n.clone()).collect(),
            Plan::Tedee(_, Placement::Query) => vec![tedee::PARAM.to_string()],
            Plan::Exchanged(Exchanged::Actyx(Placement::Query)) => vec!["access_token".to_string()],
            _ => vec![],
        }
    }

    pub fn needs_exchange(&self) -> bool {
        matches!(self.plan, Plan::Exchanged(_))
    }

    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// `buildAuth`: a [`Signer`] used once.
pub fn build_auth(cfg: &Config, now_ms: f64, exchanged: Option<&str>) -> Result<Auth> {
    Signer::new(cfg)?.build(now_ms, exchanged)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex of `bytes`, appended to `out`.
pub(crate) fn push_hex(bytes: &[u8], out: &mut Vec<u8>) {
    for b in bytes {
        out.push(HEX[(b >> 4) as usize]);
        out.push(HEX[(b & 15) as usize]);
    }
}

/// Percent-encode like JavaScript's `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
pub(crate) fn encode_query(s: &str) -> String {
    if s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b)) {
        return s.to_string();
    }
    let mut out = Vec::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b);
        } else {
            out.push(b'%');
            out.push(HEX_UPPER[(b >> 4) as usize]);
            out.push(HEX_UPPER[(b & 15) as usize]);
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut v = Vec::with_capacity(bytes.len() * 2);
    push_hex(bytes, &mut v);
    String::from_utf8(v).unwrap_or_default()
}

#[cfg(test)]
pub(crate) fn cfg(pairs: &[(&str, &str)]) -> Config {
    let mut c = Config::default();
    for (k, v) in pairs {
        assert!(c.set(k, Some(v.to_string())), "unknown field {k}");
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
        v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
    }

    fn build(c: &[(&str, &str)]) -> Auth {
        build_auth(&cfg(c), 1691058833000.0, None).unwrap()
    }

    fn err(c: &[(&str, &str)]) -> String {
        build_auth(&cfg(c), 1691058833000.0, Some("xch")).unwrap_err().to_string()
    }

    #[test]
    fn every_field_round_trips() {
        let mut c = Config::default();
        for f in Config::FIELDS {
            assert!(c.set(f, Some(f.to_uppercase())));
        }
        for f in Config::FIELDS {
            assert_eq!(c.get(f), Some(f.to_uppercase().as_str()));
        }
        assert!(!c.set("nope", None));
    }

    #[test]
    fn table_of_core_api_md() {
        let a = build(&[("scheme", "timetagger"), ("token", "tt")]);
        assert_eq!(pairs(&a.headers), [("authtoken", "tt")]);
        let a = build(&[("scheme", "timetagger"), ("mode", "bearer"), ("token", "tt")]);
        assert_eq!(pairs(&a.headers), [("Authorization", "Bearer tt")]);
        let a = build(&[("scheme", "timbr"), ("token", "tk_1")]);
        assert_eq!(pairs(&a.headers), [("x-api-key", "tk_1"), ("Content-Type", "application/json")]);
        let a = build(&[("scheme", "nightscout"), ("secret", "abcdefghij123456")]);
        assert_eq!(pairs(&a.headers), [("api-secret", "bcf210644ec3d5ee81ee80ab9e8907abb49c203d")]);
        let a = build(&[("scheme", "nightscout"), ("mode", "token"), ("token", "noderedrea-ecaba170b88208db")]);
        assert_eq!(pairs(&a.headers), [("api-secret", "noderedrea-ecaba170b88208db")]);
        let a = build(&[("scheme", "nightscout"), ("mode", "token"), ("placement", "query"), ("token", "r-1")]);
        assert_eq!((pairs(&a.headers), pairs(&a.query)), (vec![], vec![("token", "r-1")]));
        let key = "e59d9763edc6e59f2faccf9a769e5cf170d68439c3fd67afae5e3e72d0463a711691058833000";
        let a = build(&[("scheme", "tedee"), ("token", "BE9xnPnGfVUS")]);
        assert_eq!(pairs(&a.headers), [("api_token", key)]);
        let a = build(&[("scheme", "tedee"), ("placement", "query"), ("token", "BE9xnPnGfVUS")]);
        assert_eq!(pairs(&a.query), [("api_token", key)]);
        let a = build(&[("scheme", "tedee"), ("mode", "plain"), ("token", "BE9xnPnGfVUS")]);
        assert_eq!(pairs(&a.headers), [("api_token", "BE9xnPnGfVUS")]);
        let a = build(&[("scheme", "tedee"), ("mode", "plain"), ("placement", "query"), ("token", "BE9xnPnGfVUS")]);
        assert_eq!(pairs(&a.query), [("api_token", "BE9xnPnGfVUS")]);
        let a = build(&[("scheme", "header"), ("token", "abc")]);
        assert_eq!(pairs(&a.headers), [("Authorization", "abc")]);
        let a = build(&[("scheme", "header"), ("headerName", "X-Key"), ("prefix", "Bearer "), ("token", "abc")]);
        assert_eq!(pairs(&a.headers), [("X-Key", "Bearer abc")]);
        let a = build(&[("scheme", "header"), ("placement", "query"), ("token", "abc")]);
        assert_eq!(pairs(&a.query), [("api_key", "abc")]);
        let a = build(&[("scheme", "header"), ("placement", "query"), ("queryName", "k"), ("prefix", "p:"), ("token", "abc")]);
        assert_eq!(pairs(&a.query), [("k", "p%3Aabc")]);
    }

    #[test]
    fn exchanged_schemes() {
        let ns = cfg(&[("scheme", "nightscout"), ("mode", "jwt"), ("token", "r-1")]);
        let s = Signer::new(&ns).unwrap();
        assert!(s.needs_exchange());
        assert_eq!(s.build(0.0, None).unwrap_err().to_string(), "token: no exchanged token yet");
        assert_eq!(s.build(0.0, Some("  ")).unwrap_err().to_string(), "token: no exchanged token yet");
        assert_eq!(pairs(&s.build(0.0, Some("a.b.c")).unwrap().headers), [("Authorization", "Bearer a.b.c")]);
        let e = s.build(0.0, Some("a.b\nc")).unwrap_err().to_string();
        assert!(e.starts_with("exchangedToken: contains a control character"), "{e}");

        let tb = cfg(&[("scheme", "timbr"), ("mode", "exchange"), ("username", "admin"), ("password", "secret"), ("salt", "my-api-auth-salt"), ("keyMode", "md5")]);
        let s = Signer::new(&tb).unwrap();
        assert!(s.needs_exchange());
        assert_eq!(pairs(&s.build(0.0, Some("tk_9")).unwrap().headers), [("x-api-key", "tk_9"), ("Content-Type", "application/json")]);

        let ax = cfg(&[("scheme", "actyx"), ("appId", "com.example.app"), ("displayName", "App"), ("appVersion", "1.0.0")]);
        let s = Signer::new(&ax).unwrap();
        assert_eq!(pairs(&s.build(0.0, Some("AAAA+/=")).unwrap().headers), [("Authorization", "Bearer AAAA+/=")]);
        let mut axq = ax.clone();
        axq.placement = Some("query".into());
        let s = Signer::new(&axq).unwrap();
        assert_eq!(pairs(&s.build(0.0, Some("AAAA+/=")).unwrap().query), [("access_token", "AAAA+/=")]);

        let s = Signer::new(&cfg(&[("scheme", "timetagger"), ("token", "t")])).unwrap();
        assert!(!s.needs_exchange());
    }

    #[test]
    fn warnings_for_trimmed_secrets() {
        let s = Signer::new(&cfg(&[("scheme", "timetagger"), ("token", " tt\n")])).unwrap();
        assert_eq!(s.warnings(), ["token: surrounding whitespace was removed"]);
        assert_eq!(pairs(&s.build(0.0, None).unwrap().headers), [("authtoken", "tt")]);
        let s = Signer::new(&cfg(&[("scheme", "timetagger"), ("token", "tt")])).unwrap();
        assert!(s.warnings().is_empty());
    }

    #[test]
    fn config_errors_name_the_field() {
        assert_eq!(err(&[]), "scheme: is required (timetagger, timbr, nightscout, tedee, actyx or header)");
        assert!(err(&[("scheme", "oauth")]).starts_with("scheme: unknown scheme 'oauth'"));
        assert_eq!(err(&[("scheme", "timetagger")]), "token: is required");
        assert!(err(&[("scheme", "timetagger"), ("mode", "basic"), ("token", "t")]).starts_with("mode: unknown value 'basic'"));
        // a value that could be a misplaced secret is not echoed
        assert_eq!(
            err(&[("scheme", "timetagger"), ("mode", "tk_9f8e7d6c5b4a"), ("token", "t")]),
            "mode: unknown value (expected 'authtoken' or 'bearer')"
        );
        assert!(err(&[("scheme", "tedee"), ("placement", "body"), ("token", "t")]).starts_with("placement: unknown value 'body'"));
        assert!(err(&[("scheme", "header"), ("token", "tök")]).starts_with("token: contains a non-ASCII character"));
        assert!(err(&[("scheme", "header"), ("headerName", "X Key"), ("token", "t")]).starts_with("headerName: is not a valid HTTP header name"));
        assert!(err(&[("scheme", "header"), ("prefix", "B\r\n"), ("token", "t")]).starts_with("prefix: contains a control character"));
        assert!(err(&[("scheme", "nightscout"), ("secret", "short-secr")]).starts_with("secret: API_SECRET must be at least 12 characters"));
        assert!(err(&[("scheme", "timbr"), ("mode", "exchange"), ("username", "u"), ("password", "p"), ("salt", "not-a-key")]).starts_with("salt: not a Fernet key"));
        assert!(err(&[("scheme", "actyx"), ("appId", "com.acme.app"), ("displayName", "A"), ("appVersion", "1")]).starts_with("appId: Trial app id needs to start with 'com.example.'"));
        // the secret is never in an error
        let e = err(&[("scheme", "timetagger"), ("token", "supersecretvalue\u{1}")]);
        assert!(!e.contains("supersecret"), "{e}");
    }

    #[test]
    fn tedee_key_on_other_schemes_is_an_error() {
        let s = Signer::new(&cfg(&[("scheme", "timetagger"), ("token", "t")])).unwrap();
        assert!(s.tedee_key(0.0).unwrap_err().to_string().starts_with("scheme: tedeeKey is only for the tedee scheme"));
        let s = Signer::new(&cfg(&[("scheme", "tedee"), ("mode", "plain"), ("token", "plaintok")])).unwrap();
        assert_eq!(s.tedee_key(0.0).unwrap(), "plaintok");
        let s = Signer::new(&cfg(&[("scheme", "tedee"), ("token", "BE9xnPnGfVUS")])).unwrap();
        assert!(s.tedee_key(f64::NAN).unwrap_err().to_string().starts_with("nowMs: "));
        assert!(s.build(-1.0, None).unwrap_err().to_string().starts_with("nowMs: "));
    }

    #[test]
    fn query_values_are_percent_encoded_like_encode_uri_component() {
        assert_eq!(encode_query("abc-_.!~*'()09"), "abc-_.!~*'()09");
        assert_eq!(encode_query("a&admin=1#x"), "a%26admin%3D1%23x");
        assert_eq!(encode_query("a b+c/d%"), "a%20b%2Bc%2Fd%25");
        assert_eq!(encode_query("é"), "%C3%A9");
        let a = Signer::new(&cfg(&[("scheme", "header"), ("placement", "query"), ("token", "a&admin=1#x")])).unwrap();
        assert_eq!(a.build(0.0, None).unwrap().query, vec![("api_key".to_string(), "a%26admin%3D1%23x".to_string())]);
        // a custom parameter name is encoded as well (found by fuzz/run.sh signer)
        let a = Signer::new(&cfg(&[("scheme", "header"), ("placement", "query"), ("queryName", "my key¶"), ("token", "t")])).unwrap();
        assert_eq!(a.build(0.0, None).unwrap().query, vec![("my%20key%C2%B6".to_string(), "t".to_string())]);
    }

    #[test]
    fn hex_lut() {
        assert_eq!(hex(&[0, 1, 0xab, 0xff]), "0001abff");
    }
}
