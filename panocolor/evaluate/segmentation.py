"""Segmentation metrics against COCO panoptic ground truth, and a runnable report.

Predictions and ground truth are compared through the classes the models know:
each true COCO category that a model class covers (``panocolor.segment.classes``)
becomes that class; every other category is "unmapped". Metrics:

- per-class IoU over the dataset (intersection and union summed over images);
- pixel accuracy over pixels whose true class the models know;
- coverage: share of pixels inside a listed segment (must be 1);
- boundary F-score of the class maps, with a tolerance of 0.75% of the image
  diagonal (after Perazzi et al., CVPR 2016, doi:10.1109/CVPR.2016.85).

Run ``python -m panocolor.evaluate.segmentation --data ../shared/data --model-dir
../shared/models --out DIR`` to write ``DIR/segmentation.md``.
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
from panocolor.segment._regions import fill_holes
from panocolor.segment.classes import coco_categories, known_categories, model_labels

BOUNDARY_TOLERANCE = 0.0075  # fraction of the image diagonal


def _lookup(table: dict[int, int], size: int) -> np.ndarray:
    lut = np.zeros(size, np.int32)
    for key, value in table.items():
        lut[key] = value
    return lut


def predicted_classes(segmentation: Segmentation) -> np.ndarray:
    """Known class (the model class's COCO id) per pixel; 0 for unknown or unmapped.

    Parameters
    ----------
    segmentation : Segmentation

    Returns
    -------
    classes : (H, W) int32 ndarray
    """
    known = known_categories()
    per_id = np.zeros(int(segmentation.ids.max()) + 1, np.int32)
    for s in segmentation.segments:
        per_id[s.id] = known.get(s.class_id, 0)
    return per_id[segmentation.ids]


def true_classes(semantic: np.ndarray) -> np.ndarray:
    """Known class per pixel of a COCO semantic map: -1 void, 0 unmapped, else a COCO id.

    Parameters
    ----------
    semantic : (H, W) uint8 ndarray
        COCO panoptic category id per pixel, 0 = void.
    """
    lut = _lookup(known_categories(), 256)
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
    """Running totals over a dataset; see the module docstring for the metrics."""

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
        predicted = predicted_classes(segmentation)
        truth = true_classes(semantic)
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


def _read(sample: Sample) -> tuple[np.ndarray, np.ndarray]:
    from panocolor.io import read_gray

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the COCO photos are colour; we use their L*
        lightness = read_gray(sample.image).lightness
    return lightness, np.asarray(Image.open(sample.semantic))


def score(segmenter: Segmenter, samples: Iterable[Sample]) -> Scores:
    """Run ``segmenter`` on the gray version of each sample and accumulate :class:`Scores`."""
    scores = Scores()
    for sample in samples:
        lightness, semantic = _read(sample)
        start = time.perf_counter()
        segmentation = segmenter(lightness)
        scores.add(segmentation, semantic, time.perf_counter() - start)
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
    interpreter = model._interpreter
    with model._lock:
        interpreter.set_tensor(model._input, np.asarray(rgb)[None])
        interpreter.invoke()
        colour = float((interpreter.get_tensor(model._output)[0] == truth).mean())
    return gray, colour


def report(variants: dict[str, Scores], cityscapes: tuple[float, float] | None) -> str:
    """Markdown tables of the scores of each variant."""
    names = coco_categories()
    lines = ["# Segmentation on gray COCO photos", ""]
    first = next(iter(variants.values()))
    lines.append(
        f"{first.images} COCO photos converted to gray (CIELAB L*), against their panoptic "
        "ground truth; model classes mapped to COCO categories by "
        "`panocolor/segment/data/class_map.json`."
    )
    lines += [
        "",
        "| variant | pixel acc. (known classes) | mIoU | coverage | boundary P | "
        "boundary R | boundary F | s / image |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, s in variants.items():
        precision, recall, f = f_score(s.boundary)
        iou = s.iou()
        lines.append(
            f"| {name} | {s.pixel_accuracy:.1%} | {np.mean(list(iou.values())):.3f} | "
            f"{s.coverage:.2%} | {precision:.3f} | {recall:.3f} | {f:.3f} | "
            f"{s.seconds / max(s.images, 1):.3f} |"
        )
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
    yield "deeplab (refined)", build_segmenter("deeplab", model_dir=model_dir)
    yield (
        "deeplab (nearest upsampling)",
        build_segmenter("deeplab", model_dir=model_dir, refine=False),
    )
    yield (
        "deeplab, stuff = sky + vegetation only",
        build_segmenter("deeplab", model_dir=model_dir, stuff=("sky", "vegetation")),
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
    variants = {name: score(segmenter, samples) for name, segmenter in _variants(args.model_dir)}
    text = report(variants, cityscapes_agreement(args.model_dir))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "segmentation.md").write_text(text, "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
