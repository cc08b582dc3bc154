#!/usr/bin/env python3
"""Draws eng/icon.png, the 128x128 package icon: a counter-clockwise arrow (roll back) on a rounded blue square.

Pure standard library (zlib + struct), 4x4 supersampling for smooth edges, so the output is byte-for-byte reproducible:
`python3 eng/make-icon.py` rewrites the committed file unchanged.
"""
import math
import os
import struct
import zlib

SIZE = 128
SAMPLES = 4
BACKGROUND = (21, 94, 160)   # blue
FOREGROUND = (255, 255, 255)  # white arrow
ACCENT = (245, 166, 35)       # amber dot: the last good revision


def inside_rounded_square(x, y):
    r, lo, hi = 24.0, 4.0, SIZE - 4.0
    cx = min(max(x, lo + r), hi - r)
    cy = min(max(y, lo + r), hi - r)
    return lo <= x <= hi and lo <= y <= hi and (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def on_arc(x, y):
    # A 270-degree ring around the centre, open at the top-left, where the arrow head sits.
    cx, cy = SIZE / 2, SIZE / 2 + 4
    d = math.hypot(x - cx, y - cy)
    if not 30.0 <= d <= 42.0:
        return False
    angle = math.degrees(math.atan2(y - cy, x - cx)) % 360  # 0 = right, 90 = down (screen coordinates)
    return not 180.0 < angle < 262.0


def in_arrow_head(x, y):
    # Triangle pointing left-down at the arc's open end (counter-clockwise direction).
    ax, ay = 36.0, 22.0
    bx, by = 64.0, 40.0
    tx, ty = 26.0, 50.0
    def side(px, py, qx, qy, rx, ry):
        return (px - rx) * (qy - ry) - (qx - rx) * (py - ry)
    d1 = side(x, y, ax, ay, bx, by)
    d2 = side(x, y, bx, by, tx, ty)
    d3 = side(x, y, tx, ty, ax, ay)
    return not ((d1 < 0 or d2 < 0 or d3 < 0) and (d1 > 0 or d2 > 0 or d3 > 0))


def in_dot(x, y):
    return math.hypot(x - SIZE / 2, y - (SIZE / 2 + 4)) <= 11.0


def pixel(px, py):
    totals = [0.0, 0.0, 0.0, 0.0]
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            x = px + (sx + 0.5) / SAMPLES
            y = py + (sy + 0.5) / SAMPLES
            if not inside_rounded_square(x, y):
                continue
            if in_dot(x, y):
                color = ACCENT
            elif on_arc(x, y) or in_arrow_head(x, y):
                color = FOREGROUND
            else:
                color = BACKGROUND
            totals[0] += color[0]
            totals[1] += color[1]
            totals[2] += color[2]
            totals[3] += 255
    n = SAMPLES * SAMPLES
    alpha = totals[3] / n
    if alpha == 0:
        return (0, 0, 0, 0)
    covered = totals[3] / 255
    return tuple(round(c / covered) for c in totals[:3]) + (round(alpha),)


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def main():
    rows = bytearray()
    for y in range(SIZE):
        rows.append(0)  # filter: none
        for x in range(SIZE):
            rows.extend(pixel(x, y))
    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(rows), 9))
    png += chunk(b"IEND", b"")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.png")
    with open(path, "wb") as f:
        f.write(png)
    print(f"wrote {path} ({len(png)} bytes)")


if __name__ == "__main__":
    main()
