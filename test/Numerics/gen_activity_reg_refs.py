#!/usr/bin/env python3
"""References for test/Numerics/activity-reg.test: the network of
Inputs/activity_reg.net built with the real Keras 3 (float64, TensorFlow
backend) layer for layer, netc's layer names given to Keras' layers.

Keras 3 divides an activity regularizer's value by the batch size, the first
dimension of the layer's output (keras/src/layers/layer.py, Layer.__call__:
`ops.divide_no_nan(loss, batch_size)`), so a final partial batch divides by
its own size; kernel and bias regularizers are not divided. The references
come from Keras' own layers and `model.losses`, not from a re-derivation.

For each kernel of a `--dump-steps` dump (netc's seeded initial weights and
random batch), Inputs/activity_reg/b<N>/<kernel>.safetensors holds Keras'
inference outputs, training loss (sparse categorical cross-entropy of the
softmax probabilities plus model.losses: the activity regularizers divided
by N and the kernel l2) and all weights after one sgd(1.0) step, whose
change is minus Keras' gradient, in the layout `--check-steps` reads (see
test/Numerics/gen_network_refs.py and docs/design.md "Numerics against
references").

Usage (python with keras 3 and tensorflow, e.g. /opt/peers/bin/python):
    gen_activity_reg_refs.py DUMPDIR OUTDIR
DUMPDIR from `activity_reg --dump-steps DUMPDIR --steps 1 --set
batch_size=N` (activity_reg built from Inputs/activity_reg.net).
"""
import glob
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import safetensors_io as st  # noqa: E402

keras.config.set_floatx("float64")
L = keras.layers
R = keras.regularizers
RTOL = 1e-4


def act_reg():
    x = keras.Input((28, 28, 1), name="input")
    h = L.AveragePooling2D(4, name="avgpool")(x)
    h = L.Conv2D(3, 3, padding="valid", activation="tanh", name="conv2d",
                 activity_regularizer=R.L1(0.05))(h)
    h = L.Conv2D(2, 3, padding="valid", name="conv2d_1",
                 activity_regularizer=R.L2(0.1))(h)
    h = L.Flatten(name="flatten")(h)
    h = L.Dense(5, activation="tanh", name="dense",
                kernel_regularizer=R.L2(0.01),
                activity_regularizer=R.L1L2(l1=0.02, l2=0.03))(h)
    h = L.Dense(4, name="dense_1", activity_regularizer=R.L2(0.2))(h)
    y = L.Dense(10, activation="softmax", name="dense_2")(h)
    return keras.Model(x, y, name="ActReg")


NETS = {"ActReg": act_reg}


def netc_weights(model):
    """(netc param name, Keras variable) for every weight, in order."""
    out = []
    for layer in model.layers:
        if type(layer).__name__ in ("Dense", "Conv2D"):
            for n, v in zip(("kernel", "bias"), layer.weights):
                out.append((layer.name + "/" + n, v))
    return out


def reference(t, meta):
    model = NETS[meta["network"]]()
    weights = netc_weights(model)
    for name, v in weights:
        v.assign(t["init/" + name].astype(np.float64))
    x = tf.constant(t["x"].astype(np.float64))
    y = tf.constant(t["y"].reshape(-1).astype(np.int64))
    out = model(x, training=False).numpy()
    with tf.GradientTape() as tape:
        prob = model(x, training=True)
        data = tf.reduce_mean(
            keras.losses.sparse_categorical_crossentropy(y, prob))
        # Keras' activity terms (already divided by the batch size) and the
        # kernel l2: 4 + 1 terms.
        assert len(model.losses) == 5, model.losses
        loss = data + tf.add_n(model.losses)
    grads = tape.gradient(loss, [v for _, v in weights])
    lr = float(meta["learning_rate"])
    res = [("x", t["x"]), ("y", t["y"])]
    for n, _ in weights:
        res.append(("init/" + n, t["init/" + n]))
    res.append(("out", out))
    for (n, _), g in zip(weights, grads):
        res.append(("step1/" + n, t["init/" + n].astype(np.float64)
                    - lr * g.numpy()))
    res.append(("loss", np.array([float(loss)])))
    return res, float(loss), float(loss - data)


def main(argv):
    dump, outdir = argv
    os.makedirs(outdir, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(dump, "*.safetensors"))):
        t, meta = st.read(path)
        res, loss, activity = reference(t, meta)
        dst = os.path.join(outdir, os.path.basename(path))
        st.write(dst, res, dict(meta, rtol=RTOL, steps=1))
        print("wrote %s (%s, batch %d): loss keras %.10g (regularizers "
              "%.6g) netc %.10g" % (dst, meta["network"], t["x"].shape[0],
                                    loss, activity, float(t["loss"][0])))


if __name__ == "__main__":
    main(sys.argv[1:])
