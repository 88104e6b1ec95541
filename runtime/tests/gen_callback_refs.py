#!/usr/bin/env python3
"""References for CallbacksTest.cpp: what Keras 3's EarlyStopping,
ReduceLROnPlateau and ModelCheckpoint(save_best_only=True,
save_weights_only=True) do on constructed metric sequences, written to
CallbackRefs.inc.

Each case drives one callback by hand through on_train_begin, on_epoch_end
(with logs {monitor: value}) and on_train_end, on a one-weight model whose
weight is set to the epoch number before each epoch ends, so that the weight
left after on_train_end names the epoch EarlyStopping restored.

Usage (a venv with keras 3):
  python gen_callback_refs.py > CallbackRefs.inc
"""
import os
import tempfile

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import numpy as np  # noqa: E402

C = keras.callbacks

# (netc name, numeric args, string args, values per epoch, the Keras callback)
CASES = [
    ("early_stopping", {"patience": 2}, {"monitor": "val_loss"},
     [1.0, 0.8, 0.9, 0.85, 0.7, 0.75],
     lambda: C.EarlyStopping(monitor="val_loss", patience=2)),
    ("early_stopping", {"patience": 2, "restore_best_weights": 1},
     {"monitor": "val_loss"},
     [1.0, 0.8, 0.9, 0.85, 0.7, 0.75],
     lambda: C.EarlyStopping(monitor="val_loss", patience=2,
                             restore_best_weights=True)),
    ("early_stopping", {"patience": 0, "restore_best_weights": 1},
     {"monitor": "val_loss"},
     [1.0, 0.5, 0.4, 0.3],
     lambda: C.EarlyStopping(monitor="val_loss", restore_best_weights=True)),
    ("early_stopping", {"patience": 1, "min_delta": 0.1},
     {"monitor": "val_loss"},
     [1.0, 0.95, 0.85, 0.8, 0.5],
     lambda: C.EarlyStopping(monitor="val_loss", patience=1, min_delta=0.1)),
    ("early_stopping", {"patience": 1, "restore_best_weights": 1},
     {"monitor": "val_accuracy"},
     [0.5, 0.6, 0.55, 0.58, 0.7],
     lambda: C.EarlyStopping(monitor="val_accuracy", patience=1,
                             restore_best_weights=True)),
    ("early_stopping", {"patience": 1, "restore_best_weights": 1},
     {"monitor": "loss", "mode": "max"},
     [0.5, 0.6, 0.55, 0.58, 0.7],
     lambda: C.EarlyStopping(monitor="loss", mode="max", patience=1,
                             restore_best_weights=True)),
    ("early_stopping", {"patience": 1, "start_from_epoch": 3,
                        "restore_best_weights": 1},
     {"monitor": "val_loss"},
     [0.1, 0.2, 0.3, 0.9, 0.8, 0.85, 0.95],
     lambda: C.EarlyStopping(monitor="val_loss", patience=1,
                             start_from_epoch=3, restore_best_weights=True)),
    ("early_stopping", {"patience": 2, "baseline": 0.5},
     {"monitor": "val_loss"},
     [0.9, 0.8, 0.7, 0.6, 0.4, 0.45, 0.42, 0.41],
     lambda: C.EarlyStopping(monitor="val_loss", patience=2, baseline=0.5)),
    ("reduce_lr_on_plateau", {"factor": 0.5, "patience": 2},
     {"monitor": "val_loss"},
     [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8],
     lambda: C.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2)),
    ("reduce_lr_on_plateau", {"factor": 0.1, "patience": 1, "cooldown": 2,
                              "min_lr": 0.0005},
     {"monitor": "val_loss"},
     [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
     lambda: C.ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=1,
                                 cooldown=2, min_lr=0.0005)),
    ("reduce_lr_on_plateau", {"factor": 0.3, "patience": 1, "min_delta": 0.05},
     {"monitor": "val_accuracy"},
     [0.5, 0.52, 0.6, 0.62, 0.64, 0.8, 0.81],
     lambda: C.ReduceLROnPlateau(monitor="val_accuracy", factor=0.3,
                                 patience=1, min_delta=0.05)),
    ("save_best", {}, {"monitor": "val_loss", "file": "best"},
     [1.0, 0.8, 0.9, 0.8, 0.7, 0.71],
     None),
    ("save_best", {}, {"monitor": "val_accuracy", "file": "best"},
     [0.5, 0.7, 0.6, 0.7, 0.75, 0.1],
     None),
]

LEARNING_RATE = 0.01


def model():
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False)])
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE), loss="mse",
              metrics=["accuracy"])
    # Builds the metrics, whose direction mode="auto" reads.
    m.evaluate(np.zeros((1, 1)), np.zeros((1, 1)), verbose=0)
    return m


def run(cb, monitor, values):
    """(stopped epoch, restored epoch, rate per epoch, epochs saved) as
    netc numbers them: 1-based, 0 for none."""
    m = model()
    cb.set_model(m)
    cb.on_train_begin()
    rates, stopped = [], 0
    for epoch, v in enumerate(values):
        rates.append(float(np.float32(m.optimizer.learning_rate.numpy())))
        m.set_weights([np.full((1, 1), epoch + 1, np.float32)])
        cb.on_epoch_end(epoch, {monitor: v})
        if m.stop_training:
            stopped = epoch + 1
            break
    m.set_weights([np.full((1, 1), 0, np.float32)])
    cb.on_train_end()
    restored = int(m.get_weights()[0][0, 0])
    return stopped, restored, rates


def saved_epochs(monitor, values):
    with tempfile.TemporaryDirectory() as d:
        m = model()
        cb = C.ModelCheckpoint(os.path.join(d, "e{epoch}.weights.h5"), monitor=monitor,
                               save_best_only=True, save_weights_only=True)
        cb.set_model(m)
        cb.on_train_begin()
        for epoch, v in enumerate(values):
            cb.on_epoch_end(epoch, {monitor: v})
        return sorted(int(f[1:].split(".")[0]) for f in os.listdir(d))


def cpp_map(d, quote):
    items = ", ".join("{\"%s\", %s}" % (k, ("\"%s\"" % v) if quote else repr(float(v)))
                      for k, v in sorted(d.items()))
    return "{" + items + "}"


def cpp_list(xs, fmt):
    return "{" + ", ".join(fmt(x) for x in xs) + "}"


print("// Generated by gen_callback_refs.py from Keras %s; do not edit." % keras.__version__)
for name, args, strs, values, make in CASES:
    if name == "save_best":
        stopped, restored, rates = 0, 0, []
        saves = saved_epochs(strs["monitor"], values)
    else:
        stopped, restored, rates = run(make(), strs["monitor"], values)
        saves = []
    print("{\"%s\", %s, %s, %s, %d, %d, %s, %s}," % (
        name, cpp_map(args, False), cpp_map(strs, True),
        cpp_list(values, repr), stopped, restored,
        cpp_list(rates, lambda r: repr(r)), cpp_list(saves, str)))
