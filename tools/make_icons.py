"""Draw the extension's toolbar icons: extension/icons/icon-{16,32,48,128}.png.

A rounded square in Rapport blue with two linked white rings (two people, one relationship),
drawn with the standard library only: each pixel is the average of 8x8 samples, so edges are
smooth at every size. Run `python tools/make_icons.py` after changing the drawing; the PNGs are
committed.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "extension" / "icons"
SIZES = (16, 32, 48, 128)
SAMPLES = 8

BACKGROUND = (29, 78, 216)  # blue-700
RING = (255, 255, 255)
CORNER = 0.22  # corner radius, as a share of the side
RING_RADIUS = 0.2
RING_WIDTH = 0.075
RING_OFFSET = 0.13  # each ring's centre, left and right of the middle


def in_rounded_square(x: float, y: float) -> bool:
    """(x, y) in 0..1 lies inside the rounded square."""
    dx = max(CORNER - x, 0.0, x - (1 - CORNER))
    dy = max(CORNER - y, 0.0, y - (1 - CORNER))
    return dx * dx + dy * dy <= CORNER * CORNER


def on_ring(x: float, y: float, cx: float) -> bool:
    distance = math.hypot(x - cx, y - 0.5)
    return abs(distance - RING_RADIUS) <= RING_WIDTH / 2


def pixel(px: int, py: int, size: int) -> tuple[int, int, int, int]:
    """The colour of one pixel: background and ring coverage from SAMPLES x SAMPLES points."""
    inside = ring = 0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            x = (px + (sx + 0.5) / SAMPLES) / size
            y = (py + (sy + 0.5) / SAMPLES) / size
            if in_rounded_square(x, y):
                inside += 1
                if on_ring(x, y, 0.5 - RING_OFFSET) or on_ring(x, y, 0.5 + RING_OFFSET):
                    ring += 1
    if not inside:
        return (0, 0, 0, 0)
    share = ring / inside
    colour = tuple(round(b + (r - b) * share) for b, r in zip(BACKGROUND, RING, strict=True))
    return (*colour, round(255 * inside / (SAMPLES * SAMPLES)))


def png(size: int) -> bytes:
    rows = bytearray()
    for py in range(size):
        rows.append(0)  # filter type: none
        for px in range(size):
            rows.extend(pixel(px, py, size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        (OUT / f"icon-{size}.png").write_bytes(png(size))
    print(f"Wrote {len(SIZES)} icons to {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
