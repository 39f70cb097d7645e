#!/usr/bin/env bash
# Runs .clusterfuzzlite/build.sh as OSS-Fuzz's base-builder would (Docker is
# not available here): exports the OSS-Fuzz variables for an ASan + libFuzzer
# build, then checks that every fuzz target, its dictionary, options and seed
# corpus zip land in $OUT, and that each target runs over its seed corpus.
# Usage: tests/clusterfuzzlite_build_test.sh [SOURCE_DIR]
set -euo pipefail
src=$(cd "${1:-$(dirname "$0")/..}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

export SRC=$tmp/src OUT=$tmp/out WORK=$tmp/work
mkdir -p "$SRC" "$OUT" "$WORK"
ln -s "$src" "$SRC/memconform"
export CC=clang-14 CXX=clang++-14
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
export CXXFLAGS="$CFLAGS"
export LIB_FUZZING_ENGINE="-fsanitize=fuzzer"
export SANITIZER=address FUZZING_ENGINE=libfuzzer ARCHITECTURE=x86_64

bash "$src/.clusterfuzzlite/build.sh" >"$tmp/build.log" 2>&1 || { tail -n 30 "$tmp/build.log"; exit 1; }

failures=0
for t in fuzz_scope_ops fuzz_differential fuzz_resize fuzz_peek_poke fuzz_vector_json; do
  for f in "$t" "$t.dict" "$t.options" "${t}_seed_corpus.zip"; do
    [[ -s $OUT/$f ]] || { echo "FAIL: \$OUT/$f is missing"; failures=$((failures + 1)); }
  done
  mkdir -p "$tmp/seeds/$t"
  unzip -q "$OUT/${t}_seed_corpus.zip" -d "$tmp/seeds/$t"
  seeds=$(ls "$tmp/seeds/$t" | wc -l)
  if ASAN_OPTIONS=malloc_context_size=0 "$OUT/$t" -dict="$OUT/$t.dict" -runs=200 "$tmp/seeds/$t" >"$tmp/$t.log" 2>&1; then
    echo "ok   $t: built, $seeds seeds, ran ($(grep -m1 -oE 'Done [0-9]+ runs' "$tmp/$t.log" || echo done))"
  else
    echo "FAIL $t did not run cleanly over its seed corpus"; tail -n 15 "$tmp/$t.log"; failures=$((failures + 1))
  fi
done
exit $((failures > 0))
