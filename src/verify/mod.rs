//! The verify node's side: [`Verifier`] checks a request's credentials with what the scheme's own
//! file says it accepts ([`Verify`], built from the same description as the [`Signer`](crate::schemes::Signer)),
//! and remembers single-use keys in a [`replay`] memory.

pub mod replay;

use subtle::ConstantTimeEq;

use crate::schemes::{Auth, Placement};
use crate::{js_uint, Code, Error, Result};
use replay::{Claim, ReplayMemory, MAX_HORIZON_MS};

/// Equal contents, in time that depends only on the lengths.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// The outcome of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Ok,
    /// No credential in the request.
    Missing,
    /// A credential, but the wrong one.
    Mismatch,
    /// Not the shape the scheme expects (or not a single string).
    BadFormat,
    /// A single-use key outside the window, or older than the replay memory.
    Stale,
    /// A single-use key used before.
    Replay,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Ok => "ok",
            Reason::Missing => "missing",
            Reason::Mismatch => "mismatch",
            Reason::BadFormat => "bad-format",
            Reason::Stale => "stale",
            Reason::Replay => "replay",
        }
    }
}

/// A header or query value as found in a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Absent,
    Text(String),
    /// Present but not a single string (e.g. a repeated query parameter).
    NotText,
}

/// A request's headers (lower-case names) and query parameters (decoded), as lookups.
pub struct Presented<'a> {
    pub header: &'a dyn Fn(&str) -> Found,
    pub query: &'a dyn Fn(&str) -> Found,
}

impl Presented<'_> {
    pub fn at(&self, place: Placement, name: &str) -> Found {
        match place {
            Placement::Header => (self.header)(&name.to_ascii_lowercase()),
            Placement::Query => (self.query)(name),
        }
    }

    /// The first of `places` that is present.
    pub fn first(&self, places: &[(Placement, &str)]) -> Found {
        places.iter().map(|(p, n)| self.at(*p, n)).find(|f| *f != Found::Absent).unwrap_or(Found::Absent)
    }
}

/// A present, non-empty text, or the reason why not.
pub fn text(f: Found) -> std::result::Result<String, Reason> {
    match f {
        Found::Absent => Err(Reason::Missing),
        Found::NotText => Err(Reason::BadFormat),
        Found::Text(s) if s.is_empty() => Err(Reason::Missing),
        Found::Text(s) => Ok(s),
    }
}

/// Where single-use milliseconds are remembered.
pub trait Claims {
    /// Mark `ms` used at `now` unless it was used before or is too old to be remembered.
    fn claim(&mut self, ms: u64, now: u64) -> Claim;
}

impl Claims for ReplayMemory {
    fn claim(&mut self, ms: u64, now: u64) -> Claim {
        ReplayMemory::claim(self, ms, now)
    }
}

/// What a scheme's verify side accepts. Presented values are compared exactly as they arrive.
pub trait Verify {
    /// Check one request at `now` (ms) with a key window of `window` (ms), claiming single-use
    /// keys in `claims`.
    fn check(&self, p: &Presented, claims: &mut dyn Claims, now: u64, window: u64) -> Reason;
    /// Whether it uses the time and the single-use memory.
    fn single_use(&self) -> bool {
        false
    }
}

/// Exactly what a static [`Auth`] sends: every credential header and query parameter, compared
/// in constant time.
pub struct Exact {
    expected: Vec<(Placement, String, String)>,
}

impl Exact {
    pub fn of(auth: &Auth) -> Exact {
        let headers = auth.headers.iter().map(|(n, v)| (Placement::Header, n.to_ascii_lowercase(), v.clone()));
        // the query is kept as it goes on the wire; the request's query arrives decoded
        let query = auth.query.iter().map(|(n, v)| (Placement::Query, crate::encode::decode(n), crate::encode::decode(v)));
        Exact { expected: headers.chain(query).collect() }
    }
}

impl Verify for Exact {
    fn check(&self, p: &Presented, _: &mut dyn Claims, _: u64, _: u64) -> Reason {
        let mut reason = Reason::Ok;
        for (place, name, value) in &self.expected {
            let r = match text(p.at(*place, name)) {
                Ok(v) if same(v.as_bytes(), value.as_bytes()) => Reason::Ok,
                Ok(_) => Reason::Mismatch,
                Err(r) => r,
            };
            if reason == Reason::Ok {
                reason = r;
            }
        }
        reason
    }
}

/// Checks requests with one configuration's verify side; holds its replay memory.
pub struct Verifier {
    verify: Box<dyn Verify>,
    /// Which milliseconds of a single-use key were used (see [`replay`]).
    memory: ReplayMemory,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier").field("size", &self.size()).finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier whose replay memory starts at `created_ms`: it refuses every single-use key
    /// older than that (a new memory cannot know which were used before). It grows to the widest
    /// window asked for (`widen`, or a check's own window).
    pub fn new(verify: Box<dyn Verify>, created_ms: f64) -> Result<Verifier> {
        let created = js_uint(created_ms, "nowMs")?;
        Ok(Verifier { verify, memory: ReplayMemory::new(created, 0) })
    }

    /// The verifier of a configuration (see [`Signer::verifier`](crate::schemes::Signer::verifier)).
    pub fn from_config(cfg: &crate::schemes::Config, created_ms: f64) -> Result<Verifier> {
        crate::schemes::Signer::new(cfg)?.verifier(created_ms)
    }

    /// Single-use keys (used milliseconds) held in the replay memory.
    pub fn size(&self) -> usize {
        self.memory.used()
    }

    /// Bytes held by the replay memory (fixed by the widest window).
    pub fn memory_bytes(&self) -> usize {
        self.memory.bytes()
    }

    /// Serve windows up to `window_ms` (a verify node says so when it starts).
    pub fn widen(&mut self, window_ms: f64) -> Result<()> {
        let w = window(window_ms)?;
        self.memory.widen(w);
        Ok(())
    }

    /// Check one request. `headers` looks up lower-case header names, `query` parameter names.
    /// `now_ms` and `window_ms` are used by single-use keys only.
    pub fn check(&mut self, headers: &dyn Fn(&str) -> Found, query: &dyn Fn(&str) -> Found, now_ms: f64, window_ms: f64) -> Result<Reason> {
        let p = Presented { header: headers, query };
        if !self.verify.single_use() {
            return Ok(self.verify.check(&p, &mut self.memory, 0, 0));
        }
        let now = js_uint(now_ms, "nowMs")?;
        let w = window(window_ms)?;
        self.memory.widen(w);
        self.memory.advance(now);
        Ok(self.verify.check(&p, &mut self.memory, now, w))
    }
}

/// A window from JavaScript: whole milliseconds, at most [`MAX_HORIZON_MS`].
fn window(window_ms: f64) -> Result<u64> {
    let w = js_uint(window_ms, "windowMs")?;
    if w > MAX_HORIZON_MS {
        return Err(Error::new("windowMs", Code::BadNumber, format!("must be at most {MAX_HORIZON_MS} (one hour)")));
    }
    Ok(w)
}

/// What a single-use claim means for a check.
pub fn claimed(c: Claim) -> Reason {
    match c {
        Claim::Fresh => Reason::Ok,
        Claim::Replay => Reason::Replay,
        Claim::Stale => Reason::Stale,
    }
}
