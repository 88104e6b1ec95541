#!/usr/bin/env bash
# Kills models/initializers.net during its third run, resumes it, and checks
# that the first two runs are not recomputed and that the results equal an
# uninterrupted run's (all but "seconds").
#   scripts/resume_check.sh DATA_DIR [LIMIT]     (DATA_DIR holds cifar10/)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="$1"; limit="${2:-64}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cd "$work"
"$root/build/bin/netc" build "$root/models/initializers.net" -o alexnet
run() { OMP_NUM_THREADS=2 ./alexnet --data "$data" --set epochs=1 --set limit="$limit" "$@"; }
epochs() { tr '\r' '\n' < "$1" | grep -c '^Epoch' || true; }
run --out a > a.out 2> a.err &
pid=$!
while [ "$(epochs a.err)" -lt 2 ]; do sleep 0.2; done
sleep 1
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
echo "killed during run 3; results.json holds $(grep -c '"seed"' a/initializers/results.json) runs"
run --out a --resume > a2.out 2> a2.err
echo "runs trained on --resume: $(epochs a2.err) (of 27)"
run --out b > b.out 2> b.err
diff <(grep -v seconds a/initializers/results.json) <(grep -v seconds b/initializers/results.json) >/dev/null
diff <(sed 's/[0-9.]*$//' a2.out) <(sed 's/[0-9.]*$//' b.out) >/dev/null
echo "PASS: resumed results and table equal an uninterrupted run's"
