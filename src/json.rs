//! JSON comes from the platform, not from a parser of our own: under WebAssembly the core asks
//! JavaScript's `JSON.parse` / `JSON.stringify` (through js-sys, in `wasm.rs`); natively (unit
//! tests, property tests, fuzzing) it uses `serde_json`. Both sides offer the same small [`Value`]:
//! the few reads the schemes need (a member, the first element, a string, a number).

#[cfg(target_arch = "wasm32")]
pub use crate::wasm::json::{object_text, parse, Value};

#[cfg(not(target_arch = "wasm32"))]
pub use native::{object_text, parse, Value};

#[cfg(not(target_arch = "wasm32"))]
mod native {
    /// A parsed JSON value.
    #[derive(Debug, Clone)]
    pub struct Value(serde_json::Value);

    /// `text` parsed, or None when it is not JSON.
    pub fn parse(text: &str) -> Option<Value> {
        serde_json::from_str(text).ok().map(Value)
    }

    /// A JSON object of string members, in the given order.
    pub fn object_text(members: &[(&str, &str)]) -> String {
        let mut m = serde_json::Map::new();
        for (k, v) in members {
            m.insert((*k).to_string(), serde_json::Value::String((*v).to_string()));
        }
        serde_json::Value::Object(m).to_string()
    }

    impl Value {
        /// The member `key` of an object.
        pub fn get(&self, key: &str) -> Option<Value> {
            self.0.as_object()?.get(key).cloned().map(Value)
        }
        /// The first element of an array.
        pub fn first(&self) -> Option<Value> {
            self.0.as_array()?.first().cloned().map(Value)
        }
        pub fn str(&self) -> Option<String> {
            self.0.as_str().map(str::to_string)
        }
        pub fn num(&self) -> Option<f64> {
            self.0.as_f64()
        }
        pub fn is_object(&self) -> bool {
            self.0.is_object()
        }
        pub fn is_array(&self) -> bool {
            self.0.is_array()
        }
        pub fn is_null(&self) -> bool {
            self.0.is_null()
        }
        /// JSON text of the value (for a server's words that are not a string).
        pub fn text(&self) -> String {
            self.0.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_schemes_need() {
        let v = parse(r#"{"token":"t","exp":5,"data":["a"],"o":{"k":1},"n":null}"#).unwrap();
        assert!(v.is_object());
        assert_eq!(v.get("token").unwrap().str().as_deref(), Some("t"));
        assert_eq!(v.get("exp").unwrap().num(), Some(5.0));
        assert_eq!(v.get("data").unwrap().first().unwrap().str().as_deref(), Some("a"));
        assert!(v.get("data").unwrap().is_array());
        assert_eq!(v.get("o").unwrap().text(), r#"{"k":1}"#);
        assert!(v.get("n").unwrap().is_null());
        assert!(v.get("missing").is_none());
        assert!(parse("{").is_none());
        assert_eq!(object_text(&[("b", "1"), ("a", "\"x\"")]), r#"{"a":"\"x\"","b":"1"}"#);
    }
}
