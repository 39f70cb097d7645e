#!/usr/bin/env bash
# `memconform from-crash` on a known input: bytes that the op decoder
# (fuzz/op_decoder.cpp, an op is byte % 42) reads as setup {1 page, no
# faults, default growth}, then push (0x00), scopedAlloc(8) (0x06 0x08),
# scopedAlloc(16) (0x06 0x10), and ops around a pop (0x03) that the minimiser
# must remove. On mutant:pop-fifo the pop releases FIFO (SCOPE-6).
# Usage: from_crash_test.sh MEMCONFORM_BINARY
set -euo pipefail
mc=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '\x00\x00\x03\x00\x00\x06\x08\x06\x10\x24\x00\x29\x0a\x18\x00\x03\x24\x00\x29' >"$tmp/input"

"$mc" from-crash mutant:pop-fifo "$tmp/input" -o "$tmp/v.json" | tee "$tmp/out"
grep -qE '^finding mutant:pop-fifo/pop/SCOPE-6: [0-9]+ ops minimised to [0-9]+$' "$tmp/out"
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
