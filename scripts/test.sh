#!/usr/bin/env bash
# The test command: installs what is missing, builds the `asan` preset
# (AddressSanitizer + UBSan) and runs every gate of CI as ctest tests:
# `ctest --preset asan -L gate` (tests/gates.cmake, scripts/gate.sh). The
# gates, in order: the documents keep every rule of the shared spec and link
# only to what exists; every rule has a test and vectors; the corpus is
# valid; the reference passes every vector; @sqlite.org/sqlite-wasm through
# the Node driver, the example C plugin, the allocators of corpus/wasm and
# sqlite3.wasm in wabt pass with their expectations, and an overlapping
# allocator is caught; every planted bug is caught; the unit tests (label
# `unit`); every fuzz target for 20 s finds nothing; fuzz_wasm finds the
# overlapping allocator; coverage does not depend on the inputs before;
# fuzz_differential finds every planted bug, agrees with the example plugin,
# finds its planted CALL-1 bug, fails a run that compared nothing, goes on
# past a known finding, and finds nothing in 60 s against each sqlite-wasm
# release in its dialect; the ClusterFuzzLite build; and the campaigns
# (label `campaign`): exec/s against fuzz_empty and the stand-in,
# scripts/bench.sh short, and the time to find each planted bug.
# A failing gate prints its output; the campaigns' tables are printed after.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset asan
cmake --build --preset asan -j "$(nproc)"
status=0
ctest --preset asan -L gate || status=$?
for campaign in $(bash scripts/gate.sh --list | awk '$3 == "campaign" {print $1}'); do
  log=build/asan/reports/gate-$campaign.log
  [[ -f $log ]] && { echo "== campaign $campaign ($log) =="; cat "$log"; }
done
exit "$status"
