"""Writes a small image folder for data-checks.test.

usage: write_image_folder.py DIR
DIR/pictures: four class folders (ant, bee, cat, dog) under train/ and
test/, one 4x4 RGB PNG each (written with zlib: no imaging library needed).
"""
import os
import struct
import sys
import zlib


def png(width, height, rgb):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(
            ">I", zlib.crc32(body) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def write_pictures(directory):
    for split in ("train", "test"):
        for i, name in enumerate(("ant", "bee", "cat", "dog")):
            folder = os.path.join(directory, split, name)
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "a.png"), "wb") as f:
                f.write(png(4, 4, (i * 60, 100, 200 - i * 40)))


def main():
    root = sys.argv[1]
    write_pictures(os.path.join(root, "pictures"))


if __name__ == "__main__":
    main()
