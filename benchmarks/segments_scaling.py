"""How per-object colorization time grows with the number of segments, fast vs faithful.

Usage: ``python benchmarks/segments_scaling.py [--megapixels 1] [--counts 1 2 5 10 20]``
``[--model-dir DIR]``

One synthetic 1 MP photo of 20 textured Voronoi cells, split into K segments (unions
of cells), is colorized from a mirrored colour version whose segmentation is given,
so only the per-object work is timed (segmentation excluded) and only K changes.
Times are medians of ``--repeats`` runs after a warm-up and printed as ratios to K = 1
in the same run: fast mode should stay nearly flat, faithful grows about linearly.

With model files available (``--model-dir`` or ``$PANOCOLOR_MODEL_DIR``) it also times
the whole default pipeline end to end (read excluded: deeplab segmentation of the gray
photo and of the reference, planning, transfer, composition) on a real 1 MP photo,
and single-reference photoreal, each as a ratio to reinhard timed in the same run.
"""

from __future__ import annotations

import argparse
from functools import partial

import cv2
import numpy as np
from _timing import median_seconds
from rich.console import Console
from rich.table import Table
from scipy.spatial import cKDTree
from skimage import data

from panocolor.errors import ModelNotFoundError
from panocolor.imaging.colorspace import rgb_to_lab
from panocolor.pipeline import Colorizer, Settings
from panocolor.segment import Segment, Segmentation
from panocolor.types import ColorImage, GrayImage

CONTENT_CELLS = 20  # the photo is always the same 20 textured cells


def synthetic_scene(count: int, megapixels: float, seed: int = 0):
    """A gray photo of textured cells split into ``count`` segments, and a colour reference.

    The photo (20 Voronoi cells, each its own lightness, texture and hue) is the same
    for every ``count``; only its segmentation changes (cell c belongs to segment
    ``c % count + 1``), so timings differ by the number of segments alone.
    """
    rng = np.random.default_rng(seed)
    side = round((megapixels * 1e6) ** 0.5)
    small = 256
    seeds = rng.random((CONTENT_CELLS, 2)) * small
    grid = np.stack(np.mgrid[:small, :small], -1).reshape(-1, 2)
    cells = cKDTree(seeds).query(grid)[1].reshape(small, small).astype(np.int32)
    cells = cv2.resize(cells, (side, side), interpolation=cv2.INTER_NEAREST)
    base_l = rng.uniform(25, 85, CONTENT_CELLS)
    hue = rng.uniform(0, 2 * np.pi, CONTENT_CELLS)
    texture = cv2.GaussianBlur(rng.normal(0, 6, (side, side)).astype(np.float32), (0, 0), 2)
    lab = np.zeros((side, side, 3), np.float32)
    lab[..., 0] = np.clip(base_l[cells] + texture * (cells % 3), 0, 100)
    lab[..., 1] = 40 * np.cos(hue[cells])
    lab[..., 2] = 40 * np.sin(hue[cells])
    ids = cells % count + 1
    counts = np.bincount(ids.ravel(), minlength=count + 1)
    present = [k for k in range(1, count + 1) if counts[k]]
    segments = [Segment(k, 200 + k, f"class-{k}", False, int(counts[k])) for k in present]
    segmentation = Segmentation(ids, tuple(segments))
    mirrored = Segmentation(np.ascontiguousarray(ids[:, ::-1]), tuple(segments))
    return GrayImage(lab[..., 0]), segmentation, ColorImage(lab[:, ::-1].copy()), mirrored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megapixels", type=float, default=1.0)
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 2, 5, 10, 20])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model-dir", default=None)
    args = parser.parse_args()

    colorizers = {
        mode: Colorizer(Settings(segmenter="none", mode=mode)) for mode in ("fast", "faithful")
    }
    table = Table(title=f"per-object time vs segments at {args.megapixels:g} MP (2 CPUs)")
    for column in (
        "segments",
        "fast s",
        "fast / K=1",
        "faithful s",
        "faithful / K=1",
        "faithful / fast",
    ):
        table.add_column(column, justify="right")
    first: dict[str, float] = {}
    for count in args.counts:
        gray, segmentation, reference, reference_segmentation = synthetic_scene(
            count, args.megapixels
        )
        seconds = {}
        for mode, colorizer in colorizers.items():
            seconds[mode] = median_seconds(
                partial(
                    colorizer,
                    gray,
                    reference,
                    segmentation=segmentation,
                    reference_segmentation=reference_segmentation,
                ),
                args.repeats,
            )
            first.setdefault(mode, seconds[mode])
        table.add_row(
            str(len(segmentation.segments)),
            f"{seconds['fast']:.3f}",
            f"{seconds['fast'] / first['fast']:.2f}",
            f"{seconds['faithful']:.3f}",
            f"{seconds['faithful'] / first['faithful']:.2f}",
            f"{seconds['faithful'] / seconds['fast']:.1f}x",
        )
    console = Console()
    console.print(table)

    try:
        end_to_end = Colorizer(Settings(segmenter="deeplab", model_dir=args.model_dir))
    except ModelNotFoundError as error:
        console.print(f"end to end skipped: {error}")
        return
    side = round((args.megapixels * 1e6) ** 0.5)
    photo = cv2.resize(data.astronaut(), (side, side), interpolation=cv2.INTER_CUBIC) / 255.0
    gray = GrayImage(rgb_to_lab(photo)[..., 0])
    reference = ColorImage(rgb_to_lab(data.coffee() / 255.0))
    result = end_to_end(gray, reference)
    pipelines = {
        "per object, fast, deeplab": end_to_end,
        "photoreal, single reference": Colorizer(Settings("photoreal", "none")),
        "reinhard, single reference": Colorizer(Settings("reinhard", "none")),
    }
    seconds = {
        name: median_seconds(partial(colorizer, gray, reference), args.repeats)
        for name, colorizer in pipelines.items()
    }
    stages = ", ".join(f"{k} {v:.3f}" for k, v in result.timings.items())
    console.print(
        f"end to end, {side}x{side} astronaut + coffee reference, "
        f"{len(result.segmentation.segments)} segments ({stages}; target <= 0.8 s per object):"
    )
    baseline = seconds["reinhard, single reference"]
    for name, value in seconds.items():
        console.print(f"  {name}: {value:.3f} s, {value / baseline:.1f}x reinhard")


if __name__ == "__main__":
    main()
