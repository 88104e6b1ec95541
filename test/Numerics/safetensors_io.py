"""Minimal safetensors reading/writing (F32 and I64) with numpy only."""
import json
import struct

import numpy as np

_DT = {"F32": np.float32, "I64": np.int64}


def read(path):
    """Returns (tensors: dict name -> ndarray, metadata: dict)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    body = data[8 + n:]
    out = {}
    for name, v in header.items():
        b, e = v["data_offsets"]
        arr = np.frombuffer(body[b:e], dtype=np.dtype(_DT[v["dtype"]]).newbyteorder("<"))
        out[name] = arr.reshape(v["shape"]).copy()
    return out, meta


def write(path, tensors, metadata):
    """tensors: list of (name, ndarray); float arrays are stored as F32,
    integer arrays as I64."""
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs, off = [], 0
    for name, a in tensors:
        a = np.asarray(a)
        if np.issubdtype(a.dtype, np.integer):
            a, dt = a.astype("<i8"), "I64"
        else:
            a, dt = a.astype("<f4"), "F32"
        raw = a.tobytes()
        header[name] = {"dtype": dt, "shape": list(a.shape),
                        "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)
