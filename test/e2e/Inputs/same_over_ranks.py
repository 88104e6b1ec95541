"""Compares the results of one study run over different numbers of MPI ranks
(ranks-*.test): results.json and results.csv must be equal apart from the
per-run "seconds" and "rank" (JSON numbers compared as printed, so bit for
bit). With --min-ranks N, the second directory's runs must also come from at
least N different ranks.

usage: same_over_ranks.py [--min-ranks N] DIR_A DIR_B
"""
import csv
import json
import os
import sys


def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k not in ("seconds", "rank")}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o


def ranks(o, found):
    if isinstance(o, dict):
        if "rank" in o and "seed" in o:
            found.add(o["rank"])
        for v in o.values():
            ranks(v, found)
    elif isinstance(o, list):
        for v in o:
            ranks(v, found)
    return found


def csv_rows(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    keep = [i for i, name in enumerate(rows[0]) if name not in ("seconds", "rank")]
    if len(keep) != len(rows[0]) - 2:
        sys.exit("%s: no seconds and rank columns" % path)
    return [[row[i] for i in keep] for row in rows]


def main(argv):
    min_ranks = 0
    if argv[:1] == ["--min-ranks"]:
        min_ranks, argv = int(argv[1]), argv[2:]
    a, b = argv
    ja = json.load(open(os.path.join(a, "results.json")), parse_float=str)
    jb = json.load(open(os.path.join(b, "results.json")), parse_float=str)
    if strip(ja) != strip(jb):
        sys.exit("results.json differ: %s vs %s" % (a, b))
    if csv_rows(os.path.join(a, "results.csv")) != csv_rows(os.path.join(b, "results.csv")):
        sys.exit("results.csv differ: %s vs %s" % (a, b))
    used = sorted(ranks(jb, set()))
    if len(used) < min_ranks:
        sys.exit("runs came from ranks %s only" % used)
    print("same results; %d runs; ranks %s" % (len(jb["runs"]), " ".join(map(str, used))))


main(sys.argv[1:])
