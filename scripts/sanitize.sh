#!/usr/bin/env bash
# Builds compiler, runtime and every program the tests build with
# AddressSanitizer + UndefinedBehaviorSanitizer (-DNETC_SANITIZE=ON) in
# ./build-asan and runs the whole suite there. Any report fails the run:
# UBSan does not recover, ASan aborts on the first error.
# Leak checking is off: the compiler keeps its MLIR context and LLVM's
# command-line registry alive until exit on purpose.
# Usage: scripts/sanitize.sh [ctest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh >/dev/null # the packages (and the plain build)
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd .. && pwd)}"
if [ ! -f build-asan/build.ninja ]; then
  cmake -G Ninja -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DNETC_SANITIZE=ON
fi
ninja -C build-asan -j "${NETC_JOBS:-2}"
# allocator_may_return_null: the runtime reports an allocation that fails
# (tests ask for impossible sizes on purpose); ASan would abort instead.
# allow_user_poisoning=0: LLVM's BumpPtrAllocator poisons its slabs in our
# instrumented code (its header functions are inlined there) and libMLIR,
# not instrumented, allocates from the same slabs without unpoisoning them,
# so every MLIR string copied out of them would be a false "use-after-poison".
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allocator_may_return_null=1:allow_user_poisoning=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-19/bin/llvm-symbolizer
ctest --test-dir build-asan --output-on-failure -j "${NETC_JOBS:-2}" "$@"
