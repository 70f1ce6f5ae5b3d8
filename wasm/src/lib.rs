//! The WebAssembly module of node-red-contrib-api-auth: api-auth-core with its wasm-bindgen
//! bindings (`api_auth_core::wasm`), linked into a cdylib of its own so the release profile's LTO
//! applies (see Cargo.toml). Nothing is defined here.
pub use api_auth_core::*;
