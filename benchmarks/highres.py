"""Time and peak memory of one colorization at 1, 4, 12 and 50 megapixels, and colour bleeding.

Usage: ``python benchmarks/highres.py [--sizes 1 4 12 50] [--format tif]``

The input is scikit-image's astronaut photo in gray, upscaled to each size and saved
as a PNG; the reference is the coffee photo. Each size runs in a fresh subprocess
that loads the models, reads the file, colorizes it with the default settings
(per-object, segmenter ``auto``: set ``PANOCOLOR_MODEL_DIR`` for deeplab) and writes
the result, so the peak RSS (``ru_maxrss``) is that size's alone. It then colorizes
the photo again in the same process ("next s": what each further photo of a batch
costs, with the models warm and the same reference object, whose segmentation is kept;
the gray file is read again, so nothing computed for the photo itself is reused). The
same is done with the global ``reinhard`` single-reference transfer, as ratios.

Colour bleeding: a sharp-edged two-region image with known chroma is brought from the
working resolution to full resolution guided by full-resolution L* (what panocolor
does) and with plain bilinear upsampling (low resolution only); the mean chroma error
within 3 px of the edge is printed for both.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from rich.console import Console
from rich.table import Table

from panocolor.imaging.colorspace import lightness_to_gray, rgb_to_lab

EDGE_BAND = 3  # pixels either side of the edge where bleeding is measured


def _synthesize(megapixels: float, path: Path) -> tuple[int, int]:
    from skimage import data

    astronaut = rgb_to_lab(data.astronaut() / 255.0)[..., 0]
    side = round((megapixels * 1e6) ** 0.5)
    lightness = cv2.resize(astronaut, (side * 4 // 3, side * 3 // 4), interpolation=cv2.INTER_CUBIC)
    gray = np.round(lightness_to_gray(np.clip(lightness, 0, 100)) * 255).astype(np.uint8)
    Image.fromarray(gray).save(path, compress_level=1)
    return gray.shape


def _child(args: argparse.Namespace) -> None:
    """One measurement in this (fresh) process; prints one JSON line."""
    from skimage import data

    from panocolor.io import read_color, write_image
    from panocolor.pipeline import Colorizer, Settings

    settings = Settings() if args.child == "default" else Settings("reinhard", "none")
    start = time.perf_counter()
    colorizer = Colorizer(settings)
    load = time.perf_counter() - start
    reference = read_color(data.coffee())  # one object for the whole batch, as batch does
    start = time.perf_counter()
    result = colorizer(args.input, reference)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    write_image(args.output, result.rgb, overwrite=True)
    write = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    start = time.perf_counter()
    colorizer(args.input, reference)
    next_seconds = time.perf_counter() - start
    segmenter = type(colorizer.segmenter).__name__ if colorizer.segmenter else "none"
    print(
        json.dumps(
            {
                "seconds": seconds,
                "next": next_seconds,
                "load": load,
                "write": write,
                "peak_mb": peak,
                "segmenter": segmenter,
                "timings": result.timings,
            }
        )
    )


def _measure(kind: str, source: Path, output: Path) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--input", str(source)]
    done = subprocess.run(
        command + ["--output", str(output)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["killed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _two_regions(megapixels: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """L*, true a*b* and the region mask of a textured two-region image with a curved edge."""
    side = round((megapixels * 1e6) ** 0.5)
    rows, cols = np.mgrid[0:side, 0:side].astype(np.float32)
    inside = cols < side / 2 + side / 12 * np.sin(rows / side * 7.0)
    rng = np.random.default_rng(0)
    lightness = np.where(inside, 35.0, 65.0).astype(np.float32)
    lightness += rng.normal(0, 1.5, lightness.shape).astype(np.float32)
    ab = np.where(inside[..., None], [-5.0, -35.0], [25.0, 45.0]).astype(np.float32)
    return lightness, ab, inside


def bleeding(megapixels: float) -> tuple[float, float]:
    """Mean chroma error near the edge: guided upsampling vs bilinear, from working size."""
    from panocolor.composite.perobject import WORKING_PIXELS
    from panocolor.imaging import guided_upsample, resize_to_pixels

    lightness, ab, inside = _two_regions(megapixels)
    small_l = resize_to_pixels(lightness, WORKING_PIXELS)
    small_ab = cv2.resize(ab, small_l.shape[::-1], interpolation=cv2.INTER_AREA)
    guided = guided_upsample(small_ab, small_l, lightness)
    bilinear = cv2.resize(small_ab, lightness.shape[::-1], interpolation=cv2.INTER_LINEAR)
    edge = inside ^ cv2.erode(inside.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    distance = cv2.distanceTransform((~edge).astype(np.uint8), cv2.DIST_L2, 5)
    band = distance <= EDGE_BAND
    return tuple(  # type: ignore[return-value]
        float(np.linalg.norm(result[band] - ab[band], axis=-1).mean())
        for result in (guided, bilinear)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 4, 12, 50])
    parser.add_argument("--format", default="tif", help="output format (extension)")
    parser.add_argument("--bleeding-sizes", type=float, nargs="+", default=[1, 12])
    parser.add_argument("--child", choices=["default", "reinhard"], help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return

    console = Console(width=140)
    model_dir = os.environ.get("PANOCOLOR_MODEL_DIR", "(not set)")
    table = Table(title=f"high resolution ({os.cpu_count()} CPUs, PANOCOLOR_MODEL_DIR={model_dir})")
    columns = ("MP", "size", "default s", "next s", "write s", "peak MB")
    columns += ("reinhard s", "reinhard next s", "reinhard MB", "default / reinhard", "next / next")
    for column in columns:
        table.add_column(column, justify="right")
    peaks: list[tuple[float, float]] = []
    stages: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for megapixels in args.sizes:
            source = Path(folder) / f"gray{megapixels:g}.png"
            height, width = _synthesize(megapixels, source)
            output = Path(folder) / f"out.{args.format}"
            default = _measure("default", source, output)
            reinhard = _measure("reinhard", source, output)
            if "error" in default or "error" in reinhard:
                table.add_row(f"{megapixels:g}", f"{width}x{height}", default.get("error", ""))
                continue
            exact = height * width / 1e6
            peaks.append((exact, default["peak_mb"]))
            stages.append(
                f"{exact:.1f} MP, {default['segmenter']}, "
                f"models loaded in {default['load']:.1f} s: "
                + ", ".join(f"{k} {v:.2f}" for k, v in default["timings"].items())
            )
            table.add_row(
                f"{exact:.1f}",
                f"{width}x{height}",
                f"{default['seconds']:.2f}",
                f"{default['next']:.2f}",
                f"{default['write']:.2f}",
                f"{default['peak_mb']:.0f}",
                f"{reinhard['seconds']:.2f}",
                f"{reinhard['next']:.2f}",
                f"{reinhard['peak_mb']:.0f}",
                f"{default['seconds'] / reinhard['seconds']:.1f}x",
                f"{default['next'] / reinhard['next']:.1f}x",
            )
            source.unlink()
    console.print(table)
    for line in stages:
        console.print(f"stages (s) at {line}")
    if len(peaks) >= 2:
        slope = np.polyfit(*np.array(peaks).T, 1)[0]
        console.print(f"peak RSS grows by {slope:.1f} MB per megapixel (least squares)")
    for megapixels in args.bleeding_sizes:
        guided, bilinear = bleeding(megapixels)
        console.print(
            f"bleeding at {megapixels:g} MP, mean |Δab| within {EDGE_BAND} px of the edge: "
            f"guided full-res {guided:.2f}, bilinear low-res only {bilinear:.2f} "
            f"({bilinear / guided:.1f}x more)"
        )


if __name__ == "__main__":
    main()
