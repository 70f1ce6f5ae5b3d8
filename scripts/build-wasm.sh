#!/usr/bin/env bash
# Rebuild pkg/ (the committed WebAssembly core) from src/. Needs: rustup target
# wasm32-unknown-unknown, wasm-bindgen-cli of the exact version pinned in Cargo.toml / Cargo.lock
# on PATH (.ci/run installs it), and `npm ci` (binaryen's wasm-opt, pinned in package.json).
# Deterministic: the same sources give the same bytes, so CI can rebuild and compare with what is
# committed.
#
# Why not `wasm-pack build`: the crate is both a cdylib (this module) and an rlib (the native
# tests and the fuzzer link it), and cargo silently drops `lto = true` for a cdylib built next to
# an rlib. `cargo rustc --crate-type cdylib` builds the cdylib alone, so LTO really runs (check:
# `-C lto` in `cargo rustc … -v`); wasm-bindgen then does what wasm-pack would (--target nodejs).
set -euo pipefail
cd "$(dirname "$0")/.."

WB_WANT=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB_WANT\$"; then
  echo "wasm-bindgen-cli $WB_WANT is needed on PATH (cargo install wasm-bindgen-cli --version $WB_WANT --locked)" >&2
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
cargo rustc --lib --crate-type cdylib --release --locked --target wasm32-unknown-unknown "$@"
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | node -e "process.stdout.write(JSON.parse(require('fs').readFileSync(0, 'utf8')).target_directory)")

mkdir -p pkg
rm -f pkg/api_auth_core*
wasm-bindgen "$TARGET_DIR/wasm32-unknown-unknown/release/api_auth_core.wasm" \
  --out-dir pkg --out-name api_auth_core --target nodejs --typescript
# The name section only names functions in stack traces (~40 KB of the module).
node scripts/strip-wasm-names.js pkg/api_auth_core_bg.wasm
# binaryen -Oz after wasm-bindgen: smaller, and measured no slower on the Tedee key (bench/README.md).
# The features it may use are those rustc recorded in the module's target_features section.
"$WASM_OPT" -Oz pkg/api_auth_core_bg.wasm -o pkg/api_auth_core_bg.wasm
# wasm-bindgen cannot mark a JsValue parameter optional: do it in the declarations, for the
# trailing parameters that accept undefined (src/wasm.rs checks their types itself).
sed -E -i 's/(exchangedToken|ttlSecs|nowSecs|keyMode): ([^,)]*) \| undefined( \| null)?/\1?: \2 | null/g' pkg/api_auth_core.d.ts
ls -l pkg/
