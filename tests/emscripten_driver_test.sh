#!/usr/bin/env bash
# An Emscripten build of SQLite with glue of its own (sql.js, wa-sqlite) as
# a partial target through its adapter on the driver kit
# (conformance/drivers/node/lib/emscripten_adapter.mjs): what it shares with
# the rules (emscripten_resize_heap, memory.grow, the runtime's HEAP views,
# malloc/free) runs, the rest is skipped. Against the plain rules it fails
# only vectors of the rules its dialect departs from, at least one, and with
# --dialect it conforms: the dialect's failures are exactly its own. Its
# instances, used again from vector to vector, answer as new ones do.
# Usage: emscripten_driver_test.sh MEMCONFORM_BINARY SOURCE_DIR DRIVER DIALECT MIN_PASSED RULES
#   RULES: the rule IDs of the dialect's variants, space-separated
#   ("GROW-3 GROW-5"): each failure must cite one of them (a failure cites
#   the op's rule or, without one, the vector's rules)
. "$(dirname "$0")/script_test.sh" "$@"
driver=$3 dialect=$4 min_passed=$5 rules=$6
target="cmd:node conformance/drivers/node/$driver"
# ids of the vectors with status $2 in JSON report $1
ids() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(r.results.filter(x=>x.status===process.argv[2]).map(x=>x.id).sort().join(" "))' "$1" "$2"; }

"$mc" replay --target "$target" --json "$tmp/plain.json" >"$tmp/out" 2>&1
status=$?
passed=$(ids "$tmp/plain.json" pass | wc -w) failed=$(ids "$tmp/plain.json" fail)
others=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));const allowed=process.argv[2].split(" ");for(const x of r.results)if(x.status==="fail")for(const f of x.failures)if(!f.rule.split(" ").some((id)=>allowed.includes(id)))console.log(x.id,JSON.stringify(f.rule))' "$tmp/plain.json" "$rules")
if [[ $status == 1 && $passed -ge $min_passed && -n $failed && -z $others ]]; then
  echo "ok   $driver against the plain rules: $passed vectors pass, $(wc -w <<<"$failed") fail, only at $rules: $failed"
else fail "$driver against the plain rules: exit $status, $passed pass (at least $min_passed expected), fail: $failed; not $rules: $others"; tail -n 5 "$tmp/out"; fi

"$mc" replay --target "$target" --dialect "$dialect" --json "$tmp/dialect.json" >"$tmp/out" 2>&1
status=$?
if [[ $status == 0 ]] && grep -q "conforms to dialect $dialect" "$tmp/out" && [[ $(ids "$tmp/dialect.json" expected-fail) == "$failed" ]]; then
  echo "ok   $driver conforms to the dialect $dialect (its failures are the dialect's)"
else fail "$driver with --dialect $dialect: exit $status"; tail -n 5 "$tmp/out"; fi
# Instances used again (the default) answer as new ones do (--fresh-instances).
"$mc" replay --target "$target --fresh-instances" --json "$tmp/fresh.json" >"$tmp/out" 2>&1
differ=$(node -e 'const f=(p)=>JSON.parse(require("fs").readFileSync(p)).results.map((r)=>JSON.stringify({...r,seconds:0,reason:r.reason?.replace(/ --fresh-instances/g,"")}));const a=f(process.argv[1]),b=f(process.argv[2]);console.log(a.length===b.length?a.filter((x,i)=>x!==b[i]).map((x)=>JSON.parse(x).id).join(" "):"a different number of vectors")' "$tmp/plain.json" "$tmp/fresh.json")
if [[ -z $differ ]]; then echo "ok   $driver: instances used again answer every vector as new ones do"
else fail "$driver: instances used again answer otherwise than new ones in: ${differ:0:400}"; fi
exit $((failures > 0))
