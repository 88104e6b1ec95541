"""Helper of side_by_side.sh: the machine's rates, model FLOPs, and the table.

usage: python side_by_side.py machine THREADS          # CPU, ISA, sgemm and memory rates
       python side_by_side.py model NAME BATCH OPT     # FLOPs and weights of one step
       python side_by_side.py table RESULTS            # the table from collected lines

`machine` and `model` print one line of key=value fields that side_by_side.sh
appends to its results file; `table` reads that file back. Needs PyTorch
(the peers' venv); `table` needs only the standard library.
"""
import os
import re
import sys
import time

PEERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers")

# Bytes the optimizer update must move per weight, whatever the code: read
# the weight, its gradient and each slot, write the weight and each slot,
# and the gradient's own write in the backward pass (Adam: 2 slots, 32 B).
SLOTS = {"sgd": 0, "rmsprop": 1, "adagrad": 1, "adam": 2}

LABELS = {"lenet_mnist": "LeNet 28×28",
          "alexnet_cifar10": "AlexNet 32×32 (BN)",
          "resnet50_cifar10": "ResNet50 32×32 + 512 head",
          "lenet_stl10": "STL-10 front + LeNet 96×96×3"}


def optimizer_bytes(opt):
    return 4 * (4 + 2 * SLOTS[opt])


def cpu_fields():
    model, flags = "unknown", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            key = key.strip()
            if key == "model name":
                model = value.strip()
            elif key == "flags":
                flags = set(value.split())
    isa = [f for f in ("avx2", "fma", "avx512f", "avx512bw", "avx512vl",
                       "avx512_vnni", "avx512_bf16", "amx_tile") if f in flags]
    return model, ",".join(isa) or "none"


def best_of(repeats, fn):
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def machine(threads):
    import torch
    torch.set_num_threads(threads)
    n = 2048
    a, b = torch.randn(n, n), torch.randn(n, n)
    c = torch.empty(n, n)
    sgemm = 2 * n**3 / best_of(10, lambda: torch.mm(a, b, out=c)) / 1e9
    # Triad a = b + s*c over arrays far larger than the caches; counts the
    # bytes read and written (3 arrays), as STREAM does.
    m = 1 << 25
    x, y, z = torch.empty(m), torch.rand(m), torch.rand(m)
    triad = 12 * m / best_of(10, lambda: torch.add(y, z, alpha=3.0, out=x))
    model, isa = cpu_fields()
    print(f"machine cpu={model.replace(' ', '_')} isa={isa} "
          f"cores={os.cpu_count()} threads={threads} sgemm_gflops={sgemm:.1f} "
          f"membw_gbs={triad / 1e9:.1f} torch={torch.__version__}")


def model(name, batch, opt):
    import torch
    import torch.nn.functional as F
    from torch.utils.flop_counter import FlopCounterMode
    sys.path.insert(0, PEERS)
    from reference_models import MODELS
    ctor, shape, ref_opt = MODELS[name]
    if ref_opt != opt:
        sys.exit(f"{name}: the peers train with {ref_opt}, netc's step with {opt}")
    torch.manual_seed(0)
    net = ctor()
    x = torch.randn(batch, *shape)
    y = torch.randint(0, 10, (batch,))
    with FlopCounterMode(display=False) as counter:   # forward + backward
        F.cross_entropy(net(x), y).backward()
    weights = sum(p.numel() for p in net.parameters() if p.requires_grad)
    print(f"model net={name} batch={batch} opt={opt} "
          f"flops={counter.get_total_flops()} weights={weights}")


def parse(path):
    """Lines `KIND key=value ...`, or `KIND key=value ... | TOOL OUTPUT`."""
    rows = []
    with open(path) as f:
        for line in f:
            head, _, tail = line.partition("|")
            kind, *fields = head.split()
            row = dict(kv.split("=", 1) for kv in fields)
            row["kind"] = kind
            for unit in ("ms/step", "faults/step", "allocs/step"):
                m = re.search(r"(\S+)\s+" + re.escape(unit), tail)
                if m:
                    row[unit] = float(m.group(1))
            rows.append(row)
    return rows


def num(row, key):
    return float(row[key]) if row and key in row else None


def fmt(v, spec):
    return "—" if v is None else format(v, spec)


def table(path):
    rows = parse(path)
    mach = next(r for r in rows if r["kind"] == "machine")
    sgemm, bw = float(mach["sgemm_gflops"]) * 1e9, float(mach["membw_gbs"]) * 1e9
    print(f"machine: {mach['cpu'].replace('_', ' ')}, {mach['cores']} cores, "
          f"ISA {mach['isa']}; {mach['threads']} threads: sgemm "
          f"{sgemm / 1e9:.0f} GFLOP/s (torch mm 2048^3, best of 10), "
          f"triad {bw / 1e9:.1f} GB/s (best of 10); PyTorch {mach['torch']}")
    builds = {r["net"]: num(r, "seconds") for r in rows if r["kind"] == "build"}
    print("\n| network | batch | netc ms/step | PyTorch | Keras | netc vs faster "
          "peer | GFLOP/step | netc GFLOP/s | % sgemm | limit ms | bound | "
          "% of limit | build s | faults/step | allocs/step |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
          "| --- | ---: | ---: | ---: | ---: |")
    for m in (r for r in rows if r["kind"] == "model"):
        key = (m["net"], m["batch"])
        got = {r["kind"]: r for r in rows
               if (r.get("net"), r.get("batch")) == key and "ms/step" in r}
        netc, torch_ms, keras_ms = (got.get(k, {}).get("ms/step")
                                    for k in ("netc", "torch", "keras"))
        peers = [v for v in (torch_ms, keras_ms) if v]
        flops = float(m["flops"])
        t_flops = flops / sgemm
        t_mem = optimizer_bytes(m["opt"]) * float(m["weights"]) / bw
        limit = 1000 * (t_flops + t_mem)
        rate = flops / netc / 1e6 if netc else None
        print(f"| {LABELS.get(m['net'], m['net'])} | {m['batch']} | {fmt(netc, '.2f')} | "
              f"{fmt(torch_ms, '.2f')} | {fmt(keras_ms, '.2f')} | "
              f"{fmt(min(peers) / netc if peers and netc else None, '.2f')}× | "
              f"{flops / 1e9:.3f} | {fmt(rate, '.1f')} | "
              f"{fmt(rate and 100 * rate * 1e9 / sgemm, '.0f')} | {limit:.2f} | "
              f"{'compute' if t_flops >= t_mem else 'memory'} | "
              f"{fmt(netc and 100 * limit / netc, '.0f')} | "
              f"{fmt(builds.get(m['net']), '.1f')} | "
              f"{fmt(got.get('netc', {}).get('faults/step'), '.0f')} | "
              f"{fmt(got.get('netc', {}).get('allocs/step'), '.2f')} |")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "machine":
        machine(int(args[0]))
    elif cmd == "model":
        model(args[0], int(args[1]), args[2])
    elif cmd == "table":
        table(args[0])
    else:
        sys.exit(__doc__)
