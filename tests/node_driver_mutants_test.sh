#!/usr/bin/env bash
# The bugs planted in the real @sqlite.org/sqlite-wasm 3.54.1-build1 helpers
# (conformance/drivers/node/lib/mutants.mjs, `driver.mjs --mutant NAME`) are
# each killed by the corpus, judged with the release's own expectations file:
# the replay fails, and the first vector that fails kills the mutant alone,
# replayed by itself on a fresh driver. Prints the kill table; with --json
# FILE, writes it. Needs `scripts/setup.sh` (npm ci) first.
# Usage: node_driver_mutants_test.sh MEMCONFORM_BINARY SOURCE_DIR [--json FILE]
set -uo pipefail
mc=$1
src=$2
json_out=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src" || exit 2
driver=conformance/drivers/node/driver.mjs
release=3.54.1-build1
failures=0
rows=()
printf '%-28s %-9s %-7s %s\n' mutant rule killed "killing vector (alone, on a fresh driver)"
while read -r name rule _; do
  target="cmd:node $driver --release $release --mutant $name"
  # The release's expectations, for this target: the mutant's only other failures are the bug's.
  node -e 'const [f, t, out] = process.argv.slice(1); const e = JSON.parse(require("fs").readFileSync(f)); e.target = t;
    require("fs").writeFileSync(out, JSON.stringify(e))' "conformance/expectations/sqlite-wasm-$release.json" "$target" "$tmp/e.json"
  # Its first failing vector is all the test needs from the full corpus.
  "$mc" replay --target "$target" -e "$tmp/e.json" --max-failures 1 --json "$tmp/r.json" >"$tmp/out" 2>&1
  status=$?
  first=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1]));
    const k = r.results.find((x) => ["fail", "unexpected-pass", "error"].includes(x.status)); console.log(k ? k.id : "")' "$tmp/r.json")
  alone=1
  if [[ -n $first ]]; then
    "$mc" replay --target "$target" -e "$tmp/e.json" --filter "$first" >"$tmp/alone" 2>&1
    alone=$?
  fi
  if [[ $status == 1 && -n $first && $alone == 1 ]]; then
    printf '%-28s %-9s %-7s %s\n' "$name" "$rule" yes "$first"
    rows+=("{\"mutant\":\"$name\",\"rule\":\"$rule\",\"killed\":true,\"by\":\"$first\"}")
  else
    printf '%-28s %-9s %-7s %s\n' "$name" "$rule" NO "replay exit $status, first failing vector '${first}', alone exit $alone"
    rows+=("{\"mutant\":\"$name\",\"rule\":\"$rule\",\"killed\":false}")
    failures=$((failures + 1))
  fi
done < <(node "$driver" --list-mutants)
if [[ -n $json_out ]]; then (IFS=,; echo "[${rows[*]}]") >"$json_out"; fi
total=${#rows[@]}
echo "$((total - failures)) of $total driver mutants killed by the corpus (each by one vector alone, on a fresh driver)"
((failures == 0 && total >= 12))
