#!/usr/bin/env python3
"""Checks callbacks.net's results.json against Keras 3's callback rules
replayed on the run's own history (keras/src/callbacks/early_stopping.py,
reduce_lr_on_plateau.py, model_checkpoint.py): the epoch early stopping
stopped at, the epoch it restored, the learning rate of every epoch, and the
test losses of the restored and the saved-best weights (exactly the val_loss
of their epochs: the test split is the validation split)."""
import json
import struct
import sys


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def early_stopping(vals, min_delta, patience):
    """(stopped epoch, best epoch), 1-based; restore_best_weights on."""
    best, wait, best_epoch = None, 0, 0
    for epoch, v in enumerate(vals):
        wait += 1
        if best is None or v + min_delta < best:
            best, best_epoch, wait = v, epoch, 0
            continue
        if wait >= patience and epoch > 0:
            return epoch + 1, best_epoch + 1
    return 0, best_epoch + 1


def plateau_rates(vals, lr, factor, patience, min_delta):
    """The rate of each epoch (ReduceLROnPlateau, cooldown 0, min_lr 0)."""
    best, wait, rates = None, 0, []
    for v in vals:
        rates.append(lr)
        if best is None or v + min_delta < best:
            best, wait = v, 0
            continue
        wait += 1
        if wait >= patience and lr > 0:
            lr, wait = f32(max(lr * factor, 0.0)), 0
    return rates


def main(path):
    run = json.load(open(path))["runs"][0]
    h = run["history"]
    vals = [e["val_loss"] for e in h]
    stopped, restored = early_stopping(vals, 0.002, 4)
    assert stopped == len(h), (stopped, len(h))
    assert run["stopped_epoch"] == stopped, (run["stopped_epoch"], stopped)
    assert run["restored_epoch"] == restored, (run["restored_epoch"], restored)
    # Restoring matters here: other weights than the last epoch's.
    assert restored < stopped and vals[restored - 1] != vals[-1], (restored, vals)
    test = run["report"]["test_loss"]
    assert test == vals[restored - 1], (test, vals[restored - 1])
    assert run["test"]["loss"] == test
    rates = plateau_rates(vals, f32(0.05), 0.5, 1, 0.002)
    got = [e["learning_rate"] for e in h]
    assert got == rates, (got, rates)
    assert len(set(rates)) > 2, rates  # at least two reductions
    # save_best: the weights of the strictly lowest val_loss so far.
    best_epoch = min(range(len(vals)), key=lambda i: (vals[i], i))
    saved = run["report"]["test_1_loss"]
    assert saved == vals[best_epoch], (saved, vals[best_epoch])
    print("ok: stopped at %d, restored %d, rates %s" % (stopped, restored, sorted(set(rates))))


main(sys.argv[1])
