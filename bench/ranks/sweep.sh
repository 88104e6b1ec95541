#!/usr/bin/env bash
# A 12-run LeNet sweep (lenet_sweep.net) in one process and over MPI ranks,
# one thread per rank, alternating so that the machine's load hits both alike:
#
#   bench/ranks/sweep.sh [BUILD_DIR] [RANKS] [REPEATS] [LIMIT]
#
# Prints each wall time (start-up, data and all runs, as a user waits for
# them), then the best of each, the speed-up over one process and the scaling
# efficiency (speed-up / ranks), and checks that the results are the same
# apart from seconds and rank. LIMIT (--set limit) keeps each run short.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build}"
ranks="${2:-2}"
repeats="${3:-3}"
limit="${4:-6000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$root/bench/machine.sh"
"$build/bin/netc" build "$root/bench/ranks/lenet_sweep.net" -o "$work/sweep"
run() { # OUT [mpirun -np N]: the wall time in seconds
  local out="$1"; shift
  rm -rf "$work/$out"
  local start end
  start=$(date +%s.%N)
  OMP_NUM_THREADS=1 "$@" "$work/sweep" --set limit="$limit" --out "$work/$out" \
    > /dev/null 2>&1
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f\n", b - a }'
}
mpi=(mpirun --oversubscribe -x OMP_NUM_THREADS -np "$ranks")
[[ $(id -u) -eq 0 ]] && mpi=(mpirun --allow-run-as-root "${mpi[@]:1}")
one=() over=()
for ((i = 0; i < repeats; ++i)); do
  one+=("$(run one)")
  over+=("$(run over "${mpi[@]}")")
  echo "1 process ${one[-1]} s   $ranks ranks ${over[-1]} s"
done
best() { printf '%s\n' "$@" | sort -g | head -1; }
b1="$(best "${one[@]}")" bn="$(best "${over[@]}")"
echo "best: 1 process $b1 s, $ranks ranks $bn s," \
  "$(awk -v a="$b1" -v b="$bn" -v r="$ranks" \
    'BEGIN { printf "speed-up %.2f, efficiency %.2f", a / b, a / b / r }')"
python3 "$root/test/e2e/Inputs/same_over_ranks.py" "$work/one/sweep" \
  "$work/over/sweep"
