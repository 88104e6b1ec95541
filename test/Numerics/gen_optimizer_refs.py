#!/usr/bin/env python3
"""References for test/Numerics/optimizers.test: K steps of each optimizer
of optimizers.net from Keras 3's published update rules, in float64.

Usage: gen_optimizer_refs.py DUMPDIR OUTDIR
  DUMPDIR: written by the built program's `--dump-steps DUMPDIR` (netc's
  seeded initial weights and batch, per kernel); OUTDIR gets one reference
  file per kernel holding the same inputs with the expected values, for
  `--check-steps OUTDIR`. Only numpy is needed.

The network is x[1] -> dense(3) -> dense(1) (linear) with mse loss, so the
forward and backward passes are computed exactly here too.
"""
import glob
import json
import os
import sys

import numpy as np

import safetensors_io as st

RTOL = 1e-5


def forward(p, x):
    h = x @ p["dense/kernel"] + p["dense/bias"]
    return h, h @ p["dense_1/kernel"] + p["dense_1/bias"]


def loss_and_grads(p, x, y):
    h, o = forward(p, x)
    n = x.shape[0]
    loss = np.mean(np.mean((o - y) ** 2, axis=-1))
    do = 2 * (o - y) / (n * o.shape[1])
    g = {"dense_1/kernel": h.T @ do, "dense_1/bias": do.sum(0)}
    dh = do @ p["dense_1/kernel"].T
    g["dense/kernel"] = x.T @ dh
    g["dense/bias"] = dh.sum(0)
    return loss, g


class Keras3:
    """Keras 3's update_step of each optimizer (keras/src/optimizers/*.py)."""

    def __init__(self, name, args):
        self.name, self.a = name, args
        self.slots = {}
        self.u_product = 1.0  # nadam's optimizer-level variable
        self.amsgrad_differs = False  # whether max(v) ever differed from v

    def c(self, key, default):
        return float(self.a.get(key, default))

    def step(self, w, g, key, t, lr):
        s = self.slots.setdefault(key, {})
        z = lambda: np.zeros_like(w)
        n = self.name
        if n == "sgd":
            mom = self.c("momentum", 0.0)
            if mom == 0:
                return w - lr * g
            m = s["m"] = mom * s.get("m", z()) - lr * g
            if self.c("nesterov", 0.0):
                return w + mom * m - lr * g
            return w + m
        if n in ("adam", "adamw"):
            b1, b2, eps = self.c("beta_1", .9), self.c("beta_2", .999), self.c("epsilon", 1e-7)
            if n == "adamw":  # decoupled decay, applied before the step
                w = w - w * self.c("weight_decay", 0.004) * lr
            m = s["m"] = s.get("m", z()) + (g - s.get("m", z())) * (1 - b1)
            v = s["v"] = s.get("v", z()) + (g * g - s.get("v", z())) * (1 - b2)
            alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            if self.c("amsgrad", 0.0):  # the running maximum of v
                v_hat = s["v_hat"] = np.maximum(s.get("v_hat", z()), v)
                self.amsgrad_differs |= bool(np.any(v_hat != v))
                v = v_hat
            return w - alpha * m / (np.sqrt(v) + eps)
        if n == "rmsprop":
            rho, mom, eps = self.c("rho", .9), self.c("momentum", 0.0), self.c("epsilon", 1e-7)
            v = s["v"] = rho * s.get("v", z()) + (1 - rho) * g * g
            if self.c("centered", 0.0):
                ag = s["ag"] = rho * s.get("ag", z()) + (1 - rho) * g
                denom = v - ag * ag + eps
            else:
                denom = v + eps
            inc = lr * g / np.sqrt(denom)
            if mom > 0:
                m = s["m"] = mom * s.get("m", z()) + inc
                return w - m
            return w - inc
        if n == "adagrad":
            acc = s["acc"] = s.get("acc", np.full_like(w, self.c("initial_accumulator_value", 0.1))) + g * g
            return w - lr * g / np.sqrt(acc + self.c("epsilon", 1e-7))
        if n == "adadelta":
            rho, eps = self.c("rho", .95), self.c("epsilon", 1e-7)
            ag = s["ag"] = rho * s.get("ag", z()) + (1 - rho) * g * g
            rms = lambda q: np.sqrt(q + eps)
            d = -rms(s.get("ad", z())) * g / rms(ag)
            s["ad"] = rho * s.get("ad", z()) + (1 - rho) * d * d
            return w + lr * d
        if n == "adamax":
            b1, b2, eps = self.c("beta_1", .9), self.c("beta_2", .999), self.c("epsilon", 1e-7)
            m = s["m"] = s.get("m", z()) + (g - s.get("m", z())) * (1 - b1)
            u = s["u"] = np.maximum(b2 * s.get("u", z()), np.abs(g))
            return w - lr * m / ((1 - b1 ** t) * (u + eps))
        if n == "nadam":
            b1, b2, eps = self.c("beta_1", .9), self.c("beta_2", .999), self.c("epsilon", 1e-7)
            u_t = b1 * (1 - 0.5 * 0.96 ** t)
            u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
            # Keras updates u_product (prod_{s<=t} u_s) before the step.
            up_t = self.u_product * u_t
            up_t1 = up_t * u_t1
            m = s["m"] = s.get("m", z()) + (g - s.get("m", z())) * (1 - b1)
            v = s["v"] = s.get("v", z()) + (g * g - s.get("v", z())) * (1 - b2)
            m_hat = u_t1 * m / (1 - up_t1) + (1 - u_t) * g / (1 - up_t)
            v_hat = v / (1 - b2 ** t)
            return w - m_hat * lr / (np.sqrt(v_hat) + eps)
        raise SystemExit("no reference rule for optimizer " + n)

    def end_iteration(self, t):
        if self.name == "nadam":
            self.u_product *= self.c("beta_1", .9) * (1 - 0.5 * 0.96 ** t)


def learning_rate(meta, it):
    """The rate of step it+1 (Keras evaluates a schedule at
    optimizer.iterations before incrementing it): ExponentialDecay,
    CosineDecay (keras/src/optimizers/schedules/learning_rate_schedule.py),
    and `step`, PyTorch's StepLR counted in steps."""
    lr = float(meta["learning_rate"])
    name = meta.get("schedule", "")
    if not name:
        return lr
    a = json.loads(meta["schedule_args"])
    init = float(a["initial_learning_rate"])
    if name == "exponential_decay":
        p = it / a["decay_steps"]
        if a.get("staircase", 0):
            p = np.floor(p)
        return init * a["decay_rate"] ** p
    if name == "cosine_decay":
        assert "warmup_target" not in a
        done = min(it, a["decay_steps"]) / a["decay_steps"]
        alpha = a.get("alpha", 0.0)
        return init * ((1 - alpha) * 0.5 * (1 + np.cos(np.pi * done)) + alpha)
    if name == "step":
        return init * a.get("gamma", 0.1) ** np.floor(it / a["step_size"])
    raise SystemExit("no reference for schedule " + name)


def main(dump, outdir):
    os.makedirs(outdir, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(dump, "*.safetensors"))):
        t, meta = st.read(path)
        x = t["x"].astype(np.float64)
        y = t["y"].astype(np.float64)
        names = [k[5:] for k in t if k.startswith("init/")]
        p = {k: t["init/" + k].astype(np.float64) for k in names}
        steps = int(meta["steps"])
        opt = Keras3(meta["optimizer"], json.loads(meta["optimizer_args"]))
        out = [("x", t["x"]), ("y", t["y"])]
        out += [("init/" + k, t["init/" + k]) for k in names]
        out.append(("out", forward(p, x)[1]))
        losses = []
        for s in range(1, steps + 1):
            loss, g = loss_and_grads(p, x, y)
            losses.append(loss)
            lr = learning_rate(meta, s - 1)
            p = {k: opt.step(p[k], g[k], k, s, lr) for k in names}
            opt.end_iteration(s)
            out += [("step%d/%s" % (s, k), p[k]) for k in names]
        out.append(("loss", np.array(losses)))
        meta = dict(meta, rtol=RTOL)
        st.write(os.path.join(outdir, os.path.basename(path)), out, meta)
        print("wrote", os.path.join(outdir, os.path.basename(path)), meta["optimizer"], meta["optimizer_args"],
              meta.get("schedule", ""), meta.get("schedule_args", ""),
              "(amsgrad's max(v) differs from v)" if opt.amsgrad_differs else "")


if __name__ == "__main__":
    main(*sys.argv[1:])
