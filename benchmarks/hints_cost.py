"""What 50 colour hints cost over the same colorization without hints, at 1 MP.

Usage: ``python benchmarks/hints_cost.py [--megapixels 1] [--hints 50] [--repeats 3]``
``[--model-dir DIR]``

A 1 MP photo (scikit-image's astronaut, resized) is colorized from a colour
reference (coffee) with and without ``--hints`` random point hints, in the same run
and with the same colorizer (per object with deeplab when its model files are found,
else single-reference photoreal). Medians of ``--repeats`` runs after a warm-up; the
ratio with / without is the figure (target: at most 1.30), and the hints stage's own
time is printed beside it.
"""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path

import cv2
import numpy as np
from _timing import median_seconds
from skimage import data

from panocolor.hints import Hint
from panocolor.imaging.colorspace import rgb_to_lab
from panocolor.pipeline import Colorizer, Settings
from panocolor.types import ColorImage, GrayImage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megapixels", type=float, default=1.0)
    parser.add_argument("--hints", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model-dir", type=Path, default=None)
    args = parser.parse_args()

    side = round((args.megapixels * 1e6) ** 0.5)
    photo = cv2.resize(data.astronaut(), (side, side), interpolation=cv2.INTER_CUBIC) / 255.0
    gray = GrayImage(rgb_to_lab(photo)[..., 0])
    reference = ColorImage(rgb_to_lab(data.coffee() / 255.0))
    rng = np.random.default_rng(0)
    hints = [
        Hint(int(x), int(y), tuple(int(v) for v in rng.integers(0, 256, 3)))
        for x, y in rng.integers(0, side, (args.hints, 2))
    ]
    colorizer = Colorizer(Settings(segmenter="auto", model_dir=args.model_dir))
    pipeline = "per object, deeplab" if colorizer.per_object else "single reference, photoreal"
    without = median_seconds(partial(colorizer, gray, reference), args.repeats)
    with_hints = median_seconds(partial(colorizer, gray, reference, hints=hints), args.repeats)
    stage = colorizer(gray, reference, hints=hints).timings["hints"]
    print(
        f"{side}x{side} ({pipeline}): without hints {without:.3f} s, with {args.hints} hints "
        f"{with_hints:.3f} s (hints stage {stage:.3f} s); ratio {with_hints / without:.2f} "
        "(target <= 1.30)"
    )


if __name__ == "__main__":
    main()
