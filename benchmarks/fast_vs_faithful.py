"""Per-object fast mode against faithful mode on real photos: same result, less time?

Usage: ``python benchmarks/fast_vs_faithful.py [--data ../shared/data] [--model-dir
../shared/models] [--protocol self|pairs] [--limit N]``

For each COCO photo of the development set (gray, 640 px long side) with its reference
(``self``: a mirrored 80% crop of itself; ``pairs``: the rows of ``pairs.csv`` whose
target and reference are both COCO photos), both modes colorize it from the *same*
segments, computed once beforehand: the true panoptic segments, and the ``deeplab``
segments when the model files are found. So the timings compare what differs between
the modes (reference planning, transfers, compositing), not the shared segmentation.
Printed per segment source: mean CIEDE2000 between the two outputs, and the faithful
/ fast time ratio for photos with at least 5 segments (each mode's time is the best of
``--repeats`` runs, so one scheduler hiccup does not decide a photo's ratio), with the
photo of the lowest ratio. Skips when the data is absent.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

from rich.console import Console
from rich.table import Table

from panocolor.errors import ModelNotFoundError
from panocolor.evaluate.metrics import mean_ciede2000
from panocolor.evaluate.protocols import Sample, load_sample, plan_samples
from panocolor.imaging.colorspace import rgb_to_lab
from panocolor.pipeline import Colorizer, Settings
from panocolor.segment import Segmentation, build_segmenter

MANY_SEGMENTS = 5


def _segment_sources(model_dir: Path | None, console: Console) -> dict[str, object]:
    sources: dict[str, object] = {"true segments": None}
    try:
        sources["deeplab"] = build_segmenter("deeplab", model_dir=model_dir)
    except ModelNotFoundError as error:
        console.print(f"[yellow]deeplab skipped: {error}[/]")
    return sources


def _segments(sample: Sample, segmenter) -> tuple[Segmentation, Segmentation]:  # noqa: ANN001
    if segmenter is None:
        return sample.truth_segmentation, sample.reference_segmentation
    return segmenter(sample.gray.lightness), segmenter(sample.reference.lab[..., 0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--model-dir", type=Path, default=Path("../shared/models"))
    parser.add_argument("--protocol", choices=("self", "pairs"), default="self")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    console = Console(width=120)
    if not (args.data / "pairs.csv").is_file():
        console.print(f"development data not found at {args.data}: nothing to measure")
        return 0
    source = args.data / ("manifest.csv" if args.protocol == "self" else "pairs.csv")
    specs = [
        s
        for s in plan_samples(source, root=args.data, protocol=args.protocol)
        if "coco/" in str(s.target) and (s.reference is None or "coco/" in str(s.reference))
    ][: args.limit]
    colorizers = {m: Colorizer(Settings(segmenter="none", mode=m)) for m in ("fast", "faithful")}
    table = Table(title=f"fast vs faithful, {len(specs)} COCO photos, protocol {args.protocol}")
    columns = ("segments", "photos", "ΔE00 mean", "ΔE00 max", "≥5 segs", "time ratio", "min")
    for column in (*columns, "photo of min"):
        table.add_column(column, justify="right")
    for name, segmenter in _segment_sources(args.model_dir, console).items():
        differences, ratios, counts, names = [], [], [], []
        for index, spec in enumerate(specs):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the photos are colour; their L* is used
                sample = load_sample(spec, 640)
            target_segments, reference_segments = _segments(sample, segmenter)
            outputs, seconds = {}, {}
            for mode, colorizer in colorizers.items():
                if index == 0:  # warm-up: lazy imports, thread pools
                    colorizer(sample.gray, sample.reference, segmentation=target_segments)
                times = []
                for _ in range(args.repeats):
                    start = time.perf_counter()
                    outputs[mode] = colorizer(
                        sample.gray,
                        sample.reference,
                        segmentation=target_segments,
                        reference_segmentation=reference_segments,
                    ).rgb
                    times.append(time.perf_counter() - start)
                seconds[mode] = min(times)
            fast, faithful = (rgb_to_lab(outputs[m] / 255.0) for m in ("fast", "faithful"))
            differences.append(mean_ciede2000(fast, faithful))
            counts.append(len(target_segments.segments))
            if counts[-1] >= MANY_SEGMENTS:
                ratios.append(seconds["faithful"] / seconds["fast"])
                names.append(Path(spec.target).stem)
        table.add_row(
            name,
            f"{len(differences)} ({statistics.mean(counts):.1f} segs)",
            f"{statistics.mean(differences):.2f}",
            f"{max(differences):.2f}",
            str(len(ratios)),
            f"{statistics.median(ratios):.1f}x" if ratios else "-",
            f"{min(ratios):.1f}x" if ratios else "-",
            names[ratios.index(min(ratios))] if ratios else "-",
        )
    console.print(table)
    console.print(
        "ΔE00: mean CIEDE2000 between the fast and faithful outputs of a photo; time ratio:"
        f" faithful / fast seconds (best of {args.repeats} runs each), median over photos"
        " with ≥ 5 segments."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
