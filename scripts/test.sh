#!/usr/bin/env bash
# The test command: installs what is missing, builds the `asan` preset
# (AddressSanitizer + UBSan) and runs every test with ctest, then checks that
# every rule of docs/SEMANTICS.md is covered by a test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/check_spec.sh

cmake --preset asan
cmake --build --preset asan -j "$(nproc)"
ctest --preset asan
./build/asan/bin/memconform rules
