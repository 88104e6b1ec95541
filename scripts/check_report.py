#!/usr/bin/env python3
"""Checks a netc report.html: it renders in headless Chromium to a page that is
not blank, and each of its plots has one training <path> per run.

usage: check_report.py REPORT.html --runs N [--png OUT.png]

Only the standard library: the screenshot's PNG is decoded with zlib here.
Exit status 0 when every check passes, 1 otherwise (with the reason).
"""
import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib


def decode_png(data):
    """Returns (width, height, channels, rows of bytes) of an 8-bit PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            if depth != 8 or colour not in (0, 2, 4, 6):
                raise ValueError("unsupported PNG depth/colour %d/%d" % (depth, colour))
            channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append(line)
        prev = line
    return width, height, channels, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--png")
    args = ap.parse_args()

    html = open(args.report, encoding="utf-8").read()
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    if len(svgs) != 2:
        print("expected 2 plots, found %d" % len(svgs))
        return 1
    for i, svg in enumerate(svgs):
        n = len(re.findall(r'<path class="train"', svg))
        if n != args.runs:
            print("plot %d has %d training paths for %d runs" % (i, n, args.runs))
            return 1

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("chromium not found")
        return 1
    out = args.png or os.path.join(tempfile.mkdtemp(), "report.png")
    profile = tempfile.mkdtemp()
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
           "--user-data-dir=" + profile, "--screenshot=" + out,
           "--window-size=1200,900",
           "file://" + os.path.abspath(args.report)]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=120)
    if not os.path.exists(out):
        print("chromium wrote no screenshot")
        return 1
    width, height, channels, rows = decode_png(open(out, "rb").read())
    # Luminance statistics on a grid of samples: a blank (all white) page
    # has no variance and no dark pixels.
    values = []
    for y in range(0, height, 3):
        row = rows[y]
        for x in range(0, width, 3):
            px = row[x * channels:x * channels + min(channels, 3)]
            values.append(sum(px) / len(px))
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / len(values)
    dark = sum(1 for v in values if v < 128) / len(values)
    coloured = 0
    if channels >= 3:
        for y in range(0, height, 3):
            row = rows[y]
            for x in range(0, width, 3):
                r, g, b = row[x * channels:x * channels + 3]
                coloured += max(r, g, b) - min(r, g, b) > 60
    print("screenshot %dx%d: mean %.1f variance %.1f dark %.4f coloured %d"
          % (width, height, mean, var, dark, coloured))
    if var < 50 or dark < 0.002:
        print("the rendered page looks blank")
        return 1
    if coloured < 20:
        print("no coloured curves rendered")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
