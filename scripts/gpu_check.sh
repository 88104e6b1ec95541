#!/usr/bin/env bash
# The GPU checks of issue 11 (`--target cuda`) in one go, on a machine with
# an NVIDIA GPU and CUDA under /usr/local/cuda (under 10 minutes on an H200):
#   0. the runtime's kernel tests on the device (build/bin/cuda_tests:
#      every netc_cuda_* kernel against the CPU kernel);
#   1. build LeNet, AlexNet, ResNet50 (and the STL-10 front + LeNet) for
#      --target cuda and for the CPU (or take them prepared: --bin DIR);
#   2. one training step per network on cpu and cuda from the same seed and
#      batch (`--dump-steps DIR --steps 1`): loss, outputs and every weight
#      within 1e-4 relative (scripts/compare_steps.py; TF32 off);
#   3. train LeNet on Fashion-MNIST for 2 epochs on cuda: test accuracy at
#      least 0.85 (from results.json);
#   4. `--bench-steps` at batch 32 and 256 of the four study networks on
#      cuda against PyTorch eager on the same GPU
#      (../shared/bench/train_throughput.py), printed as one table.
# Each step says clearly when it fails and the script goes on; the exit
# status is 1 when any check failed. Every program runs under `timeout`
# (a per-run limit, cut to what is left of a budget of 510 s for the whole
# script, so that it ends within 9 minutes however slow the steps are) and
# prints how long it took. docs/guide.md, "Training on a GPU".
#
# usage: scripts/gpu_check.sh [--build DIR] [--bin DIR | --prepare DIR]
#          [--out DIR] [--fashion DIR] [--torch FILE] [--cpu NAME]
#          [--bench-steps N] [--skip-torch]
set -u

usage() {
  cat <<'USAGE'
usage: scripts/gpu_check.sh [options]
  --build DIR        netc's build directory (default: build; configured and
                     built with ninja if it has no bin/netc)
  --bin DIR          take the programs made by --prepare DIR instead of
                     building them (a GPU machine without the toolchain)
  --prepare DIR      only build the programs (cpu and cuda) and pack them
                     with the shared libraries they need and the PyTorch
                     benchmark into DIR/bundle.tar.gz, copy Fashion-MNIST
                     into DIR, then stop (needs no GPU);
                     a DIR inside the checkout that git ignores can travel
                     to the GPU machine
  --out DIR          logs, dumps and results (default: /tmp/netc-gpu-check)
  --fashion DIR      Fashion-MNIST's IDX files (default:
                     /usr/share/datasets/fashion-mnist, or DIR/fashion-mnist
                     of --bin)
  --torch FILE       PyTorch benchmark (default:
                     ../shared/bench/train_throughput.py from the checkout,
                     or the copy --prepare puts into DIR)
  --cpu NAME         CPU the cpu programs are compiled for (default:
                     x86-64-v3, so programs prepared here run on the GPU
                     machine; the cuda programs take netc's default)
  --bench-steps N    timed steps per measurement (default: 5 at batch 32,
                     3 at batch 256)
  --budget SECONDS   time for all program runs together (default: 510)
  --skip-torch       no PyTorch measurements
USAGE
}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
BIN=""
PREPARE=""
OUT=/tmp/netc-gpu-check
FASHION=""
TORCH=$ROOT/../shared/bench/train_throughput.py
CPU=x86-64-v3
STEPS=""
BUDGET=510
SKIP_TORCH=0

need_positive() {
  need_value "$@"
  case "$2" in '' | *[!0-9]* | 0)
    echo "gpu_check: error: $1 needs a positive number" >&2
    exit 2 ;;
  esac
}
need_value() {
  if [ $# -lt 2 ] || [ -z "$2" ]; then
    echo "gpu_check: error: $1 needs a value" >&2
    usage >&2
    exit 2
  fi
}

while [ $# -gt 0 ]; do
  case "$1" in
  --build) need_value "$@"; BUILD=$2; shift 2 ;;
  --bin) need_value "$@"; BIN=$2; shift 2 ;;
  --prepare) need_value "$@"; PREPARE=$2; shift 2 ;;
  --out) need_value "$@"; OUT=$2; shift 2 ;;
  --fashion) need_value "$@"; FASHION=$2; shift 2 ;;
  --torch) need_value "$@"; TORCH=$2; shift 2 ;;
  --cpu) need_value "$@"; CPU=$2; shift 2 ;;
  --bench-steps) need_positive "$@"; STEPS=$2; shift 2 ;;
  --budget) need_positive "$@"; BUDGET=$2; shift 2 ;;
  --skip-torch) SKIP_TORCH=1; shift ;;
  -h | --help) usage; exit 0 ;;
  *) echo "gpu_check: error: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
if [ -n "$BIN" ] && [ -n "$PREPARE" ]; then
  echo "gpu_check: error: --bin and --prepare exclude each other" >&2
  exit 2
fi

# name, source, the PyTorch model of train_throughput.py
NETS="lenet:models/lenet_fashion.net:lenet_mnist
alexnet:models/initializers.net:alexnet_cifar10
resnet50:models/optimizers.net:resnet50_cifar10
stl10_lenet:models/transfer.net:lenet_stl10"
COMPARED="lenet alexnet resnet50"

FAILED=()
fail() {
  echo "FAIL: $*"
  FAILED+=("$*")
}
step() { printf '\n==== %s ====\n' "$*"; }

# The script's deadline: every program run below ends before it.
DEADLINE=$((SECONDS + BUDGET))
exec 3>&1 # limited's timings go here

# limited SECS LABEL COMMAND...: runs COMMAND under `timeout`, for at most
# SECS and what is left of the budget; prints "LABEL: N s" (and why it
# stopped) on the script's output (fd 3), whatever COMMAND's output is
# redirected to. Its exit status is COMMAND's, 124 on a timeout.
limited() {
  local secs=$1 label=$2 left start rc
  shift 2
  left=$((DEADLINE - SECONDS))
  [ "$secs" -gt "$left" ] && secs=$left
  if [ "$secs" -lt 1 ]; then
    echo "  $label: not run, the script's time budget ($BUDGET s) is spent" >&3
    return 124
  fi
  start=$SECONDS
  timeout -k 5 "$secs" "$@"
  rc=$?
  case $rc in
  124 | 137) echo "  $label: stopped after $((SECONDS - start)) s (limit $secs s)" >&3 ;;
  *) echo "  $label: $((SECONDS - start)) s (exit $rc)" >&3 ;;
  esac
  return $rc
}

# The programs' directory: --bin's, --prepare's, or one under --out.
PROGS=${BIN:-${PREPARE:-$OUT/programs}}
mkdir -p "$OUT" "$PROGS" || exit 2
PROGS=$(cd "$PROGS" && pwd)
OUT=$(cd "$OUT" && pwd)
[ -z "$FASHION" ] && [ -n "$BIN" ] && FASHION=$PROGS/fashion-mnist
[ -z "$FASHION" ] && FASHION=/usr/share/datasets/fashion-mnist
if [ -n "$BIN" ] && [ ! -e "$TORCH" ] && [ -e "$PROGS/train_throughput.py" ]; then
  TORCH=$PROGS/train_throughput.py
fi

# netc itself, built if needed (a GPU machine with the toolchain).
ensure_netc() {
  [ -x "$BUILD/bin/netc" ] && return 0
  echo "no $BUILD/bin/netc: configuring and building netc"
  (cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release &&
    ninja -C "$BUILD" netc netc_runtime_main netc_runtime_cuda) \
    >"$OUT/build-netc.log" 2>&1 || {
    echo "netc's build failed: $OUT/build-netc.log"
    return 1
  }
}

# LeNet reads Fashion-MNIST from the directory fashion-mnist under --data, so
# that programs built here find it on the GPU machine.
lenet_source() {
  sed 's|fashion_mnist(scale: 1/255)|fashion_mnist("fashion-mnist", scale: 1/255)|' \
    "$ROOT/models/lenet_fashion.net" >"$OUT/lenet_fashion.net"
  grep -q 'fashion_mnist("fashion-mnist"' "$OUT/lenet_fashion.net" ||
    { echo "models/lenet_fashion.net changed: cannot set its data path"; return 1; }
}

build_programs() {
  step "1. build the networks for cuda and cpu (cpu ones with --cpu $CPU)"
  ensure_netc || { fail "build: netc"; return; }
  lenet_source || { fail "build: lenet source"; return; }
  local name src torch target file cpu_flag
  while IFS=: read -r name src torch; do
    file=$ROOT/$src
    [ "$name" = lenet ] && file=$OUT/lenet_fashion.net
    for target in cpu cuda; do
      # netc refuses --cpu with --target cuda (usage error).
      cpu_flag=()
      [ $target = cpu ] && cpu_flag=(--cpu "$CPU")
      if "$BUILD/bin/netc" build "$file" -o "$PROGS/${name}_$target" \
        --target $target "${cpu_flag[@]}" >"$OUT/build-${name}_$target.log" 2>&1; then
        echo "built ${name}_$target"
      else
        fail "build ${name}_$target (log: $OUT/build-${name}_$target.log)"
        tail -5 "$OUT/build-${name}_$target.log"
      fi
    done
  done <<<"$NETS"
}

# The runtime's kernel tests (runtime/tests/CudaTest.cpp), first: a kernel
# that is wrong there explains the later steps' failures. --prepare packs
# them (and the stand-in driver some of them load) with the programs.
kernel_tests() {
  step "0. the runtime's cuda kernel tests (cuda_tests)"
  local tests=$BUILD/bin/cuda_tests fake=$BUILD/lib/libnetc_fake_cuda_driver.so
  [ -n "$BIN" ] && tests=$PROGS/cuda_tests fake=$PROGS/libnetc_fake_cuda_driver.so
  if [ ! -x "$tests" ]; then
    fail "cuda_tests: no $tests"
    return
  fi
  if NETC_FAKE_CUDA_DRIVER=$fake limited 120 cuda_tests "$tests" \
    >"$OUT/cuda_tests.log" 2>&1; then
    sed -n '/^\[==========\] .* ran/,$p' "$OUT/cuda_tests.log" # the summary
  else
    fail "cuda_tests (log: $OUT/cuda_tests.log)"
    grep -E '^\[  (PASSED|SKIPPED|FAILED) |Failure|error' "$OUT/cuda_tests.log" | head -30
    tail -3 "$OUT/cuda_tests.log"
  fi
}

compare_steps() {
  step "2. one training step, cpu against cuda (relative tolerance 1e-4)"
  local name
  for name in $COMPARED; do
    local ok=1 target
    for target in cpu cuda; do
      rm -rf "$OUT/dump/$name/$target"
      if [ ! -x "$PROGS/${name}_$target" ]; then
        fail "step $name on $target: no program $PROGS/${name}_$target"
        ok=0
        continue
      fi
      if ! limited 60 "${name}_$target --steps 1" env -u NETC_ALLOW_TF32 \
        "$PROGS/${name}_$target" \
        --dump-steps "$OUT/dump/$name/$target" --steps 1 --set seed=1 \
        >"$OUT/dump-${name}_$target.log" 2>&1; then
        fail "step $name on $target (log: $OUT/dump-${name}_$target.log)"
        tail -5 "$OUT/dump-${name}_$target.log"
        ok=0
      fi
    done
    [ $ok = 1 ] || continue
    echo "$name:"
    python3 "$ROOT/scripts/compare_steps.py" "$OUT/dump/$name/cpu" \
      "$OUT/dump/$name/cuda" --rtol 1e-4 ||
      fail "step $name: cuda differs from cpu by more than 1e-4"
  done
}

# The test accuracy of the first run of a results.json.
test_accuracy() {
  python3 - "$1" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
print(run["test"]["accuracy"])
PY
}

train_lenet() {
  step "3. LeNet on Fashion-MNIST, 2 epochs on cuda (test accuracy >= 0.85)"
  if [ ! -e "$FASHION/train-images-idx3-ubyte.gz" ] &&
    [ ! -e "$FASHION/train-images-idx3-ubyte" ]; then
    fail "train lenet: no Fashion-MNIST in $FASHION (--fashion DIR)"
    return
  fi
  mkdir -p "$OUT/data" && ln -sfn "$FASHION" "$OUT/data/fashion-mnist"
  rm -rf "$OUT/lenet"
  if [ ! -x "$PROGS/lenet_cuda" ]; then
    fail "train lenet: no program $PROGS/lenet_cuda"
    return
  fi
  if ! limited 150 "lenet_cuda 2 epochs" "$PROGS/lenet_cuda" \
    --data "$OUT/data" --out "$OUT/lenet" >"$OUT/train-lenet.log" 2>&1; then
    fail "train lenet on cuda (log: $OUT/train-lenet.log)"
    tail -5 "$OUT/train-lenet.log"
    return
  fi
  local results=$OUT/lenet/lenet_fashion/results.json acc
  acc=$(test_accuracy "$results") || { fail "train lenet: no accuracy in $results"; return; }
  local where
  where=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d.get('target'), '/', d.get('device'))" "$results")
  echo "results.json: target / device: $where"
  case "$where" in
  "cuda / None") fail "train lenet: results.json names no device" ;;
  cuda*) ;;
  *) fail "train lenet: results.json says target / device '$where', not cuda" ;;
  esac
  if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 0.85 else 1)" "$acc"; then
    echo "ok: test accuracy $acc"
  else
    fail "train lenet: test accuracy $acc < 0.85"
  fi
}

# img/s of a --bench-steps or train_throughput.py line.
images_per_second() { awk '/img\/s/ { for (i = 2; i <= NF; ++i) if ($i == "img/s") print $(i-1) }' | head -1; }

bench() {
  step "4. throughput at batch 32 and 256: netc cuda and PyTorch eager"
  local rows=() name src torch batch ours theirs steps
  for batch in 32 256; do
    steps=$STEPS
    [ -z "$steps" ] && { [ $batch = 32 ] && steps=5 || steps=3; }
    while IFS=: read -r name src torch; do
      if [ ! -x "$PROGS/${name}_cuda" ]; then
        fail "bench ${name}_cuda: no program $PROGS/${name}_cuda"
        rows+=("$name $batch - -")
        continue
      fi
      ours=$(limited 45 "${name}_cuda bench b$batch" "$PROGS/${name}_cuda" \
        --bench-steps "$steps" --set batch_size=$batch \
        2>>"$OUT/bench.log" | tee -a "$OUT/bench.log" | images_per_second)
      tail -1 "$OUT/bench.log"
      [ -n "$ours" ] || { fail "bench ${name}_cuda at batch $batch (log: $OUT/bench.log)"; ours=-; }
      theirs=-
      if [ $SKIP_TORCH = 0 ]; then
        theirs=$(limited 45 "torch $torch b$batch" python3 "$TORCH" cuda \
          $batch $torch --steps "$steps" \
          2>>"$OUT/torch.log" | tee -a "$OUT/torch.log" | images_per_second)
        tail -1 "$OUT/torch.log"
        [ -n "$theirs" ] || { fail "PyTorch $torch at batch $batch (log: $OUT/torch.log)"; theirs=-; }
      fi
      rows+=("$name $batch $ours $theirs")
    done <<<"$NETS"
  done
  print_table "${rows[@]}"
}

# Goals (issue 11): 2x PyTorch eager, 5x for LeNet at batch 32.
print_table() {
  printf '\n%-12s %6s %14s %14s %7s %5s\n' network batch "netc img/s" \
    "torch img/s" ratio goal
  local row
  for row in "$@"; do
    set -- $row
    awk -v n="$1" -v b="$2" -v o="$3" -v t="$4" 'BEGIN {
      goal = (n == "lenet" && b == 32) ? 5 : 2
      if (o == "-" || t == "-" || t == 0) { r = "-"; g = "-" }
      else { r = sprintf("%.2fx", o / t); g = (o / t >= goal) ? "met" : "not met" }
      printf "%-12s %6d %14s %14s %7s %5s (%dx)\n", n, b, o, t, r, g, goal }'
  done
}

# The shared libraries the programs need that a GPU machine of another
# image may lack (oneDNN, Open MPI, libjpeg...), into DIR/lib: not the C
# library, the C++ runtime, NVIDIA's driver, cuDNN or cuBLAS(Lt: 0.5 GB;
# a bundle must stay under the device tool's 64 MiB) (the GPU
# machine has its own: /usr/local/cuda, or PyTorch's nvidia-* packages).
bundle_libraries() {
  mkdir -p "$PROGS/lib"
  ldd "$PROGS"/*_cpu "$PROGS"/*_cuda "$PROGS"/cuda_tests 2>/dev/null |
    awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u |
    grep -Ev '/(ld-linux|libc|libm|libdl|librt|libpthread|libstdc\+\+|libgcc_s|libcuda|libcudart|libcudnn[a-z_]*|libcublas(Lt)?|libnvrtc[a-z-]*|libnvJitLink)[.-]' |
    while read -r lib; do cp -L "$lib" "$PROGS/lib/"; done
  echo "bundled $(ls "$PROGS/lib" | wc -l) libraries ($(du -sh "$PROGS" | cut -f1) in all)"
}

# --bin: the bundled libraries, and cuDNN / cuBLAS where this machine has
# them (the CUDA toolkit's, or PyTorch's nvidia-* Python packages).
library_path() {
  local dirs=$PROGS/lib d
  for d in /usr/local/cuda/lib64 /usr/local/cuda/lib; do
    [ -d "$d" ] && dirs=$dirs:$d
  done
  d=$(python3 -c 'import glob, os, nvidia
print(":".join(sorted(glob.glob(os.path.join(list(nvidia.__path__)[0], "*", "lib")))))' 2>/dev/null)
  [ -n "$d" ] && dirs=$dirs:$d
  echo "$dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
}

if [ -n "$BIN" ]; then
  echo "programs: $PROGS (prepared)"
  if [ -e "$PROGS/bundle.tar.gz" ]; then # unpacked under --out
    mkdir -p "$OUT/programs" &&
      tar xzf "$PROGS/bundle.tar.gz" -C "$OUT/programs" || {
      echo "gpu_check: error: cannot unpack $PROGS/bundle.tar.gz" >&2
      exit 2
    }
    PROGS=$OUT/programs
    [ -e "$TORCH" ] || TORCH=$PROGS/train_throughput.py
  fi
  export LD_LIBRARY_PATH
  LD_LIBRARY_PATH=$(library_path)
else
  build_programs
  if [ -n "$PREPARE" ]; then
    cp "$BUILD/bin/cuda_tests" "$BUILD/lib/libnetc_fake_cuda_driver.so" \
      "$PROGS/" || fail "prepare: no cuda_tests in $BUILD (ninja cuda_tests)"
    bundle_libraries
    # The PyTorch benchmark, which ../shared outside the checkout holds.
    cp "$TORCH" "$(dirname "$TORCH")/reference_models.py" "$PROGS/" ||
      fail "prepare: cannot copy the PyTorch benchmark from $TORCH"
    rm -rf "$PROGS/fashion-mnist"
    cp -r "$FASHION" "$PROGS/fashion-mnist" 2>/dev/null ||
      fail "prepare: cannot copy Fashion-MNIST from $FASHION (--fashion DIR)"
    # One compressed file: the device tool carries at most 64 MiB.
    # Written beside, not into, the folder it packs (tar fails on a folder
    # that changes as it reads it).
    (cd "$PROGS" && tar czf "$OUT/bundle.tar.gz" --exclude=fashion-mnist \
      --exclude=bundle.tar.gz . && mv "$OUT/bundle.tar.gz" bundle.tar.gz &&
      find . -mindepth 1 -maxdepth 1 \
      ! -name fashion-mnist ! -name bundle.tar.gz -exec rm -rf {} +) ||
      fail "prepare: cannot pack $PROGS/bundle.tar.gz"
    echo "prepared in $PROGS ($(du -sh "$PROGS" | cut -f1)): run" \
      "scripts/gpu_check.sh --bin $PROGS on the GPU machine"
    [ ${#FAILED[@]} = 0 ]
    exit $?
  fi
fi
kernel_tests
compare_steps
train_lenet
bench

echo
if [ ${#FAILED[@]} = 0 ]; then
  echo "gpu_check: all checks passed"
  exit 0
fi
echo "gpu_check: ${#FAILED[@]} check(s) failed:"
printf '  %s\n' "${FAILED[@]}"
exit 1
