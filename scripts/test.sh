#!/usr/bin/env bash
# The test command: installs what is missing, builds the `asan` preset
# (AddressSanitizer + UBSan), checks the corpus and the rule coverage, replays
# the corpus against the reference (every vector must pass), against
# @sqlite.org/sqlite-wasm through the Node driver (with its expectations) and
# against every planted bug (every one must be caught), against the allocators
# of corpus/wasm in wabt (wasm: targets), runs every test with ctest, then
# every fuzz target for 20 s (no finding allowed), that coverage does not
# depend on the inputs before, fuzz_scope_ops's exec/s
# as one process and one per core, and fuzz_differential against every
# planted bug (each must be found), and each sqlite-wasm release against the
# reference speaking its dialect (no finding in 60 s).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/check_spec.sh

cmake --preset asan
cmake --build --preset asan -j "$(nproc)"
mc=./build/asan/bin/memconform
reports=build/asan/reports
mkdir -p "$reports"

echo "== every rule has a test =="
$mc rules
echo "== the corpus is valid (schema, names, ids, rule IDs) =="
$mc validate
echo "== every rule has vectors =="
$mc coverage
echo "== the reference passes every vector =="
$mc replay --json "$reports/replay-reference.json" --junit "$reports/replay-reference.xml"
echo "== an implementation of another GROW-5 variant passes with its expectations file =="
$mc replay --target mutant:grow-pages-or-zero \
  --expectations conformance/expectations/emscripten-3.1.70-grow.json | tail -n 4
echo "== @sqlite.org/sqlite-wasm through the Node driver passes with its expectations files (both releases) =="
for release in 3.54.1-build1 3.41.2; do
  $mc replay --target "cmd:node conformance/drivers/node/driver.mjs --release $release" \
    --expectations "conformance/expectations/sqlite-wasm-$release.json" \
    --json "$reports/replay-sqlite-wasm-$release.json" --junit "$reports/replay-sqlite-wasm-$release.xml" | tail -n 1
done
echo "== the example C plugin (conformance/plugins/example) passes every vector it runs =="
$mc replay --target plugin:build/asan/lib/libmemconform_example_plugin.so \
  --json "$reports/replay-example-plugin.json" --junit "$reports/replay-example-plugin.xml" | tail -n 1
echo "== wasm: targets (the glue over the allocators of corpus/wasm in wabt: WAT ones, Emscripten's dlmalloc and emmalloc): the correct ones pass every vector they run; the overlapping one is caught by SAFE-1 =="
for module in freelist bump dlmalloc emmalloc; do
  $mc replay --target "wasm:build/asan/wasm/$module.wasm" \
    --json "$reports/replay-wasm-$module.json" --junit "$reports/replay-wasm-$module.xml" | tail -n 1
done
echo "== sqlite3.wasm of @sqlite.org/sqlite-wasm 3.54.1-build1 under memconform's glue, its allocator as upstream's glue names it, passes with its expectations file =="
sqlite3_wasm=conformance/drivers/node/node_modules/@sqlite.org/sqlite-wasm/dist/sqlite3.wasm
$mc replay --target "wasm:$sqlite3_wasm?malloc=sqlite3_malloc&free=sqlite3_free" \
  --expectations conformance/expectations/wasm-sqlite3-3.54.1-build1-sqlite3-malloc.json \
  --json "$reports/replay-wasm-sqlite3-3.54.1-build1.json" --junit "$reports/replay-wasm-sqlite3-3.54.1-build1.xml" | tail -n 1
if $mc replay --target wasm:build/asan/wasm/overlap.wasm -f 'safety/*' >"$reports/replay-wasm-overlap.txt"; then
  echo "the overlapping allocator (corpus/wasm/overlap.wat) passed"; exit 1
fi
grep -E '^FAIL .*\[SAFE-1\]' "$reports/replay-wasm-overlap.txt" | cut -c 1-160
echo "== every planted bug is caught =="
$mc mutants --json "$reports/mutants.json"
echo "== unit tests under ASan + UBSan =="
ctest --preset asan
echo "== every fuzz target, 20 s from its seed corpus under ASan + UBSan, finds nothing =="
bash scripts/fuzz.sh all 20
echo "== fuzz_wasm finds the overlapping allocator (corpus/wasm/overlap.wat) by SAFE-1 within 60 s =="
if MEMCONFORM_SKIP_BUILD=1 bash scripts/fuzz.sh wasm build/fuzz/wasm/overlap.wasm 60 | tee "$reports/fuzz-wasm-overlap.txt"; then
  echo "fuzz_wasm did not find the overlapping allocator in 60 s"; exit 1
fi
grep -q 'signature: .*/SAFE-1$' "$reports/fuzz-wasm-overlap.txt"
echo "== an input's fuzz coverage does not depend on the inputs run before it =="
build/fuzz/bin/coverage_determinism corpus/fuzz_scope_ops corpus/fuzz_differential
echo "== fuzz_scope_ops exec/s as one process and as one per core, against fuzz_empty (scripts/fuzz.sh throughput) =="
MEMCONFORM_SKIP_BUILD=1 bash scripts/fuzz.sh throughput 20
echo "== scripts/bench.sh, short: memconform against its bare baselines, and each fuzz target's peak RSS =="
MEMCONFORM_BENCH_MIN_TIME=0.05 bash scripts/bench.sh 5 | tail -n 30
echo "== fuzz_differential finds every planted bug (at most 60 s each) =="
bash scripts/fuzz.sh mutants 60
echo "== fuzz_differential: the example C plugin agrees with the reference for 20 s (also built with fewer capabilities), and its planted CALL-1 bug is found =="
MEMCONFORM_SKIP_BUILD=1 bash scripts/fuzz.sh plugin build/fuzz/lib/libmemconform_example_plugin.so 20
MEMCONFORM_SKIP_BUILD=1 bash scripts/fuzz.sh plugin build/fuzz/lib/libmemconform_example_plugin_fixed_build.so 20
if MEMCONFORM_SKIP_BUILD=1 bash scripts/fuzz.sh plugin build/fuzz/lib/libmemconform_example_plugin_pops_top.so 60; then
  echo "the planted bug of libmemconform_example_plugin_pops_top.so survived 60 s"; exit 1
fi
echo "== a fuzz_differential run whose target refuses every setup compares nothing, and fails =="
if MEMCONFORM_SKIP_BUILD=1 bash scripts/fuzz.sh plugin build/fuzz/lib/libbroken_plugin_create_refuses.so 5 | tee "$reports/refuses.txt"; then
  echo "a run that compared nothing passed"; exit 1
fi
grep -qE 'skipped ([0-9]+) of \1 inputs; the last: the plugin cannot create this setup: this plugin refuses every setup' "$reports/refuses.txt"
echo "== fuzz_differential goes on past a finding its expectations file lists as known (a planted CALL-1 bug) =="
printf '%s\n' '{"schema": "memconform-expectations/1", "fuzz": {"call/CALL-1": "planted: the call pops the top scope"}}' >"$reports/known-call-pops-top.json"
MEMCONFORM_SKIP_BUILD=1 MEMCONFORM_FROM_CRASH=0 MEMCONFORM_TARGET=mutant:call-pops-top MEMCONFORM_EXPECTATIONS="$reports/known-call-pops-top.json" \
  bash scripts/fuzz.sh fuzz_differential 10 | tee "$reports/known.txt"
grep -qE '^      call/CALL-1: [1-9][0-9]* inputs' "$reports/known.txt"
echo "== fuzz_differential: each @sqlite.org/sqlite-wasm release against the reference in its dialect, 60 s, no finding =="
for release in 3.54.1-build1 3.41.2; do
  MEMCONFORM_SKIP_BUILD=1 bash scripts/fuzz.sh release "$release" 60
done
echo "== time to find each mutant over 3 libFuzzer seeds (scripts/fuzz.sh time-to-find) =="
MEMCONFORM_SKIP_BUILD=1 bash scripts/fuzz.sh time-to-find 3 60
echo "== .clusterfuzzlite/build.sh builds every target the OSS-Fuzz way, with its corpus zip, and each runs =="
bash tests/clusterfuzzlite_build_test.sh
