#!/usr/bin/env bash
# Data-parallel train steps (--data-parallel) on 1 rank against 2 ranks of
# one host, 1 thread each, alternating, for LeNet (models/lenet_fashion.net)
# and AlexNet (models/initializers.net) at batch 128.
#
#   bench/data_parallel.sh [BUILD_DIR] [ROUNDS] [NETWORK ...]   # lenet alexnet
#
# Each round runs `--bench-steps` on 1 rank (a plain process: the whole batch)
# and on 2 ranks (mpirun -np 2, 64 records each, gradients averaged by one
# allreduce per step), one after the other; rank 0 prints the slowest
# rank's time. Scaling efficiency = (1-rank ms/step) / (2 x 2-rank ms/step).
# STEPS_LENET / STEPS_ALEXNET set the timed steps. The machine may be
# shared: trust the alternated rounds together, not one figure.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
rounds="${2:-3}"
networks=("${@:3}")
[[ ${#networks[@]} -eq 0 ]] && networks=(lenet alexnet)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mpirun=(mpirun --oversubscribe -np 2)
[[ "$(id -u)" == 0 ]] && mpirun=(mpirun --allow-run-as-root --oversubscribe -np 2)

"$root/bench/machine.sh"
for net in "${networks[@]}"; do
  case "$net" in
    lenet) file=lenet_fashion.net steps="${STEPS_LENET:-200}" ;;
    alexnet) file=initializers.net steps="${STEPS_ALEXNET:-5}" ;;
    *) echo "unknown network '$net' (lenet, alexnet)" >&2; exit 2 ;;
  esac
  "$build/bin/netc" build "$root/models/$file" -o "$tmp/$net"
  args=(--bench-steps "$steps" --set batch_size=128 --data-parallel)
  for ((r = 1; r <= rounds; ++r)); do
    one="$(OMP_NUM_THREADS=1 "$tmp/$net" "${args[@]}")"
    two="$(OMP_NUM_THREADS=1 "${mpirun[@]}" "$tmp/$net" "${args[@]}")"
    echo "round $r 1 rank:  $one"
    echo "round $r 2 ranks: $two"
    ms1="$(awk '{ for (i = 2; i <= NF; ++i) if ($i == "ms/step") print $(i - 1) }' <<<"$one")"
    ms2="$(awk '{ for (i = 2; i <= NF; ++i) if ($i == "ms/step") print $(i - 1) }' <<<"$two")"
    awk -v a="$ms1" -v b="$ms2" -v n="$net" 'BEGIN {
      printf "round %d %s: speedup %.2f, scaling efficiency %.0f%%\n", '"$r"', n, a / b, 50 * a / b }'
  done
done
