#!/usr/bin/env bash
# The cmd: target end to end, with `memconform driver` as the implementation,
# in both versions of the protocol (1: whole vectors; 2: op at a time): the
# corpus passes through the protocol exactly as it does directly, planted
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

for protocol in 1 2; do
  "$mc" replay --target "cmd:$mc driver --protocol $protocol" --json "$tmp/ref.json" >"$tmp/out" 2>&1
  status=$?
  passed=$(ids "$tmp/ref.json" pass | grep -c .)
  if [[ $status == 0 && $passed == "$total" ]]; then echo "ok   reference through protocol $protocol: $passed of $total pass"
  else fail "reference through protocol $protocol: exit $status, $passed of $total pass"; tail -n 20 "$tmp/out"; fi

  mutantFailures=$failures
  for m in $("$mc" mutants --list | awk '{print $1}'); do
    rm -f "$tmp/cmd.json"
    direct=$tmp/direct-$m.json  # the same for both protocols
    [[ $protocol == 1 ]] && "$mc" replay --target "mutant:$m" --json "$direct" >/dev/null 2>&1
    "$mc" replay --target "cmd:$mc driver --protocol $protocol --target mutant:$m" --json "$tmp/cmd.json" >/dev/null 2>&1
    if [[ ! -s $direct ]]; then
      # ASan stopped the direct run (an out-of-bounds write): through the
      # protocol it stops the driver, and the report says so with ASan's line.
      node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));process.exit(r.results.some(x=>x.status==="error"&&x.reason.startsWith("crash: ")&&x.reason.includes("AddressSanitizer"))?0:1)' "$tmp/cmd.json" ||
        fail "mutant:$m stops the direct run, but no crash with ASan's report through protocol $protocol"
      continue
    fi
    if [[ $(ids "$direct" fail) != "$(ids "$tmp/cmd.json" fail)" || -z $(ids "$tmp/cmd.json" fail) ]]; then
      fail "mutant:$m fails different vectors through protocol $protocol"
      diff <(ids "$direct" fail) <(ids "$tmp/cmd.json" fail) | head -n 10
    fi
  done
  ((mutantFailures == failures)) && echo "ok   every mutant fails the same vectors through protocol $protocol as directly"

  # mode, the report's reason must contain this
  for spec in "crash:crash: " "hang:timeout: " "flood:protocol-error: " "garbage:protocol-error: "; do
    mode=${spec%%:*} want=${spec#*:}
    rm -f "$tmp/marker"
    start=$(date +%s)
    # 2 s for the hang to end soon; 10 for the others, so that a busy
    # machine's slow 100-MB flood is still a protocol error, not a timeout.
    limit=10
    [[ $mode == hang ]] && limit=2
    "$mc" replay --timeout $limit --target "cmd:bash $src/tests/drivers/flaky_driver.sh $mc $mode 100 $tmp/marker $protocol" \
      --json "$tmp/$mode.json" >"$tmp/$mode.out" 2>&1
    status=$?
    # "errorType id: reason" of each error result (JSON report: errorType names the kind).
    errors=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));for(const x of r.results)if(x.status==="error")console.log(x.errorType+" "+x.id+": "+x.reason.slice(0,300))' "$tmp/$mode.json")
    n=$(count "$tmp/$mode.json")
    if [[ $status == 1 && $n == "$total" && $(grep -c . <<<"$errors") == 1 && $errors == *"$want"* && $errors == "${want%: } "* ]]; then
      echo "ok   a driver of protocol $protocol that does '$mode' mid-run: exit 1, $n of $total vectors reported, $(($(date +%s) - start)) s, one error: ${errors:0:160}"
    else
      fail "driver of protocol $protocol '$mode': exit $status, $n of $total vectors reported, errors: $errors"; tail -n 5 "$tmp/$mode.out"
    fi
    [[ $mode == crash && $errors != *"giving up on request"* ]] && fail "the crash report lacks the driver's stderr"
    # A timeout is also a warning that names the vector and how to give the
    # driver more time; nothing else is called one.
    if [[ $mode == hang ]]; then
      id=$(cut -d' ' -f2 <<<"$errors")
      id=${id%:}
      grep -qF "warning: 1 vector(s) timed out, the first $id: the driver took longer than $limit s to answer; if it is slow rather than hung, give it longer with --timeout SECONDS" "$tmp/$mode.out" ||
        fail "a driver of protocol $protocol that hangs: no warning naming $id and --timeout"
    fi
    [[ $mode != hang ]] && grep -q 'timed out' "$tmp/$mode.out" && fail "a driver that does '$mode' is said to have timed out"
  done
done

# A protocol 2 answer that breaks the protocol is that vector's error,
# naming the op it answered and the bad field; the next vector goes on.
cat >"$tmp/two.json" <<'JSON'
{"schema":"memconform-vectors/1","area":"scope","description":"two vectors","vectors":[
 {"id":"a/alloc","rules":["SCOPE-3"],"source":"seed","ops":[{"op":"alloc","size":8,"as":"p"},{"op":"dealloc","ptr":"p"}]},
 {"id":"a/call","rules":["CALL-1"],"source":"seed","ops":[{"op":"call","body":[{"op":"level"}]}]}]}
JSON
for spec in 'no-value:/vectors/0/ops/0: missing "value"' 'bad-event:/vectors/0/ops/0 at /events/0/alloc: expected a non-negative integer' \
            'body-twice:/vectors/1/ops/0/body/0 at /body: protocol 2 sends'; do
  mode=${spec%%:*} want=${spec#*:}
  "$mc" replay "$tmp/two.json" --target "cmd:node $src/tests/drivers/wrong_answers_driver.mjs $mode" --json "$tmp/wrong.json" >"$tmp/out" 2>&1
  status=$?
  errors=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(r.results.filter(x=>x.status==="error"&&x.errorType==="protocol-error").map(x=>x.reason).join("\n"))' "$tmp/wrong.json")
  if [[ $status == 1 && $(grep -c . <<<"$errors") == 2 && $errors == *"its answer to $want"* ]]; then echo "ok   a protocol 2 driver that answers '$mode': both vectors protocol errors, naming the op and field"
  else fail "a protocol 2 driver that answers '$mode': exit $status, errors: $errors"; fi
done

# A command that cannot start is a usage error (exit 2) naming the command.
"$mc" replay --target "cmd:/nonexistent/driver" >"$tmp/out" 2>&1
status=$?
if [[ $status == 2 ]] && grep -q "/nonexistent/driver" "$tmp/out"; then echo "ok   a driver that cannot start: exit 2, named"
else fail "a driver that cannot start: exit $status"; cat "$tmp/out"; fi

exit $((failures > 0))
