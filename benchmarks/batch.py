"""Throughput of ``panocolor batch``: local engine on 1 and 2 workers against Ray on 2.

Usage: ``python benchmarks/batch.py [--count 50] [--megapixels 1] [--engines local:1 ray:2]``

``--count`` gray JPEGs (4:3, 1155x866 at 1 MP) are cropped from scikit-image photos, varied
(flips, exposure, grain); the reference is the coffee photo. Each run colorizes them with
:func:`panocolor.batch.run_batch` into a fresh folder with the CLI's defaults (photoreal,
fast, segmenter auto: deeplab if found in ``--model-dir``, else none). Wall time includes
starting workers (or Ray) and loading models; ``first result`` runs from the start of the
work to the first output; ``overhead`` is wall time minus per-photo time per worker
(startup, models, scheduling, idle tail). A run without ``--count`` valid outputs raises.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from rich.console import Console
from rich.table import Table

from panocolor.batch import ENGINES, BatchConfig, read_manifest, run_batch
from panocolor.batch.manifest import output_is_valid
from panocolor.models import locate
from panocolor.pipeline import Settings
from panocolor.segment.deeplab import CITYSCAPES_MODEL, VOC_MODEL

DEFAULT_RUNS = ("local:1", "local:2", "ray:2")
COLUMNS = ("wall", "rate", "speedup", "first", "overhead", "per_photo")  # numbers in the table
SHARED_MODELS = Path(__file__).resolve().parents[2] / "shared" / "models"


def _photos() -> tuple[list[np.ndarray], np.ndarray]:
    """Gray scikit-image photos to crop inputs from, and the colour reference (coffee)."""
    from skimage import data

    photos = [data.astronaut(), data.camera(), data.chelsea(), data.rocket(), data.coins()]
    photos += [data.stereo_motorcycle()[0], data.grass(), data.immunohistochemistry()]
    gray = [p if p.ndim == 2 else cv2.cvtColor(p, cv2.COLOR_RGB2GRAY) for p in photos]
    return gray, data.coffee()


def synthesize(folder: Path, count: int, megapixels: float) -> tuple[int, int]:
    """Write ``count`` varied gray JPEGs and ``reference.png`` into ``folder``; return (h, w)."""
    side = (megapixels * 1e6 / 12) ** 0.5
    width, height = round(4 * side), round(3 * side)
    rng = np.random.default_rng(0)
    photos, reference = _photos()
    cv2.imwrite(str(folder / "reference.png"), cv2.cvtColor(reference, cv2.COLOR_RGB2BGR))
    (folder / "inputs").mkdir()
    for index in range(count):
        photo = photos[index % len(photos)]
        crop_w = min(photo.shape[1], round(photo.shape[1] * rng.uniform(0.6, 1.0)))
        crop_h = min(photo.shape[0], round(crop_w * 3 / 4))  # a 4:3 crop
        top = rng.integers(0, photo.shape[0] - crop_h + 1)
        left = rng.integers(0, photo.shape[1] - crop_w + 1)
        crop = photo[top : top + crop_h, left : left + crop_w]
        gray = cv2.resize(crop, (width, height), interpolation=cv2.INTER_CUBIC).astype(np.float32)
        gray = gray * rng.uniform(0.8, 1.15) + rng.uniform(-15, 15)  # exposure
        gray += rng.normal(0, 2.0, gray.shape).astype(np.float32)  # film grain
        gray = np.clip(gray, 0, 255).astype(np.uint8)[:, :: rng.choice([-1, 1])]
        path = folder / "inputs" / f"photo{index:03d}.jpg"
        cv2.imwrite(str(path), gray, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return height, width


def _settings(segmenter: str, model_dir: Path | None, console: Console) -> Settings:
    """The CLI's default settings; a segmenter needing missing deeplab models becomes none."""
    if segmenter in ("auto", "deeplab"):
        if not all(locate(name, model_dir) for name in (VOC_MODEL, CITYSCAPES_MODEL)):
            console.print(f"[yellow]no deeplab models (model dir {model_dir}): segmenter none")
            segmenter = "none"
    folder = model_dir.resolve() if model_dir else None
    return Settings(transfer="photoreal", segmenter=segmenter, mode="fast", model_dir=folder)


def measure(
    engine: str, workers: int, folder: Path, config: BatchConfig, shape: tuple[int, int]
) -> dict[str, float]:
    """One batch run into a fresh folder; raises unless every photo gave a valid output."""
    marks: dict[str, float] = {}
    name = f"{engine}:{workers}"
    inputs, out_dir = folder / "inputs", folder / f"out-{engine}-{workers}"
    count = len(list(inputs.glob("*.jpg")))
    start = time.perf_counter()
    summary = run_batch(
        inputs,
        out_dir,
        config,
        workers=workers,
        engine=engine,  # type: ignore[arg-type]
        on_start=lambda plan: marks.setdefault("start", time.perf_counter()),
        on_outcome=lambda outcome: marks.setdefault("first", time.perf_counter()),
    )
    wall = time.perf_counter() - start
    if summary.failures:
        raise RuntimeError(f"{name}: {summary.failed} failed, e.g. {summary.failures[0]}")
    records = read_manifest(out_dir)
    valid = {p.name for p in out_dir.glob("*.jpg") if output_is_valid(p, list(shape))}
    if not summary.done == len(valid) == count or set(records) != valid:
        found = f"{summary.done} done, {len(records)} recorded, {len(valid)} valid files"
        raise RuntimeError(f"{name}: expected {count} valid recorded outputs, got {found}")
    work = sum(record["timings"]["total"] for record in records.values())
    return {
        "wall": wall,
        "rate": count / wall,
        "first": marks["first"] - marks["start"],
        "overhead": wall - work / workers,
        "per_photo": work / count,
    }


def _runs(tokens: list[str], parser: argparse.ArgumentParser) -> list[tuple[str, int]]:
    """``ENGINE:WORKERS`` tokens; a bare ``ENGINE`` means its runs in :data:`DEFAULT_RUNS`."""
    runs: list[tuple[str, int]] = []
    for token in tokens:
        engine, _, workers = token.partition(":")
        if engine not in ENGINES or (workers and not workers.isdigit()) or workers == "0":
            parser.error(f"--engines takes ENGINE[:WORKERS], ENGINE in {ENGINES}; got {token!r}")
        listed = [token] if workers else DEFAULT_RUNS
        found = [(e, int(w)) for e, _, w in (run.partition(":") for run in listed)]
        runs += [run for run in found if run[0] == engine and run not in runs]
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50, help="photos per run")
    parser.add_argument("--megapixels", type=float, default=1.0, help="size of each photo")
    parser.add_argument("--engines", nargs="+", default=list(DEFAULT_RUNS), help="ENGINE[:WORKERS]")
    parser.add_argument("--segmenter", default="auto", help="as panocolor batch --segmenter")
    models = Path(os.environ.get("PANOCOLOR_MODEL_DIR") or SHARED_MODELS)
    parser.add_argument("--model-dir", type=Path, default=models if models.is_dir() else None)
    args = parser.parse_args()
    console = Console(width=140)
    runs = _runs(args.engines, parser)
    if any(engine == "ray" for engine, _ in runs) and importlib.util.find_spec("ray") is None:
        console.print("[yellow]ray is not installed: skipping the ray runs")
        runs = [run for run in runs if run[0] != "ray"]
    if not runs:
        return
    settings = _settings(args.segmenter, args.model_dir, console)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        shape = synthesize(folder, args.count, args.megapixels)
        config = BatchConfig(settings=settings, reference=str(folder / "reference.png"))
        results = {run: measure(*run, folder, config, shape) for run in runs}

    base = ("local", 1) if ("local", 1) in results else runs[0]
    table = Table(
        title=f"batch of {args.count} photos of {shape[1]}x{shape[0]} ({os.cpu_count()} CPUs, "
        f"segmenter {settings['segmenter']}, model dir {settings['model_dir']})"
    )
    columns = ("engine", "workers", "images", "wall s", "images/s", f"x {base[0]}:{base[1]}")
    for column in columns + ("first result s", "overhead s", "s per photo"):
        table.add_column(column, justify="right")
    for (engine, workers), row in results.items():
        row["speedup"] = row["rate"] / results[base]["rate"]
        values = (f"{row[key]:.2f}" for key in COLUMNS)
        table.add_row(engine, str(workers), str(args.count), *values)
    console.print(table)
    for (engine, workers), row in results.items():
        local = results.get(("local", workers))
        if engine == "ray" and local:
            console.print(
                f"Ray overhead vs local on {workers} workers: {row['wall'] - local['wall']:+.2f} s "
                f"wall ({row['wall'] / local['wall']:.2f}x the time), "
                f"{row['overhead'] - local['overhead']:+.2f} s of non-photo overhead"
            )


if __name__ == "__main__":
    main()
