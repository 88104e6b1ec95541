#!/usr/bin/env python3
"""Compares two netc outputs of the same run within a relative tolerance.

  compare.py weights A.safetensors B.safetensors TOL
      every F32 tensor of A equals B's: |a - b| <= TOL * max|b| of the tensor
  compare.py results A/results.json B/results.json TOL
      every number equals (|a - b| <= TOL * max(|a|, |b|, 1)), apart from
      `seconds` and `rank`; every other value is identical

Prints the largest relative difference; exits 1 on a mismatch.
"""
import json
import struct
import sys


def tensors(path):
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        assert t["dtype"] == "F32", (name, t["dtype"])
        begin, end = t["data_offsets"]
        out[name] = struct.unpack("<%df" % ((end - begin) // 4), data[begin:end])
    return out


def compare_weights(a, b, tol):
    ta, tb = tensors(a), tensors(b)
    if sorted(ta) != sorted(tb):
        print("tensors differ: %s vs %s" % (sorted(ta), sorted(tb)))
        return False
    worst = 0.0
    for name in ta:
        scale = max(abs(v) for v in tb[name]) or 1.0
        diff = max(abs(x - y) for x, y in zip(ta[name], tb[name]))
        worst = max(worst, diff / scale)
        if diff > tol * scale:
            print("%s: max difference %g over scale %g" % (name, diff, scale))
            return False
    print("weights equal, largest relative difference %.3g" % worst)
    return True


def walk(a, b, where, tol, worst):
    if isinstance(a, dict) and isinstance(b, dict):
        keys = [k for k in a if k not in ("seconds", "rank")]
        if sorted(keys) != sorted(k for k in b if k not in ("seconds", "rank")):
            raise ValueError("%s: keys differ" % where)
        for k in keys:
            walk(a[k], b[k], where + "." + k, tol, worst)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            raise ValueError("%s: lengths differ" % where)
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, "%s[%d]" % (where, i), tol, worst)
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and not isinstance(a, bool):
        rel = abs(a - b) / max(abs(a), abs(b), 1.0)
        worst[0] = max(worst[0], rel)
        if rel > tol:
            raise ValueError("%s: %r vs %r" % (where, a, b))
    elif a != b:
        raise ValueError("%s: %r vs %r" % (where, a, b))


def compare_results(a, b, tol):
    worst = [0.0]
    try:
        with open(a) as fa, open(b) as fb:
            walk(json.load(fa), json.load(fb), "", tol, worst)
    except ValueError as e:
        print("results differ at %s" % e)
        return False
    print("results equal, largest relative difference %.3g" % worst[0])
    return True


if __name__ == "__main__":
    kind, a, b, tol = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    ok = (compare_weights if kind == "weights" else compare_results)(a, b, tol)
    sys.exit(0 if ok else 1)
