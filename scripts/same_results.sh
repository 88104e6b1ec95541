#!/usr/bin/env bash
# Compares the results.json files of two --out directories bit for bit, apart from the wall-clock
# "seconds" fields and the "rank" (the MPI rank that trained each run, docs/guide.md). Used to show that a refactor changed no number:
#   netc run models/lenet_fashion.net --out /tmp/before   (old build)
#   netc run models/lenet_fashion.net --out /tmp/after    (new build)
#   scripts/same_results.sh /tmp/before /tmp/after
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 BEFORE_DIR AFTER_DIR" >&2; exit 2; }
python3 - "$1" "$2" <<'PY'
import json, os, sys
a, b = sys.argv[1], sys.argv[2]
def files(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, fs in os.walk(root) for f in fs if f == "results.json")
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k not in ("seconds", "rank")}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o
fa, fb = files(a), files(b)
if fa != fb or not fa:
    sys.exit("different sets of results.json: %s vs %s" % (fa, fb))
bad = 0
for f in fa:
    # parse_float=str keeps the printed digits, so equality is bit for bit
    ja = strip(json.load(open(os.path.join(a, f)), parse_float=str))
    jb = strip(json.load(open(os.path.join(b, f)), parse_float=str))
    print("%-50s %s" % (f, "identical" if ja == jb else "DIFFERENT"))
    bad += ja != jb
sys.exit(1 if bad else 0)
PY
