"""Scoring segmenters on gray COCO photos against their panoptic truth: a runnable report.

The metrics are those of :mod:`panocolor.evaluate.segment_metrics`. Run ``python -m
panocolor.evaluate.segmentation --data ../shared/data --model-dir ../shared/models
--out DIR`` to write ``DIR/segmentation.md``. The stuff probe is trained on these same
photos, so the deeplab segmenter with the probe is scored by k-fold cross-validation
over photos (:func:`cross_validated`): each photo is segmented by a probe trained on
the other folds only.
"""

from __future__ import annotations

import argparse
import csv
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from panocolor.evaluate.segment_metrics import Scores, f_score, group_known
from panocolor.segment import Segmenter, build_segmenter
from panocolor.segment.classes import (
    coco_categories,
    model_labels,
)
from panocolor.segment.stuff import GROUPS


@dataclass(frozen=True)
class Sample:
    """One COCO photo with ground truth: the photo and its semantic PNG."""

    image: Path
    semantic: Path


def coco_samples(data: Path) -> list[Sample]:
    """The photos of ``data/manifest.csv`` with COCO ground truth (``has_gt`` = 1)."""
    with (data / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["has_gt"] == "1"]
    samples = []
    for row in rows:
        image = data / row["path"]
        split = image.parent.name
        samples.append(Sample(image, data / "coco" / f"semantic_{split}" / f"{image.stem}.png"))
    return samples


def read_sample(sample: Sample) -> tuple[np.ndarray, np.ndarray]:
    """(H, W) float32 L* of a sample's photo and its (H, W) uint8 COCO semantic truth."""
    from panocolor.io import read_gray

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the COCO photos are colour; we use their L*
        lightness = read_gray(sample.image).lightness
    return lightness, np.asarray(Image.open(sample.semantic))


def score(segmenter: Segmenter, samples: Iterable[Sample], scores: Scores | None = None) -> Scores:
    """Run ``segmenter`` on the gray version of each sample and accumulate :class:`Scores`.

    ``scores`` (default: a new ``Scores(table=group_known())``) is added to and returned.
    """
    scores = Scores(table=group_known()) if scores is None else scores
    for sample in samples:
        lightness, semantic = read_sample(sample)
        start = time.perf_counter()
        segmentation = segmenter(lightness)
        scores.add(segmentation, semantic, time.perf_counter() - start)
    return scores


def cross_validated(samples: list[Sample], model_dir: Path | None, folds: int = 5) -> Scores:
    """Scores of the deeplab segmenter with stuff probes that never saw the photo scored.

    Photo ``i`` is in fold ``i % folds``; each fold is segmented with a probe fitted
    (:func:`~panocolor.evaluate.train_stuff.fit_probe`) on the other folds' photos.
    """
    from panocolor.evaluate.train_stuff import fit_probe, photo_rows
    from panocolor.models import find_model
    from panocolor.segment.deeplab import CITYSCAPES_MODEL, VOC_MODEL, DeepLabModel

    models = (
        DeepLabModel.shared(find_model(VOC_MODEL, model_dir)),
        DeepLabModel.shared(find_model(CITYSCAPES_MODEL, model_dir), inner=False),
    )
    rows = [photo_rows(models, *read_sample(sample)) for sample in samples]
    scores = Scores(table=group_known())
    for fold in range(min(folds, len(samples))):
        train = [r for i, r in enumerate(rows) if i % folds != fold]
        probe = fit_probe(
            np.concatenate([x for x, _ in train]), np.concatenate([y for _, y in train])
        )
        segmenter = build_segmenter("deeplab", model_dir=model_dir, probe=probe)
        score(segmenter, samples[fold::folds], scores)
    return scores


def cityscapes_agreement(model_dir: Path) -> tuple[float, float]:
    """Share of the Cityscapes test photo's pixels where the Cityscapes model matches its
    ground truth, given (gray, colour).
    """
    from panocolor.segment.deeplab import CITYSCAPES_MODEL, DeepLabModel

    model = DeepLabModel.shared(model_dir / CITYSCAPES_MODEL, inner=False)
    rgb = Image.open(model_dir / "cityscapes_segmentation.bmp").convert("RGB")
    truth = np.asarray(Image.open(model_dir / "cityscapes_segmentation_mask.bmp"))
    gray = float((model(np.asarray(rgb.convert("L"))) == truth).mean())
    colour = float((model.runner.run(np.asarray(rgb)[None])[0][0] == truth).mean())
    return gray, colour


def report(variants: dict[str, Scores], cityscapes: tuple[float, float] | None) -> str:
    """Markdown tables of the scores of each variant."""
    names = coco_categories()
    lines = ["# Segmentation on gray COCO photos", ""]
    first = next(iter(variants.values()))
    lines.append(
        f"{first.images} COCO photos converted to gray (CIELAB L*), against their panoptic "
        "ground truth; model classes mapped to COCO categories by "
        "`panocolor/segment/data/class_map.json` and the stuff groups of "
        "`panocolor/segment/stuff.py`. Known classes = VOC things + stuff groups; "
        "'VOC+Cityscapes' = the classes of earlier reports. Variants marked CV use stuff "
        "probes trained on the other folds only (5-fold over photos, photo i in fold i % 5)."
    )
    lines += [
        "",
        "| variant | pixel acc. (known classes) | pixel acc. (VOC+Cityscapes) | mIoU | "
        "coverage | boundary P | boundary R | boundary F | s / image |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in variants.items():
        precision, recall, f = f_score(s.boundary)
        iou = s.iou()
        lines.append(
            f"| {name} | {s.pixel_accuracy:.1%} | {s.legacy_accuracy:.1%} | "
            f"{np.mean(list(iou.values())):.3f} | "
            f"{s.coverage:.2%} | {precision:.3f} | {recall:.3f} | {f:.3f} | "
            f"{s.seconds / max(s.images, 1):.3f} |"
        )
    lines += _table_head(
        "Per-group accuracy (share of the group's true pixels given the group)", "group", variants
    )
    for k, group in enumerate(GROUPS):
        cells = [f"{v.group_accuracy()[group]:.1%}" for v in variants.values()]
        lines.append(f"| {group} | " + " | ".join(cells) + f" | {first.group_true[k]} |")
    lines += _table_head("Per-class IoU", "class", variants)
    for c in sorted(first.union, key=lambda c: names[c].name):
        cells = [f"{v.iou().get(c, float('nan')):.3f}" for v in variants.values()]
        lines.append(f"| {names[c].name} | " + " | ".join(cells) + f" | {first.true_pixels[c]} |")
    if cityscapes is not None:
        names_cs = ", ".join(model_labels("cityscapes")[:3])
        lines += [
            "",
            "## Cityscapes test photo (`cityscapes_segmentation.bmp`)",
            "",
            f"Cityscapes model vs its trainId ground truth ({names_cs}, ...): "
            f"{cityscapes[0]:.1%} of pixels in gray, {cityscapes[1]:.1%} in colour.",
        ]
    return "\n".join(lines) + "\n"


def _table_head(title: str, row_name: str, variants: dict[str, Scores]) -> list[str]:
    """A report section's heading and the head of its table: one column per variant."""
    return [
        "",
        f"## {title}",
        "",
        f"| {row_name} | " + " | ".join(variants) + " | true px |",
        "|---|" + "---|" * (len(variants) + 1),
    ]


def _variants(model_dir: Path) -> Iterator[tuple[str, Segmenter]]:
    yield (
        "deeplab, Cityscapes stuff (no probe)",
        build_segmenter("deeplab", model_dir=model_dir, probe=None),
    )
    yield (
        "deeplab, Cityscapes sky + vegetation only",
        build_segmenter("deeplab", model_dir=model_dir, probe=None, stuff=("sky", "vegetation")),
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: score the variants on the COCO photos of ``--data`` and write a report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with manifest.csv")
    parser.add_argument("--model-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="folder for segmentation.md")
    parser.add_argument("--limit", type=int, default=None, help="use the first N photos only")
    args = parser.parse_args(argv)
    samples = coco_samples(args.data)[: args.limit]
    variants = {"deeplab + stuff probe (CV)": cross_validated(samples, args.model_dir)}
    variants |= {name: score(segmenter, samples) for name, segmenter in _variants(args.model_dir)}
    text = report(variants, cityscapes_agreement(args.model_dir))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "segmentation.md").write_text(text, "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
