#!/usr/bin/env bash
# The main job: installs what is missing, builds the `release` preset and runs
# memconform: the rule coverage table and a tour of the reference (the GROW
# table, a scope-stack session checked for leaks, a 2 GiB memory's cost).
# Later issues add the corpus replay, a short fuzz run and the report here.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset release
cmake --build --preset release -j "$(nproc)"

echo "== memconform rules =="
./build/release/bin/memconform rules
echo
echo "== memconform demo =="
./build/release/bin/memconform demo
