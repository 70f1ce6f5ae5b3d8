#![allow(non_snake_case)]
//! The JavaScript face (see docs/CORE_API.md). The only file that knows wasm-bindgen: it converts
//! arguments and results and turns [`crate::Error`] into a thrown JS `Error`. No logic here.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use crate::schemes::{self, actyx, nightscout, tedee, timbr, Auth, Config};
use crate::verify::{self, Found};
use crate::{fernet_token, jwt, secret, Error};

type JsResult<T> = Result<T, JsError>;

fn js_err(e: Error) -> JsError {
    JsError::new(&e.to_string())
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
    fn set_obj(this: &Obj, key: &str, value: &Obj);
}

fn new_obj() -> Obj {
    Obj::new()
}

/// A required string argument.
fn string(v: &JsValue, field: &str) -> Result<String, Error> {
    match v.as_string() {
        Some(s) => Ok(s),
        None if v.is_undefined() || v.is_null() => Err(Error::new(field, "is required")),
        None => Err(Error::new(field, "must be a string")),
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

/// An optional whole number argument.
fn opt_uint(v: &JsValue, field: &str) -> Result<Option<u64>, Error> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) => crate::js_uint(n, field).map(Some),
        None => Err(Error::new(field, "must be a number")),
    }
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn require_object(v: &JsValue, field: &str) -> Result<(), Error> {
    if v.is_object() {
        Ok(())
    } else {
        Err(Error::new(field, "must be an object"))
    }
}

fn read_config(v: &JsValue) -> Result<Config, Error> {
    require_object(v, "config")?;
    let mut c = Config::default();
    for f in Config::FIELDS {
        c.set(f, opt_string(&get(v, f), f)?);
    }
    Ok(c)
}

fn auth_to_js(a: Auth) -> JsValue {
    let headers = new_obj();
    for (k, v) in a.headers {
        headers.set_str(&k, &v);
    }
    let query = new_obj();
    for (k, v) in a.query {
        query.set_str(&k, &v);
    }
    let o = new_obj();
    o.set_obj("headers", &headers);
    o.set_obj("query", &query);
    o.into()
}


#[wasm_bindgen(js_name = buildAuth, unchecked_return_type = "{ headers: Record<string, string>; query: Record<string, string> }")]
pub fn build_auth(
    #[wasm_bindgen(unchecked_param_type = "object")] config: JsValue,
    nowMs: f64,
    #[wasm_bindgen(unchecked_param_type = "string | undefined | null")] exchangedToken: JsValue,
) -> JsResult<JsValue> {
    let c = read_config(&config).map_err(js_err)?;
    let x = opt_string(&exchangedToken, "exchangedToken").map_err(js_err)?;
    schemes::build_auth(&c, nowMs, x.as_deref()).map(auth_to_js).map_err(js_err)
}

/// The hot path: a checked configuration whose secrets stay inside WASM.
#[wasm_bindgen(js_name = Signer)]
pub struct JsSigner {
    inner: schemes::Signer,
}

#[wasm_bindgen(js_class = Signer)]
impl JsSigner {
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "object")] config: JsValue) -> JsResult<JsSigner> {
        let c = read_config(&config).map_err(js_err)?;
        schemes::Signer::new(&c).map(|inner| JsSigner { inner }).map_err(js_err)
    }

    #[wasm_bindgen(unchecked_return_type = "{ headers: Record<string, string>; query: Record<string, string> }")]
    pub fn build(
        &self,
        nowMs: f64,
        #[wasm_bindgen(unchecked_param_type = "string | undefined | null")] exchangedToken: JsValue,
    ) -> JsResult<JsValue> {
        let x = opt_string(&exchangedToken, "exchangedToken").map_err(js_err)?;
        self.inner.build(nowMs, x.as_deref()).map(auth_to_js).map_err(js_err)
    }

    #[wasm_bindgen(js_name = tedeeKey)]
    pub fn tedee_key(&self, nowMs: f64) -> JsResult<String> {
        self.inner.tedee_key(nowMs).map_err(js_err)
    }

    #[wasm_bindgen(js_name = queryNames)]
    pub fn query_names(&self) -> Vec<String> {
        self.inner.query_names()
    }

    #[wasm_bindgen(js_name = needsExchange)]
    pub fn needs_exchange(&self) -> bool {
        self.inner.needs_exchange()
    }

    pub fn warnings(&self) -> Vec<String> {
        self.inner.warnings().to_vec()
    }
}

#[wasm_bindgen(js_name = cleanSecret, unchecked_return_type = "{ value: string; trimmed: boolean }")]
pub fn clean_secret(
    #[wasm_bindgen(unchecked_param_type = "string")] value: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] field: JsValue,
) -> JsResult<JsValue> {
    // The field name comes from the calling code; anything odd becomes "value".
    let field = field
        .as_string()
        .filter(|f| !f.is_empty() && f.len() <= 64 && f.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)))
        .unwrap_or_else(|| "value".to_string());
    let v = string(&value, &field).map_err(js_err)?;
    let c = secret::clean_secret(&v, &field).map_err(js_err)?;
    let o = new_obj();
    o.set_str("value", &c.value);
    o.set_bool("trimmed", c.trimmed);
    Ok(o.into())
}

/// Never throws: anything that is not a string masks to `****`.
#[wasm_bindgen(js_name = maskSecret)]
pub fn mask_secret(#[wasm_bindgen(unchecked_param_type = "string")] s: JsValue) -> String {
    secret::mask_secret(&s.as_string().unwrap_or_default())
}

#[wasm_bindgen(js_name = tedeeApiKey)]
pub fn tedee_api_key(#[wasm_bindgen(unchecked_param_type = "string")] token: JsValue, nowMs: f64) -> JsResult<String> {
    let t = string(&token, "token").map_err(js_err)?;
    tedee::api_key(&t, nowMs).map_err(js_err)
}

#[wasm_bindgen(js_name = nightscoutSecretHash)]
pub fn nightscout_secret_hash(#[wasm_bindgen(unchecked_param_type = "string")] secret: JsValue) -> JsResult<String> {
    let s = string(&secret, "secret").map_err(js_err)?;
    nightscout::secret_hash(&s).map_err(js_err)
}

#[wasm_bindgen(js_name = nightscoutAccessToken)]
pub fn nightscout_access_token(
    #[wasm_bindgen(unchecked_param_type = "string")] secret: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] subjectIdHex: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
) -> JsResult<String> {
    let s = string(&secret, "secret").map_err(js_err)?;
    let id = string(&subjectIdHex, "subjectIdHex").map_err(js_err)?;
    let n = string(&name, "name").map_err(js_err)?;
    nightscout::access_token(&s, &id, &n).map_err(js_err)
}

#[wasm_bindgen(js_name = nightscoutExchangePath)]
pub fn nightscout_exchange_path(#[wasm_bindgen(unchecked_param_type = "string")] accessToken: JsValue) -> JsResult<String> {
    let t = string(&accessToken, "accessToken").map_err(js_err)?;
    nightscout::exchange_path(&t).map_err(js_err)
}

fn expiry_to(o: &Obj, exp: Option<f64>, iat: Option<f64>) {
    if let Some(e) = exp {
        o.set_num("exp", e);
    }
    if let Some(i) = iat {
        o.set_num("iat", i);
    }
}

#[wasm_bindgen(js_name = nightscoutParseJwtReply, unchecked_return_type = "{ token: string; exp?: number; iat?: number }")]
pub fn nightscout_parse_jwt_reply(#[wasm_bindgen(unchecked_param_type = "string")] bodyText: JsValue) -> JsResult<JsValue> {
    let b = string(&bodyText, "body").map_err(js_err)?;
    let r = nightscout::parse_jwt_reply(&b).map_err(js_err)?;
    let o = new_obj();
    o.set_str("token", &r.token);
    expiry_to(&o, r.exp, r.iat);
    Ok(o.into())
}

#[wasm_bindgen(js_name = jwtExpiry, unchecked_return_type = "{ exp?: number; iat?: number }")]
pub fn jwt_expiry(#[wasm_bindgen(unchecked_param_type = "string")] jwt: JsValue) -> JsResult<JsValue> {
    let j = string(&jwt, "jwt").map_err(js_err)?;
    let e = jwt::jwt_expiry(&j, "jwt").map_err(js_err)?;
    let o = new_obj();
    expiry_to(&o, e.exp, e.iat);
    Ok(o.into())
}

#[wasm_bindgen(js_name = fernetEncrypt)]
pub fn fernet_encrypt(
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] plaintext: JsValue,
    nowSecs: f64,
) -> JsResult<String> {
    let k = string(&key, "key").map_err(js_err)?;
    let p = string(&plaintext, "plaintext").map_err(js_err)?;
    let now = crate::js_uint(nowSecs, "nowSecs").map_err(js_err)?;
    fernet_token::encrypt(&k, p.as_bytes(), now).map_err(js_err)
}

#[wasm_bindgen(js_name = fernetDecrypt)]
pub fn fernet_decrypt(
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number | undefined | null")] ttlSecs: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number | undefined | null")] nowSecs: JsValue,
) -> JsResult<String> {
    let k = string(&key, "key").map_err(js_err)?;
    let t = string(&token, "token").map_err(js_err)?;
    let ttl = opt_uint(&ttlSecs, "ttlSecs").map_err(js_err)?;
    let now = opt_uint(&nowSecs, "nowSecs").map_err(js_err)?;
    let bytes = fernet_token::decrypt(&k, &t, ttl, now).map_err(js_err)?;
    String::from_utf8(bytes).map_err(|_| js_err(Error::new("token", "the plaintext is not UTF-8 text")))
}

#[wasm_bindgen(js_name = timbrFernetKey)]
pub fn timbr_fernet_key(
    #[wasm_bindgen(unchecked_param_type = "string")] salt: JsValue,
    #[wasm_bindgen(unchecked_param_type = "'key' | 'md5' | 'sha256' | undefined | null")] keyMode: JsValue,
) -> JsResult<String> {
    let s = string(&salt, "salt").map_err(js_err)?;
    let m = opt_string(&keyMode, "keyMode").map_err(js_err)?;
    timbr::fernet_key(&s, m.as_deref()).map_err(js_err)
}

#[wasm_bindgen(js_name = timbrBearer)]
pub fn timbr_bearer(
    #[wasm_bindgen(unchecked_param_type = "{ username: string; password: string; salt: string; keyMode?: string; plaintextMode?: string }")]
    credentials: JsValue,
    nowSecs: f64,
) -> JsResult<String> {
    require_object(&credentials, "credentials").map_err(js_err)?;
    let field = |f: &str| opt_string(&get(&credentials, f), f).map_err(js_err);
    let (u, p, s) = (field("username")?, field("password")?, field("salt")?);
    let (km, pm) = (field("keyMode")?, field("plaintextMode")?);
    let now = crate::js_uint(nowSecs, "nowSecs").map_err(js_err)?;
    let c = timbr::Credentials {
        username: u.as_deref(),
        password: p.as_deref(),
        salt: s.as_deref(),
        key_mode: km.as_deref(),
        plaintext_mode: pm.as_deref(),
    };
    timbr::bearer(&c, now).map_err(js_err)
}

#[wasm_bindgen(js_name = timbrParseTokenReply)]
pub fn timbr_parse_token_reply(#[wasm_bindgen(unchecked_param_type = "string")] bodyText: JsValue) -> JsResult<String> {
    let b = string(&bodyText, "body").map_err(js_err)?;
    timbr::parse_token_reply(&b).map_err(js_err)
}

#[wasm_bindgen(js_name = actyxValidateManifest)]
pub fn actyx_validate_manifest(
    #[wasm_bindgen(unchecked_param_type = "{ appId: string; displayName: string; version?: string; appVersion?: string; signature?: string }")]
    manifest: JsValue,
) -> JsResult<String> {
    require_object(&manifest, "manifest").map_err(js_err)?;
    let field = |f: &str| opt_string(&get(&manifest, f), f).map_err(js_err);
    let (id, name, sig) = (field("appId")?, field("displayName")?, field("signature")?);
    let (version, version_field) = match field("version")? {
        Some(v) => (Some(v), "version"),
        None => (field("appVersion")?, if get(&manifest, "appVersion").is_undefined() { "version" } else { "appVersion" }),
    };
    let m = actyx::Manifest {
        app_id: id.as_deref(),
        display_name: name.as_deref(),
        version: version.as_deref(),
        signature: sig.as_deref(),
        version_field,
    };
    actyx::validate_manifest(&m).map_err(js_err)
}

fn token_info_to(o: &Obj, i: &actyx::TokenInfo) {
    o.set_num("created", i.created as f64);
    o.set_num("validity", i.validity as f64);
    o.set_num("expiresMs", i.expires_ms as f64);
    o.set_str("appId", &i.app_id);
    o.set_str("appMode", &i.app_mode);
}

#[wasm_bindgen(js_name = actyxParseTokenReply, unchecked_return_type = "{ token: string; created: number; validity: number; expiresMs: number; appId: string; appMode: string }")]
pub fn actyx_parse_token_reply(#[wasm_bindgen(unchecked_param_type = "string")] bodyText: JsValue) -> JsResult<JsValue> {
    let b = string(&bodyText, "body").map_err(js_err)?;
    let (token, info) = actyx::parse_token_reply(&b).map_err(js_err)?;
    let o = new_obj();
    o.set_str("token", &token);
    token_info_to(&o, &info);
    Ok(o.into())
}

#[wasm_bindgen(js_name = actyxTokenInfo, unchecked_return_type = "{ created: number; validity: number; expiresMs: number; appId: string; appMode: string; cycles: number; appVersion: string }")]
pub fn actyx_token_info(#[wasm_bindgen(unchecked_param_type = "string")] token: JsValue) -> JsResult<JsValue> {
    let t = string(&token, "token").map_err(js_err)?;
    let info = actyx::token_info(&t).map_err(js_err)?;
    let o = new_obj();
    token_info_to(&o, &info);
    o.set_num("cycles", info.cycles as f64);
    o.set_str("appVersion", &info.app_version);
    Ok(o.into())
}

#[wasm_bindgen(js_name = constantTimeEq)]
pub fn constant_time_eq(
    #[wasm_bindgen(unchecked_param_type = "string")] a: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] b: JsValue,
) -> JsResult<bool> {
    let a = string(&a, "a").map_err(js_err)?;
    let b = string(&b, "b").map_err(js_err)?;
    Ok(verify::constant_time_eq(a.as_bytes(), b.as_bytes()))
}

#[wasm_bindgen(js_name = verifyApiSecret)]
pub fn verify_api_secret(
    #[wasm_bindgen(unchecked_param_type = "string")] secret: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] presented: JsValue,
) -> JsResult<bool> {
    let s = string(&secret, "secret").map_err(js_err)?;
    let p = opt_string(&presented, "presented").map_err(js_err)?.unwrap_or_default();
    verify::verify_api_secret(&s, &p).map_err(js_err)
}

/// Server-side checks; holds the Tedee replay memory.
#[wasm_bindgen(js_name = Verifier)]
pub struct JsVerifier {
    inner: verify::Verifier,
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
        let c = read_config(&config).map_err(js_err)?;
        verify::Verifier::new(&c, nowMs).map(|inner| JsVerifier { inner }).map_err(js_err)
    }

    pub fn widen(&mut self, windowMs: f64) -> JsResult<()> {
        self.inner.widen(windowMs).map_err(js_err)
    }

    #[wasm_bindgen(js_name = memoryBytes)]
    pub fn memory_bytes(&self) -> f64 {
        self.inner.memory_bytes() as f64
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
        let r = self.inner.check(&h, &q, nowMs, windowMs).map_err(js_err)?;
        let o = new_obj();
        o.set_bool("ok", r == verify::Reason::Ok);
        o.set_str("reason", r.as_str());
        Ok(o.into())
    }

    pub fn size(&self) -> f64 {
        self.inner.size() as f64
    }
}

