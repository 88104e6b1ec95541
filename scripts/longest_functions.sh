#!/usr/bin/env bash
# Prints the longest C++ function bodies (definition line to closing brace) under the given
# directories, longest first, using Universal Ctags' end-line field. Exits 1 if any function is
# longer than the limit, so it can guard a tree.
#   scripts/longest_functions.sh [--limit N] [--top K] [DIR...]   (default: compiler runtime/lib, 80)
set -euo pipefail
cd "$(dirname "$0")/.."
limit=80 top=15 dirs=()
while [[ $# -gt 0 ]]; do
  case "$1" in
  --limit) limit="$2"; shift 2 ;;
  --top) top="$2"; shift 2 ;;
  *) dirs+=("$1"); shift ;;
  esac
done
[[ ${#dirs[@]} -gt 0 ]] || dirs=(compiler runtime/lib)
if ! ctags --version 2>/dev/null | grep -q Universal; then
  echo "longest_functions.sh: needs Universal Ctags (apt-get install universal-ctags)" >&2
  exit 2
fi
find "${dirs[@]}" \( -name '*.cpp' -o -name '*.h' \) -not -path '*/generated/*' -print0 |
  xargs -0 ctags --output-format=json --c++-kinds=f --fields=+ne --extras=-{anonymous} -o - 2>/dev/null |
  python3 -c '
import json, sys
limit, top = int(sys.argv[1]), int(sys.argv[2])
rows = []
for line in sys.stdin:
    t = json.loads(line)
    if t.get("_type") != "tag" or "end" not in t or t["name"].startswith("__anon"):
        continue
    n = t["end"] - t["line"] + 1
    name = t["name"] if "scope" not in t else t["scope"] + "::" + t["name"]
    rows.append((n, name, "%s:%d" % (t["path"], t["line"])))
rows.sort(reverse=True)
over = [r for r in rows if r[0] > limit]
print("%d functions; %d longer than %d lines" % (len(rows), len(over), limit))
for n, name, where in rows[:max(top, len(over))]:
    print("%5d  %-40s %s%s" % (n, name, where, "  <-- over" if n > limit else ""))
sys.exit(1 if over else 0)
' "$limit" "$top"
