#!/usr/bin/env bash
# Fuzzing: builds the `fuzz` preset (libFuzzer + ASan + UBSan) and runs the
# targets with their seed corpus (corpus/<target>/), dictionary and options
# (fuzz/<target>.dict, fuzz/<target>.options), time-bounded. Runs against an
# implementation in another process (release, driver-mutants, driver) use
# the `fuzz-ubsan` preset's fuzz_differential instead (peerBuild below).
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]   run one target or all of them
#                                            (default: all, 20 s each); exit 1
#                                            on any finding
#   scripts/fuzz.sh time-to-find [RUNS] [SECONDS]
#                                            every mutant RUNS times (default
#                                            5, libFuzzer seeds 1..RUNS): the
#                                            median and slowest time to find
#                                            it, from the process's start to
#                                            the finding and to its end (the
#                                            crash report symbolized); exit 1
#                                            if a run misses.
#                                            JSON summary (what CI asserts on):
#                                            build/fuzz/work/time-to-find.json
#   scripts/fuzz.sh mutants [SECONDS]        fuzz_differential against every
#                                            planted bug until it is found (at
#                                            most SECONDS each, default 60),
#                                            each finding turned into a vector
#                                            by from-crash; exit 1 if one
#                                            survives or cannot be turned
#   scripts/fuzz.sh driver-mutants [RUNS] [SECONDS]
#                                            every bug planted in the real
#                                            3.54.1 helpers (driver.mjs
#                                            --mutant) RUNS times (default 3,
#                                            at most SECONDS, default 120)
#                                            against the reference in the
#                                            release's dialect: median and
#                                            slowest time to find it (JSON:
#                                            build/fuzz/work/driver-mutants.json)
#   scripts/fuzz.sh release RELEASE [SECONDS]
#                                            fuzz_differential: a pinned
#                                            @sqlite.org/sqlite-wasm release
#                                            through the Node driver against
#                                            the reference in its dialect
#                                            (default 60 s), one process per
#                                            core unless FUZZ_PROCESSES says
#                                            otherwise; exit 1 on a finding
#   scripts/fuzz.sh release-throughput RELEASE [SECONDS]
#                                            exec/s of `release` (one process,
#                                            one per core, that again with the
#                                            fuzzer under ASan, and with
#                                            instances bootstrapped again)
#                                            against the reference target and
#                                            fuzz_empty, in one run (default
#                                            60 s each)
#   scripts/fuzz.sh wasm MODULE.wasm [SECONDS]
#                                            fuzz_wasm: the glue over the
#                                            allocator of a wasm module in
#                                            wabt (a wasm: target), the
#                                            invariants after every op and no
#                                            trap (default 60 s); exit 1 on a
#                                            finding
#   scripts/fuzz.sh plugin PATH.so [SECONDS] fuzz_differential: the reference
#                                            against a C plugin
#                                            (conformance/include/memconform/
#                                            target.h); exit 1 on a finding,
#                                            or if the plugin skipped every
#                                            input (nothing was compared)
#   scripts/fuzz.sh driver LABEL 'COMMAND' [SECONDS]
#                                            fuzz_differential: the reference
#                                            against a driver process
#                                            (cmd:COMMAND, either protocol),
#                                            in work/differential-LABEL;
#                                            exit 1 on a finding
#   scripts/fuzz.sh throughput [SECONDS]     fuzz_scope_ops's exec/s as one
#                                            process and as one process per
#                                            core (libFuzzer -jobs=N
#                                            -workers=N, one shared corpus),
#                                            each against fuzz_empty run the
#                                            same way, and in one process
#                                            against the stand-in
#                                            (bench/fuzz_standin.cpp) and
#                                            fuzz_differential of the
#                                            reference against itself
#                                            (default 20 s each; JSON:
#                                            build/fuzz/work/throughput.json)
#
# For each run it prints exec/s, coverage and findings, and writes them as
# JSON in build/fuzz/work/LABEL/summary.json (scripts/fuzz_summary.mjs). A finding prints its
# signature and, for the op-sequence targets, `memconform from-crash` turns
# it into a minimised vector whose path is printed.
#
# Environment: MEMCONFORM_TARGET (fuzz_differential's other side, or the bug
# planted in fuzz_resize / fuzz_peek_poke; default reference);
# MEMCONFORM_REFERENCE (fuzz_differential's first side, default reference:
# 'reference?dialect=sqlite-wasm-3.54' compares a release with the reference
# speaking its dialect, so only new differences are findings; from-crash
# takes a finding's expectations from it too);
# MEMCONFORM_EXPECTATIONS=FILE (fuzz_differential: the target's expectations
# file, whose "fuzz" section lists findings already triaged: an input that
# ends at one is counted, and the run goes on); MEMCONFORM_ACCESS_CHECK=0
# (release, driver-mutants: the Node driver without its access check, SAFE-2);
# MEMCONFORM_DRIVER_CACHE=0
# (fuzz_differential against a cmd: driver: ask the driver for every input,
# even a vector it ran before); FUZZ_JOBS=N runs N fuzzing processes on one machine with
# libFuzzer's -fork=N (findings are collected in the artifact folder and the
# run goes on after a crash: add -ignore_crashes=1 through FUZZ_FLAGS), and
# FUZZ_PROCESSES=N runs N independent fuzzing processes at once with
# libFuzzer's -jobs=N -workers=N: they share one corpus directory (each
# reloads what the others found), each runs the whole time, and the exec/s
# printed is their sum; FUZZ_FLAGS adds libFuzzer flags (e.g.
# -use_value_profile=1); FUZZ_SEEDS=0 starts from an empty corpus instead of
# corpus/<target>.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

what=${1:-all}
seconds=${2:-}
targets=(fuzz_scope_ops fuzz_differential fuzz_resize fuzz_peek_poke fuzz_vector_json fuzz_wasm)

if [[ ${MEMCONFORM_SKIP_BUILD:-0} != 1 ]]; then
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$(nproc)" >/dev/null
fi
bin=build/fuzz/bin
# Fuzzing an implementation in another process (release, driver-mutants,
# driver): the fuzzer's ASan checks none of that implementation's code, the
# harness's own being fuzzed under ASan by the other targets, and it cost
# those runs a fifth to a half of their exec/s (docs/PERFORMANCE.md). They
# run the fuzz-ubsan preset's fuzz_differential (UBSan, no ASan) unless
# MEMCONFORM_PEER_ASAN=1; their findings are turned into vectors by the ASan
# build's memconform ($mc) all the same.
peerBuild() {
  [[ ${MEMCONFORM_PEER_ASAN:-0} == 1 ]] && return 0
  if [[ ${MEMCONFORM_SKIP_BUILD:-0} != 1 ]]; then
    cmake --preset fuzz-ubsan >/dev/null
    cmake --build --preset fuzz-ubsan -j "$(nproc)" >/dev/null
  fi
  bin=build/fuzz-ubsan/bin
}
# The runs start in other folders.
[[ -z ${MEMCONFORM_EXPECTATIONS:-} ]] || export MEMCONFORM_EXPECTATIONS=$(realpath "$MEMCONFORM_EXPECTATIONS")
mc=$bin/memconform
work=build/fuzz/work
mkdir -p "$work"

# libFuzzer flags and ASAN_OPTIONS from fuzz/<target>.options (ClusterFuzz format).
options() {
  local target=$1 section=""
  flags=() asan=""
  [[ -f fuzz/$target.options ]] || return 0
  while IFS= read -r line; do
    line=${line%%#*}
    [[ $line =~ ^\[(.*)\]$ ]] && { section=${BASH_REMATCH[1]}; continue; }
    [[ $line =~ ^[[:space:]]*([A-Za-z_]+)[[:space:]]*=[[:space:]]*(.*[^[:space:]])[[:space:]]*$ ]] || continue
    case $section in
      libfuzzer) flags+=("-${BASH_REMATCH[1]}=${BASH_REMATCH[2]}") ;;
      asan) asan+="${asan:+:}${BASH_REMATCH[1]}=${BASH_REMATCH[2]}" ;;
    esac
  done <"fuzz/$target.options"
}

# The dialect of a pinned @sqlite.org/sqlite-wasm release.
dialectOf() {
  case $1 in
    3.54.1-build1) echo sqlite-wasm-3.54 ;;
    3.41.2) echo sqlite-wasm-3.41 ;;
    *) echo "scripts/fuzz.sh: unknown release $1 (3.54.1-build1, 3.41.2)" >&2; exit 2 ;;
  esac
}

# The cmd: target of a release through the Node driver. Node collects
# garbage on one thread: the fuzzer needs the machine's other core (on 2
# cores this ran 353 against 296 exec/s in one sitting). FUZZ_PROCESSES
# runs start in their own folder (run()): the driver by its full path.
releaseTarget() {
  local driver=conformance/drivers/node/driver.mjs
  [[ ${FUZZ_PROCESSES:-1} -gt 1 ]] && driver=$root/$driver
  echo "cmd:node --single-threaded-gc $driver --release $1$(accessCheck)"
}

# The driver's access check (SAFE-2; conformance/drivers/node/README.md),
# on by default, accepting the accesses of the release's own dialect, which
# the reference speaks too; off with MEMCONFORM_ACCESS_CHECK=0.
accessCheck() {
  if [[ ${MEMCONFORM_ACCESS_CHECK:-1} == 0 ]]; then echo " --no-check-accesses"; else echo " --dialect-accesses"; fi
}

# Runs one target for $2 seconds (as FUZZ_PROCESSES processes at once, if
# set); prints a summary line; returns 1 on a finding.
run() {
  local target=$1 secs=$2 label=${3:-$1}
  local dir=$root/$work/$label
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/findings"
  # fuzz_wasm decodes its inputs as fuzz_scope_ops does, and the stand-in
  # it is measured against (bench/fuzz_standin.cpp) reads the same bytes:
  # the same options, dictionary and seeds.
  local base=$target
  [[ $target == fuzz_wasm || $target == fuzz_standin ]] && base=fuzz_scope_ops
  options "$base"
  local dict=()
  [[ -f fuzz/$base.dict ]] && dict=(-dict="$root/fuzz/$base.dict")
  local fork=()
  [[ -n ${FUZZ_JOBS:-} ]] && fork=(-fork="$FUZZ_JOBS")
  local processes=()
  [[ ${FUZZ_PROCESSES:-1} -gt 1 ]] && processes=(-jobs="$FUZZ_PROCESSES" -workers="$FUZZ_PROCESSES")
  local seeds=()
  [[ -d corpus/$base && ${FUZZ_SEEDS:-1} == 1 ]] && seeds=("$root/corpus/$base")
  local status=0 start
  start=$(date +%s.%N)
  # With -jobs each process writes its log (fuzz-N.log) into the current
  # folder, and the parent copies each into log.txt when it ends: such runs
  # start in their own folder, so a relative plugin: path is made absolute.
  local in=$root target_env=${MEMCONFORM_TARGET:-}
  if ((${#processes[@]})); then
    in=$dir
    [[ $target_env == plugin:* && $target_env != plugin:/* ]] && target_env=plugin:$root/${target_env#plugin:}
  fi
  (cd "$in" && { [[ -z $target_env ]] || export MEMCONFORM_TARGET=$target_env; } &&
    MEMCONFORM_FUZZ_SUMMARY="$dir/differential-%p.json" ASAN_OPTIONS="${asan}${ASAN_OPTIONS:+:$ASAN_OPTIONS}" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "$root/$bin/$target" "${flags[@]}" "${dict[@]}" "${fork[@]}" "${processes[@]}" ${FUZZ_FLAGS:-} -max_total_time="$secs" \
    -print_final_stats=1 -artifact_prefix="$dir/findings/" "$dir/corpus" "${seeds[@]}" >"$dir/log.txt" 2>&1) || status=$?
  echo "$(date +%s.%N) - $start" | bc >"$dir/seconds"
  # A finding's report gives the wall clock when it was found (fuzz/findings.h),
  # before the report and its symbolized stack trace: the time to the finding.
  local foundAt
  foundAt=$(grep -m1 -oE '^found at: [0-9.]+' "$dir/log.txt" | awk '{print $3}' || true)
  [[ -z $foundAt ]] || echo "$foundAt - $start" | bc >"$dir/found"
  local execs cov
  # One final-stats line per process: together they ran the sum.
  execs=$(awk '$1 == "stat::average_exec_per_sec:" {sum += $2; n++} END {if (n) print sum}' "$dir/log.txt")
  echo "${execs:-}" >"$dir/execs"
  # The largest resident set of its processes (scripts/bench.sh reports it).
  awk '$1 == "stat::peak_rss_mb:" && $2 > max {max = $2} END {if (max) print max}' "$dir/log.txt" >"$dir/peak_rss_mb"
  # The run as JSON, which the gates read (scripts/fuzz_summary.mjs).
  node "$root/scripts/fuzz_summary.mjs" "$dir" "$label" "$target" "$status"
  cov=$(grep -E '(DONE|INITED|pulse|NEW) +cov:' "$dir/log.txt" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)
  local finding
  finding=$(ls "$dir/findings" 2>/dev/null | head -n 1 || true)
  # fuzz_differential's count of the inputs its target refused to set up:
  # all of them means nothing was compared, which is no pass.
  local skips
  skips=$(grep -E '^fuzz_differential: .* skipped [0-9]+ of [0-9]+ inputs' "$dir/log.txt" | sed 's/^fuzz_differential: /    /' || true)
  # And of the inputs that ended at a finding the expectations list as known.
  local known
  known=$(grep -E '^fuzz_differential: [0-9]+ of [0-9]+ inputs ended at a known finding|^  [A-Za-z]+/[A-Z]+-[0-9]+: ' "$dir/log.txt" |
    sed -e 's/^fuzz_differential: /    /' -e 's/^  \([A-Za-z]\)/      \1/' || true)
  if [[ -z $finding && $status == 0 ]]; then
    if [[ -n $skips ]] && ! echo "$skips" | grep -qvE 'skipped ([0-9]+) of \1 inputs'; then
      printf '%-34s %6s exec/s  %-22s NOTHING COMPARED: the target skipped every input\n' "$label" "${execs:-?}" "$cov"
      echo "$skips"
      return 1
    fi
    printf '%-34s %6s exec/s  %-22s no finding\n' "$label" "${execs:-?}" "$cov"
    [[ -z $skips ]] || echo "$skips"
    [[ -z $known ]] || echo "$known"
    return 0
  fi
  printf '%-34s %6s exec/s  %-22s FINDING %s\n' "$label" "${execs:-?}" "$cov" "${finding:-(exit $status, see $dir/log.txt)}"
  # The signature and the line after it: the difference, or why the run
  # broke off (a driver's crash or timeout, with the tail of its stderr).
  grep -m1 -A1 '^signature:' "$dir/log.txt" | cut -c1-600 | sed 's/^/    /' || grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' "$dir/log.txt" | sed 's/^/    /' || true
  [[ -z $known ]] || echo "$known"
  # fuzz_wasm's findings are the module's own (invariants, traps), not
  # differences from the reference, which from-crash minimises: its log
  # has the op trace, and running fuzz_wasm on the input prints it again.
  if [[ -n $finding && $target == fuzz_wasm ]]; then
    echo "    again: MEMCONFORM_WASM=${MEMCONFORM_WASM:-} $bin/fuzz_wasm $dir/findings/$finding"
  fi
  if [[ -n $finding && ${MEMCONFORM_FROM_CRASH:-1} == 1 && ( $target == fuzz_scope_ops || $target == fuzz_differential ) ]]; then
    local vector=$dir/findings/$finding.vector.json
    if "$mc" from-crash --reference "${MEMCONFORM_REFERENCE:-reference}" "${MEMCONFORM_TARGET:-reference}" "$dir/findings/$finding" -o "$vector" | sed 's/^/    /'; then
      echo "    vector: $vector"
    fi
  fi
  return 1
}

# time-to-find and driver-mutants: fuzz_differential RUNS times (libFuzzer
# seeds 1..RUNS, at most SECS s each) in the environment given with the
# call; the seconds each run took to find something go into `took` (999999
# for a run that found nothing, counted in `missed`) and `all`: the whole
# process, start-up and the crash report included. The seconds from its
# start to the finding (fuzz/findings.h's "found at") go into `found` and
# `allFound` ("-" for a finding without one, such as a crash: null in the
# JSON, the whole process in the table).
took=() all=() found=() allFound=() missed=0 summary=()
# A finished run's seconds from its start to the finding, or "-" (above).
secondsToFinding() { cat "$work/$1/found" 2>/dev/null || echo -; }
# What a table shows for it (TO_FINDING WHOLE): the whole process for "-".
shownToFinding() { if [[ $1 == - ]]; then echo "$2"; else echo "$1"; fi; }
timesToFind() {  # LABEL RUNS SECS
  local label=$1 runs=$2 secs=$3 k
  took=() found=()
  for ((k = 1; k <= runs; k++)); do
    if MEMCONFORM_FROM_CRASH=0 FUZZ_FLAGS="${FUZZ_FLAGS:-} -seed=$k" run fuzz_differential "$secs" "$label-$k" >/dev/null; then
      missed=$((missed + 1))
      took+=(999999) found+=(999999)
    else
      took+=("$(cat "$work/$label-$k/seconds")")
      found+=("$(secondsToFinding "$label-$k")")
    fi
  done
  all+=("${took[@]}") allFound+=("${found[@]}")
}

# The campaign's JSON summary, what CI asserts on (scripts/gate.sh):
# {"campaign", "runs", "secondsPerRun", "missed",
#  "mutants": [{"name", "seconds": [S|null, ...], "secondsToFinding": [S|null, ...]}]}.
# FILE CAMPAIGN LABEL...: the runs' summaries (RUN_DIR/summary.json) as one
# JSON file, {"campaign": CAMPAIGN, "runs": {LABEL: SUMMARY}}, for the gates.
collectSummaries() {
  local file=$1 campaign=$2
  shift 2
  node - "$file" "$campaign" "$work" "$@" <<'JS'
const fs = require('node:fs');
const [file, campaign, work, ...labels] = process.argv.slice(2);
const runs = Object.fromEntries(labels.map((l) => [l, JSON.parse(fs.readFileSync(`${work}/${l}/summary.json`, 'utf8'))]));
fs.writeFileSync(file, JSON.stringify({ campaign, runs }, null, 1) + '\n');
JS
  echo "summary: $file"
}
writeSummary() {  # FILE CAMPAIGN RUNS SECS
  printf '{"campaign": "%s", "runs": %s, "secondsPerRun": %s, "missed": %s, "mutants": [%s]}\n' "$2" "$3" "$4" "$missed" \
    "$(IFS=,; echo "${summary[*]}")" >"$1"
  echo "summary: $1"
}
# The table's head: what a row names, and NOTE.
timesHeader() {  # WHAT NOTE
  printf '%-34s %17s  %17s\n' "" "to the finding" "whole process"
  printf '%-34s %8s %8s  %8s %8s  %s\n' "$1" median slowest median slowest "$2"
}
# Seconds as JSON numbers, null for a miss (999999).
jsonSeconds() { printf '%s\n' "$@" | awk '$1 == 999999 || $1 == "-" {print "null"; next} {printf "%.3f\n", $1}' | paste -sd, -; }
# "MEDIAN SLOWEST" of the seconds given.
medianSlowest() { printf '%s\n' "$@" | sort -n | awk -v n=$# 'NR == int((n + 1) / 2) {m = $1} {last = $1} END {printf "%8.2f %8.2f", m, last}'; }
# One row: NAME, the median and slowest time to the finding and of the
# whole process, and NOTE; a mutant's runs are in `found` and `took`, and
# the row "all" is `allFound` and `all`.
printTimes() {  # NAME [NOTE]
  local name=$1 note=${2:-} wholeRuns=took foundRuns=found
  [[ $name == all ]] && wholeRuns=all foundRuns=allFound
  local -n whole=$wholeRuns toFinding=$foundRuns
  local shown=() i  # to the finding, or the whole process where the finding gave no time
  for i in "${!toFinding[@]}"; do shown+=("$(shownToFinding "${toFinding[i]}" "${whole[i]}")"); done
  [[ $name == all ]] || summary+=("$(printf '{"name": "%s", "seconds": [%s], "secondsToFinding": [%s]}' "$name" \
    "$(jsonSeconds "${whole[@]}")" "$(jsonSeconds "${toFinding[@]}")")")
  printf '%-34s %s  %s  %s\n' "$name" "$(medianSlowest "${shown[@]}")" "$(medianSlowest "${whole[@]}")" \
    "${note:-$([[ $name == all ]] && echo "over ${#whole[@]} runs")}"
}

case $what in
  mutants)
    secs=${seconds:-60}
    survivors=0
    unconverted=0
    times=() foundTimes=()
    for m in $("$mc" mutants --list | awk '{print $1}'); do
      if MEMCONFORM_TARGET=mutant:$m run fuzz_differential "$secs" "differential-$m" >"$work/mutant-$m.txt"; then
        printf '%-34s survived %s s\n' "mutant:$m" "$secs"
        survivors=$((survivors + 1))
      else
        elapsed=$(cat "$work/differential-$m/seconds")  # the fuzzer process alone, start-up included
        times+=("$elapsed")
        # ... and to the finding, before its report (fuzz/findings.h's "found at")
        toFinding=$(shownToFinding "$(secondsToFinding "differential-$m")" "$elapsed")
        foundTimes+=("$toFinding")
        # from-crash's verdict on the finding: the minimised vector's size.
        ops=$(grep -m1 -oE '^    wrote .* \(([0-9]+) ops\): reference passes, mutant:[^ ]+ fails' "$work/mutant-$m.txt" | grep -oE '\([0-9]+ ops' | tr -dc 0-9 || true)
        if [[ -z $ops ]]; then
          printf '%-34s found in %5.2f s (%5.2f s with its report), but from-crash could not make a failing vector (see %s)\n' \
            "mutant:$m" "$toFinding" "$elapsed" "$work/mutant-$m.txt"
          unconverted=$((unconverted + 1))
        else
          printf '%-34s found in %5.2f s (%5.2f s with its report)  vector of %2d ops  %s\n' "mutant:$m" "$toFinding" "$elapsed" "$ops" \
            "$(grep -m1 'signature:' "$work/differential-$m/log.txt" | awk '{print $2}')"
        fi
      fi
    done
    if ((${#times[@]})); then
      read -r median slowest <<<"$(medianSlowest "${foundTimes[@]}")"
      read -r medianWhole slowestWhole <<<"$(medianSlowest "${times[@]}")"
      printf 'time to find (wall clock from the start): median %.2f s, slowest %.2f s over %d mutants (with the report: %.2f s, %.2f s)\n' \
        "$median" "$slowest" "${#times[@]}" "$medianWhole" "$slowestWhole"
    fi
    ((survivors == 0)) || { echo "$survivors mutant(s) survived"; exit 1; }
    ((unconverted == 0)) || { echo "$unconverted finding(s) could not be turned into a failing vector"; exit 1; }
    ;;
  time-to-find)
    # Each mutant fuzzed RUNS times with libFuzzer seeds 1..RUNS: the median
    # and slowest time to find it, per mutant and over all runs.
    runs=${seconds:-5}
    secs=${3:-60}
    timesHeader "mutant" "($runs runs each, at most $secs s per run)"
    for m in $("$mc" mutants --list | awk '{print $1}'); do
      MEMCONFORM_TARGET=mutant:$m timesToFind "ttf-$m" "$runs" "$secs"
      printTimes "mutant:$m"
    done
    printTimes all
    writeSummary "$work/time-to-find.json" time-to-find "$runs" "$secs"
    ((missed == 0)) || { echo "$missed run(s) did not find their mutant within $secs s"; exit 1; }
    ;;
  driver-mutants)
    # Each bug planted in the real 3.54.1-build1 helpers (driver.mjs --mutant)
    # fuzzed RUNS times (libFuzzer seeds 1..RUNS, at most SECS s each) against
    # the reference speaking the release's dialect, so that only the planted
    # bug differs: the median and slowest time to find it.
    runs=${seconds:-3}
    secs=${3:-120}
    driver=conformance/drivers/node/driver.mjs
    peerBuild
    timesHeader "driver mutant" "($runs runs each, at most $secs s per run, against reference?dialect=sqlite-wasm-3.54)"
    for m in $(node "$driver" --list-mutants | awk '{print $1}'); do
      MEMCONFORM_TARGET="cmd:node $driver --release 3.54.1-build1 --mutant $m$(accessCheck)" \
        MEMCONFORM_REFERENCE='reference?dialect=sqlite-wasm-3.54' timesToFind "driver-$m" "$runs" "$secs"
      printTimes "$m" "$(grep -m1 'signature:' "$work/driver-$m-1/log.txt" | sed 's|.*3.54.1-build1 --mutant [^/]*/||')"
    done
    printTimes all
    writeSummary "$work/driver-mutants.json" driver-mutants "$runs" "$secs"
    ((missed == 0)) || { echo "$missed run(s) did not find their mutant within $secs s"; exit 1; }
    ;;
  wasm)
    module=${2:?usage: scripts/fuzz.sh wasm MODULE.wasm [SECONDS]}
    [[ -f $module ]] || { echo "scripts/fuzz.sh wasm: no module $module"; exit 2; }
    # Labelled by the file and its folder: both sqlite3.wasm are sqlite3.wasm.
    MEMCONFORM_WASM=$(realpath "$module") run fuzz_wasm "${3:-60}" "wasm-$(basename "$(dirname "$module")")-$(basename "$module" .wasm)"
    ;;
  release)
    release=${2:?usage: scripts/fuzz.sh release 3.54.1-build1|3.41.2 [SECONDS]}
    dialect=$(dialectOf "$release")
    peerBuild
    # A fuzzer and its driver take turns (an op at a time), so one pair
    # keeps about one core busy: a pair per core fuzzes twice as much.
    export FUZZ_PROCESSES=${FUZZ_PROCESSES:-$(nproc)}
    MEMCONFORM_TARGET=$(releaseTarget "$release") \
      MEMCONFORM_REFERENCE="reference?dialect=$dialect" run fuzz_differential "${3:-60}" "release-$release"
    ;;
  release-throughput)
    # fuzz_differential's exec/s against a release through the Node driver,
    # against the reference in the release's dialect (no driver), and
    # against fuzz_empty, in one run: the release as one process, with
    # instances bootstrapped again instead of rehomed (--fresh-instances),
    # and as one process per core. Each run starts from the seed corpus.
    release=${2:?usage: scripts/fuzz.sh release-throughput 3.54.1-build1|3.41.2 [SECONDS]}
    secs=${3:-60} dialect=$(dialectOf "$release")
    # Every row in the build `release` fuzzes with (peerBuild), and the
    # last row once more in the fuzz preset's (ASan too), for what ASan costs.
    asanBin=$bin
    peerBuild
    # The driver as it runs fastest; and with the access check, for its cost.
    MEMCONFORM_TARGET=$(releaseTarget "$release") MEMCONFORM_REFERENCE="reference?dialect=$dialect" \
      FUZZ_PROCESSES=1 run fuzz_differential "$secs" throughput-release-checked >/dev/null || true
    # As `release` runs: a process per core, accesses checked.
    MEMCONFORM_TARGET=$(FUZZ_PROCESSES=$(nproc) releaseTarget "$release") MEMCONFORM_REFERENCE="reference?dialect=$dialect" \
      FUZZ_PROCESSES=$(nproc) run fuzz_differential "$secs" throughput-release-processes >/dev/null || true
    MEMCONFORM_TARGET=$(FUZZ_PROCESSES=$(nproc) releaseTarget "$release") MEMCONFORM_REFERENCE="reference?dialect=$dialect" \
      FUZZ_PROCESSES=$(nproc) bin=$asanBin run fuzz_differential "$secs" throughput-release-processes-asan >/dev/null || true
    export MEMCONFORM_ACCESS_CHECK=0
    FUZZ_PROCESSES=1 run fuzz_empty 5 throughput-empty >/dev/null || true
    MEMCONFORM_TARGET="reference?dialect=$dialect" MEMCONFORM_REFERENCE="reference?dialect=$dialect" \
      FUZZ_PROCESSES=1 run fuzz_differential "$secs" throughput-reference >/dev/null || true
    MEMCONFORM_TARGET=$(releaseTarget "$release") MEMCONFORM_REFERENCE="reference?dialect=$dialect" \
      FUZZ_PROCESSES=1 run fuzz_differential "$secs" throughput-release >/dev/null || true
    MEMCONFORM_TARGET="$(releaseTarget "$release") --fresh-instances" MEMCONFORM_REFERENCE="reference?dialect=$dialect" \
      FUZZ_PROCESSES=1 run fuzz_differential "$secs" throughput-release-fresh >/dev/null || true
    printf '%-62s %12s\n' "fuzz_differential ($bin), $secs s each, seed corpus" "exec/s"
    for row in "fuzz_empty (5 s):throughput-empty" "reference against the reference in its dialect:throughput-reference" \
               "$release through the Node driver, unchecked:throughput-release" \
               "$release, accesses checked (the driver's default):throughput-release-checked" \
               "$release, instances bootstrapped again (--fresh-instances):throughput-release-fresh" \
               "$release, $(nproc) processes, checked, as \`release\` runs (sum):throughput-release-processes" \
               "the same, the fuzzer under ASan too (MEMCONFORM_PEER_ASAN=1):throughput-release-processes-asan"; do
      printf '%-62s %12s\n' "${row%%:*}" "$(cat "$work/${row##*:}/execs")"
    done
    ;;
  plugin)
    library=${2:?usage: scripts/fuzz.sh plugin PATH.so [SECONDS]}
    name=$(basename "$library" .so)
    MEMCONFORM_TARGET=plugin:$library run fuzz_differential "${3:-20}" "differential-$name"
    ;;
  driver)
    label=${2:?usage: scripts/fuzz.sh driver LABEL 'COMMAND' [SECONDS]}
    command=${3:?usage: scripts/fuzz.sh driver LABEL 'COMMAND' [SECONDS]}
    peerBuild
    MEMCONFORM_TARGET="cmd:$command" run fuzz_differential "${4:-20}" "differential-$label"
    ;;
  throughput)
    # exec/s of fuzz_scope_ops as one process (what libFuzzer prints) and as
    # one process per core (what the machine does), each against fuzz_empty
    # run the same way in this run: the share says what one execution costs.
    # And in one process, against what it is measured by: the stand-in that
    # only pushes, allocates with poisoning and pops (bench/fuzz_standin.cpp),
    # and fuzz_differential of the reference against itself.
    secs=${seconds:-20}
    counts=$(printf '%s\n' 1 "$(nproc)" | sort -nu)  # one row on a one-core machine
    findings=0
    for n in $counts; do
      FUZZ_PROCESSES=$n run fuzz_scope_ops "$secs" "throughput-scope-ops-$n" >/dev/null || findings=$((findings + 1))
      FUZZ_PROCESSES=$n run fuzz_empty 5 "throughput-empty-$n" >/dev/null || true
    done
    run fuzz_standin "$secs" throughput-standin >/dev/null || findings=$((findings + 1))
    MEMCONFORM_TARGET=reference run fuzz_differential "$secs" throughput-differential >/dev/null || findings=$((findings + 1))
    printf '%-28s %14s %14s %10s\n' "processes (-jobs -workers)" "fuzz_scope_ops" "fuzz_empty" "share"
    for n in $counts; do
      e=$(cat "$work/throughput-scope-ops-$n/execs") z=$(cat "$work/throughput-empty-$n/execs")
      printf '%-28s %9s exec/s %9s exec/s %10s\n' "$n" "${e:-?}" "${z:-?}" \
        "$([[ -n $e && -n $z && $e != 0 ]] && printf '1/%.0f' "$(echo "$z / $e" | bc -l)" || echo '?')"
    done
    e=$(cat "$work/throughput-scope-ops-1/execs") standin=$(cat "$work/throughput-standin/execs") d=$(cat "$work/throughput-differential/execs")
    share() { [[ -n $1 && -n $2 && $2 != 0 ]] && printf '%.0f%%' "$(echo "100 * $1 / $2" | bc -l)" || echo '?'; }
    printf '%-56s %9s exec/s\n' "the stand-in (bench/fuzz_standin.cpp), one process" "${standin:-?}"
    printf '%-56s %9s exec/s  %s of the stand-in\n' "fuzz_scope_ops, one process" "${e:-?}" "$(share "$e" "$standin")"
    printf '%-56s %9s exec/s  %s of fuzz_scope_ops\n' "fuzz_differential, the reference against itself" "${d:-?}" "$(share "$d" "$e")"
    collectSummaries "$work/throughput.json" throughput throughput-standin throughput-differential \
      $(for n in $counts; do echo "throughput-scope-ops-$n throughput-empty-$n"; done)
    ((findings == 0)) || { echo "a throughput run found something: see $work/throughput-*/log.txt"; exit 1; }
    ;;
  all)
    findings=0
    for t in "${targets[@]}"; do run "$t" "${seconds:-20}" || findings=$((findings + 1)); done
    # What each target costs per execution: its exec/s against an empty
    # target built the same way, measured in this run (ratios, not absolute
    # numbers, compare across noisy machines).
    run fuzz_empty 5 >/dev/null || true
    empty=$(cat "$work/fuzz_empty/execs")
    if [[ -n $empty ]]; then
      echo "fuzz_empty: $empty exec/s; each target's exec/s as a share of it:"
      for t in "${targets[@]}"; do
        e=$(cat "$work/$t/execs")
        if [[ -n $e && $e != 0 ]]; then
          printf '  %-32s %8s exec/s  1/%.0f\n' "$t" "$e" "$(echo "$empty / $e" | bc -l)"
        fi
      done
    fi
    ((findings == 0)) || { echo "$findings target(s) found something"; exit 1; }
    ;;
  *)
    [[ -x $bin/$what ]] || { echo "unknown target $what (have: ${targets[*]} fuzz_empty)"; exit 2; }
    run "$what" "${seconds:-20}"
    ;;
esac
