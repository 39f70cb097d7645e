#!/usr/bin/env bash
# The Node driver's access check (on unless `driver.mjs --no-check-accesses`,
# conformance/drivers/node/lib/sanitizer.mjs; SAFE-2): over the corpus, each
# pinned release makes no access outside what its helpers may touch but the
# triaged ones below (real upstream findings, each with its vector); and each
# bug planted in the 3.54.1-build1 helpers that writes where it may not
# (driver.mjs --mutant) is reported as SAFE-2, with the address and the
# region it hit, by a vector the release itself passes the check on. With
# --dialect-accesses, the releases make none at all.
# Usage: node_driver_access_check_test.sh MEMCONFORM_BINARY SOURCE_DIR
. "$(dirname "$0")/script_test.sh" "$@"
[[ -d conformance/drivers/node/node_modules/@sqlite.org/sqlite-wasm ]] || { echo "run scripts/setup.sh first (npm ci)"; exit 1; }
driver=conformance/drivers/node/driver.mjs

# Real upstream findings, each the access of a documented variant of the
# release's dialect (section 13): after grow(0), upstream's view cache
# (renewed when the byte length changes) holds views of the detached buffer,
# and scopedAllocCString writes the string through one: its bytes are lost
# (views-cached-by-length); peek([]) reads address 0
# (peek-empty-list-reads-zero); peek and poke index their views with
# ToInt32(address) >> n, so 2^32 and +-2^53 read and write address 0, the
# module's own bytes (peek-poke-unchecked).
triaged="peek/lists/empty-reads-nothing peek/out-of-bounds/peek-2-pow-32 peek/out-of-bounds/peek-2-pow-53 peek/out-of-bounds/peek-minus-2-pow-53 peek/out-of-bounds/poke-2-pow-32 peek/out-of-bounds/poke-2-pow-53 peek/out-of-bounds/poke-minus-2-pow-53 view/detach/helpers-write-after-grow-zero"

# The ids of the vectors of replay report $1 with an op that failed SAFE-2
# (the driver's "accesses"), one per line, sorted; each report must name an
# address and a region.
violations() {
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1]));
    for (const x of r.results) {
      const reports = (x.failures ?? []).filter((f) => f.rule === "SAFE-2");
      if (!reports.length) continue;
      const named = reports.every((f) => /^(WRITE|READ) of size \d+ at \d+ \([a-z-]+: .+?\) by \/vectors\/\d+\/ops\/\S+ \w+, at /.test(f.actual));
      console.log((named ? "" : "UNNAMED ") + x.id);
    }' "$1" | sort
}

for release in 3.54.1-build1 3.41.2; do
  "$mc" replay --target "cmd:node $driver --release $release" --json "$tmp/$release.json" conformance/vectors >/dev/null 2>&1
  found=$(violations "$tmp/$release.json" | paste -sd' ')
  if [[ $found == "$triaged" ]]; then echo "ok   $release: no access outside what the helpers may touch but the triaged ($triaged)"
  else fail "$release: SAFE-2 reports on [$found], triaged [$triaged]"; fi
  # The triaged access is the release's dialect (views-cached-by-length): accepted with it.
  "$mc" replay --target "cmd:node $driver --release $release --dialect-accesses" --json "$tmp/d.json" conformance/vectors >/dev/null 2>&1
  found=$(violations "$tmp/d.json" | paste -sd' ')
  if [[ -z $found ]]; then echo "ok   $release --dialect-accesses: no access outside what the helpers or the release's dialect may touch"
  else fail "$release --dialect-accesses: SAFE-2 reports on [$found]"; fi
done

for mutant in cstring-no-nul-room zero-memory-one-more alloc-ptr-one-past argv-stale-view poke-list-one-past; do
  "$mc" replay --target "cmd:node $driver --release 3.54.1-build1 --mutant $mutant" --json "$tmp/m.json" conformance/vectors >/dev/null 2>&1
  new=$(comm -23 <(violations "$tmp/m.json") <(echo "$triaged" | tr ' ' '\n' | sort))
  if [[ -n $new && $new != *UNNAMED* ]]; then echo "ok   $mutant: SAFE-2 by $(echo "$new" | wc -l) vector(s), first $(echo "$new" | head -n 1)"
  else fail "$mutant: no SAFE-2 report naming an address and a region outside the triaged vectors [$new]"; fi
done
# Off, nothing is checked (the throughput bench's driver).
"$mc" replay --target "cmd:node $driver --release 3.54.1-build1 --no-check-accesses --mutant zero-memory-one-more" --json "$tmp/off.json" conformance/vectors >/dev/null 2>&1
found=$(violations "$tmp/off.json" | paste -sd' ')
if [[ -z $found ]]; then echo "ok   --no-check-accesses: no SAFE-2 report"
else fail "--no-check-accesses: SAFE-2 reports on [$found]"; fi
exit $((failures > 0))
