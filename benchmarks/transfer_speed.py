"""Time of each colour-transfer backend at 0.25, 1 and 4 megapixels.

Usage: ``python benchmarks/transfer_speed.py [--repeats N] [--sizes 0.25 1 4]``

The target is scikit-image's astronaut photo in gray, resized to each size; the
reference is the coffee photo. Each backend is timed (median of ``--repeats`` runs
after one warm-up) on its own (``transfer``) and end to end through
``panocolor.colorize_result`` (``total``: transfer plus gamut-safe composition and
quantisation), and printed as a ratio to ``reinhard`` measured in the same run.
A second table times photoreal's working-size refinement, the confidence-weighted
propagation (:meth:`PhotorealTransfer.refine`), against the guided filter it
replaced (radius 4, eps 20) on the same matched chroma.
"""

from __future__ import annotations

import argparse
import functools
import os

import cv2
import numpy as np
from _timing import median_seconds
from rich.console import Console
from rich.table import Table
from skimage import data

from panocolor.api import colorize_result
from panocolor.imaging.colorspace import rgb_to_lab
from panocolor.transfer import TRANSFERS, build_transfer
from panocolor.transfer.base import RegionPair
from panocolor.transfer.photoreal import PhotorealTransfer
from panocolor.types import ColorImage, GrayImage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.25, 1.0, 4.0])
    parser.add_argument("--backends", nargs="+", default=TRANSFERS.names())
    args = parser.parse_args()
    backends = ["reinhard"] + [name for name in args.backends if name != "reinhard"]

    astronaut = rgb_to_lab(data.astronaut() / 255.0)[..., 0]
    reference = ColorImage(rgb_to_lab(data.coffee() / 255.0))
    table = Table(title=f"transfer speed ({os.cpu_count()} CPUs, median of {args.repeats})")
    for column in ("MP", "backend", "transfer s", "total s", "total / reinhard"):
        table.add_column(column, justify="right")
    for megapixels in args.sizes:
        side = round((megapixels * 1e6) ** 0.5)
        lightness = cv2.resize(astronaut, (side, side), interpolation=cv2.INTER_CUBIC)
        gray = GrayImage(np.clip(lightness, 0, 100))
        baseline = None
        for name in backends:
            backend = build_transfer(name)
            transfer_s = median_seconds(
                functools.partial(backend, gray.lightness, reference.lab), args.repeats
            )
            total_s = median_seconds(
                functools.partial(
                    colorize_result, gray, reference, transfer=backend, segmenter="none"
                ),
                args.repeats,
            )
            baseline = baseline or total_s
            table.add_row(
                f"{side * side / 1e6:.2f}",
                name,
                f"{transfer_s:.3f}",
                f"{total_s:.3f}",
                f"{total_s / baseline:.1f}x",
            )
    Console().print(table)
    Console().print(refine_table(astronaut, reference, args.repeats))


def refine_table(lightness: np.ndarray, reference: ColorImage, repeats: int) -> Table:
    """Working-size refinement: confidence propagation against the old guided filter."""
    backend = PhotorealTransfer()
    (matched,) = backend.match_regions(lightness, reference.lab, [RegionPair()])
    small_l = backend._prepared.get((lightness, reference.lab), lambda: None).small_l
    old_s = median_seconds(
        functools.partial(cv2.ximgproc.guidedFilter, small_l, matched.ab, 4, 20.0), repeats
    )
    new_s = median_seconds(
        functools.partial(backend.refine, small_l, matched.ab, matched.confidence), repeats
    )
    table = Table(title=f"photoreal refine at {small_l.shape[1]}x{small_l.shape[0]}")
    for column in ("refine", "ms", "/ guided filter"):
        table.add_column(column, justify="right")
    table.add_row("guided filter (old)", f"{old_s * 1e3:.1f}", "1.0x")
    table.add_row("confidence propagation", f"{new_s * 1e3:.1f}", f"{new_s / old_s:.1f}x")
    return table


if __name__ == "__main__":
    main()
