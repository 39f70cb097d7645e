#!/usr/bin/env bash
# The Node driver for @sqlite.org/sqlite-wasm (conformance/drivers/node: the
# sqlite-wasm adapter on the driver kit, protocol 2) end to
# end: each pinned release passes with its own expectations file and runs at
# least 90% of the vectors; and each expectations file is specific to its
# release: replaying one release with the other's file fails (exit 1), with
# the vectors that moved between releases as FAIL or XPASS. Needs
# `scripts/setup.sh` (npm ci) first.
# Usage: node_driver_test.sh MEMCONFORM_BINARY SOURCE_DIR
. "$(dirname "$0")/script_test.sh" "$@"
[[ -d conformance/drivers/node/node_modules/@sqlite.org/sqlite-wasm ]] || { echo "run scripts/setup.sh first (npm ci)"; exit 1; }
# "STATUS=N ..." counts of JSON report $1.
counts() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));const c={};for(const x of r.results)c[x.status]=(c[x.status]||0)+1;console.log(r.results.length,JSON.stringify(c))' "$1"; }
driver=conformance/drivers/node/driver.mjs

for release in 3.54.1-build1 3.41.2; do
  "$mc" replay --target "cmd:node $driver --release $release" --expectations "conformance/expectations/sqlite-wasm-$release.json" \
    --json "$tmp/$release.json" >"$tmp/out" 2>&1
  status=$?
  read -r total json <<<"$(counts "$tmp/$release.json")"
  skipped=$(node -e 'console.log(JSON.parse(process.argv[1]).skipped||0)' "$json")
  if [[ $status == 0 && $((skipped * 10)) -le $total ]]; then echo "ok   $release with its expectations: exit 0, $json of $total"
  else fail "$release with its expectations: exit $status, $json of $total"; tail -n 20 "$tmp/out"; fi
done

# retarget FILE TARGET: a copy of expectations FILE for TARGET.
retarget() { node -e 'const [f, t, out] = process.argv.slice(1); const e = JSON.parse(require("fs").readFileSync(f)); e.target = t;
  require("fs").writeFileSync(out, JSON.stringify(e))' "$1" "$2" "$3"; }

# An expectations file names its target: another target is refused (exit 2).
"$mc" replay --target "cmd:node $driver --release 3.41.2" --expectations conformance/expectations/sqlite-wasm-3.54.1-build1.json \
  >"$tmp/out" 2>&1
status=$?
if [[ $status == 2 ]] && grep -q 'sqlite-wasm-3.54.1-build1.json is for target "cmd:node .*--release 3.54.1-build1", not "cmd:node .*--release 3.41.2"' "$tmp/out"; then
  echo "ok   the 3.54.1-build1 expectations are refused for 3.41.2: exit 2"
else fail "the 3.54.1-build1 expectations for 3.41.2: exit $status"; cat "$tmp/out"; fi
retarget conformance/expectations/sqlite-wasm-3.54.1-build1.json "cmd:node $driver --release 3.41.2" "$tmp/crossed-expectations.json"
"$mc" replay --target "cmd:node $driver --release 3.41.2" --expectations "$tmp/crossed-expectations.json" \
  --json "$tmp/crossed.json" >"$tmp/out" 2>&1
status=$?
moved=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(r.results.filter(x=>x.status==="fail"||x.status==="unexpected-pass").map(x=>x.id).sort().join(" "))' "$tmp/crossed.json")
if [[ $status == 1 && $moved == *align/mmap-alloc/size-1* && $moved == *grow/heap-sizes/from-1537-pages-request-0* ]]; then
  echo "ok   3.41.2 with the 3.54.1-build1 expectations: exit 1, moved: $(wc -w <<<"$moved") vectors"
else fail "3.41.2 with the 3.54.1-build1 expectations: exit $status, moved: $moved"; fi

# The real driver killed mid-run: the report still has every vector, the one
# in flight is a crash error, the rest run on a fresh driver, exit 1.
tag="killed-$$"
retarget conformance/expectations/sqlite-wasm-3.41.2.json "cmd:node $driver --release 3.41.2 --label $tag" "$tmp/labelled.json"
"$mc" replay --target "cmd:node $driver --release 3.41.2 --label $tag" \
  --expectations "$tmp/labelled.json" --json "$tmp/killed.json" >"$tmp/out" 2>&1 &
replay=$!
sleep 1
pkill -KILL -f "^node .*--label $tag"  # the node process, not the runner or its shell
wait "$replay"
status=$?
read -r total json <<<"$(counts "$tmp/killed.json")"
vectors=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).results.length)' "$tmp/3.41.2.json")
crashes=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(r.results.filter(x=>x.errorType==="crash").length)' "$tmp/killed.json")
if [[ $status == 1 && $total == "$vectors" && $crashes == 1 ]]; then echo "ok   the Node driver killed mid-run: exit 1, $json of $total"
else fail "the Node driver killed mid-run: exit $status, $json of $total, $crashes crash errors"; tail -n 5 "$tmp/out"; fi

((failures == 0)) && echo "all Node driver checks passed" || { echo "$failures check(s) failed"; exit 1; }
