#!/usr/bin/env bash
# `memconform from-crash` on a known input: bytes that the op decoder
# (fuzz/op_decoder.cpp, an op is byte % 42) reads as setup {1 page, no
# faults, default growth}, then push (0x00), scopedAlloc(8) (0x06 0x08),
# scopedAlloc(16) (0x06 0x10), and ops around a pop (0x03) that the minimiser
# must remove. On mutant:pop-fifo the pop releases FIFO (SCOPE-6).
# Then the same for a C plugin whose planted bug pops the top scope at the
# end of scopedAllocCall (CALL-1), loaded from an absolute path with capitals,
# a space and dots, none of which may reach the vector's id. Then a finding
# of the Node driver's access check (SAFE-2): the bug planted in the 3.54.1
# helpers that pokes a list once past its end, against the reference in the
# release's dialect (the input fuzz_differential found it with).
# Usage: from_crash_test.sh MEMCONFORM_BINARY PLUGIN_POPS_TOP.so [SOURCE_DIR]
set -euo pipefail
mc=$1
plugin=$2
src=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '\x00\x00\x03\x00\x00\x06\x08\x06\x10\x24\x00\x29\x0a\x18\x00\x03\x24\x00\x29' >"$tmp/input"

"$mc" from-crash mutant:pop-fifo "$tmp/input" -o "$tmp/v.json" | tee "$tmp/out"
grep -qE '^finding mutant:pop-fifo/pop/SCOPE-6/events:dealloc>dealloc: [0-9]+ ops minimised to [0-9]+$' "$tmp/out"
ops=$(grep -oE '\(([0-9]+) ops\): reference passes, mutant:pop-fifo fails' "$tmp/out" | grep -oE '[0-9]+' | head -n 1)
((ops <= 10)) || { echo "FAIL: $ops ops, expected at most 10"; exit 1; }
"$mc" validate "$tmp/v.json" >/dev/null
"$mc" replay --target reference "$tmp/v.json" >/dev/null
if "$mc" replay --target mutant:pop-fifo "$tmp/v.json" >"$tmp/replay"; then
  echo "FAIL: the vector passes on the mutant"; exit 1
fi
grep -q '^FAIL  from-fuzz/pop-fifo/' "$tmp/replay"
grep -q '"from-fuzz"' "$tmp/v.json"
echo "ok: $ops ops, passes on the reference, fails on mutant:pop-fifo"

# setup {1 page, no faults, default growth}, call (0x25) with a body of 2 ops
# (0x01): push (0x00) and scopedAlloc(8) (0x06 0x08), no throw (0x01).
mkdir "$tmp/Glue Build"
cp "$plugin" "$tmp/Glue Build/My.Glue_v2.so"
printf '\x00\x00\x03\x00\x25\x01\x00\x06\x08\x01' >"$tmp/call-input"
"$mc" from-crash "plugin:$tmp/Glue Build/My.Glue_v2.so" "$tmp/call-input" -o "$tmp/p.json" | tee "$tmp/p-out"
grep -qE '^finding plugin:.*/call/CALL-1/[^ ]+: ' "$tmp/p-out"
grep -q '"id": "from-fuzz/my.glue_v2/' "$tmp/p.json"
"$mc" replay --target reference "$tmp/p.json" >/dev/null
if "$mc" replay --target "plugin:$tmp/Glue Build/My.Glue_v2.so" "$tmp/p.json" >/dev/null; then
  echo "FAIL: the vector passes on the plugin"; exit 1
fi
echo "ok: the plugin's finding has the id from-fuzz/my.glue_v2/..."

[[ -n $src ]] || exit 0
driver="cmd:node $src/conformance/drivers/node/driver.mjs --release 3.54.1-build1 --mutant poke-list-one-past --dialect-accesses"
printf 'te~en' >"$tmp/access-input"
"$mc" from-crash "$driver" "$tmp/access-input" --reference 'reference?dialect=sqlite-wasm-3.54' -o "$tmp/a.json" | tee "$tmp/a-out"
grep -qE '^finding cmd:.*/poke/SAFE-2/write:module-data: [0-9]+ ops minimised to [0-9]+$' "$tmp/a-out"
"$mc" replay --target 'reference?dialect=sqlite-wasm-3.54' "$tmp/a.json" >/dev/null
if "$mc" replay --target "$driver" "$tmp/a.json" >"$tmp/a-replay"; then
  echo "FAIL: the vector passes on the driver mutant"; exit 1
fi
grep -qE '^FAIL .*\(poke\) \[SAFE-2\]: expected no SAFE-2 violation; actual WRITE of size [0-9]+ at 0 \(module-data: ' "$tmp/a-replay"
echo "ok: the access check's finding is a vector that fails SAFE-2 on the driver mutant, with address and region"
