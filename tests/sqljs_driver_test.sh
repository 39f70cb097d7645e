#!/usr/bin/env bash
# sql.js (an Emscripten build of SQLite with glue of its own) as a partial
# target through its adapter on the driver kit
# (conformance/drivers/node/sqljs_driver.mjs): what it shares with the rules
# (emscripten_resize_heap, memory.grow, malloc/free) runs, the rest is
# skipped. Its resize departs from GROW-5 exactly as the documented variant
# grow-pages-or-zero (Emscripten >= 3.1.70) does: the plain rules fail those
# vectors and nothing else, and it conforms to the dialect
# emscripten-3.1.70-grow.
# Usage: sqljs_driver_test.sh MEMCONFORM_BINARY SOURCE_DIR
. "$(dirname "$0")/script_test.sh" "$@"
target="cmd:node conformance/drivers/node/sqljs_driver.mjs"
# ids of the vectors with status $2 in JSON report $1
ids() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(r.results.filter(x=>x.status===process.argv[2]).map(x=>x.id).sort().join(" "))' "$1" "$2"; }

"$mc" replay --target "$target" --json "$tmp/plain.json" >"$tmp/out" 2>&1
status=$?
passed=$(ids "$tmp/plain.json" pass | wc -w) failed=$(ids "$tmp/plain.json" fail)
others=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));for(const x of r.results)if(x.status==="fail")for(const f of x.failures)if(!f.rule.startsWith("GROW"))console.log(x.id,f.rule)' "$tmp/plain.json")
if [[ $status == 1 && $passed -ge 40 && -n $failed && -z $others && $(wc -w <<<"$failed") -le 5 ]]; then
  echo "ok   sql.js against the plain rules: $passed vectors pass, GROW only fails: $failed"
else fail "sql.js against the plain rules: exit $status, $passed pass, fail: $failed; not GROW: $others"; tail -n 5 "$tmp/out"; fi

"$mc" replay --target "$target" --dialect emscripten-3.1.70-grow --json "$tmp/dialect.json" >"$tmp/out" 2>&1
status=$?
if [[ $status == 0 ]] && grep -q "conforms to dialect emscripten-3.1.70-grow" "$tmp/out" && [[ $(ids "$tmp/dialect.json" expected-fail) == "$failed" ]]; then
  echo "ok   sql.js conforms to the dialect emscripten-3.1.70-grow (its failures are the dialect's)"
else fail "sql.js with --dialect emscripten-3.1.70-grow: exit $status"; tail -n 5 "$tmp/out"; fi
exit $((failures > 0))
