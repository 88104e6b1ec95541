#!/usr/bin/env bash
# Fuzzes the front end: builds test/fuzz's libFuzzer target in ./build-fuzz
# (clang-19, ASan + UBSan, coverage) and runs it for SECONDS (default 60) on a
# seed corpus made of models/*.net, every .net file under test/ and
# test/fuzz/corpus. No input may crash, trip a sanitizer, take over 1 s or
# use over 2 GB. The corpus grows in build-fuzz/fuzz-corpus between runs;
# a failing input is written to build-fuzz/fuzz-artifacts/.
#
#   scripts/fuzz.sh [SECONDS] [more libFuzzer flags, e.g. -workers=2 -jobs=2]
#
# NETC_FUZZ_TIMEOUT=S sets the slowest input allowed (default 1 s; CI, on a
# shared machine, uses it as a hang detector with a larger value).
# NETC_FUZZ_SANITIZERS=undefined builds ./build-fuzz-undefined without ASan,
# about three times faster for long runs; replay its corpus under ASan with
#   build-fuzz/bin/netc_fuzz_frontend -runs=0 build-fuzz-undefined/fuzz-corpus
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true

# libFuzzer ships in compiler-rt, not installed by scripts/setup.sh.
if [ ! -f "$(clang-19 -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y \
    --no-install-recommends libclang-rt-19-dev
fi

sanitizers="${NETC_FUZZ_SANITIZERS:-address,undefined}"
dir=build-fuzz
[ "$sanitizers" = "address,undefined" ] || dir="build-fuzz-${sanitizers//,/-}"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd .. && pwd)}"
if [ ! -f "$dir/build.ninja" ]; then
  cmake -G Ninja -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DNETC_FUZZ=ON -DNETC_FUZZ_SANITIZERS="$sanitizers"
fi
ninja -C "$dir" -j "${NETC_JOBS:-2}" netc_fuzz_frontend

seeds="$dir/fuzz-seeds"
rm -rf "$seeds"
mkdir -p "$seeds" "$dir/fuzz-corpus" "$dir/fuzz-artifacts"
n=0
while IFS= read -r f; do
  cp "$f" "$seeds/$n.net"
  n=$((n + 1))
done < <(find models test -name '*.net' -type f | sort)
cp test/fuzz/corpus/* "$seeds/" 2>/dev/null || true

# Stack traces of allocations make ASan's malloc several times slower; a
# report still names the faulting access.
export ASAN_OPTIONS="${ASAN_OPTIONS:-malloc_context_size=0}"
"$dir/bin/netc_fuzz_frontend" -max_total_time="$seconds" \
  -timeout="${NETC_FUZZ_TIMEOUT:-1}" \
  -rss_limit_mb=2048 -max_len=8192 -dict=test/fuzz/netc.dict \
  -print_final_stats=1 -artifact_prefix="$dir/fuzz-artifacts/" \
  "$@" "$dir/fuzz-corpus" "$seeds"
