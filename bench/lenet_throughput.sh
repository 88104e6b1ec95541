#!/usr/bin/env bash
# LeNet training throughput, netc against PyTorch, side by side in one run:
# batch 32, 2 threads, Fashion-MNIST-shaped LeNet (28x28x1).
#
#   bench/lenet_throughput.sh [BUILD_DIR] [STEPS]
#
# Builds the LeNet program with BUILD_DIR/bin/netc (default: build), times
# netc's --bench-steps and /work/shared/bench/train_throughput.py under
# Debian's PyTorch (/usr/bin/python3) and a current one (/opt/peers, when
# present), and prints each figure and the ratio netc / best PyTorch. The
# machine is shared: run it twice and trust only side-by-side ratios.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
steps="${2:-300}"
threads=2
batch=32
peer_script="${PEER_SCRIPT:-$root/../shared/bench/train_throughput.py}"
prog="$(mktemp -d)/lenet"
trap 'rm -rf "$(dirname "$prog")"' EXIT

"$build/bin/netc" build "$root/models/lenet_fashion.net" -o "$prog"

# "NAME cpu batch=  B MODE IMG/S img/s MS ms/step": the figure before "img/s".
ips_of() { awk '{ for (i = 2; i <= NF; ++i) if ($i == "img/s") print $(i - 1) }'; }
netc_line="$(OMP_NUM_THREADS=$threads "$prog" --bench-steps "$steps" \
  --set batch_size="$batch")"
echo "$netc_line"
netc_ips="$(ips_of <<<"$netc_line")"

best=0
best_name=none
for py in /usr/bin/python3 /opt/peers/bin/python; do
  [[ -x "$py" ]] || continue
  if ! line="$(OMP_NUM_THREADS=$threads "$py" "$peer_script" cpu "$batch" \
      lenet_mnist --threads "$threads" --steps "$steps" 2>/dev/null)"; then
    echo "($py: PyTorch not usable, skipped)"
    continue
  fi
  echo "$line   [$py]"
  ips="$(ips_of <<<"$line")"
  if awk -v a="$ips" -v b="$best" 'BEGIN{exit !(a > b)}'; then
    best="$ips"
    best_name="$py"
  fi
done

if [[ "$best_name" == none ]]; then
  echo "no PyTorch found: no ratio"
  exit 0
fi
awk -v n="$netc_ips" -v p="$best" -v who="$best_name" -v b="$batch" 'BEGIN {
  printf "ratio netc / PyTorch (best: %s): %.2fx  (%.0f vs %.0f img/s; %.3f vs %.3f ms/step)\n",
         who, n / p, n, p, 1000 * b / n, 1000 * b / p }'
