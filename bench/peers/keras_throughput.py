"""Training-step throughput of the reference networks in Keras 3 (TensorFlow backend, CPU).

usage: python keras_throughput.py BATCH [model ...] [--steps N] [--threads T]
Prints one line per model: model cpu batch keras img_per_s ms_per_step.
Models: lenet_mnist alexnet resnet50 lenet_stl10 (the reference studies' shapes, adam except
resnet50: rmsprop). Copied from ../shared/bench; lenet_stl10 (the transfer study's 96x96x3 front
end before LeNet) added here.
"""
import argparse
import os
import time


def lenet_layers(L):
    return [L.Conv2D(6, 3, activation="relu"), L.AveragePooling2D(2),
            L.Conv2D(16, 3, activation="relu"), L.AveragePooling2D(2),
            L.Flatten(), L.Dense(120, activation="relu"),
            L.Dense(84, activation="relu"), L.Dense(10, activation="softmax")]


def build(name, keras):
    L = keras.layers
    if name == "lenet_mnist":
        m = keras.Sequential([keras.Input((28, 28, 1)), *lenet_layers(L)])
        return m, (28, 28, 1), "adam"
    if name == "lenet_stl10":
        front = [L.Conv2D(6, 5, activation="relu"), L.AveragePooling2D(2)]
        front += [L.Conv2D(6, 5, activation="relu") for _ in range(4)]
        front.append(L.Conv2D(1, 3, activation="relu"))      # 28x28x1
        m = keras.Sequential([keras.Input((96, 96, 3)), *front, *lenet_layers(L)])
        return m, (96, 96, 3), "adam"
    if name == "alexnet":
        seq = [keras.Input((32, 32, 3))]
        for f, k, s, pool in [(96, 11, 4, True), (256, 5, 1, True), (384, 3, 1, False),
                              (384, 3, 1, False), (256, 3, 1, True)]:
            seq += [L.Conv2D(f, k, strides=s, padding="same"), L.BatchNormalization(), L.Activation("relu")]
            if pool:
                seq.append(L.MaxPooling2D(2, padding="same"))
        seq.append(L.Flatten())
        for u in [4096, 4096, 1000]:
            seq += [L.Dense(u), L.BatchNormalization(), L.Activation("relu"), L.Dropout(0.4)]
        seq += [L.Dense(10), L.BatchNormalization(), L.Activation("softmax")]
        return keras.Sequential(seq), (32, 32, 3), "adam"
    if name == "resnet50":
        base = keras.applications.ResNet50(include_top=False, weights=None, input_shape=(32, 32, 3))
        m = keras.Sequential([base, L.Flatten(), L.Dense(512, activation="relu"),
                              L.Dense(10, activation="softmax")])
        return m, (32, 32, 3), "rmsprop"
    raise SystemExit(f"unknown model {name}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("batch", type=int)
    ap.add_argument("models", nargs="*")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import numpy as np
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras
    for name in a.models or ["lenet_mnist", "alexnet", "resnet50"]:
        model, shape, opt = build(name, keras)
        model.compile(optimizer=opt, loss="sparse_categorical_crossentropy", jit_compile=False)
        rng = np.random.default_rng(0)
        x = rng.standard_normal((a.batch, *shape)).astype("float32")
        y = rng.integers(0, 10, (a.batch,))
        for _ in range(3):
            model.train_on_batch(x, y)
        t0 = time.perf_counter()
        for _ in range(a.steps):
            loss = model.train_on_batch(x, y)
        dt = time.perf_counter() - t0
        print(f"{name:18s} cpu  batch={a.batch:4d} keras        {a.batch * a.steps / dt:10.1f} img/s "
              f"{1000 * dt / a.steps:8.2f} ms/step", flush=True)


if __name__ == "__main__":
    main()
