"""Time of single-reference photoreal with semantic descriptors, against without and reinhard.

Usage: ``python benchmarks/semantic_speed.py --model-dir ../shared/models [--repeats N]
[--sizes 1]``

The target is scikit-image's astronaut photo in gray and the reference the coffee photo,
both resized to each size (megapixels). Every timed call is a first look at a new photo
pair: a fresh backend, fresh copies of the arrays and the DeepLab model's remembered runs
dropped, so the figure includes the two model runs (target and reference) that the
descriptors cost when the photo is not segmented anyway. Printed: median of
``--repeats`` after one warm-up, end to end through ``panocolor.colorize_result``, and
the ratio to plain photoreal (``photoreal-texture``, ``semantic_weight=0``) and to
reinhard, measured in the same run; ``model s`` is the two model runs alone.
"""

from __future__ import annotations

import argparse
import functools
import os
from collections.abc import Callable

import cv2
import numpy as np
from _timing import median_seconds
from rich.console import Console
from rich.table import Table
from skimage import data

from panocolor.api import colorize_result
from panocolor.imaging.colorspace import rgb_to_lab
from panocolor.segment.semantic import DeepLabEncoder
from panocolor.transfer import build_transfer
from panocolor.transfer.photoreal import PhotorealTransfer
from panocolor.types import ColorImage, GrayImage


def _model_runs(encoder: DeepLabEncoder, target: np.ndarray, reference: np.ndarray) -> None:
    encoder.model.forget()
    encoder(target.copy())
    encoder(reference[..., 0].copy())


def _colorize(
    encoder: DeepLabEncoder,
    target: np.ndarray,
    reference: np.ndarray,
    make: Callable[[], object],
) -> None:
    encoder.model.forget()
    gray = GrayImage(np.clip(target, 0, 100).astype(np.float32))
    colorize_result(gray, ColorImage(reference.copy()), transfer=make(), segmenter="none")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=float, nargs="+", default=[1.0])
    args = parser.parse_args()
    encoder = DeepLabEncoder(args.model_dir)
    backends = {
        "reinhard": lambda: build_transfer("reinhard"),
        "photoreal-texture": lambda: PhotorealTransfer(semantic_weight=0.0),
        "photoreal": lambda: PhotorealTransfer(encoder=encoder),
    }
    table = Table(
        title=f"semantic photoreal speed ({os.cpu_count()} CPUs, median of {args.repeats})"
    )
    for column in ("MP", "method", "total s", "model s", "/ photoreal-texture", "/ reinhard"):
        table.add_column(column, justify="right")
    for megapixels in args.sizes:
        side = round((megapixels * 1e6) ** 0.5)
        target = cv2.resize(rgb_to_lab(data.astronaut() / 255.0)[..., 0], (side, side))
        reference = cv2.resize(rgb_to_lab(data.coffee() / 255.0), (side, round(side * 1.5)))

        model_s = median_seconds(
            functools.partial(_model_runs, encoder, target, reference), args.repeats
        )
        seconds = {}
        for name, make in backends.items():
            call = functools.partial(_colorize, encoder, target, reference, make)
            seconds[name] = median_seconds(call, args.repeats)
        for name in backends:
            table.add_row(
                f"{side * side / 1e6:.2f}",
                name,
                f"{seconds[name]:.3f}",
                f"{model_s:.3f}" if name == "photoreal" else "",
                f"{seconds[name] / seconds['photoreal-texture']:.2f}x",
                f"{seconds[name] / seconds['reinhard']:.1f}x",
            )
    Console().print(table)


if __name__ == "__main__":
    main()
