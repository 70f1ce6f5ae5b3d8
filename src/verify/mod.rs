//! The verify node's side: [`Verifier`] checks a request's credentials with what the scheme's own
//! file says it accepts ([`Verify`], built from the same description as the [`Signer`](crate::schemes::Signer)),
//! and remembers single-use keys in a [`replay`] memory — its own bitmap ([`Verifier::check`]), or
//! an external store that JavaScript keeps (Redis, shared by several Node-RED instances): then the
//! core still decides everything but the last step and asks for the millisecond to be claimed
//! there ([`Verifier::check_claim`], [`Outcome::Claim`]).

pub mod replay;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::schemes::{Auth, Placement};
use crate::{js_uint, Code, Error, Result};
use replay::{Claim, ReplayMemory, MAX_HORIZON_MS};

/// How much longer than the widest window an external claim is kept: the clocks of the instances
/// sharing a store may differ by up to this much (keep them in sync with NTP).
pub const CLAIM_SKEW_MS: u64 = 2_000;

/// Domain separation of [`scope_of`]: no other hash of the secret in this package starts so.
const SCOPE_DOMAIN: &[u8] = b"node-red-contrib-api-auth/replay-scope/v1\0";

/// The name of one secret's single-use space in an external store: the first 16 bytes (32
/// lower-case hex digits) of `SHA-256(SCOPE_DOMAIN + scheme + "\0" + secret)`. It tells nothing
/// of the secret that a key on the wire does not (a key is a SHA-256 of the secret too), and it
/// is the same on every instance that has the same secret, so they share the space.
pub fn scope_of(scheme: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(SCOPE_DOMAIN);
    h.update(scheme.as_bytes());
    h.update([0u8]);
    h.update(secret);
    crate::encode::hex(&h.finalize()[..16])
}

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
    /// The name of its single-use space in an external store ([`scope_of`]), if it has one.
    fn scope(&self) -> Option<&str> {
        None
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

/// The outcome of [`Verifier::check_claim`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Decided: accepted (a credential that is not single-use) or refused.
    Done(Reason),
    /// A valid single-use key, inside the window and above the floor: accepted if and only if
    /// the external store records `ms` as used now and it was not used before (Redis
    /// `SET <prefix><scope>:<ms> 1 NX PX <ttl_ms>`). `ttl_ms` keeps it until no instance can
    /// accept it any more: until `ms` + the widest window + [`CLAIM_SKEW_MS`].
    Claim { ms: u64, ttl_ms: u64 },
}

/// The single-use memory of an external store, seen from the core: the floor and the ceiling
/// are still the local memory's; what lies between is asked for, not marked.
struct External<'a> {
    memory: &'a mut ReplayMemory,
    asked: Option<u64>,
}

impl Claims for External<'_> {
    fn claim(&mut self, ms: u64, now: u64) -> Claim {
        self.memory.advance(now);
        // the same bounds as ReplayMemory::claim
        if !self.memory.remembers(ms) {
            return Claim::Stale;
        }
        self.asked = Some(ms);
        Claim::Fresh
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

    /// The name of its single-use space in an external store, if its keys are single-use.
    pub fn scope(&self) -> Option<&str> {
        self.verify.scope()
    }

    /// Refuse every single-use key older than `now_ms` from now on (the floor never goes down):
    /// called when the connection to an external store is (re)established, since that store may
    /// have lost what was used before.
    pub fn raise_floor(&mut self, now_ms: f64) -> Result<()> {
        let now = js_uint(now_ms, "nowMs")?;
        self.memory.raise_floor(now);
        Ok(())
    }

    /// Check one request as [`check`](Self::check) does, for a verifier whose single-use
    /// milliseconds live in an external store: the core checks everything it knows (the
    /// credential, the window, the floor), and answers [`Outcome::Claim`] instead of marking its
    /// own bitmap. The local bitmap is not used.
    pub fn check_claim(&mut self, headers: &dyn Fn(&str) -> Found, query: &dyn Fn(&str) -> Found, now_ms: f64, window_ms: f64) -> Result<Outcome> {
        let p = Presented { header: headers, query };
        if !self.verify.single_use() {
            return Ok(Outcome::Done(self.verify.check(&p, &mut self.memory, 0, 0)));
        }
        let now = js_uint(now_ms, "nowMs")?;
        let w = window(window_ms)?;
        self.memory.widen(w);
        let mut ext = External { memory: &mut self.memory, asked: None };
        let reason = self.verify.check(&p, &mut ext, now, w);
        Ok(match (reason, ext.asked) {
            (Reason::Ok, Some(ms)) => {
                let until = ms + self.memory.horizon() + CLAIM_SKEW_MS;
                Outcome::Claim { ms, ttl_ms: until.saturating_sub(now).max(1) }
            }
            (r, _) => Outcome::Done(r),
        })
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
