//! The table of docs/CORE_API.md: what each scheme and mode adds to a request, through the
//! public Signer (the wire names are written out here, as the documentation shows them).

use api_auth_core::schemes::{Auth, Config, Placement, Signer};
use api_auth_core::Code;

fn cfg(pairs: &[(&str, &str)]) -> Config {
    let mut c = Config::new();
    for (k, v) in pairs {
        c.set(k, v);
    }
    c
}

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

fn build(c: &[(&str, &str)]) -> Auth {
    Signer::new(&cfg(c)).unwrap().auth(1691058833000.0, None).unwrap()
}

#[test]
fn table_of_core_api_md() {
    let a = build(&[("scheme", "timetagger"), ("token", "tt")]);
    assert_eq!(pairs(&a.headers), [("authtoken", "tt")]);
    let a = build(&[("scheme", "timetagger"), ("mode", "bearer"), ("token", "tt")]);
    assert_eq!(pairs(&a.headers), [("Authorization", "Bearer tt")]);
    let a = build(&[("scheme", "timbr"), ("token", "tk_1")]);
    assert_eq!((pairs(&a.headers), pairs(&a.extra)), (vec![("x-api-key", "tk_1")], vec![("Content-Type", "application/json")]));
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
    let ns = cfg(&[("scheme", "nightscout"), ("mode", "jwt"), ("token", "r-1"), ("baseUrl", "http://ns")]);
    let s = Signer::new(&ns).unwrap();
    assert!(s.needs_exchange());
    assert_eq!(s.auth(0.0, None).unwrap_err().code, Code::NoToken);
    assert_eq!(s.auth(0.0, Some("  ")).unwrap_err().to_string(), "token: no exchanged token yet");
    assert_eq!(pairs(&s.auth(0.0, Some("a.b.c")).unwrap().headers), [("Authorization", "Bearer a.b.c")]);
    let e = s.auth(0.0, Some("a.b\nc")).unwrap_err();
    assert_eq!(e.code, Code::ControlChar);
    let ax = cfg(&[("scheme", "actyx"), ("appId", "com.example.app"), ("displayName", "App"), ("appVersion", "1.0.0"), ("baseUrl", "http://ax")]);
    let s = Signer::new(&ax).unwrap();
    assert_eq!(pairs(&s.auth(0.0, Some("AAAA+/=")).unwrap().headers), [("Authorization", "Bearer AAAA+/=")]);
    let s = Signer::new(&ax.clone().with("placement", "query")).unwrap();
    assert_eq!(pairs(&s.auth(0.0, Some("AAAA+/=")).unwrap().query), [("access_token", "AAAA+/=")]);
    assert_eq!(s.query_names(), ["access_token"]);
    assert!(!Signer::new(&cfg(&[("scheme", "timetagger"), ("token", "t")])).unwrap().needs_exchange());
    // OAuth 2.0: the exchange goes to the token URL, so no base URL is needed
    for mode in ["client-credentials", "refresh-token"] {
        let o = cfg(&[("scheme", "oauth2"), ("mode", mode), ("tokenUrl", "https://as/token"), ("clientId", "c"), ("clientSecret", "s"), ("refreshToken", "r")]);
        let s = Signer::new(&o).unwrap();
        assert!(s.needs_exchange() && s.base_url().is_none());
        assert_eq!(pairs(&s.auth(0.0, Some("at")).unwrap().headers), [("Authorization", "Bearer at")]);
    }
}
#[test]
fn fresh_keys_only_where_a_scheme_makes_them() {
    let s = Signer::new(&cfg(&[("scheme", "timetagger"), ("token", "t")])).unwrap();
    assert_eq!(s.fresh_key(0.0).unwrap_err().code, Code::NotSupported);
    let s = Signer::new(&cfg(&[("scheme", "tedee"), ("token", "BE9xnPnGfVUS")])).unwrap();
    assert_eq!(s.fresh_place(), Some((Placement::Header, "api_token")));
    assert_eq!(s.fresh_key(f64::NAN).unwrap_err().code, Code::BadNumber);
    assert!(s.auth(-1.0, None).unwrap_err().to_string().starts_with("nowMs: "));
}
