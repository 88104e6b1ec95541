#!/usr/bin/env python3
"""References for test/Numerics/networks.test: AlexNet and SmallResNet of
networks.net in PyTorch (float64), given netc's seeded initial weights and
batch, mirroring Keras 3's semantics:
  - TF 'same' padding (the extra row/column at the bottom/right), HWIO
    kernels (permuted to OIHW), NHWC activations (permuted to NCHW),
    flatten in NHWC order;
  - batchnorm in training: batch mean and biased variance, epsilon 1e-3;
    moving = 0.99 * moving + 0.01 * batch statistic (Keras 3 uses the same
    biased variance for the moving update); in inference the moving ones;
  - dropout rate 0 (netc's mask is random; see networks.net);
  - categorical cross-entropy on class indices, batch mean, plus l2:
    lambda * sum w^2 per regularized tensor;
  - adam (lr 1e-3, beta 0.9/0.999, epsilon 1e-7, Keras' form), sgd(1.0).
Each step tensor carries a per-element tolerance (NAME@tol, see
tolerance()); the script also prints how PyTorch in float32 fares against
the same float64 reference and tolerance.

Usage: gen_network_refs.py DUMPDIR OUTDIR   (python with torch)
DUMPDIR from `networks --dump-steps DUMPDIR --steps 1`. Tensors with more
than SAMPLE_OVER values are stored as SAMPLE random coordinates (NAME@idx),
so the references stay small; netc's initializer must then reproduce the
sampled initial values exactly (--check-steps verifies it).
"""
import glob
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

import safetensors_io as st

RTOL = 1e-4
SAMPLE_OVER, SAMPLE = 4096, 512
EPS_BN = 1e-3


class Net:
    def __init__(self, p):
        self.p = p  # name -> torch tensor (float64, leaf for trainables)
        self.moving = {}

    def conv(self, x, name, stride, same):
        k = self.p[name + "/kernel"]
        kh, kw = k.shape[0], k.shape[1]
        if same:
            pads = []
            for size, kk in ((x.shape[3], kw), (x.shape[2], kh)):
                out = -(-size // stride)
                total = max((out - 1) * stride + kk - size, 0)
                pads += [total // 2, total - total // 2]
            x = F.pad(x, pads)
        y = F.conv2d(x, k.permute(3, 2, 0, 1), stride=stride)
        return y + self.p[name + "/bias"].view(1, -1, 1, 1)

    def bn(self, x, name, training):
        dims = [0, 2, 3] if x.dim() == 4 else [0]
        shape = [1, -1, 1, 1] if x.dim() == 4 else [1, -1]
        g, b = self.p[name + "/gamma"], self.p[name + "/beta"]
        mm, mv = self.p[name + "/moving_mean"], self.p[name + "/moving_variance"]
        if training:
            mean = x.mean(dims)
            var = ((x - mean.view(shape)) ** 2).mean(dims)
            self.moving[name + "/moving_mean"] = 0.99 * mm + 0.01 * mean.detach()
            self.moving[name + "/moving_variance"] = 0.99 * mv + 0.01 * var.detach()
        else:
            mean, var = mm, mv
        return (x - mean.view(shape)) / torch.sqrt(var.view(shape) + EPS_BN) * g.view(shape) + b.view(shape)

    def dense(self, x, name):
        return x @ self.p[name + "/kernel"] + self.p[name + "/bias"]


def flatten(x):  # NCHW -> NHWC order
    return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)


def maxpool_same(x):
    h, w = x.shape[2], x.shape[3]
    ph, pw = (-h) % 2, (-w) % 2
    x = F.pad(x, [0, pw, 0, ph], value=-float("inf"))
    return F.max_pool2d(x, 2, 2)


def alexnet(n, x, tr):
    c = lambda i: "conv2d" + ("_%d" % i if i else "")
    b = lambda i: "batchnorm" + ("_%d" % i if i else "")
    d = lambda i: "dense" + ("_%d" % i if i else "")
    x = maxpool_same(F.relu(n.bn(n.conv(x, c(0), 4, True), b(0), tr)))
    x = maxpool_same(F.relu(n.bn(n.conv(x, c(1), 1, True), b(1), tr)))
    x = F.relu(n.bn(n.conv(x, c(2), 1, True), b(2), tr))
    x = F.relu(n.bn(n.conv(x, c(3), 1, True), b(3), tr))
    x = maxpool_same(F.relu(n.bn(n.conv(x, c(4), 1, True), b(4), tr)))
    x = flatten(x)
    for i in range(3):
        x = F.relu(n.bn(n.dense(x, d(i)), b(5 + i), tr))
    return torch.softmax(n.bn(n.dense(x, d(3)), b(8), tr), dim=1)


def small_resnet(n, x, tr):
    x = F.relu(n.bn(n.conv(x, "conv2d", 2, True), "batchnorm", tr))
    # res(8): conv2d_1/2, bn_1/2
    m = F.relu(n.bn(n.conv(x, "conv2d_1", 1, True), "batchnorm_1", tr))
    m = n.bn(n.conv(m, "conv2d_2", 1, True), "batchnorm_2", tr)
    x = F.relu(m + x)
    # res(16, stride 2, project): main conv2d_3/4, skip conv2d_5 (1x1 valid)
    m = F.relu(n.bn(n.conv(x, "conv2d_3", 2, True), "batchnorm_3", tr))
    m = n.bn(n.conv(m, "conv2d_4", 1, True), "batchnorm_4", tr)
    s = n.bn(n.conv(x, "conv2d_5", 2, False), "batchnorm_5", tr)
    x = F.relu(m + s)
    m = F.relu(n.bn(n.conv(x, "conv2d_6", 1, True), "batchnorm_6", tr))
    m = n.bn(n.conv(m, "conv2d_7", 1, True), "batchnorm_7", tr)
    x = F.relu(m + x)
    return torch.softmax(n.dense(flatten(x), "dense"), dim=1)


NETS = {  # network -> (forward, regularized tensors' suffixes)
    "AlexNet": (alexnet, ("/kernel", "/bias")),
    "SmallResNet": (small_resnet, ("/kernel",)),
}
L2 = 1e-4


def step(opt, lr, g):
    """The first step's weight change from the gradient g (float64)."""
    if opt == "sgd":
        return -lr * g
    if opt == "adam":  # Keras: m = 0.1 g, v = 0.001 g^2, bias-corrected.
        m, v = 0.1 * g, 0.001 * g * g
        alpha = lr * np.sqrt(1 - 0.999) / (1 - 0.9)
        return -alpha * m / (np.sqrt(v) + 1e-7)
    raise SystemExit("no reference for " + opt)


def tolerance(opt, lr, g):
    """Per-element tolerance of the step: RTOL of the tensor's largest step,
    or, where larger, how far the step moves when the gradient moves by RTOL
    of the tensor's largest gradient (the accuracy the sgd(1.0) comparison
    demands of the gradient itself). For sgd that is the first term again;
    adam's first step, -lr g / (|g| + 3.2e-6), is steep for |g| below 3e-6,
    where float32 rounding of a gradient near zero moves it by up to 3% of
    lr (PyTorch in float32 differs from float64 there as much as netc)."""
    s = step(opt, lr, g)
    d = RTOL * np.max(np.abs(g))
    moved = np.maximum(np.abs(step(opt, lr, g + d) - s),
                       np.abs(step(opt, lr, g - d) - s))
    return np.maximum(RTOL * np.max(np.abs(s)), moved)


def tensors(t, names, trainable, dtype):
    """The dump's weights (leaves for the trainable ones), NCHW batch and
    class indices as torch tensors of `dtype`."""
    p = {k: torch.tensor(t["init/" + k], dtype=dtype,
                         requires_grad=k in trainable) for k in names}
    x = torch.tensor(t["x"], dtype=dtype).permute(0, 3, 1, 2)
    y = torch.tensor(t["y"]).long().reshape(-1)
    return p, x, y


def training_loss(forward, reg, net, p, x, y, trainable):
    """Categorical cross-entropy of the training forward pass plus l2."""
    prob = forward(net, x, True)
    loss = -torch.log(prob[torch.arange(len(y)), y]).mean()
    for k in trainable:
        if k.endswith(reg):
            loss = loss + L2 * (p[k] ** 2).sum()
    return loss


def report_float32(t, meta, forward, reg, names, trainable, new64, tol):
    """Prints how far PyTorch itself, in float32, lands from the float64
    reference, in the units --check-steps uses (error / tolerance), next to
    netc's own dump: evidence that the tolerance is what float32 allows."""
    p, x, y = tensors(t, names, trainable, torch.float32)
    training_loss(forward, reg, Net(p), p, x, y, trainable).backward()
    lr = float(meta["learning_rate"])
    worst = {"torch float32": (0, ""), "netc": (0, "")}
    for k in trainable:
        w0 = t["init/" + k].astype(np.float64)
        b = new64[k] - w0
        ulps = 4 * np.finfo(np.float32).eps * np.abs(new64[k])
        g32 = p[k].grad.numpy()
        # The step in float32 arithmetic, as a float32 program takes it.
        w32 = (p[k].detach().numpy() + step(meta["optimizer"], np.float32(lr),
                                            g32)).astype(np.float32)
        for who, got in (("torch float32", w32), ("netc", t["step1/" + k])):
            a = got.astype(np.float64) - w0
            e = float(np.max((np.abs(a - b) - ulps) / tol[k]))
            if e > worst[who][0]:
                worst[who] = (e, k)
    for who, (e, k) in worst.items():
        print("  %s: worst step error %.3g of the tolerance (%s)" % (who, e, k))


def main(dump, outdir):
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(0)
    for path in sorted(glob.glob(os.path.join(dump, "*.safetensors"))):
        t, meta = st.read(path)
        forward, reg = NETS[meta["network"]]
        names = [k[5:] for k in t if k.startswith("init/")]
        trainable = [k for k in names if "moving_" not in k]
        p, x, y = tensors(t, names, trainable, torch.float64)
        with torch.no_grad():
            out = forward(Net(p), x, False)
        net = Net(p)
        loss = training_loss(forward, reg, net, p, x, y, trainable)
        loss.backward()
        lr = float(meta["learning_rate"])
        opt = meta["optimizer"]
        new, tol = {}, {}
        with torch.no_grad():
            for k in names:
                if k in net.moving:
                    new[k] = net.moving[k].numpy()
                elif k not in trainable:
                    new[k] = p[k].detach().numpy()
                else:
                    g = p[k].grad.numpy()
                    new[k] = p[k].detach().numpy() + step(opt, lr, g)
                    tol[k] = tolerance(opt, lr, g)
        res = [("x", t["x"]), ("y", t["y"])]

        def add(name, arr, extra=None):
            arr = np.asarray(arr, dtype=np.float64)
            if arr.size > SAMPLE_OVER:
                idx = np.sort(rng.choice(arr.size, SAMPLE, replace=False))
                res.append((name, arr.reshape(-1)[idx]))
                res.append((name + "@idx", idx.astype(np.int64)))
                if extra is not None:
                    res.append((name + "@tol", extra.reshape(-1)[idx]))
            else:
                res.append((name, arr))
                if extra is not None:
                    res.append((name + "@tol", extra.reshape(-1)))

        for k in names:
            add("init/" + k, t["init/" + k])
        res.append(("out", out.numpy()))
        for k in names:
            add("step1/" + k, new[k], tol.get(k))
        res.append(("loss", np.array([loss.item()])))
        meta = dict(meta, rtol=RTOL, steps=1)
        dst = os.path.join(outdir, os.path.basename(path))
        st.write(dst, res, meta)
        netc_loss = float(t["loss"][0])
        print("wrote %s: loss torch %.8g netc %.8g" % (dst, loss.item(), netc_loss))
        report_float32(t, meta, forward, reg, names, trainable, new, tol)


if __name__ == "__main__":
    main(*sys.argv[1:])
