#!/usr/bin/env bash
# docs/SEMANTICS.md must keep every rule ID of ../shared/spec/SEMANTICS.md
# (the project's copy may add precision, never drop a rule). Skipped when the
# shared spec is not beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared/spec/SEMANTICS.md
[ -f "$shared" ] || { echo "check_spec: $shared not found, skipped"; exit 0; }
ids() { grep -oE '^\| [A-Z]+-[0-9]+ \|' "$1" | grep -oE '[A-Z]+-[0-9]+' | sort -u; }
missing=$(comm -23 <(ids "$shared") <(ids docs/SEMANTICS.md) | tr '\n' ' ')
if [ -n "$missing" ]; then
  echo "check_spec: docs/SEMANTICS.md lacks rules of $shared: $missing" >&2
  exit 1
fi
echo "check_spec: docs/SEMANTICS.md has all $(ids "$shared" | wc -l) rules of the shared spec"
