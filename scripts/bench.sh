#!/usr/bin/env bash
# Performance, side by side (docs/PERFORMANCE.md): one table of what
# memconform does against a bare baseline doing the same work, measured in
# one run (the machines are noisy: the ratios are what compare), then every
# fuzz target's exec/s and peak resident memory.
#
#   scripts/bench.sh [SECONDS]   SECONDS per fuzz target (default 60)
#
# Environment: MEMCONFORM_SKIP_BUILD=1 (use the builds there are),
# MEMCONFORM_BENCH_MIN_TIME=S and MEMCONFORM_BENCH_REPETITIONS=N (see below).
#
# Rows (bench/*.cpp, release preset; ns per op or per pair):
#   a round of 8 glue ops at 10^3 and 10^6 ops: the reference (core) and the
#     executor with the invariant checker, against std::vector + malloc
#     doing the same bookkeeping; 10^6 against 10^3 ops (does a long vector
#     cost more per op?); the example C plugin through the executor against
#     its own functions called directly
#   sqlite3_malloc + sqlite3_free of sqlite3.wasm in wabt: through the wasm:
#     target against WasmModule::call and a bare wabt loop
#   the round at 10^3 and 10^5 ops through the Node driver over
#     @sqlite.org/sqlite-wasm 3.54.1-build1 (executor, checker, JSON lines
#     over a pipe op by op, the driver's adapter and access check) against
#     the release's helpers called in a plain Node loop
#     (conformance/drivers/node/bench.mjs --rounds), and the driver's
#     adapter in process against the same loop; skipped, and said so,
#     without the driver's node_modules (scripts/setup.sh installs them);
#     and the driver's op against a line's round trip over pipes to another
#     process (bench/pipe_bench.cpp), the floor that moves with the machine
#   fuzz_scope_ops against the stand-in (bench/fuzz_standin.cpp), and
#     fuzz_differential (reference against itself) against fuzz_scope_ops,
#     in exec/s (fuzz preset: libFuzzer, ASan + UBSan); the latter again on
#     the same inputs (the corpus fuzz_scope_ops grew, and the committed
#     seed corpus, the same in every run), without libFuzzer;
#     and one of those inputs decoded and run in the release preset against
#     one execution of the stand-in under the fuzz preset (the floor)
# A benchmark's figure is the median of its repetitions; "spread" is the
# largest coefficient of variation of a row's benchmarks (how far to trust
# the ratio; "-" for rows not of Google Benchmark's repetitions).
# Writes build/bench/benchmarks.csv and build/bench/table.txt. Exit 1 if a
# benchmark fails (a round that fails on its target) or a fuzz run finds
# something.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
out=build/bench
mkdir -p "$out"

if [[ ${MEMCONFORM_SKIP_BUILD:-0} != 1 ]]; then
  cmake --preset release >/dev/null
  cmake --build --preset release -j "$(nproc)" --target memconform_bench >/dev/null
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$(nproc)" >/dev/null
fi
# MEMCONFORM_BENCH_MIN_TIME=S: each repetition of a benchmark at least S
# seconds (Google Benchmark's default is 0.5); CI runs the script short, to
# keep it working. Each benchmark runs MEMCONFORM_BENCH_REPETITIONS times
# (default 5), the repetitions of all of one run's benchmarks in a random
# order, and the table takes each one's median: on a noisy machine a
# benchmark measured in one slow stretch made a target cheaper than its own
# bare baseline (wasm: target / WasmModule::call 0.61 in one run).
benchmark_flags=(--benchmark_repetitions="${MEMCONFORM_BENCH_REPETITIONS:-5}" --benchmark_enable_random_interleaving=true
  --benchmark_report_aggregates_only=true)
[[ -z ${MEMCONFORM_BENCH_MIN_TIME:-} ]] || benchmark_flags+=(--benchmark_min_time="$MEMCONFORM_BENCH_MIN_TIME")

echo "== Google Benchmark (release preset) =="
# Two runs: Google Benchmark's CSV wants the same counters in every row, and
# only the ops round counts allocations (allocs/op).
: >"$out/benchmarks.csv"
for filter in '^BM_(RawBaseline|InstanceOps|ExecutorOps|PluginBare|PluginExecutorOps)/ops:(1000|1000000)$' \
  '^BM_(SqliteMallocFree|PipeRoundTrip)'; do
  build/release/bin/memconform_bench --benchmark_filter="$filter" "${benchmark_flags[@]}" --benchmark_format=csv \
    >>"$out/benchmarks.csv" 2>"$out/benchmarks.err" || { cat "$out/benchmarks.err"; exit 1; }
done
node_driver=conformance/drivers/node
node_release=3.54.1-build1
: >"$out/node.txt"
if [[ -d $node_driver/node_modules/@sqlite.org/sqlite-wasm ]]; then
  MEMCONFORM_BENCH_NODE_TARGET="cmd:node --single-threaded-gc $node_driver/driver.mjs --release $node_release" \
    build/release/bin/memconform_bench --benchmark_filter='^BM_NodeDriverOps/' "${benchmark_flags[@]}" --benchmark_format=csv \
    >>"$out/benchmarks.csv" 2>"$out/benchmarks.err" || { cat "$out/benchmarks.err"; exit 1; }
  for n in 1000 100000; do  # "bare X ns/op", "adapter Y ns/op"
    node "$node_driver/bench.mjs" --rounds "$n" --release "$node_release" --seconds "${MEMCONFORM_BENCH_MIN_TIME:-1}" |
      sed "s/^/$n /" >>"$out/node.txt"
  done
else
  echo "the Node rows are skipped: no $node_driver/node_modules (scripts/setup.sh runs npm ci there)"
fi
if grep -q ',true,' "$out/benchmarks.csv"; then  # error_occurred
  grep ',true,' "$out/benchmarks.csv"; exit 1
fi

echo "== every fuzz target, $seconds s each (fuzz preset), and the stand-in =="
findings=0
MEMCONFORM_SKIP_BUILD=1 bash scripts/fuzz.sh all "$seconds" || findings=1
MEMCONFORM_SKIP_BUILD=1 bash scripts/fuzz.sh fuzz_standin "$seconds" || findings=1
work=build/fuzz/work

echo "== one fuzz input, decoded and run, on the inputs fuzz_scope_ops grew: fuzz preset, and release =="
# The same inputs through what fuzz_scope_ops and fuzz_differential do with
# each (bench/fuzz_input_bench.cpp), interleaved: the live runs above each
# grow a corpus of their own, and one 60-s run of each swings from 40% to
# 66%. Each repetition after half a second of passes untimed, short runs
# too: under ASan the first passes of a process are two to three times
# slower (a fresh heap), which a long fuzz run does not pay; CI's short
# gate, warmed up only 0.05 s, read fuzz_differential as 1.68 times faster
# than fuzz_scope_ops (spread 43%). ASan's quarantine is the fuzz targets'
# (fuzz/*.options): with its default 256 MB a repetition could still run into
# fresh heap, spread 38-65% against 3-6% with 10 MB (five 0.05-s
# repetitions, 2026-12-06). The fuzz preset's benchmarks get a name of their
# own in the CSV.
# The pair runs twice: on the corpus this run grew (longer inputs, as a
# fuzzer meets them; they differ from run to run), and on the committed
# seed corpus, the same inputs in every run ("fuzz-preset-seeds:").
warmup=0.5
inputs=$work/fuzz_scope_ops/corpus
[[ -n $(ls -A "$inputs" 2>/dev/null) ]] || inputs=corpus/fuzz_scope_ops
for set in "fuzz-preset:$inputs" "fuzz-preset-seeds:corpus/fuzz_scope_ops"; do
  ASAN_OPTIONS=malloc_context_size=0:detect_leaks=0:quarantine_size_mb=10 MEMCONFORM_BENCH_INPUTS=${set#*:} build/fuzz/bin/memconform_bench \
    --benchmark_filter='^BM_Fuzz(ScopeOpsDecodeAndRun|DifferentialDecodeRunCompare)$' "${benchmark_flags[@]}" \
    --benchmark_min_warmup_time="$warmup" \
    --benchmark_format=csv 2>"$out/benchmarks.err" | sed "s/^\"BM_/\"${set%%:*}:BM_/" >>"$out/benchmarks.csv" ||
    { cat "$out/benchmarks.err"; exit 1; }
done
MEMCONFORM_BENCH_INPUTS=$inputs build/release/bin/memconform_bench --benchmark_filter='^BM_FuzzScopeOpsDecodeAndRun$' \
  "${benchmark_flags[@]}" --benchmark_min_warmup_time="$warmup" --benchmark_format=csv >>"$out/benchmarks.csv" 2>"$out/benchmarks.err" ||
  { cat "$out/benchmarks.err"; exit 1; }
if grep -q ',true,' "$out/benchmarks.csv"; then  # error_occurred: an input fails on the reference
  grep ',true,' "$out/benchmarks.csv"; exit 1
fi

# items_per_second (column 7 of the CSV) of the row named exactly; nothing
# if there is none.
items() { awk -F, -v name="\"$1\"" '$1 == name && $7 != "" {print $7; exit}' "$out/benchmarks.csv"; }
# Items per second of a benchmark: the median of its repetitions, or its one
# run if it ran once (MEMCONFORM_BENCH_REPETITIONS=1: Google Benchmark
# reports no aggregates); "?" if there is none.
perSecond() {
  local v
  v=$(items "$1_median")
  [[ -n $v ]] || v=$(items "$1")
  echo "${v:-?}"
}
# A user counter (a column the CSV header names, "allocs/input") of the row
# named exactly, from the header above that row; nothing if there is none.
# The median's, or the one run's (as perSecond).
counter() {
  local v name
  for name in "$1_median" "$1"; do
    v=$(awk -F, -v name="\"$name\"" -v column="\"$2\"" '
      $1 == "name" {c = 0; for (i = 1; i <= NF; i++) if ($i == column) c = i; next}
      $1 == name && c && $c != "" {print $c; exit}' "$out/benchmarks.csv")
    [[ -n $v ]] && break
  done
  echo "$v"
}
# ns per item of a benchmark, and items per second rounded, from perSecond.
ns() { perSecond "$1" | awk '{if ($1 == "?") print "?"; else printf "%.1f\n", 1e9 / $1}'; }
rate() { perSecond "$1" | awk '{if ($1 == "?") print "?"; else printf "%.0f\n", $1}'; }
# The spread of the benchmarks named: the largest coefficient of variation
# of their repetitions' items_per_second, in percent ("?" if one has none).
spread() {
  local largest=0 cv name
  for name in "$@"; do
    cv=$(items "${name}_cv")
    [[ -n $cv ]] || { echo "?"; return; }
    cv=$(awk -v v="$cv" 'BEGIN {printf "%.0f", 100 * v}')
    ((cv > largest)) && largest=$cv
  done
  echo "$largest%"
}
# ns/op of the plain Node loop ("bare") or the driver's adapter at N ops.
nodeNs() { awk -v n="$1" -v what="$2" '$1 == n && $2 == what {print $3; found = 1} END {if (!found) print "?"}' "$out/node.txt"; }
fuzzed() { cat "$work/$1/$2" 2>/dev/null || echo "?"; }
# A row of the table, printed, and kept for table.json ("?", unmeasured, as null).
row() {  # MEASURE MEMCONFORM BASELINE UNIT [SPREAD]
  local ratio="?"
  [[ $2 != "?" && $3 != "?" ]] && ratio=$(awk -v a="$2" -v b="$3" 'BEGIN {printf "%.2f", a / b}')
  printf '%-62s %12s %12s %-7s %8s %7s\n' "$1" "$2" "$3" "$4" "$ratio" "${5:--}"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$ratio" "${5:--}" >>"$out/rows.tsv"
}
# A row of two benchmarks, with their spread.
pair() {  # MEASURE BENCHMARK BASELINE-BENCHMARK UNIT
  row "$1" "$(ns "$2")" "$(ns "$3")" "$4" "$(spread "$2" "$3")"
}
: >"$out/rows.tsv"
{
  echo "scripts/bench.sh $seconds, $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores"
  printf '%-62s %12s %12s %-7s %8s %7s\n' "measure" "memconform" "baseline" "unit" "ratio" "spread"
  for n in 1000 1000000; do
    pair "round of 8 ops, $n ops: reference (core) / raw" "BM_InstanceOps/ops:$n" "BM_RawBaseline/ops:$n" ns/op
    pair "round of 8 ops, $n ops: executor + checker / raw" "BM_ExecutorOps/ops:$n" "BM_RawBaseline/ops:$n" ns/op
    pair "round of 8 ops, $n ops: plugin through executor / plugin bare" "BM_PluginExecutorOps/ops:$n" \
      "BM_PluginBare/ops:$n" ns/op
  done
  for b in InstanceOps ExecutorOps PluginExecutorOps; do
    pair "$b: ns/op at 10^6 ops / at 10^3 ops" "BM_$b/ops:1000000" "BM_$b/ops:1000" ns/op
  done
  pair "sqlite3.wasm malloc+free: wasm: target / WasmModule::call" BM_SqliteMallocFreeThroughTheWasmTarget \
    BM_SqliteMallocFreeThroughWasmModuleCall ns/pair
  pair "sqlite3.wasm malloc+free: wasm: target / bare wabt loop" BM_SqliteMallocFreeThroughTheWasmTarget \
    BM_SqliteMallocFreeBareWabtLoop ns/pair
  for n in 1000 100000; do
    # The plain Node loop and the adapter in process are bench.mjs's, one
    # measurement each: their spread is the driver's alone.
    row "round of 8 ops, $n ops: Node driver (cmd:) / plain Node loop" "$(ns "BM_NodeDriverOps/ops:$n/real_time")" \
      "$(nodeNs "$n" bare)" ns/op "$(spread "BM_NodeDriverOps/ops:$n/real_time")"
    row "round of 8 ops, $n ops: driver's adapter / plain Node loop" "$(nodeNs "$n" adapter)" \
      "$(nodeNs "$n" bare)" ns/op
    pair "round of 8 ops, $n ops: Node driver (cmd:) / a pipe round trip" "BM_NodeDriverOps/ops:$n/real_time" \
      BM_PipeRoundTrip/real_time ns/op
  done
  row "fuzz_scope_ops / the stand-in, one process" "$(fuzzed fuzz_scope_ops execs)" "$(fuzzed fuzz_standin execs)" exec/s
  row "fuzz_differential (reference vs itself) / fuzz_scope_ops" "$(fuzzed fuzz_differential execs)" \
    "$(fuzzed fuzz_scope_ops execs)" exec/s
  # The same, on the same inputs: inputs/s, so the ratio reads as the row above.
  row "the same inputs, fuzz preset: fuzz_differential / fuzz_scope_ops" \
    "$(rate fuzz-preset:BM_FuzzDifferentialDecodeRunCompare)" "$(rate fuzz-preset:BM_FuzzScopeOpsDecodeAndRun)" \
    inputs/s "$(spread fuzz-preset:BM_FuzzDifferentialDecodeRunCompare fuzz-preset:BM_FuzzScopeOpsDecodeAndRun)"
  row "the committed seed corpus, fuzz preset: fuzz_differential / fuzz_scope_ops" \
    "$(rate fuzz-preset-seeds:BM_FuzzDifferentialDecodeRunCompare)" "$(rate fuzz-preset-seeds:BM_FuzzScopeOpsDecodeAndRun)" \
    inputs/s "$(spread fuzz-preset-seeds:BM_FuzzDifferentialDecodeRunCompare fuzz-preset-seeds:BM_FuzzScopeOpsDecodeAndRun)"
  # The floor under the first row: decoding and running one input with no
  # instrumentation at all, against the stand-in's whole execution under
  # libFuzzer, ASan and UBSan. Above 2.2, no setting of the instrumentation
  # brings fuzz_scope_ops to 45% of the stand-in (issue 22).
  standin=$(fuzzed fuzz_standin execs)
  row "one fuzz_scope_ops input, release (no instrumentation) / a stand-in execution" \
    "$(awk -v v="$(ns BM_FuzzScopeOpsDecodeAndRun)" 'BEGIN {if (v == "?") print "?"; else printf "%.2f", v / 1000}')" \
    "$(awk -v e="$standin" 'BEGIN {if (e == "?" || e == 0) print "?"; else printf "%.2f", 1e6 / e}')" us/input \
    "$(spread BM_FuzzScopeOpsDecodeAndRun)"
  # Heap allocations (operator new) of that input against the ops it runs:
  # the ratio is allocations per op, which issue 22 asks to be none.
  allocs=$(awk -v a="$(counter BM_FuzzScopeOpsDecodeAndRun allocs/input)" 'BEGIN {if (a == "") print "?"; else printf "%.2f", a}')
  opsPerInput=$(awk -v o="$(counter BM_FuzzScopeOpsDecodeAndRun ops)" -v i="$(perSecond BM_FuzzScopeOpsDecodeAndRun)" \
    'BEGIN {if (o == "" || i == "?" || i == 0) print "?"; else printf "%.2f", o / i}')
  row "one fuzz_scope_ops input, release: heap allocations / ops run" "$allocs" "$opsPerInput" per-input
  echo
  printf '%-22s %12s %14s\n' "fuzz target, $seconds s" "exec/s" "peak RSS (MB)"
  for t in fuzz_scope_ops fuzz_differential fuzz_resize fuzz_peek_poke fuzz_vector_json fuzz_wasm fuzz_standin fuzz_empty; do
    printf '%-22s %12s %14s\n' "$t" "$(fuzzed "$t" execs)" "$(fuzzed "$t" peak_rss_mb)"
  done
} | tee "$out/table.txt"
# The table as JSON, which the bench gate reads: its rows, and each fuzz
# target's run summary (scripts/fuzz_summary.mjs).
node - "$out" "$seconds" "$(git rev-parse --short HEAD 2>/dev/null || echo '?')" "$work" <<'JS'
const fs = require('node:fs');
const [out, seconds, commit, work] = process.argv.slice(2);
const n = (x) => (x === '?' ? null : Number(x));
const rows = fs.readFileSync(`${out}/rows.tsv`, 'utf8').trim().split('\n').map((line) => {
  const [measure, memconform, baseline, unit, ratio, spread] = line.split('\t');
  const spreadPercent = /^[0-9]+%$/.test(spread) ? Number(spread.slice(0, -1)) : null;
  return { measure, memconform: n(memconform), baseline: n(baseline), unit, ratio: n(ratio), spreadPercent };
});
const targets = ['fuzz_scope_ops', 'fuzz_differential', 'fuzz_resize', 'fuzz_peek_poke', 'fuzz_vector_json', 'fuzz_wasm', 'fuzz_standin', 'fuzz_empty'];
const fuzz = targets.map((t) => {
  const file = `${work}/${t}/summary.json`;
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { label: t, missing: true };
});
fs.writeFileSync(`${out}/table.json`, JSON.stringify({ command: `scripts/bench.sh ${seconds}`, date: new Date().toISOString(), commit, rows, fuzz }, null, 1) + '\n');
JS
echo "JSON: $out/table.json"
((findings == 0)) || { echo "a fuzz run found something: see $work/*/log.txt"; exit 1; }
