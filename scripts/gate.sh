#!/usr/bin/env bash
# One gate of CI: what scripts/test.sh requires, one check each, registered
# as ctest tests (tests/gates.cmake: label `gate`; campaigns that measure
# also `campaign`), so that `ctest --preset asan -L gate` runs everything CI
# runs and a failure names its gate.
#
#   scripts/gate.sh NAME BUILD_DIR     BUILD_DIR: the asan preset's build
#   scripts/gate.sh --list             the gates, in the order CI runs them:
#                                      NAME NEEDS [campaign|shared|beside], one a line
#
# Each gate writes what it printed to BUILD_DIR/reports/gate-NAME.log too
# (reports of replays beside it: JSON, JUnit XML). A negative gate (a planted
# bug that must be found) passes only if the reason it asserts is there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each gate: NAME, then what it needs (asan: the asan build; fuzz: also the
# fuzz preset, which fuzz-build builds: a ctest fixture) and, for a campaign
# (it measures), "campaign". A gate runs alone (ctest RUN_SERIAL) unless it
# says "shared": its verdict depends on nothing but what it is given (no
# time limit to fuzz within, nothing measured) and it keeps to one core, so
# it may run beside another test; or "beside": it fuzzes within a time limit
# on one core (one fuzzing process at a time, or a fuzzer and its driver
# taking turns) and measures nothing, so it may run beside a unit test, but
# never beside another fuzz gate (they share build/fuzz/work: ctest
# RESOURCE_LOCK). A gate that must find a planted bug within its limit
# finds it in seconds (time-to-find: slowest under 2 s; the limits are
# 60 s), so the core a unit test takes does not decide its verdict. What
# keeps both cores busy (builds, one fuzzer per core) or measures runs
# alone. tests/gates.cmake and scripts/test.sh read this.
gates=(
  "spec asan shared" "docs asan shared" "rules asan shared" "validate asan shared" "coverage asan shared"
  "replay-reference asan shared" "replay-grow-variant asan shared" "replay-sqlite-wasm asan shared"
  "replay-example-plugin asan shared" "replay-wasm asan shared" "replay-wasm-sqlite3 asan shared"
  "replay-wasm-overlap asan shared" "mutants asan shared"
  "fuzz-build builds-fuzz" "fuzz-all fuzz beside" "fuzz-wasm-overlap fuzz beside" "coverage-determinism fuzz beside"
  "fuzz-mutants fuzz beside" "fuzz-plugin fuzz beside" "fuzz-plugin-planted-bug fuzz beside"
  "fuzz-plugin-refuses fuzz beside" "fuzz-known-finding fuzz beside" "fuzz-example-adapter fuzz beside"
  "fuzz-example-adapter-planted-bugs fuzz beside" "fuzz-emscripten-partial fuzz beside"
  "fuzz-releases fuzz" "clusterfuzzlite fuzz"
  "throughput fuzz campaign" "bench fuzz campaign" "time-to-find fuzz campaign"
)
if [[ ${1:-} == --list ]]; then
  printf '%s\n' "${gates[@]}"
  exit 0
fi
gate=${1:?usage: scripts/gate.sh NAME BUILD_DIR | --list}
build=${2:?usage: scripts/gate.sh NAME BUILD_DIR}
mc=$build/bin/memconform
reports=$build/reports
mkdir -p "$reports"
log=$reports/gate-$gate.log
exec > >(tee "$log") 2>&1

# Fails the gate with its reason.
fail() {
  echo "gate $gate: $*"
  exit 1
}
# Asserts on a fuzz run's JSON summary (scripts/fuzz_summary.mjs): the JS
# expression, over the summary `s`, must hold; the gate fails with WHY and
# the summary's finding and counts if it does not.
expectRun() {  # LABEL EXPRESSION WHY
  node - "build/fuzz/work/$1/summary.json" "$2" <<'JS' || fail "$3"
const [file, expression] = process.argv.slice(2);
const s = JSON.parse(require('node:fs').readFileSync(file, 'utf8'));
const brief = { finding: s.finding, inputs: s.differential?.inputs, skipped: s.differential?.skipped };
if (!new Function('s', `return (${expression});`)(s)) { console.log(JSON.stringify(brief)); process.exit(1); }
console.log(`${s.label}: ${s.finding ? `stopped at ${s.finding.signature}` : 'no finding'}${s.differential ? `, ${s.differential.skipped.inputs} of ${s.differential.inputs} inputs skipped` : ''}`);
JS
}
# The fuzz preset is built once, by the fuzz-build gate (ctest fixture).
export MEMCONFORM_SKIP_BUILD=1

case $gate in
  spec) bash scripts/check_spec.sh ;;
  docs) bash scripts/check_docs.sh ;;
  rules) "$mc" rules ;;             # every rule has a test
  validate) "$mc" validate ;;       # the corpus: schema, names, ids, rule IDs
  coverage) "$mc" coverage ;;       # every rule has vectors
  replay-reference)                 # the reference passes every vector
    "$mc" replay --json "$reports/replay-reference.json" --junit "$reports/replay-reference.xml" ;;
  replay-grow-variant)              # another GROW-5 variant passes with its expectations file
    "$mc" replay --target mutant:grow-pages-or-zero \
      --expectations conformance/expectations/emscripten-3.1.70-grow.json | tail -n 4 ;;
  replay-sqlite-wasm)               # both releases through the Node driver, with their expectations
    for release in 3.54.1-build1 3.41.2; do
      "$mc" replay --target "cmd:node conformance/drivers/node/driver.mjs --release $release" \
        --expectations "conformance/expectations/sqlite-wasm-$release.json" \
        --json "$reports/replay-sqlite-wasm-$release.json" --junit "$reports/replay-sqlite-wasm-$release.xml" | tail -n 1
    done ;;
  replay-example-plugin)            # the example C plugin passes every vector it runs
    "$mc" replay --target "plugin:$build/lib/libmemconform_example_plugin.so" \
      --json "$reports/replay-example-plugin.json" --junit "$reports/replay-example-plugin.xml" | tail -n 1 ;;
  replay-wasm)                      # the glue over corpus/wasm's correct allocators in wabt
    for module in freelist bump dlmalloc emmalloc; do
      "$mc" replay --target "wasm:$build/wasm/$module.wasm" \
        --json "$reports/replay-wasm-$module.json" --junit "$reports/replay-wasm-$module.xml" | tail -n 1
    done ;;
  replay-wasm-sqlite3)              # sqlite3.wasm 3.54.1-build1's allocator under memconform's glue
    sqlite3_wasm=conformance/drivers/node/node_modules/@sqlite.org/sqlite-wasm/dist/sqlite3.wasm
    "$mc" replay --target "wasm:$sqlite3_wasm?malloc=sqlite3_malloc&free=sqlite3_free" \
      --expectations conformance/expectations/wasm-sqlite3-3.54.1-build1-sqlite3-malloc.json \
      --json "$reports/replay-wasm-sqlite3-3.54.1-build1.json" \
      --junit "$reports/replay-wasm-sqlite3-3.54.1-build1.xml" | tail -n 1 ;;
  replay-wasm-overlap)              # an allocator that overlaps blocks is caught, by SAFE-1
    if "$mc" replay --target "wasm:$build/wasm/overlap.wasm" -f 'safety/*' >"$reports/replay-wasm-overlap.txt"; then
      fail "the overlapping allocator (corpus/wasm/overlap.wat) passed"
    fi
    grep -E '^FAIL .*\[SAFE-1\]' "$reports/replay-wasm-overlap.txt" | cut -c 1-160 ||
      fail "the overlapping allocator failed, but by no SAFE-1 failure" ;;
  mutants) "$mc" mutants --json "$reports/mutants.json" ;;   # every planted bug is caught
  fuzz-build)                       # the fuzz presets, for every gate below (fixture)
    cmake --preset fuzz >/dev/null
    cmake --build --preset fuzz -j "$(nproc)"
    cmake --preset fuzz-ubsan >/dev/null   # fuzzing other processes (scripts/fuzz.sh peerBuild)
    cmake --build --preset fuzz-ubsan -j "$(nproc)" ;;
  fuzz-all) bash scripts/fuzz.sh all 20 ;;   # every fuzz target, 20 s, finds nothing
  fuzz-wasm-overlap)                # fuzz_wasm finds the overlapping allocator by SAFE-1 within 60 s
    if bash scripts/fuzz.sh wasm build/fuzz/wasm/overlap.wasm 60 >"$reports/fuzz-wasm-overlap.txt"; then
      cat "$reports/fuzz-wasm-overlap.txt"
      fail "fuzz_wasm did not find the overlapping allocator in 60 s"
    fi
    expectRun wasm-wasm-overlap "/\\/SAFE-1$/.test(s.finding?.signature)" \
      "fuzz_wasm stopped on the overlapping allocator, but not by SAFE-1" ;;
  coverage-determinism)             # an input's coverage does not depend on the inputs before it
    build/fuzz/bin/coverage_determinism corpus/fuzz_scope_ops corpus/fuzz_differential ;;
  fuzz-mutants) bash scripts/fuzz.sh mutants 60 ;;   # fuzz_differential finds every planted bug
  fuzz-plugin)                      # the example C plugin agrees with the reference (also built with fewer capabilities)
    bash scripts/fuzz.sh plugin build/fuzz/lib/libmemconform_example_plugin.so 20
    bash scripts/fuzz.sh plugin build/fuzz/lib/libmemconform_example_plugin_fixed_build.so 20 ;;
  fuzz-plugin-planted-bug)          # ... and its planted CALL-1 bug is found
    if bash scripts/fuzz.sh plugin build/fuzz/lib/libmemconform_example_plugin_pops_top.so 60 >"$reports/pops-top.txt"; then
      fail "the planted bug of libmemconform_example_plugin_pops_top.so survived 60 s"
    fi
    expectRun differential-libmemconform_example_plugin_pops_top "/\\/CALL-1(\\/|$)/.test(s.finding?.signature)" \
      "the run stopped, but not on the planted CALL-1 bug" ;;
  fuzz-example-adapter)             # protocol 2's example driver (a plain JS glue on the kit) agrees with the reference
    bash scripts/fuzz.sh driver example-adapter 'node conformance/drivers/node/examples/plain-glue/driver.mjs' 30 ;;
  fuzz-example-adapter-planted-bugs)  # ... and each bug planted in its glue is found, at the rule it breaks
    example=conformance/drivers/node/examples/plain-glue/driver.mjs
    # BUG:RULE of the finding (argv-stale-view: the peek that reads the pointer the dropped write left)
    for planted in call-pops-top:CALL-1 pop-in-order:SCOPE-6 peek-empties-list:PEEK-5 resize-no-uint32:GROW-1 argv-stale-view:PEEK-1; do
      bug=${planted%%:*} rule=${planted#*:}
      if bash scripts/fuzz.sh driver "example-$bug" "node $example --bug $bug" 60 >"$reports/example-$bug.txt"; then
        fail "the bug $bug planted in the example glue survived 60 s"
      fi
      expectRun "differential-example-$bug" "new RegExp('/$rule(/|\$)').test(s.finding?.signature)" \
        "the run against --bug $bug stopped, but not at $rule"
    done ;;
  fuzz-emscripten-partial)          # wa-sqlite, a partial target (hello "ops", "maximumPages"), agrees with its dialect ...
    MEMCONFORM_REFERENCE='reference?dialect=emscripten-runtime-fraction' \
      bash scripts/fuzz.sh driver wasqlite 'node conformance/drivers/node/wasqlite_driver.mjs' 30 || fail "wa-sqlite differs from its dialect"
    expectRun differential-wasqlite '!s.finding && s.differential.skipped.inputs * 10 < s.differential.inputs' \
      "the run against wa-sqlite skipped a tenth of its inputs or more"
    # ... and without any one of the dialect's variants, the difference is found, at that variant's rule
    for dropped in grow-pages-fraction:GROW resize-reads-stale-heap:GROW heap-views-are-runtimes:VIEW alloc-size-wraps:SAFE-1; do
      variant=${dropped%%:*} rule=${dropped#*:}
      others=$(echo grow-pages-fraction resize-reads-stale-heap heap-views-are-runtimes alloc-size-wraps | tr ' ' '\n' | grep -vx "$variant" | paste -sd, -)
      if MEMCONFORM_REFERENCE="reference?variants=$others" bash scripts/fuzz.sh driver "wasqlite-without-$variant" \
           'node conformance/drivers/node/wasqlite_driver.mjs' 60 >"$reports/wasqlite-without-$variant.txt"; then
        fail "wa-sqlite agreed with its dialect without $variant for 60 s"
      fi
      expectRun "differential-wasqlite-without-$variant" "new RegExp('/$rule').test(s.finding?.signature)" \
        "the run without $variant stopped, but not at $rule"
    done ;;
  fuzz-plugin-refuses)              # a run whose target refuses every setup compares nothing, and fails
    if bash scripts/fuzz.sh plugin build/fuzz/lib/libbroken_plugin_create_refuses.so 5 >"$reports/refuses.txt"; then
      fail "a run that compared nothing passed"
    fi
    expectRun differential-libbroken_plugin_create_refuses \
      "!s.finding && s.differential.inputs > 0 && s.differential.skipped.inputs === s.differential.inputs && /this plugin refuses every setup/.test(s.differential.skipped.last)" \
      "the run failed, but not because every input was skipped" ;;
  fuzz-known-finding)               # fuzz_differential goes on past a finding its expectations file lists
    printf '%s\n' '{"schema": "memconform-expectations/1", "fuzz": {"call/CALL-1": "planted: the call pops the top scope"}}' \
      >"$reports/known-call-pops-top.json"
    MEMCONFORM_FROM_CRASH=0 MEMCONFORM_TARGET=mutant:call-pops-top MEMCONFORM_EXPECTATIONS="$reports/known-call-pops-top.json" \
      bash scripts/fuzz.sh fuzz_differential 10 >"$reports/known.txt"
    # Its JSON summary: no finding, and inputs counted at call/CALL-1.
    node - build/fuzz/work/fuzz_differential/summary.json <<'JS' || fail "$(cat "$reports/known.txt")"
const s = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
if (s.finding) throw new Error(`the run stopped at ${s.finding.signature}`);
const known = s.differential?.known.findings['call/CALL-1'];
if (!(known?.inputs > 0)) throw new Error('no input was counted at the known finding call/CALL-1');
console.log(`call/CALL-1: ${known.inputs} of ${s.differential.inputs} inputs ended at the known finding; no other finding`);
JS
    ;;
  fuzz-releases)                    # each sqlite-wasm release against the reference in its dialect, 60 s, no finding
    for release in 3.54.1-build1 3.41.2; do
      bash scripts/fuzz.sh release "$release" 60
    done ;;
  clusterfuzzlite) bash tests/clusterfuzzlite_build_test.sh ;;   # the OSS-Fuzz build, and each target runs
  throughput)                       # exec/s against fuzz_empty and the stand-in, by its JSON summary
    rm -f build/fuzz/work/throughput.json
    bash scripts/fuzz.sh throughput 20 || fail "a throughput run found something"
    node - build/fuzz/work/throughput.json <<'JS' || fail "$(cat build/fuzz/work/throughput.json 2>/dev/null || echo 'no summary')"
const s = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
const runs = Object.entries(s.runs);
if (runs.length < 4) throw new Error(`${runs.length} runs summarised, 4 at least expected`);
for (const [label, r] of runs) {
  if (r.finding) throw new Error(`${label} stopped at ${r.finding.signature ?? r.finding.file}`);
  if (!(r.execsPerSecond > 0)) throw new Error(`${label} measured no exec/s`);
}
const e = s.runs['throughput-scope-ops-1'].execsPerSecond;
console.log(`fuzz_scope_ops ${e} exec/s: ${(100 * e / s.runs['throughput-standin'].execsPerSecond).toFixed(1)}% of the stand-in;` +
  ` fuzz_differential ${(100 * s.runs['throughput-differential'].execsPerSecond / e).toFixed(0)}% of fuzz_scope_ops`);
JS
    ;;
  bench)                            # memconform against its bare baselines, short, by its JSON table
    rm -f build/bench/table.json
    MEMCONFORM_SKIP_BUILD=0 MEMCONFORM_BENCH_MIN_TIME=0.05 bash scripts/bench.sh 5 | tail -n 30 || fail "scripts/bench.sh failed"
    node - build/bench/table.json <<'JS' || fail "$(cat build/bench/table.json 2>/dev/null || echo 'no table')"
const t = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
const unmeasured = t.rows.filter((r) => r.memconform === null || r.baseline === null || !(r.ratio > 0)).map((r) => r.measure);
if (unmeasured.length) throw new Error(`not measured: ${unmeasured.join('; ')}`);
const bad = t.fuzz.filter((f) => f.label !== 'fuzz_empty' && (f.missing || f.finding || !(f.execsPerSecond > 0))).map((f) => f.label);
if (bad.length) throw new Error(`fuzz runs missing, stopped or unmeasured: ${bad.join(', ')}`);
console.log(`${t.rows.length} rows measured, ${t.fuzz.length - 1} fuzz targets ran (${t.command}, ${t.commit})`);
JS
    ;;
  time-to-find)                     # each planted bug over 3 seeds: found in every run, by its JSON summary
    rm -f build/fuzz/work/time-to-find.json   # no summary of an earlier run counts
    bash scripts/fuzz.sh time-to-find 3 60 || true
    planted=$("$mc" mutants --list | wc -l)
    node - build/fuzz/work/time-to-find.json "$planted" <<'JS' || fail "$(cat build/fuzz/work/time-to-find.json 2>/dev/null || echo 'no summary')"
const [file, planted] = process.argv.slice(2);
const s = JSON.parse(require('node:fs').readFileSync(file, 'utf8'));
const missed = s.mutants.filter((m) => m.seconds.length !== s.runs || m.seconds.includes(null)).map((m) => m.name);
if (s.mutants.length !== Number(planted)) throw new Error(`${s.mutants.length} mutants timed, ${planted} planted`);
if (s.missed !== 0 || missed.length) throw new Error(`not found in every run within ${s.secondsPerRun} s: ${missed.join(', ')}`);
// Each run's report gave the time of its finding (fuzz/findings.h), after the start and before the end.
const untimed = s.mutants.filter((m) => m.seconds.some((t, k) => !(m.secondsToFinding[k] > 0 && m.secondsToFinding[k] <= t)));
if (untimed.length) throw new Error(`no time to the finding in (0, the whole run] for ${untimed.map((m) => m.name).join(', ')}`);
const times = (key) => s.mutants.flatMap((m) => m[key]).sort((x, y) => x - y);
const [found, whole] = [times('secondsToFinding'), times('seconds')];
const brief = (t) => `median ${t[(t.length - 1) >> 1]} s, slowest ${t.at(-1)} s`;
console.log(`time to find, ${whole.length} runs of ${s.mutants.length} mutants: to the finding ${brief(found)}; the whole process ${brief(whole)}`);
JS
    ;;
  *) echo "unknown gate \"$gate\"; the gates: $(printf '%s\n' "${gates[@]}" | cut -d' ' -f1 | paste -sd' ')" >&2; exit 2 ;;
esac
