#!/usr/bin/env bash
# The cmd: target end to end, with `memconform driver` as the implementation:
# the corpus passes through the protocol exactly as it does directly, planted
# bugs fail the same vectors through the protocol as directly, and a driver
# that crashes, hangs, floods a 100 MB line or writes garbage mid-run still
# gives a complete report (every vector), that vector an error naming what
# happened, and exit 1.
# Usage: cmd_target_test.sh MEMCONFORM_BINARY SOURCE_DIR
. "$(dirname "$0")/script_test.sh" "$@"
total=$(node -e 'const fs=require("fs"),p=require("path");let n=0;const walk=d=>{for(const f of fs.readdirSync(d)){const q=p.join(d,f);if(fs.statSync(q).isDirectory())walk(q);else if(f.endsWith(".json"))n+=JSON.parse(fs.readFileSync(q)).vectors.length}};walk("conformance/vectors");console.log(n)')

# Ids of the vectors with status $2 in JSON report $1.
ids() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(r.results.filter(x=>x.status===process.argv[2]).map(x=>x.id).sort().join("\n"))' "$1" "$2"; }
count() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(r.results.length)' "$1"; }

"$mc" replay --target "cmd:$mc driver" --json "$tmp/ref.json" >"$tmp/out" 2>&1
status=$?
passed=$(ids "$tmp/ref.json" pass | grep -c .)
if [[ $status == 0 && $passed == "$total" ]]; then echo "ok   reference through the protocol: $passed of $total pass"
else fail "reference through the protocol: exit $status, $passed of $total pass"; tail -n 20 "$tmp/out"; fi

for m in $("$mc" mutants --list | awk '{print $1}'); do
  rm -f "$tmp/direct.json" "$tmp/cmd.json"
  "$mc" replay --target "mutant:$m" --json "$tmp/direct.json" >/dev/null 2>&1
  "$mc" replay --target "cmd:$mc driver --target mutant:$m" --json "$tmp/cmd.json" >/dev/null 2>&1
  if [[ ! -s $tmp/direct.json ]]; then
    # ASan stopped the direct run (an out-of-bounds write): through the
    # protocol it stops the driver, and the report says so with ASan's line.
    node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));process.exit(r.results.some(x=>x.status==="error"&&x.reason.startsWith("crash: ")&&x.reason.includes("AddressSanitizer"))?0:1)' "$tmp/cmd.json" ||
      fail "mutant:$m stops the direct run, but no crash with ASan's report through the protocol"
    continue
  fi
  if [[ $(ids "$tmp/direct.json" fail) != "$(ids "$tmp/cmd.json" fail)" || -z $(ids "$tmp/cmd.json" fail) ]]; then
    fail "mutant:$m fails different vectors through the protocol"
    diff <(ids "$tmp/direct.json" fail) <(ids "$tmp/cmd.json" fail) | head -n 10
  fi
done
((failures == 0)) && echo "ok   every mutant fails the same vectors through the protocol as directly"

# mode, the report's reason must contain this
for spec in "crash:crash: " "hang:timeout: " "flood:protocol-error: " "garbage:protocol-error: "; do
  mode=${spec%%:*} want=${spec#*:}
  rm -f "$tmp/marker"
  start=$(date +%s)
  "$mc" replay --timeout 2 --target "cmd:bash $src/tests/drivers/flaky_driver.sh $mc $mode 100 $tmp/marker" \
    --json "$tmp/$mode.json" >"$tmp/$mode.out" 2>&1
  status=$?
  # "errorType id: reason" of each error result (JSON report: errorType names the kind).
  errors=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));for(const x of r.results)if(x.status==="error")console.log(x.errorType+" "+x.id+": "+x.reason.slice(0,300))' "$tmp/$mode.json")
  n=$(count "$tmp/$mode.json")
  if [[ $status == 1 && $n == "$total" && $(grep -c . <<<"$errors") == 1 && $errors == *"$want"* && $errors == "${want%: } "* ]]; then
    echo "ok   a driver that does '$mode' mid-run: exit 1, $n of $total vectors reported, $(($(date +%s) - start)) s, one error: ${errors:0:160}"
  else
    fail "driver '$mode': exit $status, $n of $total vectors reported, errors: $errors"; tail -n 5 "$tmp/$mode.out"
  fi
  [[ $mode == crash && $errors != *"giving up on request"* ]] && fail "the crash report lacks the driver's stderr"
done

# A command that cannot start is a usage error (exit 2) naming the command.
"$mc" replay --target "cmd:/nonexistent/driver" >"$tmp/out" 2>&1
status=$?
if [[ $status == 2 ]] && grep -q "/nonexistent/driver" "$tmp/out"; then echo "ok   a driver that cannot start: exit 2, named"
else fail "a driver that cannot start: exit $status"; cat "$tmp/out"; fi

exit $((failures > 0))
