#!/usr/bin/env bash
# The main job: installs what is missing, builds the `release` preset and runs
# memconform: the rule coverage table, the conformance corpus replayed against
# the reference (summary, JSON and JUnit reports, throughput), the mutant
# kill table, sqlite3.wasm's allocators under memconform's glue (wasm: targets
# in wabt), the divergence matrix (reference, the example C plugin,
# @sqlite.org/sqlite-wasm 3.54.1-build1 and 3.41.2 through the Node driver,
# Emscripten's dlmalloc and emmalloc and sqlite3.wasm as wasm: targets, with
# the planted bugs), a short fuzz run of every target (10 s each,
# ASan + UBSan) and a tour of the reference.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset release
cmake --build --preset release -j "$(nproc)"
mc=./build/release/bin/memconform
reports=build/release/reports
mkdir -p "$reports"

echo "== memconform rules =="
$mc rules
echo
echo "== memconform coverage (rules x vectors) =="
$mc coverage
echo
echo "== memconform replay --target reference =="
$mc replay --json "$reports/replay-reference.json" --junit "$reports/replay-reference.xml"
$mc replay --repeat 20 | tail -n 1
echo "reports: $reports/replay-reference.json, $reports/replay-reference.xml"
echo
echo "== memconform mutants =="
$mc mutants --json "$reports/mutants.json"
echo
echo "== sqlite3.wasm under memconform's glue (wasm: targets in wabt): its plain allocator (malloc/free) and SQLite's (sqlite3_malloc/sqlite3_free, as upstream's glue calls it), both releases =="
modules=conformance/drivers/node/node_modules
sqlite354="wasm:$modules/@sqlite.org/sqlite-wasm/dist/sqlite3.wasm"
sqlite341="wasm:$modules/sqlite-wasm-3.41.2/sqlite-wasm/jswasm/sqlite3.wasm"
for target in "$sqlite354" "$sqlite341" "$sqlite341?malloc=sqlite3_malloc&free=sqlite3_free"; do
  $mc replay --target "$target" | tail -n 1
done
echo "(3.54.1-build1 with sqlite3_malloc/sqlite3_free, and its expectations file: a column of the matrix below)"
echo
echo "== memconform matrix: rules x implementations =="
node=conformance/drivers/node/driver.mjs
$mc matrix --targets reference,plugin:build/release/lib/libmemconform_example_plugin.so \
  -t "cmd:node $node --release 3.54.1-build1" -t "cmd:node $node --release 3.41.2" \
  -t wasm:build/release/wasm/dlmalloc.wasm -t wasm:build/release/wasm/emmalloc.wasm \
  -t "$sqlite354?malloc=sqlite3_malloc&free=sqlite3_free" \
  -e conformance/expectations/sqlite-wasm-3.54.1-build1.json -e conformance/expectations/sqlite-wasm-3.41.2.json \
  -e conformance/expectations/wasm-sqlite3-3.54.1-build1-sqlite3-malloc.json \
  --mutants --md "$reports/matrix.md" --html "$reports/matrix.html" --json "$reports/matrix.json"
echo
echo "== the Node driver's adapter against the same ops in a plain Node loop, ns per op (conformance/drivers/node/bench.mjs) =="
node conformance/drivers/node/bench.mjs --rounds 1000 --seconds 1
echo
echo "== a short fuzz run: every target 10 s from its seed corpus (scripts/fuzz.sh) =="
bash scripts/fuzz.sh all 10
echo
echo "== memconform demo =="
$mc demo
