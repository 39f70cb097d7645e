#!/usr/bin/env bash
# `memconform matrix --releases` over one release of each package layout of
# @sqlite.org/sqlite-wasm (conformance/drivers/node/lib/package.mjs): 3.41.2
# (the browser build), 3.41.2-build12 (the bundler build only), 3.47.0-build1
# (jswasm's Node build), 3.51.0-build1 (a Node entry that imports a missing
# file: the browser build, which fetches its own binary) and 3.54.1-build1
# (dist/): each is fetched from the npm registry into a cache, loads, and runs
# every vector (exit 0, no ERROR); the pages name 3.47.0-build1 as where
# GROW-5's heap sizes changed (its page formula) and no change of behaviour
# between 3.41.2 and 3.41.2-build12 (the same build of the helpers); a second
# run with --offline uses the cache. Needs the npm registry once (the cache
# is kept in CACHE_DIR, default under the build folder).
# Usage: matrix_releases_test.sh MEMCONFORM_BINARY SOURCE_DIR [CACHE_DIR]
. "$(dirname "$0")/script_test.sh" "$@"
cache=${3:-$tmp/cache}
only=(--package @sqlite.org/sqlite-wasm --only 3.41.2 --only 3.41.2-build12 --only 3.47.0-build1 --only 3.51.0-build1 --only 3.54.1-build1)

"$mc" matrix --releases --cache "$cache" "${only[@]}" --md "$tmp/m.md" --html "$tmp/m.html" --json "$tmp/m.json" >"$tmp/out" 2>&1
status=$?
releases=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).history.releases.map((r) => r.version).join(" "))' "$tmp/m.json")
errors=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).targets.reduce((n, t) => n + (t.totals.error ?? 0), 0))' "$tmp/m.json")
if [[ $status == 0 && $releases == "3.41.2 3.41.2-build12 3.47.0-build1 3.51.0-build1 3.54.1-build1" && $errors == 0 ]]; then
  echo "ok   5 releases, one per package layout, fetched and run: exit 0, no ERROR"
else fail "matrix --releases: exit $status, releases '$releases', $errors errors"; tail -n 20 "$tmp/out"; fi

# GROW-5 changed at 3.47.0-build1 (from 3.41.2-build12), not at 3.41.2-build12.
grow=$(node -e 'const h = JSON.parse(require("fs").readFileSync(process.argv[1])).history;
  console.log((h.rules["GROW-5"] ?? []).map((c) => c.from + ">" + c.to).join(" "))' "$tmp/m.json")
same=$(node -e 'const h = JSON.parse(require("fs").readFileSync(process.argv[1])).history;
  console.log(Object.values(h.rules).flat().concat(h.memory).filter((c) => c.to === "3.41.2-build12").length)' "$tmp/m.json")
if [[ $grow == *"3.41.2-build12>3.47.0-build1"* && $same == 0 ]] && grep -q '^| GROW-5 | .*@sqlite.org/sqlite-wasm 3.47.0-build1' "$tmp/m.md" &&
   grep -q 'Behaviour changes between releases' "$tmp/m.html"; then
  echo "ok   GROW-5 changed in 3.47.0-build1; 3.41.2-build12 behaves as 3.41.2"
else fail "history: GROW-5 '$grow', changes at 3.41.2-build12: $same"; sed -n '/Behaviour changes/,/^###/p' "$tmp/m.md"; fi

# Offline, from the cache: the same releases, and an unknown version is none.
"$mc" matrix --releases --offline --cache "$cache" --package @sqlite.org/sqlite-wasm --only 3.54.1-build1 --json "$tmp/o.json" >"$tmp/out" 2>&1
status=$?
if [[ $status == 0 ]] && grep -q '3.54.1-build1' "$tmp/o.json"; then echo "ok   --offline runs from the cache"
else fail "--offline: exit $status"; tail -n 5 "$tmp/out"; fi
"$mc" matrix --releases --offline --cache "$cache" --package @sqlite.org/sqlite-wasm --only 9.9.9 >"$tmp/out" 2>&1
status=$?
if [[ $status == 2 ]] && grep -q 'no release to run' "$tmp/out"; then echo "ok   no release matches: exit 2, said why"
else fail "no release: exit $status"; cat "$tmp/out"; fi

((failures == 0)) && echo "all matrix --releases checks passed" || { echo "$failures check(s) failed"; exit 1; }
