#!/usr/bin/env bash
# Rebuild pkg/ (the committed WebAssembly core) from src/ with wasm-pack (--target nodejs).
# Needs: rustup target wasm32-unknown-unknown, wasm-pack, wasm-bindgen-cli of the exact version
# pinned in Cargo.toml / Cargo.lock on PATH (.ci/run installs both), and `npm ci` (binaryen's
# wasm-opt, pinned in package.json). Deterministic: the same sources give the same bytes, so CI can
# rebuild and compare with what is committed.
#
# wasm-pack builds the wasm/ crate: a cdylib that only links the core. The core itself is an rlib
# (the native tests and the fuzzer link it); were it a cdylib too, cargo would silently drop
# `lto = true` for the module (check: `-C lto` in `cargo build -v` of wasm/).
set -euo pipefail
cd "$(dirname "$0")/.."

WB_WANT=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB_WANT\$"; then
  echo "wasm-bindgen-cli $WB_WANT is needed on PATH (cargo install wasm-bindgen-cli --version $WB_WANT --locked)" >&2
  exit 1
fi
if ! command -v wasm-pack >/dev/null; then
  echo "wasm-pack is needed on PATH (cargo install wasm-pack --version 0.15.1 --locked)" >&2
  exit 1
fi
WASM_OPT=node_modules/.bin/wasm-opt
if [ ! -x "$WASM_OPT" ]; then
  echo "binaryen's wasm-opt is missing: run 'npm ci' first (never Debian's: its v108 breaks the module)" >&2
  exit 1
fi

# Keep machine-specific paths out of the binary (panic locations of dependencies). Under LTO,
# LLVM's default inlining at opt-level 2 makes the module ~50 KB larger for no speed on the Tedee
# key: a lower threshold keeps opt-level 2's speed at a size near "s" (bench/README.md).
export RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo --remap-path-prefix=$PWD=/src -Cllvm-args=-inline-threshold=40"
wasm-pack build wasm --target nodejs --release --no-pack --out-dir ../pkg --out-name api_auth_core "$@" -- --locked
# wasm-pack writes pkg/.gitignore with '*', which makes npm pack drop pkg/ silently.
rm -f pkg/.gitignore pkg/README.md pkg/package.json
# The name section only names functions in stack traces (~40 KB of the module).
node scripts/strip-wasm-names.js pkg/api_auth_core_bg.wasm
# binaryen -Oz after wasm-bindgen: smaller, and measured no slower on the Tedee key (bench/README.md).
# The features it may use are those rustc recorded in the module's target_features section.
"$WASM_OPT" -Oz pkg/api_auth_core_bg.wasm -o pkg/api_auth_core_bg.wasm
# wasm-bindgen cannot mark a JsValue parameter optional: do it in the declarations, for the
# trailing parameters that accept undefined (src/wasm.rs checks their types itself).
sed -E -i 's/(exchangedToken): ([^,)]*) \| undefined( \| null)?/\1?: \2 | null/g' pkg/api_auth_core.d.ts
# The core's table (APIs, modes, fields) as JSON: the config node's file reads it at load, so
# Node-RED's start compiles no WebAssembly (the core loads when a node first needs it).
node -e "process.stdout.write(JSON.stringify(require('./pkg/api_auth_core.js').schemeTable()) + '\\n')" > pkg/scheme-table.json
ls -l pkg/
