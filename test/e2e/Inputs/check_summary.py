"""Recomputes results.json's "summary" and "comparisons" from its "runs".

Independent of the runtime's code: groups the runs by loop values and fold,
computes n, mean, standard error (sample sd / sqrt(n)), min and max of each
report column, and the paired differences of a two-valued loop variable
with the 95% interval from Student's t, whose quantile is given per df from
the usual table. Prints "summary ok" / "comparisons ok" or what differs.
"""
import json
import math
import sys

T975 = {1: 12.706205, 2: 4.302653, 3: 3.182446, 4: 2.776445, 9: 2.262157}


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def stats(xs):
    n = len(xs)
    mean = sum(xs) / n
    se = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1)) / math.sqrt(n) if n > 1 else 0.0
    return n, mean, se, min(xs), max(xs)


def numbers(run):
    return {k: v for k, v in run["report"].items()
            if k not in run["params"] and isinstance(v, (int, float)) and not isinstance(v, bool)}


def check_summary(res):
    groups = {}
    for run in res["runs"]:
        key = json.dumps(run["params"], sort_keys=True) + str(run.get("fold", -1))
        groups.setdefault(key, []).append(run)
    assert len(groups) == len(res["summary"]), "configuration count"
    for entry in res["summary"]:
        runs = groups[json.dumps(entry["params"], sort_keys=True) + str(entry.get("fold", -1))]
        assert entry["runs"] == len(runs) and entry["seeds"] == [r["seed"] for r in runs]
        for name in numbers(runs[0]):
            got = entry["values"][name]
            want = stats([numbers(r)[name] for r in runs])
            assert got["n"] == want[0], name
            for key, w in zip(["mean", "std_error", "min", "max"], want[1:]):
                assert close(got[key], w), (entry["params"], name, key, got[key], w)
    print("summary ok")


def check_comparisons(res):
    for c in res["comparisons"]:
        var = c["variable"]
        firsts = [r for r in res["runs"] if r["params"][var] == c["first"]]
        for name, got in c["values"].items():
            diffs = []
            for a in firsts:
                want = dict(a["params"], **{var: c["second"]})
                b = [r for r in res["runs"] if r["params"] == want and r["seed"] == a["seed"]][0]
                diffs.append(numbers(a)[name] - numbers(b)[name])
            n, mean, se, _, _ = stats(diffs)
            half = T975[n - 1] * se
            assert got["n"] == n and got["df"] == n - 1
            assert close(got["mean"], mean) and close(got["std_error"], se), name
            assert abs(got["ci95"][0] - (mean - half)) < 1e-6 * max(1, abs(half)), name
            assert abs(got["ci95"][1] - (mean + half)) < 1e-6 * max(1, abs(half)), name
    print("comparisons ok")


res = json.load(open(sys.argv[1]))
check_summary(res)
check_comparisons(res)
