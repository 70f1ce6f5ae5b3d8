//! Every API this package speaks, one file each, and what they share.
//!
//! A scheme file is the only place that knows its API. It declares an [`Api`]: its modes and
//! their fields (with the hygiene each field gets), and a `plan` function that checks a
//! configuration and returns a [`Plan`]: how a request is signed ([`Sign`]), its token exchange
//! as data ([`Exchange`]), whether a 401/403 is worth one retry ([`Retry`]), the Test button's
//! check ([`Check`]), what is as good as its secret (for masking) and what its verify side
//! accepts. [`APIS`] lists them; [`table`] is what the editor shows; [`Signer`] is a checked
//! configuration.
//!
//! Adding a mode touches one scheme file; adding an API adds a file and one line to [`APIS`].

pub mod actyx;
pub mod header;
pub mod nightscout;
pub mod oauth2;
pub mod tedee;
pub mod timbr;
pub mod timetagger;

use crate::json::{self, Value};
use crate::secret::{check_header_value, clean, Hygiene};
use crate::verify::{Verifier, Verify};
use crate::{excerpt, js_uint, Code, Error, Result};

/// Every API, in the order the editor lists them.
pub static APIS: &[&Api] = &[&timetagger::API, &timbr::API, &nightscout::API, &tedee::API, &actyx::API, &oauth2::API, &header::API];

/// One API: its modes, and how a configuration of one of them signs.
pub struct Api {
    /// The `scheme` value in a flow (`timetagger`).
    pub id: &'static str,
    /// Its name in the editor.
    pub label: &'static str,
    /// An example base URL (the editor's placeholder, and the hint when one is missing).
    pub base_url: &'static str,
    /// Its modes; the first is the default.
    pub modes: &'static [Mode],
    /// Check a configuration of `mode` and say how it signs.
    pub plan: fn(&mut Reader, &'static Mode) -> Result<Plan>,
}

/// One mode of an API and the fields it uses.
pub struct Mode {
    /// The `mode` value in a flow.
    pub id: &'static str,
    pub label: &'static str,
    pub fields: &'static [&'static Field],
    /// Whether it gets its token from an exchange (then the base URL is required, unless the
    /// exchange goes to a URL of its own: see [`Mode::needs_base_url`]).
    pub exchange: bool,
}

impl Mode {
    /// Whether a configuration of this mode needs a base URL: an exchange mode does, for its
    /// exchange goes to a path under it, unless one of its fields is the URL the exchange goes to
    /// ([`Field::exchange_url`], an OAuth 2.0 token URL).
    pub fn needs_base_url(&self) -> bool {
        self.exchange && !self.fields.iter().any(|f| f.exchange_url)
    }
}

/// What kind of value a field holds, and so where Node-RED keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A secret: a password-type credential (flows_cred.json, never shown again in the editor).
    Secret,
    /// A text credential (a user name).
    Name,
    /// A text property in flows.json.
    Text,
    /// One of a few values, a property in flows.json: `(value, label)`, the first is the default.
    Choice(&'static [(&'static str, &'static str)]),
}

/// One field of a mode: its name in the flow, how the editor shows it, and its hygiene.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    /// How its value is cleaned (secrets and names).
    pub hygiene: Hygiene,
    /// Whether an empty value is an error.
    pub required: bool,
    /// The value a new node starts with (the editor's default).
    pub default: &'static str,
    /// The editor's placeholder: an example, never a value that looks filled in.
    pub placeholder: &'static str,
    /// A JavaScript regular expression the editor checks the value against ("" for none).
    pub pattern: &'static str,
    /// One line of help under the field.
    pub tip: &'static str,
    /// Shown (and used) only when another field has a value: `("placement", "query")`; `("", "")`
    /// for always.
    pub when: (&'static str, &'static str),
    /// The token exchange is sent to this field's value, an absolute http(s) URL (checked as one):
    /// its mode needs no base URL for the exchange, and the Test button sends stored secrets only
    /// to the value a deployed node saved.
    pub exchange_url: bool,
}

impl Field {
    const fn new(name: &'static str, label: &'static str, kind: Kind, hygiene: Hygiene, default: &'static str) -> Field {
        Field { name, label, kind, hygiene, required: true, default, placeholder: "", pattern: "", tip: "", when: ("", ""), exchange_url: false }
    }
    /// A secret field (password-type credential) with hygiene `h`.
    pub const fn secret(name: &'static str, label: &'static str, h: Hygiene) -> Field {
        Field::new(name, label, Kind::Secret, h, "")
    }
    /// A text property.
    pub const fn text(name: &'static str, label: &'static str) -> Field {
        Field::new(name, label, Kind::Text, Hygiene::Name, "")
    }
    /// A choice property; the first choice is the default.
    pub const fn choice(name: &'static str, label: &'static str, choices: &'static [(&'static str, &'static str)]) -> Field {
        Field::new(name, label, Kind::Choice(choices), Hygiene::Name, choices[0].0)
    }
    pub const fn optional(self) -> Field {
        Field { required: false, ..self }
    }
    pub const fn default_value(self, v: &'static str) -> Field {
        Field { default: v, ..self }
    }
    pub const fn placeholder(self, v: &'static str) -> Field {
        Field { placeholder: v, ..self }
    }
    pub const fn pattern(self, v: &'static str) -> Field {
        Field { pattern: v, ..self }
    }
    pub const fn tip(self, v: &'static str) -> Field {
        Field { tip: v, ..self }
    }
    pub const fn kind(self, k: Kind) -> Field {
        Field { kind: k, ..self }
    }
    /// Only when `field` is `value`.
    pub const fn when(self, field: &'static str, value: &'static str) -> Field {
        Field { when: (field, value), ..self }
    }
    /// The URL the token exchange is sent to (see [`Field::exchange_url`](#structfield.exchange_url)).
    pub const fn exchange_url(self) -> Field {
        Field { exchange_url: true, ..self }
    }

    /// Whether Node-RED keeps it as a credential.
    pub fn is_credential(&self) -> bool {
        matches!(self.kind, Kind::Secret | Kind::Name)
    }
}

/// The token most APIs take: pasted, trimmed with a warning, plain ASCII.
pub static TOKEN: Field = Field::secret("token", "Token", Hygiene::Token).placeholder("paste it, or ${ENV_VAR}");

/// Where a key goes: a header (default) or the query string.
pub static PLACEMENT: Field = Field::choice("placement", "Send in", &[("header", "header"), ("query", "query string")]);

/// Where a value goes in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Header,
    Query,
}

/// A configuration as it comes from the node: field name → text (the core's table says which
/// names exist). Values the mode does not use are ignored; values it uses are checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    values: Vec<(String, String)>,
}

impl Config {
    pub fn new() -> Config {
        Config::default()
    }

    /// Set `name` (replacing an earlier value).
    pub fn set(&mut self, name: &str, value: &str) {
        match self.values.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value.to_string(),
            None => self.values.push((name.to_string(), value.to_string())),
        }
    }

    pub fn with(mut self, name: &str, value: &str) -> Config {
        self.set(name, value);
        self
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every name a configuration may carry: `scheme`, `mode`, `baseUrl`, and each field of each mode.
    pub fn names() -> Vec<&'static str> {
        let mut names = vec!["scheme", "mode", "baseUrl"];
        for api in APIS {
            for m in api.modes {
                for f in m.fields {
                    if !names.contains(&f.name) {
                        names.push(f.name);
                    }
                }
            }
        }
        names
    }
}

/// What to add to a request. Header names as the scheme spells them; query names and values ready
/// to append as `name=value` (percent-encoded like `encodeURIComponent`, except where a scheme
/// says its server reads a value raw).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Auth {
    /// Credential headers.
    pub headers: Vec<(String, String)>,
    /// Credential query parameters.
    pub query: Vec<(String, String)>,
    /// Other headers the API wants on every call (not secrets, e.g. Timbr's Content-Type).
    pub extra: Vec<(String, String)>,
}

impl Auth {
    pub fn header(name: &str, value: String) -> Auth {
        Auth { headers: vec![(name.to_string(), value)], ..Auth::default() }
    }
    /// A query parameter, name and value percent-encoded.
    pub fn query(name: &str, value: &str) -> Auth {
        Auth { query: vec![(crate::encode::component(name), crate::encode::component(value))], ..Auth::default() }
    }
    /// A query parameter whose value the server reads raw (no percent-decoding).
    pub fn raw_query(name: &str, value: String) -> Auth {
        Auth { query: vec![(crate::encode::component(name), value)], ..Auth::default() }
    }
    pub fn placed(placement: Placement, name: &str, value: String) -> Auth {
        match placement {
            Placement::Header => Auth::header(name, value),
            Placement::Query => Auth::query(name, &value),
        }
    }
    /// `Authorization: Bearer <token>`, the scheme spelled exactly `Bearer`.
    pub fn bearer(token: &str) -> Auth {
        Auth::header("Authorization", format!("Bearer {token}"))
    }
    pub fn with_extra(mut self, name: &str, value: &str) -> Auth {
        self.extra.push((name.to_string(), value.to_string()));
        self
    }
}

/// How a scheme uses an exchanged token: the headers/query of a request with it.
pub type UseToken = Box<dyn Fn(&str) -> Result<Auth>>;

/// How a request is signed.
pub enum Sign {
    /// The same headers/query every time.
    Static(Auth),
    /// A fresh key for every request (Tedee): `key(ms)`, sent in `place` under `name`.
    Fresh { key: Box<dyn Fn(u64) -> String>, place: Placement, name: &'static str },
    /// With a token from the exchange: how a token is used.
    Token(UseToken),
}

/// Where an exchange request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A path under the configured base URL.
    Path(String),
    /// An absolute URL of its own (an OAuth 2.0 token URL).
    Url(String),
}

/// An HTTP request described by a scheme; JavaScript sends it (no redirects, a timeout, a size cap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: &'static str,
    pub target: Target,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// What the request carries that is as good as a secret (a Fernet bearer): masked in errors.
    pub carried: Vec<String>,
}

/// A token from an exchange reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub token: String,
    /// When to exchange again (ms since the epoch), or None when it does not expire.
    pub refresh_at_ms: Option<u64>,
    /// A short description for the Test button (never the token).
    pub summary: String,
    /// A warning for the user (e.g. a stored refresh token that was rotated), never a secret.
    pub notice: Option<String>,
    /// Secrets the reply brings besides the token (a rotated refresh token): masked from now on.
    pub carried: Vec<String>,
}

/// A token exchange, described as data: the request to send, and what to make of its reply.
pub trait Exchange {
    /// The request for a new token at `now_ms`.
    fn request(&mut self, now_ms: u64) -> Result<Request>;
    /// The token in a reply, or an error with the server's own words ([`Code::Refused`] when the
    /// credentials were refused, [`Code::ServerError`] when a later try may work,
    /// [`Code::BadReply`] when the reply is not the API's).
    fn reply(&mut self, status: u16, body: &str, now_ms: u64) -> Result<Token>;
}

/// What a 401/403 from the API is worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Nothing: the same credentials again cannot succeed (and some servers slow a client down
    /// for every failure).
    Never,
    /// One retry with a fresh token from the exchange.
    FreshToken,
    /// One retry with a fresh key, `delay_ms` later.
    FreshKey { delay_ms: u64 },
}

/// The result of a Test-button check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub ok: bool,
    pub message: String,
}

/// The Test button's check.
pub enum Check {
    /// A request under the base URL (after the exchange, for exchange modes), and how to read its reply.
    Request { method: &'static str, path: &'static str, reply: fn(u16, &str) -> CheckResult },
    /// The token exchange itself is the check.
    Exchange,
}

/// A checked configuration of one mode of one API.
pub struct Plan {
    pub sign: Sign,
    pub exchange: Option<Box<dyn Exchange>>,
    pub retry: Retry,
    pub check: Check,
    /// What the verify node accepts, or why it cannot verify this mode.
    pub verify: std::result::Result<Box<dyn Verify>, &'static str>,
    /// What is as good as the secret (a hash the server accepts): masked wherever it appears.
    pub derived: Vec<String>,
    /// Added to the server's words when it refuses these credentials (e.g. a note on trimming).
    pub refusal_hint: Option<String>,
}

impl Plan {
    /// A plan that signs the same way every time, verified by exact comparison.
    pub fn fixed(auth: Auth, check: Check) -> Plan {
        let verify: Box<dyn Verify> = Box::new(crate::verify::Exact::of(&auth));
        let derived = auth.headers.iter().chain(auth.query.iter()).map(|(_, v)| v.clone()).collect();
        Plan { sign: Sign::Static(auth), exchange: None, retry: Retry::Never, check, verify: Ok(verify), derived, refusal_hint: None }
    }

    /// A plan that signs with exchanged tokens.
    pub fn exchanged(exchange: Box<dyn Exchange>, use_token: UseToken, check: Check, why_not_verified: &'static str) -> Plan {
        Plan {
            sign: Sign::Token(use_token),
            exchange: Some(exchange),
            retry: Retry::FreshToken,
            check,
            verify: Err(why_not_verified),
            derived: vec![],
            refusal_hint: None,
        }
    }
}

/// Reads a [`Config`] for one mode: cleans each field by its hygiene (collecting warnings) and
/// checks choices. An unknown value is an error naming the field and the allowed values; nothing
/// the user gave is replaced by a default.
pub struct Reader<'a> {
    cfg: &'a Config,
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

fn quoted_list(values: impl Iterator<Item = &'static str>) -> String {
    let list: Vec<String> = values.map(|a| format!("'{a}'")).collect();
    list.join(", ")
}

impl<'a> Reader<'a> {
    pub fn new(cfg: &'a Config) -> Reader<'a> {
        Reader { cfg, warnings: Vec::new() }
    }

    /// The raw value of `f`, if given and not empty.
    pub fn raw(&self, f: &Field) -> Option<&'a str> {
        self.cfg.get(f.name).filter(|v| !v.is_empty())
    }

    /// A secret or name field, cleaned by its hygiene; required.
    pub fn secret(&mut self, f: &Field) -> Result<String> {
        let v = self.cfg.get(f.name).ok_or_else(|| Error::required(f.name))?;
        let c = clean(v, f.name, f.hygiene)?;
        if let Some(w) = c.warning(f.name) {
            self.warnings.push(w);
        }
        Ok(c.value)
    }

    /// A text field, trimmed: its default when absent; a required one given empty is an error,
    /// an optional one may be empty (the scheme says what empty means). An exchange URL must be
    /// an absolute http(s) URL.
    pub fn text(&self, f: &Field) -> Result<String> {
        let v = match self.cfg.get(f.name).map(str::trim) {
            None if f.required && f.default.is_empty() => return Err(Error::required(f.name)),
            None => f.default.to_string(),
            Some("") if f.required => return Err(Error::new(f.name, Code::Empty, "is empty")),
            Some(v) => v.to_string(),
        };
        if f.exchange_url && !v.is_empty() {
            check_http_url(&v, f)?;
        }
        Ok(v)
    }

    /// One of the choices of `f`; absent or empty means its default.
    pub fn choice(&self, f: &Field) -> Result<&'static str> {
        let Kind::Choice(choices) = f.kind else { return Err(Error::new(f.name, Code::BadType, "is not a choice")) };
        match self.raw(f) {
            None => Ok(choices[0].0),
            Some(v) => choices.iter().map(|c| c.0).find(|c| *c == v).ok_or_else(|| {
                Error::new(f.name, Code::UnknownValue, format!("unknown value{} (expected {})", shown(v), quoted_list(choices.iter().map(|c| c.0))))
            }),
        }
    }

    pub fn placement(&self) -> Result<Placement> {
        Ok(if self.choice(&PLACEMENT)? == "query" { Placement::Query } else { Placement::Header })
    }

    /// The base URL (JavaScript checks it is an http(s) URL); required by exchange modes whose
    /// exchange goes to a path under it ([`Mode::needs_base_url`]).
    pub fn base_url(&self, api: &Api, mode: &Mode) -> Result<Option<String>> {
        match self.cfg.get("baseUrl").map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => Ok(Some(v.to_string())),
            None if mode.needs_base_url() => Err(Error::new("baseUrl", Code::Required, format!("is required for the token exchange (e.g. {})", api.base_url))),
            None => Ok(None),
        }
    }
}

/// An absolute http(s) URL with a host, no white space or control characters, and no user name or
/// password in it (those are credentials, and a URL is a plain property, exported with the flow).
/// The value is not echoed.
fn check_http_url(v: &str, f: &Field) -> Result<()> {
    let lower = v.get(..8).unwrap_or(v).to_ascii_lowercase();
    let scheme = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        0
    };
    let host = v.as_bytes()[scheme..].split(|b| b"/?#".contains(b)).next().unwrap_or_default();
    if scheme == 0 || host.is_empty() || v.bytes().any(|b| b <= b' ' || b == 0x7f) || v.contains(char::is_whitespace) {
        return Err(Error::new(f.name, Code::BadFormat, format!("is not an http(s) URL (e.g. {})", f.placeholder)));
    }
    if host.contains(&b'@') {
        return Err(Error::new(f.name, Code::BadFormat, "must not contain a user name or password (they are credentials: use the secret fields)"));
    }
    Ok(())
}

fn find_api(cfg: &Config) -> Result<&'static Api> {
    let ids = || quoted_list(APIS.iter().map(|a| a.id));
    match cfg.get("scheme").filter(|v| !v.is_empty()) {
        None => Err(Error::new("scheme", Code::Required, format!("is required (expected {})", ids()))),
        Some(v) => APIS
            .iter()
            .copied()
            .find(|a| a.id == v)
            .ok_or_else(|| Error::new("scheme", Code::UnknownValue, format!("unknown scheme{} (expected {})", shown(v), ids()))),
    }
}

fn find_mode(api: &'static Api, cfg: &Config) -> Result<&'static Mode> {
    match cfg.get("mode").filter(|v| !v.is_empty()) {
        None => Ok(&api.modes[0]),
        Some(v) => api.modes.iter().find(|m| m.id == v).ok_or_else(|| {
            Error::new(
                "mode",
                Code::UnknownValue,
                format!("unknown value{} for {} (expected {})", shown(v), api.id, quoted_list(api.modes.iter().map(|m| m.id))),
            )
        }),
    }
}

/// A checked configuration that signs requests; secrets stay inside.
pub struct Signer {
    api: &'static Api,
    mode: &'static Mode,
    plan: Plan,
    base_url: Option<String>,
    warnings: Vec<String>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("scheme", &self.api.id).field("mode", &self.mode.id).finish_non_exhaustive()
    }
}

impl Signer {
    /// Check `cfg`; every problem is an error naming the field.
    pub fn new(cfg: &Config) -> Result<Signer> {
        let api = find_api(cfg)?;
        let mode = find_mode(api, cfg)?;
        let mut r = Reader::new(cfg);
        let base_url = r.base_url(api, mode)?;
        let plan = (api.plan)(&mut r, mode)?;
        Ok(Signer { api, mode, plan, base_url, warnings: r.warnings })
    }

    pub fn scheme(&self) -> &'static str {
        self.api.id
    }

    pub fn mode(&self) -> &'static str {
        self.mode.id
    }

    pub fn base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    pub fn needs_exchange(&self) -> bool {
        self.plan.exchange.is_some()
    }

    /// The headers/query of a static scheme (the same for every request), else None.
    pub fn static_auth(&self) -> Option<&Auth> {
        match &self.plan.sign {
            Sign::Static(a) => Some(a),
            _ => None,
        }
    }

    /// A fresh key for `now_ms` and where it goes, for schemes that make one per request.
    pub fn fresh_key(&self, now_ms: f64) -> Result<String> {
        match &self.plan.sign {
            Sign::Fresh { key, .. } => Ok(key(js_uint(now_ms, "nowMs")?)),
            _ => Err(Error::new("scheme", Code::NotSupported, format!("{} ({}) makes no fresh key per request", self.api.id, self.mode.id))),
        }
    }

    /// Where a fresh key goes: (placement, name), for schemes that make one per request.
    pub fn fresh_place(&self) -> Option<(Placement, &'static str)> {
        match &self.plan.sign {
            Sign::Fresh { place, name, .. } => Some((*place, *name)),
            _ => None,
        }
    }

    /// The headers/query for a request with an exchanged `token`.
    pub fn token_auth(&self, token: &str) -> Result<Auth> {
        match &self.plan.sign {
            Sign::Token(use_token) => {
                let t = token.trim();
                if t.is_empty() {
                    return Err(Error::new("token", Code::NoToken, "no exchanged token yet"));
                }
                check_header_value(t, "exchangedToken")?;
                use_token(t)
            }
            _ => Err(Error::new("scheme", Code::NotSupported, format!("{} ({}) has no token exchange", self.api.id, self.mode.id))),
        }
    }

    /// The headers/query of one request at `now_ms`, with the exchanged token where the scheme has one.
    pub fn auth(&self, now_ms: f64, token: Option<&str>) -> Result<Auth> {
        match &self.plan.sign {
            Sign::Static(a) => Ok(a.clone()),
            Sign::Fresh { key, place, name } => Ok(Auth::placed(*place, name, key(js_uint(now_ms, "nowMs")?))),
            Sign::Token(_) => self.token_auth(token.unwrap_or("")),
        }
    }

    /// The query parameters this signer puts in a URL (names as they appear there), so the nodes
    /// can mask their values wherever a signed URL shows up.
    pub fn query_names(&self) -> Vec<String> {
        match &self.plan.sign {
            Sign::Static(a) => a.query.iter().map(|(n, _)| n.clone()).collect(),
            Sign::Fresh { place: Placement::Query, name, .. } => vec![crate::encode::component(name)],
            Sign::Token(use_token) => use_token("AAAA").map(|a| a.query.into_iter().map(|(n, _)| n).collect()).unwrap_or_default(),
            _ => vec![],
        }
    }

    /// The credential headers this signer sets (names as it spells them), so the nodes can warn
    /// when something else would overwrite one.
    pub fn header_names(&self) -> Vec<String> {
        match &self.plan.sign {
            Sign::Static(a) => a.headers.iter().map(|(n, _)| n.clone()).collect(),
            Sign::Fresh { place: Placement::Header, name, .. } => vec![name.to_string()],
            Sign::Token(use_token) => use_token("AAAA").map(|a| a.headers.into_iter().map(|(n, _)| n).collect()).unwrap_or_default(),
            _ => vec![],
        }
    }

    /// The exchange request for a new token at `now_ms`.
    pub fn exchange_request(&mut self, now_ms: f64) -> Result<Request> {
        let now = js_uint(now_ms, "nowMs")?;
        match self.plan.exchange.as_mut() {
            Some(x) => x.request(now),
            None => Err(Error::new("scheme", Code::NotSupported, format!("{} ({}) has no token exchange", self.api.id, self.mode.id))),
        }
    }

    /// The token in an exchange reply (`status`, body text), or the server's refusal.
    pub fn exchange_reply(&mut self, status: f64, body: &str, now_ms: f64) -> Result<Token> {
        let now = js_uint(now_ms, "nowMs")?;
        let status = http_status(status)?;
        match self.plan.exchange.as_mut() {
            Some(x) => x.reply(status, body, now),
            None => Err(Error::new("scheme", Code::NotSupported, format!("{} ({}) has no token exchange", self.api.id, self.mode.id))),
        }
    }

    pub fn retry(&self) -> Retry {
        self.plan.retry
    }

    pub fn check(&self) -> &Check {
        &self.plan.check
    }

    /// What the Test button says about a check reply.
    pub fn check_reply(&self, status: f64, body: &str) -> Result<CheckResult> {
        let status = http_status(status)?;
        Ok(match &self.plan.check {
            Check::Request { reply, .. } => reply(status, body),
            Check::Exchange => generic_check(status, body),
        })
    }

    /// What is as good as the secret (to mask), besides the configured values themselves.
    pub fn derived(&self) -> &[String] {
        &self.plan.derived
    }

    /// The message for a refused request: the server's own words, and the scheme's hint.
    pub fn refusal(&self, body: &str) -> String {
        let words = server_words(body);
        match &self.plan.refusal_hint {
            Some(h) if words.is_empty() => h.clone(),
            Some(h) => format!("{words} {h}"),
            None => words,
        }
    }

    /// The verify side of this configuration, its replay memory starting at `created_ms`.
    pub fn verifier(self, created_ms: f64) -> Result<Verifier> {
        match self.plan.verify {
            Ok(v) => Verifier::new(v, created_ms),
            Err(why) => Err(Error::new("mode", Code::NotSupported, format!("{} ({}) cannot be verified here: {why}", self.api.id, self.mode.id))),
        }
    }
}

/// An HTTP status from JavaScript.
fn http_status(status: f64) -> Result<u16> {
    let s = js_uint(status, "status")?;
    u16::try_from(s).ok().filter(|s| (100..600).contains(s)).ok_or_else(|| Error::new("status", Code::BadNumber, "is not an HTTP status"))
}

/// The Test button's reading of a plain check: 2xx accepted, else the server's words.
pub fn generic_check(status: u16, body: &str) -> CheckResult {
    let words = server_words(body);
    if (200..300).contains(&status) {
        let glimpse = if words.is_empty() { String::new() } else { format!(" ({})", excerpt(&words, 60)) };
        CheckResult { ok: true, message: format!("HTTP {status}: credentials accepted{glimpse}") }
    } else {
        CheckResult { ok: false, message: excerpt(&format!("HTTP {status}{}{}", if words.is_empty() { "" } else { " " }, words), 200) }
    }
}

/// A reply body as a JSON value, or a clear [`Code::BadReply`] saying what came instead.
pub fn json_body(body: &str) -> Result<Value> {
    let t = body.trim();
    if t.is_empty() {
        return Err(Error::new("reply", Code::BadReply, "the reply is empty"));
    }
    json::parse(t).ok_or_else(|| {
        let what = if t.starts_with('<') { "HTML or XML" } else { "not JSON" };
        Error::new("reply", Code::BadReply, format!("the reply is {what} (starts with \"{}\")", excerpt(t, 40)))
    })
}

/// A JSON object reply, or a [`Code::BadReply`].
pub fn json_object(body: &str) -> Result<Value> {
    let v = json_body(body)?;
    if v.is_object() {
        Ok(v)
    } else {
        Err(Error::new("reply", Code::BadReply, "the reply is not a JSON object"))
    }
}

/// The members of an error body that carry the server's own words, in the order they are read:
/// Actyx `code`/`message`, Tedee `error-description`, OAuth 2.0 `error`/`error_description`,
/// Nightscout `message`/`description`, Timbr `{"status":"error","data":…}`.
const WORD_MEMBERS: [&str; 6] = ["code", "error-description", "error", "error_description", "message", "description"];

/// The server's own words from a reply body: the members above joined by ": " (each once), a
/// plain-text body as it is (TimeTagger's `401 unauthorized: …`), anything else as JSON text;
/// white space folded, at most 200 characters.
pub fn server_words(body: &str) -> String {
    let t = body.trim();
    if t.is_empty() {
        return String::new();
    }
    let fold = |s: &str| excerpt(&s.split_whitespace().collect::<Vec<_>>().join(" "), 200);
    let Some(v) = json::parse(t) else { return fold(t) };
    if !v.is_object() {
        return fold(&v.str().unwrap_or_else(|| v.text()));
    }
    let mut parts: Vec<String> = Vec::new();
    let mut add = |x: Option<Value>| {
        if let Some(x) = x {
            if x.is_object() || x.is_null() {
                return;
            }
            let s = x.str().unwrap_or_else(|| x.text());
            if !s.is_empty() && !parts.contains(&s) {
                parts.push(s);
            }
        }
    };
    for m in WORD_MEMBERS {
        add(v.get(m));
    }
    if v.get("status").and_then(|s| s.str()).is_some_and(|s| s.eq_ignore_ascii_case("error")) {
        add(v.get("data"));
    }
    if parts.is_empty() {
        fold(&v.text())
    } else {
        fold(&parts.join(": "))
    }
}

/// When to renew a token that expires at `expires_ms`: `max_margin_ms` before, or a tenth of its
/// lifetime before when that is shorter (a token that lives 2 s is renewed after 1.8 s).
pub fn refresh_at(expires_ms: u64, lifetime_ms: Option<u64>, max_margin_ms: u64) -> u64 {
    let margin = match lifetime_ms {
        Some(l) if l > 0 => max_margin_ms.min(l / 10),
        _ => max_margin_ms,
    };
    expires_ms.saturating_sub(margin)
}

/// The error for an exchange reply that is not a success: the server's own words, coded
/// [`Code::Refused`] for 400/401/403 (the same credentials cannot succeed) and
/// [`Code::ServerError`] otherwise.
pub fn exchange_failed(status: u16, body: &str) -> Error {
    let words = server_words(body);
    let code = if matches!(status, 400 | 401 | 403) { Code::Refused } else { Code::ServerError };
    Error::new("reply", code, if words.is_empty() { format!("HTTP {status}") } else { format!("HTTP {status} {words}") })
}

/// A token from a reply member, checked to be sendable in a header.
pub fn token_from(v: Option<Value>, field: &str) -> Result<String> {
    let t = v
        .and_then(|t| t.str())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::new(field, Code::BadReply, "no token in the reply"))?;
    check_header_value(&t, "token").map_err(|e| Error { code: Code::BadReply, ..e })?;
    Ok(t)
}

/// The token in member `member` of a JSON reply; when there is none, the error carries the
/// server's own words if the reply has any (`no token in the reply (Unauthorized)`).
pub fn reply_token(v: &Value, member: &str) -> Result<String> {
    token_from(v.get(member), "reply").map_err(|e| {
        let spoke = WORD_MEMBERS.iter().any(|m| v.get(m).is_some());
        if e.message == "no token in the reply" && spoke {
            Error { message: format!("no token in the reply ({})", server_words(&v.text())), ..e }
        } else {
            e
        }
    })
}

/// The editor's table: every API, its modes and their fields, as plain data.
pub fn table() -> Vec<&'static Api> {
    APIS.to_vec()
}

#[cfg(test)]
pub(crate) fn cfg(pairs: &[(&str, &str)]) -> Config {
    let mut c = Config::new();
    for (k, v) in pairs {
        c.set(k, v);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(c: &[(&str, &str)]) -> Error {
        match Signer::new(&cfg(c)) {
            Ok(s) => s.auth(1691058833000.0, Some("xch")).unwrap_err(),
            Err(e) => e,
        }
    }

    #[test]
    fn warnings_for_trimmed_secrets() {
        let s = Signer::new(&cfg(&[("scheme", "timetagger"), ("token", " tt\n")])).unwrap();
        assert_eq!(s.warnings(), ["token: surrounding whitespace was removed"]);
        assert_eq!(s.auth(0.0, None).unwrap().headers[0].1, "tt");
        assert!(Signer::new(&cfg(&[("scheme", "timetagger"), ("token", "tt")])).unwrap().warnings().is_empty());
    }

    #[test]
    fn config_errors_name_the_field_and_code() {
        let e = err(&[]);
        assert_eq!((e.field.as_str(), e.code), ("scheme", Code::Required));
        assert!(e.message.contains("'timetagger'"));
        let e = err(&[("scheme", "oauth")]);
        assert_eq!(e.code, Code::UnknownValue);
        assert!(e.to_string().starts_with("scheme: unknown scheme 'oauth'"), "{e}");
        assert_eq!(err(&[("scheme", "timetagger")]).to_string(), "token: is required");
        let e = err(&[("scheme", "tedee"), ("mode", "basic"), ("token", "t")]);
        assert_eq!((e.field.as_str(), e.code), ("mode", Code::UnknownValue));
        assert_eq!(e.to_string(), "mode: unknown value 'basic' for tedee (expected 'encrypted', 'plain')");
        // what the old settings.js silently rewrote is now refused
        assert_eq!(err(&[("scheme", "timetagger"), ("mode", "Bearer"), ("token", "t")]).code, Code::UnknownValue);
        assert_eq!(err(&[("scheme", "tedee"), ("mode", "Plain"), ("token", "t")]).code, Code::UnknownValue);
        let e =
            err(&[("scheme", "timbr"), ("mode", "exchange"), ("keyMode", "MD5"), ("username", "u"), ("password", "p"), ("salt", "s"), ("baseUrl", "http://t")]);
        assert_eq!((e.field.as_str(), e.code), ("keyMode", Code::UnknownValue));
        // a value that could be a misplaced secret is not echoed
        assert_eq!(
            err(&[("scheme", "tedee"), ("mode", "tk_9f8e7d6c5b4a"), ("token", "t")]).to_string(),
            "mode: unknown value for tedee (expected 'encrypted', 'plain')"
        );
        assert!(err(&[("scheme", "tedee"), ("placement", "body"), ("token", "t")]).to_string().starts_with("placement: unknown value 'body'"));
        assert_eq!(err(&[("scheme", "header"), ("token", "tök")]).code, Code::NonAscii);
        assert_eq!(err(&[("scheme", "header"), ("headerName", "X Key"), ("token", "t")]).code, Code::BadFormat);
        assert_eq!(err(&[("scheme", "header"), ("prefix", "B\r\n"), ("token", "t")]).code, Code::ControlChar);
        assert_eq!(err(&[("scheme", "nightscout"), ("secret", "short-secr")]).code, Code::TooShort);
        let e = err(&[("scheme", "timbr"), ("mode", "exchange"), ("username", "u"), ("password", "p"), ("salt", "not-a-key"), ("baseUrl", "http://t")]);
        assert_eq!((e.field.as_str(), e.code), ("salt", Code::BadFormat));
        let e = err(&[("scheme", "actyx"), ("appId", "com.acme.app"), ("displayName", "A"), ("appVersion", "1"), ("baseUrl", "http://a")]);
        assert!(e.to_string().starts_with("appId: Trial app id needs to start with 'com.example.'"), "{e}");
        let e = err(&[("scheme", "actyx"), ("appId", "com.example.app"), ("displayName", "A"), ("appVersion", "1")]);
        assert_eq!((e.field.as_str(), e.code), ("baseUrl", Code::Required));
        // the secret is never in an error
        let e = err(&[("scheme", "timetagger"), ("token", "supersecretvalue\u{1}")]);
        assert!(!e.to_string().contains("supersecret"), "{e}");
    }

    #[test]
    fn server_words_are_read_once_for_everyone() {
        assert_eq!(server_words(r#"{"code":"ERR_TOKEN_EXPIRED","message":"Token expired"}"#), "ERR_TOKEN_EXPIRED: Token expired");
        assert_eq!(server_words(r#"{"error-description":"Invalid token"}"#), "Invalid token");
        assert_eq!(server_words(r#"{"status":401,"message":"Unauthorized","description":"Invalid/Missing"}"#), "Unauthorized: Invalid/Missing");
        assert_eq!(server_words(r#"{"status":"error","data":"Invalid credentials"}"#), "Invalid credentials");
        assert_eq!(
            server_words(r#"{"error":"invalid_client","error_description":"client authentication failed"}"#),
            "invalid_client: client authentication failed"
        );
        assert_eq!(
            server_words("401 unauthorized: The apitoken is revoked (seed does not match)\n"),
            "401 unauthorized: The apitoken is revoked (seed does not match)"
        );
        assert_eq!(server_words(r#"{"other":1}"#), r#"{"other":1}"#);
        assert_eq!(server_words(r#""just text""#), "just text");
        assert_eq!(server_words(""), "");
        assert_eq!(server_words(&"x ".repeat(300)).chars().count(), 201);
    }

    #[test]
    fn margins() {
        assert_eq!(refresh_at(1_000_000, Some(28_800_000), 300_000), 700_000);
        assert_eq!(refresh_at(10_000, Some(2_000), 300_000), 9_800);
        assert_eq!(refresh_at(100, None, 300_000), 0);
    }

    #[test]
    fn every_field_name_is_known_once() {
        let names = Config::names();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        for api in APIS {
            assert!(!api.modes.is_empty(), "{}", api.id);
            for m in api.modes {
                for f in m.fields {
                    if let Kind::Choice(c) = f.kind {
                        assert_eq!(f.default, c[0].0, "{}.{}", api.id, f.name);
                    }
                    // the same name means the same field everywhere (one kind, one hygiene)
                    for other in APIS.iter().flat_map(|a| a.modes).flat_map(|m| m.fields).filter(|g| g.name == f.name) {
                        assert_eq!((other.kind, other.hygiene, other.is_credential()), (f.kind, f.hygiene, f.is_credential()), "{}", f.name);
                    }
                }
            }
        }
    }
}
