#!/usr/bin/env bash
# The project's documents point only at what the checkout has: every relative
# Markdown link of a tracked *.md file names a file or folder that exists, and
# no tracked source or document cites a spec file outside the repository
# (ARCHITECTURE.md, VECTORS.md of ../shared) instead of its docs/ version.
# Exit 1, naming each file:line, if one does not.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
while IFS= read -r md; do
  dir=$(dirname "$md")
  # [text](target) with a relative target; #anchors and URLs are not files.
  while IFS=: read -r line target; do
    target=${target%%#*}
    [[ -z $target || $target =~ ^[a-z]+: ]] && continue
    if [[ ! -e $dir/$target ]]; then
      echo "check_docs: $md:$line: the link ($target) names no file" >&2
      bad=1
    fi
  done < <(grep -noE '\]\([^) ]+\)' "$md" | sed -E 's/^([0-9]+):\]\(([^)]*)\)$/\1:\2/')
done < <(git ls-files '*.md' | grep -v node_modules)
# A bare "ARCHITECTURE.md" or "VECTORS.md" (not docs/...) is the shared spec's.
if git grep -nE '(^|[^/A-Za-z_])(ARCHITECTURE|VECTORS)\.md' -- ':!*.md' ':!scripts/check_docs.sh' >/tmp/check_docs.$$ 2>/dev/null; then
  sed 's/^/check_docs: cites a document outside the repository (use docs\/...): /' /tmp/check_docs.$$ >&2
  bad=1
fi
rm -f /tmp/check_docs.$$
((bad == 0)) && echo "check_docs: every relative link of $(git ls-files '*.md' | grep -vc node_modules) documents resolves"
exit "$bad"
