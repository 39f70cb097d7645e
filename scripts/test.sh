#!/usr/bin/env bash
# The test command: installs what is missing, builds the `asan` preset
# (AddressSanitizer + UBSan), checks that every rule of docs/SEMANTICS.md is
# covered by a test, and runs every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/check_spec.sh

cmake --preset asan
cmake --build --preset asan -j "$(nproc)"
# Every rule of the spec must have a test (exit 1 otherwise) ...
./build/asan/bin/memconform rules
# ... and every test must pass under ASan + UBSan.
ctest --preset asan
