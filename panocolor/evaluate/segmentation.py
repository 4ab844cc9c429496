"""Segmentation metrics against COCO panoptic ground truth, and a runnable report.

Predictions and ground truth are compared through the classes the models know:
each true COCO category that a model class covers (``panocolor.segment.classes``)
becomes that class; every other category is "unmapped". Metrics:

- per-class IoU over the dataset (intersection and union summed over images);
- pixel accuracy over pixels whose true class the models know: the VOC things and
  the stuff groups of :data:`panocolor.segment.stuff.GROUPS` (:func:`group_known`),
  and, for comparison with earlier reports, over the VOC + Cityscapes classes only
  (``known_categories``; Cityscapes "terrain" = grass, dirt, sand, playingfield);
- per-group accuracy: share of each stuff group's true pixels given that group;
- coverage: share of pixels inside a listed segment (must be 1);
- boundary F-score of the class maps, with a tolerance of 0.75% of the image
  diagonal (after Perazzi et al., CVPR 2016, doi:10.1109/CVPR.2016.85).

Run ``python -m panocolor.evaluate.segmentation --data ../shared/data --model-dir
../shared/models --out DIR`` to write ``DIR/segmentation.md``. The stuff probe is
trained on these same photos, so the deeplab segmenter with the probe is scored by
k-fold cross-validation over photos (:func:`cross_validated`): each photo is segmented
by a probe trained on the other folds only.
"""

from __future__ import annotations

import argparse
import csv
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from panocolor.segment import Segmentation, Segmenter, build_segmenter
from panocolor.segment.classes import (
    coco_categories,
    known_categories,
    model_classes,
    model_labels,
)
from panocolor.segment.regions import fill_holes
from panocolor.segment.stuff import GROUPS, group_lut

BOUNDARY_TOLERANCE = 0.0075  # fraction of the image diagonal


def _lookup(table: dict[int, int], size: int) -> np.ndarray:
    lut = np.zeros(size, np.int32)
    for key, value in table.items():
        lut[key] = value
    return lut


def group_known() -> dict[int, int]:
    """COCO id -> assigned COCO id for the VOC things and the stuff-probe groups."""
    table = {i: ids[0] for ids in model_classes("voc").values() for i in ids}
    table.update({i: ids[0] for ids in GROUPS.values() for i in ids})
    return table


def predicted_classes(
    segmentation: Segmentation, known: dict[int, int] | None = None
) -> np.ndarray:
    """Known class (the model class's COCO id) per pixel; 0 for unknown or unmapped.

    Parameters
    ----------
    segmentation : Segmentation
    known : dict, optional
        COCO id -> assigned COCO id; default ``known_categories()``.

    Returns
    -------
    classes : (H, W) int32 ndarray
    """
    known = known_categories() if known is None else known
    per_id = np.zeros(int(segmentation.ids.max()) + 1, np.int32)
    for s in segmentation.segments:
        per_id[s.id] = known.get(s.class_id, 0)
    return per_id[segmentation.ids]


def true_classes(semantic: np.ndarray, known: dict[int, int] | None = None) -> np.ndarray:
    """Known class per pixel of a COCO semantic map: -1 void, 0 unmapped, else a COCO id.

    Parameters
    ----------
    semantic : (H, W) uint8 ndarray
        COCO panoptic category id per pixel, 0 = void.
    known : dict, optional
        As for :func:`predicted_classes`.
    """
    lut = _lookup(known_categories() if known is None else known, 256)
    return np.where(semantic == 0, -1, lut[semantic])


def boundaries(classes: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels whose right or lower neighbour has another class."""
    edge = np.zeros(classes.shape, bool)
    edge[:, :-1] |= classes[:, :-1] != classes[:, 1:]
    edge[:-1, :] |= classes[:-1, :] != classes[1:, :]
    return edge


def boundary_matches(predicted: np.ndarray, truth: np.ndarray, tolerance: float) -> np.ndarray:
    """Boundary counts for the F-score: [matched predicted, predicted, matched true, true].

    Parameters
    ----------
    predicted, truth : (H, W) int ndarray
        Class maps (void already filled in ``truth``).
    tolerance : float
        Distance in pixels within which a boundary pixel counts as matched.
    """

    def distance_to(edge: np.ndarray) -> np.ndarray:
        if not edge.any():
            return np.full(edge.shape, np.inf, np.float32)
        return cv2.distanceTransform((~edge).astype(np.uint8), cv2.DIST_L2, 3)

    pred_edge, true_edge = boundaries(predicted), boundaries(truth)
    return np.array(
        [
            int((distance_to(true_edge)[pred_edge] <= tolerance).sum()),
            int(pred_edge.sum()),
            int((distance_to(pred_edge)[true_edge] <= tolerance).sum()),
            int(true_edge.sum()),
        ]
    )


def f_score(counts: np.ndarray) -> tuple[float, float, float]:
    """(precision, recall, F) from :func:`boundary_matches` counts (summed or not)."""
    precision = counts[0] / counts[1] if counts[1] else 1.0
    recall = counts[2] / counts[3] if counts[3] else 1.0
    total = precision + recall
    return float(precision), float(recall), float(2 * precision * recall / total) if total else 0.0


@dataclass
class Scores:
    """Running totals over a dataset; see the module docstring for the metrics.

    ``table`` is the class table of IoU and :attr:`pixel_accuracy` (default
    ``known_categories()``); :attr:`legacy_accuracy` always uses ``known_categories()``.
    """

    table: dict[int, int] = field(default_factory=known_categories)
    legacy_correct: int = 0
    legacy_known: int = 0
    group_correct: np.ndarray = field(default_factory=lambda: np.zeros(len(GROUPS), np.int64))
    group_true: np.ndarray = field(default_factory=lambda: np.zeros(len(GROUPS), np.int64))
    intersection: dict[int, int] = field(default_factory=dict)
    union: dict[int, int] = field(default_factory=dict)
    true_pixels: dict[int, int] = field(default_factory=dict)
    correct: int = 0
    known: int = 0
    covered: int = 0
    pixels: int = 0
    boundary: np.ndarray = field(default_factory=lambda: np.zeros(4, np.int64))
    seconds: float = 0.0
    images: int = 0

    def add(self, segmentation: Segmentation, semantic: np.ndarray, seconds: float = 0.0) -> None:
        """Score one prediction against its (H, W) COCO semantic ground truth."""
        if semantic.shape != segmentation.shape:
            raise ValueError(f"ground truth {semantic.shape} != prediction {segmentation.shape}")
        predicted = predicted_classes(segmentation, self.table)
        truth = true_classes(semantic, self.table)
        self._add_legacy_and_groups(segmentation, semantic)
        valid = truth >= 0
        for c in np.union1d(np.unique(predicted[valid]), np.unique(truth[valid])):
            if c <= 0:
                continue
            p, t = (predicted == c) & valid, truth == c
            self.intersection[int(c)] = self.intersection.get(int(c), 0) + int((p & t).sum())
            self.union[int(c)] = self.union.get(int(c), 0) + int((p | t).sum())
            self.true_pixels[int(c)] = self.true_pixels.get(int(c), 0) + int(t.sum())
        known = truth > 0
        self.correct += int((predicted[known] == truth[known]).sum())
        self.known += int(known.sum())
        listed = np.array([s.id for s in segmentation.segments])
        self.covered += int(np.isin(segmentation.ids, listed).sum())
        self.pixels += semantic.size
        filled = fill_holes(truth, ~valid) if valid.any() else truth
        tolerance = max(1.0, BOUNDARY_TOLERANCE * float(np.hypot(*semantic.shape)))
        self.boundary += boundary_matches(predicted, filled, tolerance)
        self.seconds += seconds
        self.images += 1

    def _add_legacy_and_groups(self, segmentation: Segmentation, semantic: np.ndarray) -> None:
        predicted, truth = predicted_classes(segmentation), true_classes(semantic)
        self.legacy_correct += int((predicted[truth > 0] == truth[truth > 0]).sum())
        self.legacy_known += int((truth > 0).sum())
        lut = group_lut({c.id: c.is_thing for c in coco_categories().values()})
        per_id = np.zeros(int(segmentation.ids.max()) + 1, np.int64)
        for s in segmentation.segments:
            per_id[s.id] = lut[s.class_id] if s.class_id else 0
        true_group, predicted_group = lut[semantic], per_id[segmentation.ids]
        for k in range(1, len(GROUPS) + 1):
            t = (true_group == k) & (semantic > 0)
            self.group_true[k - 1] += int(t.sum())
            self.group_correct[k - 1] += int((predicted_group[t] == k).sum())

    @property
    def legacy_accuracy(self) -> float:
        """Pixel accuracy over the VOC + Cityscapes classes (``known_categories()``)."""
        return self.legacy_correct / self.legacy_known if self.legacy_known else float("nan")

    def group_accuracy(self) -> dict[str, float]:
        """Per stuff group: share of its true pixels predicted as that group."""
        return {
            g: self.group_correct[k] / self.group_true[k] if self.group_true[k] else float("nan")
            for k, g in enumerate(GROUPS)
        }

    def iou(self) -> dict[int, float]:
        """IoU per known class (COCO id) that appears in the truth or the predictions."""
        return {c: self.intersection[c] / self.union[c] for c in sorted(self.union)}

    @property
    def pixel_accuracy(self) -> float:
        return self.correct / self.known if self.known else float("nan")

    @property
    def coverage(self) -> float:
        return self.covered / self.pixels if self.pixels else float("nan")


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
    lines += [
        "",
        "## Per-group accuracy (share of the group's true pixels given the group)",
        "",
        "| group | " + " | ".join(variants) + " | true px |",
        "|---|" + "---|" * (len(variants) + 1),
    ]
    for k, group in enumerate(GROUPS):
        cells = [f"{v.group_accuracy()[group]:.1%}" for v in variants.values()]
        lines.append(f"| {group} | " + " | ".join(cells) + f" | {first.group_true[k]} |")
    lines += [
        "",
        "## Per-class IoU",
        "",
        "| class | " + " | ".join(variants) + " | true px |",
        "|---|" + "---|" * (len(variants) + 1),
    ]
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
