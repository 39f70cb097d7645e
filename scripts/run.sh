#!/usr/bin/env bash
# The main job: installs what is missing, builds the `release` preset and runs
# memconform: the rule coverage table, the conformance corpus replayed against
# the reference (summary, JSON and JUnit reports, throughput), the mutant
# kill table, the divergence matrix (reference, the example C plugin and
# @sqlite.org/sqlite-wasm 3.54.1-build1 and 3.41.2 through the Node driver,
# with the planted bugs), a short fuzz run of every target (10 s each,
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
echo "== memconform matrix: rules x implementations =="
node=conformance/drivers/node/driver.mjs
$mc matrix --targets reference,plugin:build/release/lib/libmemconform_example_plugin.so \
  -t "cmd:node $node --release 3.54.1-build1" -t "cmd:node $node --release 3.41.2" \
  -e conformance/expectations/sqlite-wasm-3.54.1-build1.json -e conformance/expectations/sqlite-wasm-3.41.2.json \
  --mutants --md "$reports/matrix.md" --html "$reports/matrix.html" --json "$reports/matrix.json"
echo
echo "== the Node driver's throughput against the same ops in a plain Node loop (conformance/drivers/node/bench.mjs) =="
node conformance/drivers/node/bench.mjs --seconds 1
echo
echo "== a short fuzz run: every target 10 s from its seed corpus (scripts/fuzz.sh) =="
bash scripts/fuzz.sh all 10
echo
echo "== memconform demo =="
$mc demo
