#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script (https://google.github.io/clusterfuzzlite/).
# Uses the conventions of OSS-Fuzz: $CC, $CXX, $CFLAGS and $CXXFLAGS carry the
# sanitizer and coverage flags, $LIB_FUZZING_ENGINE links the engine, and every
# fuzz target lands in $OUT with <target>.dict, <target>.options and
# <target>_seed_corpus.zip beside it.
src=${SRC}/memconform
[[ -d $src ]] || src=$(cd "$(dirname "$0")/.." && pwd)  # run from a checkout
build=${WORK}/memconform-build
targets=(fuzz_scope_ops fuzz_differential fuzz_resize fuzz_peek_poke fuzz_vector_json)

cmake -S "$src" -B "$build" -G Ninja \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DMEMCONFORM_OSS_FUZZ=ON -DMEMCONFORM_TESTS=OFF -DMEMCONFORM_FUZZING_ENGINE="$LIB_FUZZING_ENGINE"
cmake --build "$build" --target "${targets[@]}"

for t in "${targets[@]}"; do
  cp "$build/bin/$t" "$OUT/"
  cp "$src/fuzz/$t.dict" "$src/fuzz/$t.options" "$OUT/"
  rm -f "$OUT/${t}_seed_corpus.zip"
  (cd "$src/corpus/$t" && zip -q -j "$OUT/${t}_seed_corpus.zip" ./*)
done
