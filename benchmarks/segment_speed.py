"""Time and peak memory of the segmentation stage at 1 and 12 megapixels.

Usage: ``python benchmarks/segment_speed.py --model-dir ../shared/models [--repeats N]
[--sizes 1 12] [--segmenters deeplab superpixel]``

The input is scikit-image's chelsea (cat) photo in gray, resized to each size. Each
segmenter call (whole stage: both models, fusion, refinement, instances, regions) is
timed as the median of ``--repeats`` runs after a warm-up, and printed as a ratio
to one plain model call (the VOC DeepLab interpreter on a 513 x 513 input) measured
in the same run. Peak memory is the peak of memory allocated through Python and
numpy during one call (``tracemalloc``; OpenCV's outputs are numpy arrays, TFLite's
fixed internal buffers are not counted), each case in a fresh subprocess. TFLite
interpreters use ``num_threads=2``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import time
import tracemalloc
from pathlib import Path

import cv2
import numpy as np
from rich.console import Console
from rich.table import Table
from skimage import data

from panocolor.imaging.colorspace import rgb_to_lab


def _lightness(megapixels: float) -> np.ndarray:
    photo = data.chelsea()
    scale = (megapixels * 1e6 / (photo.shape[0] * photo.shape[1])) ** 0.5
    size = (round(photo.shape[1] * scale), round(photo.shape[0] * scale))
    return rgb_to_lab(cv2.resize(photo, size, interpolation=cv2.INTER_CUBIC) / 255.0)[..., 0]


def _case(name: str, megapixels: float, model_dir: str, repeats: int, queue) -> None:
    """Runs in a fresh process: time and peak-memory growth of one case."""
    from panocolor.segment import build_segmenter
    from panocolor.segment.deeplab import VOC_MODEL, DeepLabModel

    if name == "model call":
        model = DeepLabModel.shared(Path(model_dir) / VOC_MODEL)
        gray = np.full((513, 513), 128, np.uint8)

        def run():
            return model(gray)
    else:
        options = {"model_dir": model_dir} if name.startswith("deeplab") else {}
        segmenter = build_segmenter(name, **options)
        lightness = _lightness(megapixels)

        def run():
            return segmenter(lightness)

    run()  # warm-up: first-call allocations are not what we time
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    queue.put((statistics.median(times), peak))


def measure(name: str, megapixels: float, model_dir: str, repeats: int) -> tuple[float, int]:
    """(median seconds, peak memory growth in bytes) of one case, in a subprocess."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_case, args=(name, megapixels, model_dir, repeats, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sizes", type=float, nargs="+", default=[1.0, 12.0])
    parser.add_argument("--segmenters", nargs="+", default=["deeplab", "superpixel"])
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()
    base_time, base_memory = measure("model call", 0.0, args.model_dir, args.repeats)
    table = Table("segmenter", "MP", "ms", "x model call", "peak MiB", "x model call")
    rows = []
    for name in args.segmenters:
        for size in args.sizes:
            seconds, memory = measure(name, size, args.model_dir, args.repeats)
            rows.append(
                {
                    "segmenter": name,
                    "megapixels": size,
                    "ms": seconds * 1e3,
                    "peak_mib": memory / 2**20,
                }
            )
            table.add_row(
                name,
                f"{size:g}",
                f"{seconds * 1e3:.0f}",
                f"{seconds / base_time:.1f}",
                f"{memory / 2**20:.0f}",
                f"{memory / max(base_memory, 2**20):.1f}",
            )
    console = Console()
    console.print(
        f"one plain model call (VOC DeepLab, 513 x 513): {base_time * 1e3:.0f} ms, "
        f"peak +{base_memory / 2**20:.0f} MiB"
    )
    console.print(table)
    if args.json:
        baseline = {"ms": base_time * 1e3, "peak_mib": base_memory / 2**20}
        args.json.write_text(json.dumps({"model_call": baseline, "cases": rows}, indent=1))


if __name__ == "__main__":
    main()
