"""Train the stuff probe (:mod:`panocolor.segment.stuff`) on COCO panoptic ground truth.

``python -m panocolor.evaluate.train_stuff --data ../shared/data --model-dir
../shared/models --out panocolor/segment/data/stuff_probe.npz`` reproduces the shipped
weights bit for bit: the photos are read in ``manifest.csv`` order, and the fit (L-BFGS
from zero, a fixed iteration budget) has no randomness.

Each photo gives one training row per 33 x 33 cell: the cell's probe inputs and, as
target, the probe output covering most of the cell's labelled pixels (cells less than
half labelled are left out).
"""

from __future__ import annotations

import argparse
import os
import warnings
from pathlib import Path

import numpy as np

from panocolor.segment.stuff import OUTPUTS, StuffProbe, cell_means, group_lut, probe_inputs

C = 1e-3
"""Inverse L2 strength: strong, as 31 photos give few independent examples per group."""
MAX_ITER = 100
MIN_LABELLED = 0.5


def cell_targets(semantic: np.ndarray, grid: tuple[int, int], lut: np.ndarray) -> np.ndarray:
    """Probe output per grid cell from a COCO semantic map; -1 where under half labelled.

    Parameters
    ----------
    semantic : (H, W) uint8 ndarray
        COCO panoptic category id per pixel, 0 = void.
    grid : (int, int)
        (h, w) of the descriptor grid (the photo squashed to it, as the model sees it).
    lut : (256,) int ndarray
        From :func:`~panocolor.segment.stuff.group_lut`.

    Returns
    -------
    targets : (h * w,) int64 ndarray
    """
    onehot = np.zeros(semantic.shape + (len(OUTPUTS),), np.float32)
    labelled = semantic > 0
    onehot[labelled, lut[semantic[labelled]]] = 1.0
    shares = cell_means(onehot, grid).reshape(-1, len(OUTPUTS))
    return np.where(shares.sum(axis=1) > MIN_LABELLED, shares.argmax(axis=1), -1)


def photo_rows(models, lightness: np.ndarray, semantic: np.ndarray):  # noqa: ANN001, ANN201
    """(inputs (N, D), targets (N,)) of one photo's labelled cells.

    ``models`` is a ``(voc, cityscapes)`` pair of
    :class:`~panocolor.segment.deeplab.DeepLabModel`; ``lightness`` is L* (H, W).
    """
    from panocolor.imaging import lightness_to_uint8
    from panocolor.segment.classes import coco_categories

    voc, cityscapes = models
    gray = lightness_to_uint8(lightness)
    _, features = voc.run(gray)
    inputs = probe_inputs(features.descriptors, cityscapes(gray), gray)
    lut = group_lut({c.id: c.is_thing for c in coco_categories().values()})
    targets = cell_targets(semantic, features.grid, lut)
    keep = targets >= 0
    return inputs[keep], targets[keep]


def fit_probe(inputs: np.ndarray, targets: np.ndarray, c: float = C) -> StuffProbe:
    """Fit a :class:`StuffProbe` (multinomial logistic regression on standardised inputs).

    Parameters
    ----------
    inputs : (N, D) float32 ndarray
    targets : (N,) int ndarray
        Indices into :data:`~panocolor.segment.stuff.OUTPUTS`; outputs never seen get
        a very negative bias (never predicted).
    c : float, optional
        Inverse regularisation strength.
    """
    from sklearn.linear_model import LogisticRegression

    mean = inputs.mean(axis=0, dtype=np.float64)
    scale = np.maximum(inputs.std(axis=0, dtype=np.float64), 1e-3)
    model = LogisticRegression(C=c, max_iter=MAX_ITER, class_weight="balanced")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: the iteration budget is fixed
        model.fit((inputs - mean) / scale, targets)
    weights = np.zeros((inputs.shape[1], len(OUTPUTS)))
    bias = np.full(len(OUTPUTS), -30.0)
    weights[:, model.classes_] = model.coef_.T
    bias[model.classes_] = model.intercept_
    return StuffProbe(mean, scale, weights, bias)


def training_rows(data: Path, model_dir: Path | None, limit: int | None = None):  # noqa: ANN201
    """Rows of every COCO photo of ``data`` with ground truth: (inputs, targets, photo index)."""
    from panocolor.evaluate.segmentation import coco_samples, read_sample
    from panocolor.models import find_model
    from panocolor.segment.deeplab import CITYSCAPES_MODEL, VOC_MODEL, DeepLabModel

    models = (
        DeepLabModel.shared(find_model(VOC_MODEL, model_dir)),
        DeepLabModel.shared(find_model(CITYSCAPES_MODEL, model_dir), inner=False),
    )
    inputs, targets, photos = [], [], []
    for i, sample in enumerate(coco_samples(data)[:limit]):
        x, y = photo_rows(models, *read_sample(sample))
        inputs.append(x)
        targets.append(y)
        photos.append(np.full(len(y), i))
    return np.concatenate(inputs), np.concatenate(targets), np.concatenate(photos)


def main(argv: list[str] | None = None) -> int:
    """Command line: train on the COCO photos of ``--data`` and write the probe to ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with manifest.csv")
    parser.add_argument("--model-dir", type=Path, default=os.environ.get("PANOCOLOR_MODEL_DIR"))
    parser.add_argument("--out", type=Path, required=True, help="the .npz file to write")
    parser.add_argument("--limit", type=int, default=None, help="use the first N photos only")
    args = parser.parse_args(argv)
    inputs, targets, photos = training_rows(args.data, args.model_dir, args.limit)
    probe = fit_probe(inputs, targets)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    probe.save(args.out)
    counts = np.bincount(targets, minlength=len(OUTPUTS))
    print(f"{int(photos.max()) + 1} photos, {len(targets)} cells -> {args.out}")
    print(", ".join(f"{name} {n}" for name, n in zip(OUTPUTS, counts, strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
