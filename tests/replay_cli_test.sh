#!/usr/bin/env bash
# `memconform replay` as CI sees it: exit codes, reports, expectations.
# Usage: replay_cli_test.sh MEMCONFORM_BINARY SOURCE_DIR
set -uo pipefail
mc=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
check() {  # check NAME EXPECTED_EXIT COMMAND...
  local name=$1 want=$2
  shift 2
  "$@" >"$tmp/out" 2>&1
  local got=$?
  if [[ $got != "$want" ]]; then
    echo "FAIL $name: exit $got, expected $want"; sed 's/^/  | /' "$tmp/out" | tail -n 20; failures=$((failures + 1))
  else
    echo "ok   $name (exit $got)"
  fi
}
calls=$src/conformance/vectors/call

check "a passing corpus" 0 "$mc" replay "$calls"
check "a filter that matches no vector fails the run" 1 "$mc" replay -f 'calls/*' --junit "$tmp/none.xml" "$calls"
grep -q '^nothing was compared: the filter "calls/\*" matches none of the 26 vectors in 1 file$' "$tmp/out" ||
  { echo "FAIL: no line saying the filter matched nothing"; failures=$((failures + 1)); }
grep -q '<testcase classname="(run)" name="nothing compared"' "$tmp/none.xml" ||
  { echo "FAIL: the JUnit report of a run that compared nothing has no failed test case"; failures=$((failures + 1)); }
check "a missing path is unreadable input" 2 "$mc" replay "$tmp/nope"
check "an unknown target is a usage error" 2 "$mc" replay --target mutant:nope "$calls"
echo '{' >"$tmp/bad.json"
check "a malformed file is an error result" 1 "$mc" replay "$tmp/bad.json" "$calls"
grep -q "ERROR $tmp/bad.json  $tmp/bad.json: (file): not valid JSON" "$tmp/out" || { echo "FAIL: no ERROR line naming the file"; failures=$((failures + 1)); }
grep -q "27 vectors from 2 files" "$tmp/out" || { echo "FAIL: the other vectors did not run"; failures=$((failures + 1)); }
echo '{"schema":"memconform-expectations/1","vectors":{"x":"no rule named"}}' >"$tmp/norule.json"
check "an expectation without a rule is refused" 2 "$mc" replay -e "$tmp/norule.json" "$calls"
echo '{"schema":"memconform-expectations/1","vectors":{"call/basic/pops-own-scope":"CALL-1: pretend it fails"}}' >"$tmp/xpass.json"
check "an unexpected pass fails the run" 1 "$mc" replay -e "$tmp/xpass.json" "$calls"
grep -q "^XPASS call/basic/pops-own-scope" "$tmp/out" || { echo "FAIL: no XPASS line"; failures=$((failures + 1)); }
check "a mutant fails" 1 "$mc" replay --target mutant:call-pops-top --json "$tmp/r.json" --junit "$tmp/r.xml" "$calls"
grep -q "^FAIL  call/basic/body-leaves-a-scope-pushed  /vectors/4/ops/0/expect/events (call) \[CALL-1 SCOPE-5\]" "$tmp/out" \
  || { echo "FAIL: no failure line with id, pointer, op and rule"; failures=$((failures + 1)); }
node -e "const r = JSON.parse(require('fs').readFileSync('$tmp/r.json')); if (r.counts.fail < 1 || r.exitCode !== 1) process.exit(1)" \
  || { echo "FAIL: JSON report"; failures=$((failures + 1)); }
grep -q '<failure message=' "$tmp/r.xml" || { echo "FAIL: JUnit report has no failure"; failures=$((failures + 1)); }
# --max-failures N: the run stops once N vectors failed; the reports count
# the vector runs not made, and the failures are the full run's first N.
expectStop() {  # N NOT_RUN: the JSON and JUnit reports of a run stopped after N failures
  node -e "
    const [r, full] = ['$tmp/stop.json', '$tmp/r.json'].map((f) => JSON.parse(require('fs').readFileSync(f)));
    const failed = (x) => x.results.filter((v) => v.status === 'fail').map((v) => v.id);
    const s = r.stoppedEarly || {};
    if (r.counts.fail !== $1 || s.afterFailures !== $1 || s.notRun !== $2 || r.results.length + $2 !== full.results.length) process.exit(1);
    if (failed(r).join() !== failed(full).slice(0, $1).join() || r.exitCode !== 1) process.exit(1);" \
    || { echo "FAIL: the JSON report of --max-failures $1"; failures=$((failures + 1)); }
  grep -q "<testcase classname=\"(run)\" name=\"stopped early\" time=\"0\"><skipped message=\"stopped after $1 failing vector(s) (--max-failures): $2 vector run(s) not made\"/>" "$tmp/stop.xml" \
    || { echo "FAIL: the JUnit report of --max-failures $1 has no skipped case for the runs not made"; failures=$((failures + 1)); }
  grep -q "^stopped after $1 failing vector(s) (--max-failures): $2 vector run(s) not made$" "$tmp/out" \
    || { echo "FAIL: no line saying the run stopped early"; failures=$((failures + 1)); }
}
full=$(node -e "const r = JSON.parse(require('fs').readFileSync('$tmp/r.json')); const i = r.results.map((v) => v.status).indexOf('fail');
  const j = r.results.map((v) => v.status).indexOf('fail', i + 1); console.log(r.results.length - i - 1, r.results.length - j - 1)")
read -r afterFirst afterSecond <<<"$full"
check "--max-failures 1 stops at the first failing vector" 1 "$mc" replay --target mutant:call-pops-top --max-failures 1 \
  --json "$tmp/stop.json" --junit "$tmp/stop.xml" "$calls"
expectStop 1 "$afterFirst"
check "--max-failures 2 stops at the second" 1 "$mc" replay --target mutant:call-pops-top --max-failures 2 \
  --json "$tmp/stop.json" --junit "$tmp/stop.xml" "$calls"
expectStop 2 "$afterSecond"
check "--max-failures on a passing corpus runs it all" 0 "$mc" replay --max-failures 1 --json "$tmp/stop.json" "$calls"
node -e "const r = JSON.parse(require('fs').readFileSync('$tmp/stop.json')); if (r.stoppedEarly || r.results.length !== 26) process.exit(1)" \
  || { echo "FAIL: a passing run with --max-failures was cut short"; failures=$((failures + 1)); }
check "a malformed file counts as a failure for --max-failures" 1 "$mc" replay --max-failures 1 "$tmp/bad.json" "$calls"
grep -q "^stopped after 1 failing vector(s) (--max-failures): 26 vector run(s) not made$" "$tmp/out" \
  || { echo "FAIL: the malformed file did not stop the run"; failures=$((failures + 1)); }
check "a mutant passes when its failures are expected" 0 "$mc" replay --target mutant:call-pops-top \
  -e <(node -e "
    const r = JSON.parse(require('fs').readFileSync('$tmp/r.json'));
    const v = {}; for (const x of r.results) if (x.status === 'fail') v[x.id] = 'CALL-1: pops the top scope';
    console.log(JSON.stringify({ schema: 'memconform-expectations/1', vectors: v }));") "$calls"
grep -q "^warning: .* entries cover whole vectors (a reason alone): any other failure in such a vector is hidden" "$tmp/out" \
  || { echo "FAIL: no warning about whole-vector entries"; failures=$((failures + 1)); }
# --write-expectations: per-op entries with which the same target passes, and
# no whole-vector warning.
check "writing the expectations of a mutant" 1 "$mc" replay --target mutant:call-pops-top --write-expectations "$tmp/written.json" "$calls"
grep -q "^expectations for [1-9][0-9]* failing vector(s) written to $tmp/written.json" "$tmp/out" \
  || { echo "FAIL: no line saying the expectations were written"; failures=$((failures + 1)); }
check "the mutant passes with the expectations written for it" 0 "$mc" replay --target mutant:call-pops-top -e "$tmp/written.json" "$calls"
grep -q "^warning" "$tmp/out" && { echo "FAIL: a warning about written expectations"; failures=$((failures + 1)); }
grep -q '"/ops/0": {"value":"undefined","events":\[{"dealloc":"b"}\],"violations":\["CALL-1"\]}' "$tmp/written.json" \
  || { echo "FAIL: written entry of call/basic/body-leaves-a-scope-pushed"; failures=$((failures + 1)); }
# Written again with the first file as --expectations: the same file (entries
# that still fail as listed are kept as written, hand edits included).
sed 's/"reason": "CALL-1: to triage: [^"]*"/"reason": "CALL-1: reviewed"/' "$tmp/written.json" >"$tmp/reviewed.json"
check "writing again keeps what still fails as listed" 0 "$mc" replay --target mutant:call-pops-top -e "$tmp/reviewed.json" \
  --write-expectations "$tmp/again.json" "$calls"
cmp -s "$tmp/reviewed.json" "$tmp/again.json" || { echo "FAIL: written again differs"; diff "$tmp/reviewed.json" "$tmp/again.json" | head; failures=$((failures + 1)); }
# Strings of 100,000 characters (std::regex overflowed the stack on them).
node -e "
  const long = 'a'.repeat(100000);
  const v = (id, ops) => ({ id, rules: ['SCOPE-8'], source: 'decided', ops });
  console.log(JSON.stringify({ schema: 'memconform-vectors/1', area: 'scope', description: 'long strings',
    vectors: [v('scope/long/' + long, [{ op: 'push' }, { op: 'scopedAllocCString', value: long }, { op: 'pop' }])] }));" >"$tmp/long.json"
check "validate judges 100,000-character strings" 0 "$mc" validate "$tmp/long.json"
check "replay runs a 100,000-character id and C string" 0 "$mc" replay "$tmp/long.json"
# mutants has a baseline: a vector that fails on the unmutated reference
# kills nothing (it used to count as a kill of every mutant: "19 of 20").
node -e "
  console.log(JSON.stringify({ schema: 'memconform-vectors/1', area: 'scope', description: 'a wrong expectation',
    vectors: [{ id: 'scope/wrong/level-is-one', rules: ['SCOPE-7'], source: 'decided',
      ops: [{ op: 'level', expect: { value: 1 } }] }] }));" >"$tmp/wrong.json"
check "mutants on a vector that fails on the reference kills nothing" 1 "$mc" mutants "$tmp/wrong.json" --json "$tmp/m.json"
grep -q "^1 vector(s) fail on the unmutated reference and are left out" "$tmp/out" \
  && grep -q "^  scope/wrong/level-is-one: /vectors/0/ops/0/expect/value \[SCOPE-7\] expected value 1; actual value 0" "$tmp/out" \
  && grep -q "^0 of [0-9]* mutants killed by 0 vectors (1 left out: they fail on the reference)" "$tmp/out" \
  || { echo "FAIL: mutants did not say why it killed nothing"; sed 's/^/  | /' "$tmp/out" | head; failures=$((failures + 1)); }
node -e "const r = JSON.parse(require('fs').readFileSync('$tmp/m.json')); if (r.killed !== 0 || r.leftOut[0].id !== 'scope/wrong/level-is-one') process.exit(1)" \
  || { echo "FAIL: mutants JSON"; failures=$((failures + 1)); }
# --dialect: a target conforms to a dialect if it fails exactly the ops the
# reference speaking it fails, the same way.
scope=$src/conformance/vectors/scope
check "the reference in a dialect conforms to it" 0 "$mc" replay --target "reference?dialect=sqlite-wasm-3.54" --dialect sqlite-wasm-3.54 "$calls" "$scope"
grep -q "conforms to dialect sqlite-wasm-3.54$" "$tmp/out" || { echo "FAIL: no 'conforms' line"; failures=$((failures + 1)); }
check "the plain reference does not conform to an upstream dialect" 1 "$mc" replay --dialect sqlite-wasm-3.54 "$calls" "$scope"
grep -q "does not conform to dialect sqlite-wasm-3.54: [0-9]* vector(s) differ" "$tmp/out" || { echo "FAIL: no 'does not conform' line"; failures=$((failures + 1)); }
check "one variant short of the dialect does not conform" 1 "$mc" replay --target "reference?variants=call-pops-top" --dialect sqlite-wasm-3.54 "$calls" "$scope"
check "an unknown dialect is a usage error" 2 "$mc" replay --dialect nope "$calls"
check "--dialect and --expectations together are a usage error" 2 "$mc" replay --dialect sqlite-wasm-3.54 -e "$tmp/xpass.json" "$calls"
# A target with one fixed memory says so in its hello ("memory"): the
# vectors that state no memory run on it, those that do are skipped, and
# MEM-4's default is not asked of it. Undeclared, its size breaks SAFE-1.
check "a declared fixed memory" 0 "$mc" replay --target "cmd:$mc driver --fixed-memory 512/1024" "$calls" "$scope"
check "an undeclared fixed memory breaks SAFE-1" 1 "$mc" replay \
  --target "cmd:$mc driver --fixed-memory 512/1024 | sed -u '1s/,\"memory\":{[^}]*}//'" "$calls" "$scope"
grep -q "\[SAFE-1\]" "$tmp/out" || { echo "FAIL: no SAFE-1 failure without the declaration"; failures=$((failures + 1)); }
check "a bad --fixed-memory is a usage error" 2 "$mc" driver --fixed-memory 9/3

# An ASan build lets ASan's shadow use huge pages (tools/memconform/
# asan_defaults.cpp: a wasm: target's memory of gigabytes), unless
# ASAN_OPTIONS says otherwise.
shadowFlag() { ASAN_OPTIONS=${1:+$1:}help=1 "$mc" --version 2>&1 | grep -A1 -w no_huge_pages_for_shadow | grep -oE 'Current Value: [a-z]+'; }
current=$(shadowFlag)
if [[ -n $current ]]; then  # an ASan build
  if [[ $current != "Current Value: false" ]]; then
    echo "FAIL: the ASan build keeps its shadow off huge pages ($current)"; failures=$((failures + 1))
  elif [[ $(shadowFlag no_huge_pages_for_shadow=1) != "Current Value: true" ]]; then
    echo "FAIL: ASAN_OPTIONS does not override the default"; failures=$((failures + 1))
  else
    echo "ok   the ASan build's shadow may use huge pages, and ASAN_OPTIONS overrides it"
  fi
fi
exit $((failures > 0))
