#!/usr/bin/env bash
# netc against PyTorch and Keras 3 (TensorFlow, CPU) on the four study
# networks, side by side in one run: batch 32 and 128, 2 threads.
#
#   bench/side_by_side.sh [BUILD_DIR] [NETWORK ...]
#
# NETWORK: lenet alexnet resnet50 stl10 (default: all four). Builds each
# study with BUILD_DIR/bin/netc (default: build) and times `netc build`,
# then for each batch times netc's --bench-steps, PyTorch eager
# (bench/peers/train_throughput.py) and Keras (bench/peers/keras_throughput.py)
# one after the other, and prints the machine's sgemm and memory rates and one
# table (bench/side_by_side.py). The peers run from the venv $PEERS_VENV
# (default /opt/peers), made with pip when it is missing.
#
# Environment: QUICK=1 (a tenth of the steps, for trying it), BATCHES
# (default "32 128"), THREADS (default 2), PEERS_VENV, KEEP=DIR (keep the
# built programs and the raw results file there).
#
# The machine may be shared: trust only figures from the same run, and run
# it twice.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
here="$root/bench"
build="$(cd "${1:-$root/build}" && pwd)"
shift || true
threads="${THREADS:-2}"
batches="${BATCHES:-32 128}"
venv="${PEERS_VENV:-/opt/peers}"
work="${KEEP:-$(mktemp -d)}"
mkdir -p "$work"
[[ -n "${KEEP:-}" ]] || trap 'rm -rf "$work"' EXIT
results="$work/results.txt"
: >"$results"

# name  .net file  PyTorch model  Keras model  optimizer of the timed train
# step  steps at batch 32 (fewer at 128)  the network netc names
table="
lenet    models/lenet_fashion.net lenet_mnist      lenet_mnist adam    200 LeNet
alexnet  models/initializers.net  alexnet_cifar10  alexnet     adam    20  AlexNet
resnet50 models/optimizers.net    resnet50_cifar10 resnet50    rmsprop 10  ResNet50
stl10    models/transfer.net      lenet_stl10      lenet_stl10 adam    40  STLFront->LeNet
"
wanted="${*:-lenet alexnet resnet50 stl10}"

# --bench-steps times a program's first train step. The transfer study's
# first one trains LeNet alone on MNIST; the step to time is the STL-10 one,
# so that network is timed from a copy without the MNIST step (the copied
# LeNet is then untrained, which changes no shape). `netc build` is timed on
# the study file itself.
bench_source() { # NAME FILE -> the .net file whose first train step to time
  if [[ "$1" == stl10 ]]; then
    sed '/train base on mnist/d; /save base to/d' "$2" >"$work/stl10_step.net"
    echo "$work/stl10_step.net"
  else
    echo "$2"
  fi
}

if [[ ! -x "$venv/bin/python" ]]; then
  echo "making the peers' venv in $venv (torch torchvision keras tensorflow-cpu)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q torch torchvision keras tensorflow-cpu
fi
py="$venv/bin/python"
export OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"
export TF_NUM_INTRAOP_THREADS="$threads" TF_NUM_INTEROP_THREADS=1
export TF_CPP_MIN_LOG_LEVEL=2 KERAS_BACKEND=tensorflow

"$py" "$here/side_by_side.py" machine "$threads" | tee -a "$results"

steps_for() { # steps at batch 32 and batch B: the same number of images / 4
  local s=$(( $1 * 32 / $2 ))
  [[ -n "${QUICK:-}" ]] && s=$(( s / 10 ))
  echo $(( s < 3 ? 3 : s ))
}

while read -r name file torch_model keras_model opt steps netc_name; do
  [[ -n "$name" && " $wanted " == *" $name "* ]] || continue
  prog="$work/$name"
  t0=$(date +%s.%N)
  "$build/bin/netc" build "$root/$file" -o "$prog"
  t1=$(date +%s.%N)
  echo "build net=$torch_model seconds=$(awk -v a="$t0" -v b="$t1" \
    'BEGIN { printf "%.2f", b - a }')" | tee -a "$results"
  src="$(bench_source "$name" "$root/$file")"
  [[ "$src" == "$root/$file" ]] || "$build/bin/netc" build "$src" -o "$prog"
  for batch in $batches; do
    n="$(steps_for "$steps" "$batch")"
    tag="net=$torch_model batch=$batch steps=$n"
    "$py" "$here/side_by_side.py" model "$torch_model" "$batch" "$opt" |
      tee -a "$results"
    line="$("$prog" --bench-steps "$n" --set batch_size="$batch")"
    [[ "$line" == "$netc_name "* ]] ||
      { echo "error: netc timed another network: $line" >&2; exit 1; }
    echo "netc $tag | $line" | tee -a "$results"
    line="$("$py" "$here/peers/train_throughput.py" cpu "$batch" \
      "$torch_model" --threads "$threads" --steps "$n")" || line="failed"
    echo "torch $tag | $line" | tee -a "$results"
    line="$("$py" "$here/peers/keras_throughput.py" "$batch" "$keras_model" \
      --threads "$threads" --steps "$n" 2>/dev/null | grep ms/step)" ||
      line="failed"
    echo "keras $tag | $line" | tee -a "$results"
  done
done <<<"$table"

echo
"$py" "$here/side_by_side.py" table "$results"
