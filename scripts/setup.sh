#!/usr/bin/env bash
# Installs everything memconform needs on a fresh Debian 12 machine.
# Idempotent: packages already present are skipped, so a second run is quick.
set -euo pipefail

packages=(
  cmake ninja-build
  clang-14 clang libclang-rt-14-dev      # compiler, libFuzzer, ASan/UBSan runtimes
  libgtest-dev                           # unit tests
  nlohmann-json3-dev                     # vectors and reports
  wabt                                   # wasm: targets (libwabt's interpreter, wat2wasm)
  emscripten                             # Emscripten's dlmalloc and emmalloc as wasm modules (corpus/wasm)
  libcli11-dev libvalijson-dev           # the memconform command line, JSON Schema
  libbenchmark-dev                       # benchmarks
  zip unzip bc                           # seed corpus zips (ClusterFuzzLite), fuzz.sh timings
)
# Node.js 20 + npm: the GROW oracle and the JavaScript driver. Machines of this
# kind ship Node 20 with its own npm (Debian's npm conflicts with that nodejs),
# so the Debian packages are only a fallback when the commands are missing.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

# The Node driver's packages (@sqlite.org/sqlite-wasm, two releases), exactly
# as package-lock.json pins them; skipped when they are already installed.
driver=conformance/drivers/node
if ! cmp -s "$driver/package-lock.json" "$driver/node_modules/.package-lock.json.installed" 2>/dev/null; then
  echo "setup: npm ci in $driver"
  (cd "$driver" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.package-lock.json.installed)
else
  echo "setup: $driver/node_modules up to date"
fi
