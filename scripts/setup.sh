#!/usr/bin/env bash
# Installs every Debian package netc needs, then configures and builds it in
# ./build (kept between runs: incremental, ccache). Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config python3
  antlr4 libantlr4-runtime-dev
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools clang-19
  libdnnl-dev ocl-icd-opencl-dev uuid-dev libfmt-dev libgtest-dev zlib1g-dev nlohmann-json3-dev
  libjpeg-dev libpng-dev chromium
  openmpi-bin libopenmpi-dev
  dataset-fashion-mnist
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Paths relative to the checkout's parent: clones elsewhere share the cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd .. && pwd)}"
if [ ! -f build/build.ninja ]; then
  cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19
fi
ninja -C build -j "${NETC_JOBS:-2}"
