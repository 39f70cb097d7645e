#!/usr/bin/env bash
# The example driver of docs/DRIVER_PROTOCOL.md, version 2 (op at a time):
# a plain JavaScript glue over a WebAssembly.Memory and a first-fit
# allocator (conformance/drivers/node/examples/plain-glue/glue.mjs) behind
# an adapter on the driver kit. With every capability declared it passes
# every vector of the corpus, none skipped; each bug planted in the glue
# (driver.mjs --bug NAME) fails at least one vector; and a partial adapter
# (tests/drivers/kit_partial_driver.mjs) passes what it maps and skips the rest.
# Usage: example_driver_test.sh MEMCONFORM_BINARY SOURCE_DIR
. "$(dirname "$0")/script_test.sh" "$@"
driver="node conformance/drivers/node/examples/plain-glue/driver.mjs"
# "STATUS=N ..." counts of JSON report $1.
counts() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));const c={};for(const x of r.results)c[x.status]=(c[x.status]||0)+1;console.log(r.results.length,JSON.stringify(c))' "$1"; }

"$mc" replay --target "cmd:$driver" --json "$tmp/example.json" >"$tmp/out" 2>&1
status=$?
read -r total json <<<"$(counts "$tmp/example.json")"
if [[ $status == 0 && $json == "{\"pass\":$total}" ]]; then echo "ok   the example driver passes every vector: $json of $total"
else fail "the example driver: exit $status, $json of $total"; tail -n 20 "$tmp/out"; fi

for bug in $($driver --list-bugs | awk '{print $1}'); do
  "$mc" replay --target "cmd:$driver --bug $bug" --json "$tmp/$bug.json" >"$tmp/out" 2>&1
  status=$?
  failed=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(r.results.filter(x=>x.status==="fail").map(x=>x.id).join(" "))' "$tmp/$bug.json")
  if [[ $status == 1 && -n $failed ]]; then echo "ok   --bug $bug fails $(wc -w <<<"$failed") vectors, first ${failed%% *}"
  else fail "--bug $bug: exit $status, no vector fails"; tail -n 5 "$tmp/out"; fi
done
# A partial adapter (four ops, no scopedAllocCall): what it maps passes,
# every vector with another op is skipped and names the op.
"$mc" replay --target "cmd:node tests/drivers/kit_partial_driver.mjs" --json "$tmp/partial.json" >"$tmp/out" 2>&1
status=$?
read -r total json <<<"$(counts "$tmp/partial.json")"
calls=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1])).results;console.log(r.filter(x=>x.status==="skipped"&&/the adapter maps no scopedAllocCall/.test(x.reason)).length)' "$tmp/partial.json")
if [[ $status == 0 && $json =~ ^\{\"pass\":[1-9][0-9]*,\"skipped\":[0-9]+\}$|^\{\"skipped\":[0-9]+,\"pass\":[1-9][0-9]*\}$ && $calls -gt 0 ]]; then
  echo "ok   a partial adapter: exit 0, $json of $total, $calls skipped for want of scopedAllocCall"
else fail "a partial adapter: exit $status, $json of $total, $calls skipped for want of scopedAllocCall"; tail -n 5 "$tmp/out"; fi

$driver --bug no-such-bug >/dev/null 2>"$tmp/err" </dev/null
[[ $? == 2 ]] && grep -q "unknown bug" "$tmp/err" && echo "ok   an unknown --bug is refused (exit 2)" || fail "an unknown --bug: $(cat "$tmp/err")"
exit $((failures > 0))
