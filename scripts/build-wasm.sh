#!/usr/bin/env bash
# Rebuild pkg/ (the committed WebAssembly core) from src/. Needs: rustup target
# wasm32-unknown-unknown, wasm-pack, and wasm-bindgen-cli of the exact version pinned
# in Cargo.toml / Cargo.lock on PATH (.ci/run installs all three). Deterministic: the
# same sources give the same bytes, so CI can rebuild and compare with what is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
# wasm-opt is off (Cargo.toml metadata): Debian's v108 breaks the module, and npm binaryen@132's
# -Oz saved less than stripping the name section and slowed the Tedee key (bench/README.md).
# Keep machine-specific paths out of the binary (panic locations of dependencies).
export RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo --remap-path-prefix=$PWD=/src"
wasm-pack build --target nodejs --release --no-pack --out-dir pkg --out-name api_auth_core "$@"
# wasm-pack writes pkg/.gitignore with '*', which makes npm pack drop pkg/ silently.
rm -f pkg/.gitignore pkg/README.md pkg/package.json
# The name section only names functions in stack traces: ~65 KB of the module.
node scripts/strip-wasm-names.js pkg/api_auth_core_bg.wasm
# wasm-bindgen cannot mark a JsValue parameter optional: do it in the declarations, for the
# trailing parameters that accept undefined (src/wasm.rs checks their types itself).
sed -E -i 's/(exchangedToken|ttlSecs|nowSecs|keyMode): ([^,)]*) \| undefined( \| null)?/\1?: \2 | null/g' pkg/api_auth_core.d.ts
ls -l pkg/
