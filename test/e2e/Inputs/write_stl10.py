"""Writes a small STL-10 data set in the official binary layout.

usage: write_stl10.py DIR TRAIN TEST SEED
train_X.bin / test_X.bin: uint8, 96*96*3 bytes per image (channel-major,
each channel column-major); train_y.bin / test_y.bin: one label byte 1..10
per image. The pixels are a class-dependent pattern plus noise, so a network
can learn something; the values are not real STL-10 images (none exist
offline).
"""
import os
import random
import sys


def write(directory, split, count, rng):
    pixels = bytearray()
    labels = bytearray()
    for _ in range(count):
        label = rng.randrange(10)
        labels.append(label + 1)
        for channel in range(3):
            base = (label * 25 + channel * 40) % 256
            pixels.extend((base + rng.randrange(32)) % 256 for _ in range(96 * 96))
    with open(os.path.join(directory, split + "_X.bin"), "wb") as f:
        f.write(pixels)
    with open(os.path.join(directory, split + "_y.bin"), "wb") as f:
        f.write(labels)


def main():
    directory, train, test, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(directory, exist_ok=True)
    rng = random.Random(seed)
    write(directory, "train", train, rng)
    write(directory, "test", test, rng)


if __name__ == "__main__":
    main()
