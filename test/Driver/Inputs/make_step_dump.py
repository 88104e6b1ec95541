"""Writes DIR/k0.safetensors like `--dump-steps`: tensors x and step1/w and
loss, with w[1] multiplied by (1 + PERTURB); DROP names a tensor to leave
out. usage: make_step_dump.py DIR PERTURB [DROP]"""
import json
import os
import struct
import sys

out, perturb = sys.argv[1], float(sys.argv[2])
drop = sys.argv[3] if len(sys.argv) > 3 else None
tensors = {"x": [1.0, -2.0, 3.0], "step1/w": [0.5, 0.25, -4.0, 8.0],
           "loss": [2.5]}
tensors["step1/w"][1] *= 1 + perturb
header, data = {"__metadata__": {"kernel": "k0"}}, b""
for name, values in tensors.items():
    if name == drop:
        continue
    raw = struct.pack("<%df" % len(values), *values)
    header[name] = {"dtype": "F32", "shape": [len(values)],
                    "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
text = json.dumps(header).encode()
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "k0.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + data)
