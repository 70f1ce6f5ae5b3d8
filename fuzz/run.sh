#!/usr/bin/env bash
# Bounded fuzz pass over every parser and builder of the Rust core (CI calls this).
#
#   bash fuzz/run.sh            # build, replay the kept crash inputs, fuzz each target FUZZ_SECONDS
#   FUZZ_SECONDS=300 bash fuzz/run.sh signer     # one target, longer
#
# Needs cargo-fuzz (installed here if missing) and a C++ compiler for libFuzzer. cargo-fuzz wants
# nightly flags (-Z sanitizer); on a stable toolchain RUSTC_BOOTSTRAP=1 unlocks them.
# Every input that once crashed a target lives in test/regressions/fuzz/<target>/ and is replayed
# first; a NEW crash is copied there (commit it) and the script fails.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1
SECONDS_PER_TARGET="${FUZZ_SECONDS:-25}"
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then TARGETS=(reply_parsers fernet signer verifier); fi
REG=../test/regressions/fuzz

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --version 0.13.2 --locked
fi

echo "== build (${TARGETS[*]})"

for t in "${TARGETS[@]}"; do nice cargo fuzz build -O "$t" >/dev/null; done

status=0
for t in "${TARGETS[@]}"; do
  # 1. regressions: every kept input must run clean
  if [ -d "$REG/$t" ] && [ -n "$(ls -A "$REG/$t" 2>/dev/null)" ]; then
    echo "== $t: replaying $(ls "$REG/$t" | wc -l) regression input(s)"
    if ! cargo fuzz run -O "$t" "$REG/$t"/* -- -runs=1 >"/tmp/fuzz-$t-reg.log" 2>&1; then
      grep -E "panicked|ERROR" -A2 "/tmp/fuzz-$t-reg.log" | head -20
      echo "!! $t: a regression input crashes again" >&2
      status=1
      continue
    fi
  fi
  # 2. a bounded fuzz run, seeded with the regression inputs and the seed corpus
  corpus="corpus/$t"
  mkdir -p "$corpus"
  [ -d "seeds/$t" ] && cp -n seeds/$t/* "$corpus/" 2>/dev/null || true
  [ -d "$REG/$t" ] && cp -n "$REG/$t"/* "$corpus/" 2>/dev/null || true
  echo "== $t: fuzzing ${SECONDS_PER_TARGET} s"
  if cargo fuzz run -O "$t" "$corpus" -- -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -timeout=10 -rss_limit_mb=2048 >"/tmp/fuzz-$t.log" 2>&1; then
    grep -E "^Done|DONE" "/tmp/fuzz-$t.log" | tail -1
  else
    grep -E "panicked|ERROR|SUMMARY" -A2 "/tmp/fuzz-$t.log" | head -20
    mkdir -p "$REG/$t"
    for a in artifacts/"$t"/*; do
      [ -f "$a" ] || continue
      cp "$a" "$REG/$t/"
      echo "!! $t: crash input kept as test/regressions/fuzz/$t/$(basename "$a") — commit it and fix the core" >&2
    done
    status=1
  fi
done
exit $status
