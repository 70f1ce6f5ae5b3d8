#![allow(non_snake_case)]
//! The JavaScript face (see docs/CORE_API.md). The only file that knows wasm-bindgen: it converts
//! arguments and results, turns [`crate::Error`] into a thrown JS `Error` carrying `field` and
//! `code`, and lends JavaScript's `JSON.parse` / `JSON.stringify` to [`crate::json`]. No logic here.

use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::prelude::*;

use crate::schemes::{self, Auth, Check, Config, Kind, Placement, Retry, Target};
use crate::verify::{self, Found};
use crate::{secret, Code, Error};

type JsResult<T> = Result<T, JsValue>;

/// A thrown `Error` whose message is `"<field>: <text>"`, with `field` and `code` properties.
impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        let err = js_sys::Error::new(&e.to_string());
        let o: &Obj = err.unchecked_ref();
        o.set_str("field", &e.field);
        o.set_str("code", e.code.as_str());
        err.into()
    }
}

// Plain objects filled with `obj[key] = value` directly: measured faster than `Reflect.set`
// (which goes through a try/catch wrapper) and than serde-wasm-bindgen.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Object)]
    type Obj;
    #[wasm_bindgen(constructor, js_class = "Object")]
    fn new() -> Obj;
    #[wasm_bindgen(method, indexing_setter)]
    fn set_str(this: &Obj, key: &str, value: &str);
    #[wasm_bindgen(method, indexing_setter)]
    fn set_num(this: &Obj, key: &str, value: f64);
    #[wasm_bindgen(method, indexing_setter)]
    fn set_bool(this: &Obj, key: &str, value: bool);
    #[wasm_bindgen(method, indexing_setter)]
    fn set_val(this: &Obj, key: &str, value: &JsValue);
}

/// JSON for [`crate::json`]: JavaScript's own parser and writer.
pub(crate) mod json {
    use super::*;

    /// A value `JSON.parse` made.
    #[derive(Debug, Clone)]
    pub struct Value(JsValue);

    pub fn parse(text: &str) -> Option<Value> {
        JSON::parse(text).ok().map(Value)
    }

    pub fn object_text(members: &[(&str, &str)]) -> String {
        let o = Obj::new();
        for (k, v) in members {
            o.set_str(k, v);
        }
        JSON::stringify(&o).ok().and_then(|s| s.as_string()).unwrap_or_default()
    }

    impl Value {
        pub fn get(&self, key: &str) -> Option<Value> {
            if !self.is_object() {
                return None;
            }
            let v = Reflect::get(&self.0, &JsValue::from_str(key)).ok()?;
            (!v.is_undefined()).then_some(Value(v))
        }
        pub fn first(&self) -> Option<Value> {
            let a: &Array = self.0.dyn_ref()?;
            (a.length() > 0).then(|| Value(a.get(0)))
        }
        pub fn str(&self) -> Option<String> {
            self.0.as_string()
        }
        pub fn num(&self) -> Option<f64> {
            self.0.as_f64()
        }
        pub fn is_object(&self) -> bool {
            self.0.is_object() && !Array::is_array(&self.0)
        }
        pub fn is_array(&self) -> bool {
            Array::is_array(&self.0)
        }
        pub fn is_null(&self) -> bool {
            self.0.is_null()
        }
        pub fn text(&self) -> String {
            JSON::stringify(&self.0).ok().and_then(|s| s.as_string()).unwrap_or_default()
        }
    }
}

/// A required string argument.
fn string(v: &JsValue, field: &str) -> Result<String, Error> {
    match v.as_string() {
        Some(s) => Ok(s),
        None if v.is_undefined() || v.is_null() => Err(Error::required(field)),
        None => Err(Error::new(field, Code::BadType, "must be a string")),
    }
}

/// An optional string argument (undefined / null → None).
fn opt_string(v: &JsValue, field: &str) -> Result<Option<String>, Error> {
    if v.is_undefined() || v.is_null() {
        Ok(None)
    } else {
        string(v, field).map(Some)
    }
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn require_object(v: &JsValue, field: &str) -> Result<(), Error> {
    if v.is_object() {
        Ok(())
    } else {
        Err(Error::new(field, Code::BadType, "must be an object"))
    }
}

/// The configuration object: every name the table knows, as strings (absent, undefined or null
/// → not given).
fn read_config(v: &JsValue) -> Result<Config, Error> {
    require_object(v, "config")?;
    let mut c = Config::new();
    for name in Config::names() {
        if let Some(s) = opt_string(&get(v, name), name)? {
            c.set(name, &s);
        }
    }
    Ok(c)
}

fn pairs_to(o: &Obj, pairs: &[(String, String)]) {
    for (k, v) in pairs {
        o.set_str(k, v);
    }
}

/// `{ headers, query, extra }`.
fn auth_to_js(a: &Auth) -> JsValue {
    let (headers, query, extra) = (Obj::new(), Obj::new(), Obj::new());
    pairs_to(&headers, &a.headers);
    pairs_to(&query, &a.query);
    pairs_to(&extra, &a.extra);
    let o = Obj::new();
    o.set_val("headers", &headers);
    o.set_val("query", &query);
    o.set_val("extra", &extra);
    o.into()
}

fn strings(list: &[String]) -> JsValue {
    list.iter().map(|s| JsValue::from_str(s)).collect::<Array>().into()
}

fn placement(p: Placement) -> &'static str {
    match p {
        Placement::Header => "header",
        Placement::Query => "query",
    }
}

/// `schemeTable()`: every API, its modes and their fields, for the editor and the config node.
#[wasm_bindgen(js_name = schemeTable)]
pub fn scheme_table() -> JsValue {
    let apis = Array::new();
    for api in schemes::table() {
        let a = Obj::new();
        a.set_str("id", api.id);
        a.set_str("label", api.label);
        a.set_str("baseUrl", api.base_url);
        let modes = Array::new();
        let fields = Obj::new();
        for m in api.modes {
            let mo = Obj::new();
            mo.set_str("id", m.id);
            mo.set_str("label", m.label);
            mo.set_bool("exchange", m.exchange);
            mo.set_bool("needsBaseUrl", m.needs_base_url());
            mo.set_val("fields", &m.fields.iter().map(|f| JsValue::from_str(f.name)).collect::<Array>());
            modes.push(&mo);
            for f in m.fields {
                let fo = Obj::new();
                fo.set_str("label", f.label);
                let kind = match f.kind {
                    Kind::Secret => "secret",
                    Kind::Name => "name",
                    Kind::Text => "text",
                    Kind::Choice(choices) => {
                        let list = Array::new();
                        for (v, l) in choices {
                            list.push(&Array::of2(&JsValue::from_str(v), &JsValue::from_str(l)));
                        }
                        fo.set_val("choices", &list);
                        "choice"
                    }
                };
                fo.set_str("kind", kind);
                fo.set_bool("credential", f.is_credential());
                fo.set_bool("required", f.required);
                fo.set_str("default", f.default);
                fo.set_str("placeholder", f.placeholder);
                fo.set_str("pattern", f.pattern);
                fo.set_str("tip", f.tip);
                fo.set_bool("exchangeUrl", f.exchange_url);
                if !f.when.0.is_empty() {
                    fo.set_val("when", &Array::of2(&JsValue::from_str(f.when.0), &JsValue::from_str(f.when.1)));
                }
                fields.set_val(f.name, &fo);
            }
        }
        a.set_val("modes", &modes);
        a.set_val("fields", &fields);
        apis.push(&a);
    }
    apis.into()
}

/// A checked configuration of one API: what the auth node signs with. Its secrets stay inside the module.
#[wasm_bindgen(js_name = Signer)]
pub struct JsSigner {
    inner: schemes::Signer,
}

#[wasm_bindgen(js_class = Signer)]
impl JsSigner {
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "object")] config: JsValue) -> JsResult<JsSigner> {
        Ok(JsSigner { inner: schemes::Signer::new(&read_config(&config)?)? })
    }

    #[wasm_bindgen(getter)]
    pub fn scheme(&self) -> String {
        self.inner.scheme().to_string()
    }

    #[wasm_bindgen(getter)]
    pub fn mode(&self) -> String {
        self.inner.mode().to_string()
    }

    /// `'static' | 'fresh' | 'exchange'`: how requests are signed.
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        if self.inner.needs_exchange() {
            "exchange"
        } else if self.inner.fresh_place().is_some() {
            "fresh"
        } else {
            "static"
        }
        .to_string()
    }

    #[wasm_bindgen(js_name = needsExchange)]
    pub fn needs_exchange(&self) -> bool {
        self.inner.needs_exchange()
    }

    pub fn warnings(&self) -> Vec<String> {
        self.inner.warnings().to_vec()
    }

    /// What is as good as the secret, besides the configured values: masked wherever it appears.
    pub fn derived(&self) -> Vec<String> {
        self.inner.derived().to_vec()
    }

    #[wasm_bindgen(js_name = headerNames)]
    pub fn header_names(&self) -> Vec<String> {
        self.inner.header_names()
    }

    #[wasm_bindgen(js_name = queryNames)]
    pub fn query_names(&self) -> Vec<String> {
        self.inner.query_names()
    }

    /// `{ headers, query, extra }` of a static scheme (build them once, reuse them), else null.
    #[wasm_bindgen(js_name = staticAuth, unchecked_return_type = "{ headers: Record<string, string>; query: Record<string, string>; extra: Record<string, string> } | null")]
    pub fn static_auth(&self) -> JsValue {
        self.inner.static_auth().map(auth_to_js).unwrap_or(JsValue::NULL)
    }

    /// `{ placement: 'header' | 'query', name }` of a scheme with a fresh key per request, else null.
    #[wasm_bindgen(js_name = freshPlace, unchecked_return_type = "{ placement: 'header' | 'query'; name: string } | null")]
    pub fn fresh_place(&self) -> JsValue {
        match self.inner.fresh_place() {
            Some((p, n)) => {
                let o = Obj::new();
                o.set_str("placement", placement(p));
                o.set_str("name", n);
                o.into()
            }
            None => JsValue::NULL,
        }
    }

    /// The fresh key for `nowMs` (one boundary crossing per request). The key is ASCII: it is
    /// handed over as latin1 from the core's key buffer, without a UTF-8 decode ([`key_out`]).
    #[wasm_bindgen(js_name = freshKey, unchecked_return_type = "string")]
    pub fn fresh_key(&self, nowMs: f64) -> JsResult<JsValue> {
        let k = self.inner.fresh_key(nowMs)?;
        Ok(key_out::latin1(k.as_bytes()))
    }

    /// The fresh key for `nowMs` written into the core's key buffer (`keyBuffer()`); returns its
    /// length, or 0 when there is none (then `freshKey(nowMs)` throws the reason). For
    /// `nodes/lib/fresh-key.js`, which reads it as latin1 with no call back into JavaScript.
    #[wasm_bindgen(js_name = freshKeyInto)]
    pub fn fresh_key_into(&self, nowMs: f64) -> u32 {
        match self.inner.fresh_key(nowMs) {
            Ok(k) => key_out::put(k.as_bytes()) as u32,
            Err(_) => 0,
        }
    }

    /// `{ headers, query, extra }` for an exchanged token (build them once per token).
    #[wasm_bindgen(js_name = tokenAuth, unchecked_return_type = "{ headers: Record<string, string>; query: Record<string, string>; extra: Record<string, string> }")]
    pub fn token_auth(&self, #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue) -> JsResult<JsValue> {
        Ok(auth_to_js(&self.inner.token_auth(&string(&token, "exchangedToken")?)?))
    }

    /// `{ headers, query, extra }` of one request at `nowMs` (any kind).
    #[wasm_bindgen(unchecked_return_type = "{ headers: Record<string, string>; query: Record<string, string>; extra: Record<string, string> }")]
    pub fn build(&self, nowMs: f64, #[wasm_bindgen(unchecked_param_type = "string | undefined | null")] exchangedToken: JsValue) -> JsResult<JsValue> {
        let t = opt_string(&exchangedToken, "exchangedToken")?;
        Ok(auth_to_js(&self.inner.auth(nowMs, t.as_deref())?))
    }

    /// The exchange request: `{ method, path | url, headers, body?, carried }`.
    #[wasm_bindgen(js_name = exchangeRequest, unchecked_return_type = "{ method: string; path?: string; url?: string; headers: Record<string, string>; body?: string; carried: string[] }")]
    pub fn exchange_request(&mut self, nowMs: f64) -> JsResult<JsValue> {
        let r = self.inner.exchange_request(nowMs)?;
        let o = Obj::new();
        o.set_str("method", r.method);
        match &r.target {
            Target::Path(p) => o.set_str("path", p),
            Target::Url(u) => o.set_str("url", u),
        }
        let h = Obj::new();
        pairs_to(&h, &r.headers);
        o.set_val("headers", &h);
        if let Some(b) = &r.body {
            o.set_str("body", b);
        }
        o.set_val("carried", &strings(&r.carried));
        Ok(o.into())
    }

    /// The token in an exchange reply: `{ token, refreshAtMs?, summary, notice? }`; throws the
    /// server's refusal (`code` 'refused' | 'server-error' | 'bad-reply').
    #[wasm_bindgen(js_name = exchangeReply, unchecked_return_type = "{ token: string; refreshAtMs?: number; summary: string; notice?: string; carried: string[] }")]
    pub fn exchange_reply(&mut self, status: f64, #[wasm_bindgen(unchecked_param_type = "string")] body: JsValue, nowMs: f64) -> JsResult<JsValue> {
        let t = self.inner.exchange_reply(status, &string(&body, "body")?, nowMs)?;
        let o = Obj::new();
        o.set_str("token", &t.token);
        if let Some(r) = t.refresh_at_ms {
            o.set_num("refreshAtMs", r as f64);
        }
        o.set_str("summary", &t.summary);
        if let Some(n) = &t.notice {
            o.set_str("notice", n);
        }
        o.set_val("carried", &strings(&t.carried));
        Ok(o.into())
    }

    /// What a 401/403 is worth: `{ fresh: 'token' | 'key' | null, delayMs }`.
    #[wasm_bindgen(unchecked_return_type = "{ fresh: 'token' | 'key' | null; delayMs: number }")]
    pub fn retry(&self) -> JsValue {
        let o = Obj::new();
        let (fresh, delay) = match self.inner.retry() {
            Retry::Never => (JsValue::NULL, 0),
            Retry::FreshToken => (JsValue::from_str("token"), 0),
            Retry::FreshKey { delay_ms } => (JsValue::from_str("key"), delay_ms),
        };
        o.set_val("fresh", &fresh);
        o.set_num("delayMs", delay as f64);
        o.into()
    }

    /// The Test button's check: `{ method, path }` (after the exchange, for exchange modes), or
    /// `{ exchange: true }` when the exchange is the check.
    #[wasm_bindgen(unchecked_return_type = "{ method: string; path: string } | { exchange: true }")]
    pub fn check(&self) -> JsValue {
        let o = Obj::new();
        match self.inner.check() {
            Check::Request { method, path, .. } => {
                o.set_str("method", method);
                o.set_str("path", path);
            }
            Check::Exchange => o.set_bool("exchange", true),
        }
        o.into()
    }

    /// `{ ok, message }` for a check reply.
    #[wasm_bindgen(js_name = checkReply, unchecked_return_type = "{ ok: boolean; message: string }")]
    pub fn check_reply(&self, status: f64, #[wasm_bindgen(unchecked_param_type = "string")] body: JsValue) -> JsResult<JsValue> {
        let r = self.inner.check_reply(status, &string(&body, "body")?)?;
        let o = Obj::new();
        o.set_bool("ok", r.ok);
        o.set_str("message", &r.message);
        Ok(o.into())
    }

    /// The server's own words when it refuses these credentials, with the scheme's hint.
    pub fn refusal(&self, #[wasm_bindgen(unchecked_param_type = "string")] body: JsValue) -> String {
        self.inner.refusal(&body.as_string().unwrap_or_default())
    }
}

/// `serverWords(text)`: the server's own words from a reply body (never throws).
#[wasm_bindgen(js_name = serverWords)]
pub fn server_words(#[wasm_bindgen(unchecked_param_type = "string")] body: JsValue) -> String {
    schemes::server_words(&body.as_string().unwrap_or_default())
}

/// Never throws: anything that is not a string masks to `****`.
#[wasm_bindgen(js_name = maskSecret)]
pub fn mask_secret(#[wasm_bindgen(unchecked_param_type = "string")] s: JsValue) -> String {
    secret::mask_secret(&s.as_string().unwrap_or_default())
}

/// Server-side checks; holds the replay memory.
#[wasm_bindgen(js_name = Verifier)]
pub struct JsVerifier {
    inner: verify::Verifier,
}

/// `ok` and `reason` of a decided check.
fn set_reason(o: &Obj, r: verify::Reason) {
    o.set_bool("ok", r == verify::Reason::Ok);
    o.set_str("reason", r.as_str());
}

fn found(o: &JsValue, name: &str) -> Found {
    if !o.is_object() {
        return Found::Absent;
    }
    let v = get(o, name);
    match v.as_string() {
        Some(s) => Found::Text(s),
        None if v.is_undefined() || v.is_null() => Found::Absent,
        None => Found::NotText,
    }
}

#[wasm_bindgen(js_class = Verifier)]
impl JsVerifier {
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "object")] config: JsValue, nowMs: f64) -> JsResult<JsVerifier> {
        Ok(JsVerifier { inner: verify::Verifier::from_config(&read_config(&config)?, nowMs)? })
    }

    pub fn widen(&mut self, windowMs: f64) -> JsResult<()> {
        Ok(self.inner.widen(windowMs)?)
    }

    #[wasm_bindgen(unchecked_return_type = "{ ok: boolean; reason: 'ok' | 'missing' | 'mismatch' | 'bad-format' | 'stale' | 'replay' }")]
    pub fn check(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string | string[] | undefined>")] headers: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string | string[] | undefined>")] query: JsValue,
        nowMs: f64,
        windowMs: f64,
    ) -> JsResult<JsValue> {
        let h = |n: &str| found(&headers, n);
        let q = |n: &str| found(&query, n);
        let o = Obj::new();
        set_reason(&o, self.inner.check(&h, &q, nowMs, windowMs)?);
        Ok(o.into())
    }

    /// `check` for a replay memory kept outside (Redis): a valid single-use key inside the window
    /// and above the floor answers `{ ok: false, reason: 'claim', ms, ttlMs }` — accepted only if
    /// the store records `ms` now (`SET … NX PX ttlMs`); every other answer is final.
    #[wasm_bindgen(js_name = claimCheck, unchecked_return_type = "{ ok: boolean; reason: 'ok' | 'missing' | 'mismatch' | 'bad-format' | 'stale' | 'replay' | 'claim'; ms?: number; ttlMs?: number }")]
    pub fn claim_check(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string | string[] | undefined>")] headers: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string | string[] | undefined>")] query: JsValue,
        nowMs: f64,
        windowMs: f64,
    ) -> JsResult<JsValue> {
        let h = |n: &str| found(&headers, n);
        let q = |n: &str| found(&query, n);
        let o = Obj::new();
        match self.inner.check_claim(&h, &q, nowMs, windowMs)? {
            verify::Outcome::Done(r) => set_reason(&o, r),
            verify::Outcome::Claim { ms, ttl_ms } => {
                o.set_bool("ok", false);
                o.set_str("reason", "claim");
                o.set_num("ms", ms as f64);
                o.set_num("ttlMs", ttl_ms as f64);
            }
        }
        Ok(o.into())
    }

    /// The name of its single-use space in an external store (32 hex digits, not the secret), or
    /// null when its credentials are not single-use.
    #[wasm_bindgen(getter)]
    pub fn scope(&self) -> Option<String> {
        self.inner.scope().map(str::to_string)
    }

    /// Refuse every single-use key older than `nowMs` from now on (on every (re)connection to the
    /// external store).
    #[wasm_bindgen(js_name = raiseFloor)]
    pub fn raise_floor(&mut self, nowMs: f64) -> JsResult<()> {
        Ok(self.inner.raise_floor(nowMs)?)
    }

    pub fn size(&self) -> f64 {
        self.inner.size() as f64
    }

    #[wasm_bindgen(js_name = memoryBytes)]
    pub fn memory_bytes(&self) -> f64 {
        self.inner.memory_bytes() as f64
    }
}

/// Fresh keys go to JavaScript through one fixed buffer in WASM memory: they are ASCII (hex and
/// digits), so JavaScript can read them as latin1 — a copy, no UTF-8 decode, no allocation on
/// either side. A key is read right after the call that wrote it (JavaScript is single-threaded).
mod key_out {
    use super::*;
    use core::cell::{Cell, UnsafeCell};

    /// Longest key: 64 hex + 16 digits (2^53 - 1). Longer values are never written here.
    pub const CAP: usize = 96;

    struct Buf(UnsafeCell<[u8; CAP]>);
    // SAFETY: wasm32 without threads: only one caller at a time, and no reference escapes.
    unsafe impl Sync for Buf {}
    static BUF: Buf = Buf(UnsafeCell::new([0; CAP]));

    #[wasm_bindgen]
    extern "C" {
        /// A Node.js Buffer (the package targets Node.js only).
        pub type NodeBuffer;
        #[wasm_bindgen(js_namespace = Buffer, js_name = from)]
        fn buffer_from(array_buffer: &JsValue, offset: u32, len: u32) -> NodeBuffer;
        #[wasm_bindgen(method, js_name = latin1Slice)]
        fn latin1_slice(this: &NodeBuffer, start: u32, end: u32) -> JsValue;
    }

    thread_local! {
        /// A Buffer over BUF, and the memory size (pages) it was made for: growing the memory
        /// detaches the old ArrayBuffer, so a new view is made when the size has changed.
        static VIEW: Cell<Option<(usize, NodeBuffer)>> = const { Cell::new(None) };
    }

    /// Where the buffer is in WASM memory.
    pub fn offset() -> u32 {
        BUF.0.get() as u32
    }

    /// Write `key` into the buffer; its length, or 0 when it does not fit or is not ASCII.
    pub fn put(key: &[u8]) -> usize {
        if key.len() > CAP || !key.is_ascii() {
            return 0;
        }
        // SAFETY: single-threaded; the destination is the whole static buffer, which no
        // reference points into.
        unsafe { core::ptr::copy_nonoverlapping(key.as_ptr(), BUF.0.get().cast::<u8>(), key.len()) };
        key.len()
    }

    /// `key` as a JavaScript string (through the buffer when it fits, else decoded as usual).
    pub fn latin1(key: &[u8]) -> JsValue {
        let n = put(key);
        if n == 0 {
            return JsValue::from_str(core::str::from_utf8(key).unwrap_or_default());
        }
        let pages = core::arch::wasm32::memory_size(0);
        // taken out while in use: if JavaScript threw in between, the next call makes a new view
        let view = match VIEW.take() {
            Some((p, v)) if p == pages => v,
            _ => buffer_from(&wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>().buffer(), offset(), CAP as u32),
        };
        let s = view.latin1_slice(0, n as u32);
        VIEW.set(Some((pages, view)));
        s
    }
}

/// `{ memory, offset, length }` of the core's key buffer (see `Signer.freshKeyInto`).
#[wasm_bindgen(js_name = keyBuffer, unchecked_return_type = "{ memory: WebAssembly.Memory; offset: number; length: number }")]
pub fn key_buffer() -> JsValue {
    let o = Obj::new();
    o.set_val("memory", &wasm_bindgen::memory());
    o.set_num("offset", key_out::offset() as f64);
    o.set_num("length", key_out::CAP as f64);
    o.into()
}
