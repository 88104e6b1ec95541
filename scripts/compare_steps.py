#!/usr/bin/env python3
"""Compares two --dump-steps directories (say cpu and cuda) tensor by tensor.

usage: scripts/compare_steps.py REFERENCE_DIR OTHER_DIR [--rtol 1e-4]

Each directory holds one safetensors file per kernel, written by a program's
`--dump-steps DIR --steps N`: the batch, the initial weights, the outputs,
the weights after each step and the losses. Every tensor of the reference
must be in the other file, of the same shape, with a relative error
max|other - ref| / max|ref| (the absolute error where ref is all zero) of at
most rtol. Prints the worst tensor of each kernel; exit status 1 when a
tensor is out of tolerance or missing. Python's standard library only:
safetensors is an 8-byte little-endian header length, a JSON header, then
the raw little-endian data.
"""
import argparse
import json
import os
import struct
import sys

SIZES = {"F32": ("f", 4), "F64": ("d", 8), "I64": ("q", 8), "I32": ("i", 4)}


def read_tensors(path):
    """{name: (shape, [values])} and the metadata of a safetensors file."""
    with open(path, "rb") as f:
        blob = f.read()
    (length,) = struct.unpack_from("<Q", blob, 0)
    header = json.loads(blob[8:8 + length].decode("utf-8"))
    base = 8 + length
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        code, size = SIZES[info["dtype"]]
        begin, end = info["data_offsets"]
        count = (end - begin) // size
        values = struct.unpack_from("<%d%s" % (count, code), blob, base + begin)
        tensors[name] = (info["shape"], values)
    return tensors, meta


def relative_error(ref, got):
    diff = max((abs(a - b) for a, b in zip(ref, got)), default=0.0)
    scale = max((abs(a) for a in ref), default=0.0)
    if diff != diff:  # NaN
        return float("inf")
    return diff / scale if scale > 0 else diff


def compare_file(ref_path, other_path, rtol):
    """(ok, worst name, worst error, problems) for one kernel's files."""
    ref, _ = read_tensors(ref_path)
    other, _ = read_tensors(other_path)
    problems, worst, worst_name = [], 0.0, ""
    for name, (shape, values) in ref.items():
        if name not in other:
            problems.append("%s: missing" % name)
            continue
        oshape, ovalues = other[name]
        if oshape != shape:
            problems.append("%s: shape %s, reference %s" % (name, oshape, shape))
            continue
        err = relative_error(values, ovalues)
        if err > worst or not worst_name:
            worst, worst_name = err, name
        if not err <= rtol:
            problems.append("%s: relative error %.3g > %g" % (name, err, rtol))
    return not problems, worst_name, worst, problems


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reference")
    ap.add_argument("other")
    ap.add_argument("--rtol", type=float, default=1e-4)
    a = ap.parse_args(argv)
    files = sorted(f for f in os.listdir(a.reference)
                   if f.endswith(".safetensors"))
    if not files:
        print("error: %s holds no .safetensors files" % a.reference)
        return 1
    ok = True
    for f in files:
        other = os.path.join(a.other, f)
        if not os.path.exists(other):
            print("FAIL %s: not in %s" % (f, a.other))
            ok = False
            continue
        good, name, err, problems = compare_file(
            os.path.join(a.reference, f), other, a.rtol)
        print("%s %s: worst %s, relative error %.3g (tolerance %g)"
              % ("ok  " if good else "FAIL", f, name, err, a.rtol))
        for p in problems[:10]:
            print("     " + p)
        ok = ok and good
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
