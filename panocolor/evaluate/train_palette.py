"""Fit the stuff palette (:mod:`panocolor.reference.palette`) on COCO panoptic ground truth.

``python -m panocolor.evaluate.train_palette --data ../shared/data --out
panocolor/reference/data/stuff_palette.json`` reproduces the shipped palette: the mean
a*b* of every stuff group's labelled pixels over the development set's COCO photos,
read in ``manifest.csv`` order, under the label the group's segments get (the group's
first COCO category, e.g. ``grass-merged`` for grass and playing fields).
"""

from __future__ import annotations

import argparse
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from panocolor.reference.palette import StuffPalette
from panocolor.segment.stuff import GROUPS

Sums = dict[str, np.ndarray]
"""Label -> (3,) float64: sum of a*, sum of b*, pixel count."""


def group_labels() -> dict[int, str]:
    """COCO category id -> the label of its stuff group's segments."""
    from panocolor.segment.classes import coco_categories

    names = {c.id: c.name for c in coco_categories().values()}
    return {cid: names[ids[0]] for ids in GROUPS.values() for cid in ids}


def photo_sums(lab: np.ndarray, semantic: np.ndarray, labels: dict[int, str]) -> Sums:
    """Per stuff label, a*b* sums and pixel count of one photo.

    Parameters
    ----------
    lab : (H, W, 3) float ndarray
        The photo in CIELAB.
    semantic : (H, W) uint8 ndarray
        COCO category id per pixel (0: void).
    labels : dict of int to str
        From :func:`group_labels`.
    """
    ids = semantic.ravel()
    per_id = np.stack(
        [np.bincount(ids, lab[..., c].ravel().astype(np.float64), 256) for c in (1, 2)]
        + [np.bincount(ids, minlength=256).astype(np.float64)],
        axis=1,
    )  # (256, 3): sum of a*, sum of b*, count per category id
    sums: Sums = {}
    for cid, label in labels.items():
        if per_id[cid, 2] > 0:
            sums[label] = sums.get(label, np.zeros(3)) + per_id[cid]
    return sums


def fit_palette(photos: Sequence[Sums], leave_out: Collection[int] = ()) -> StuffPalette:
    """The pixel-weighted mean a*b* per label over ``photos`` but those indexed in ``leave_out``."""
    total: Sums = {}
    for i, sums in enumerate(photos):
        if i not in leave_out:
            for label, value in sums.items():
                total[label] = total.get(label, np.zeros(3)) + value
    return StuffPalette(
        {k: (float(v[0] / v[2]), float(v[1] / v[2])) for k, v in total.items() if v[2] > 0}
    )


def training_sums(data: Path) -> list[Sums]:
    """:func:`photo_sums` of every COCO photo of ``data`` with ground truth, in manifest order."""
    from panocolor.evaluate.segmentation import coco_samples
    from panocolor.imaging import rgb_to_lab
    from panocolor.io import read_rgb

    labels = group_labels()
    return [
        photo_sums(rgb_to_lab(read_rgb(s.image)), np.asarray(Image.open(s.semantic)), labels)
        for s in coco_samples(data)
    ]


def main(argv: list[str] | None = None) -> int:
    """Command line: fit on the COCO photos of ``--data`` and write the palette to ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with manifest.csv")
    parser.add_argument("--out", type=Path, required=True, help="the .json file to write")
    args = parser.parse_args(argv)
    photos = training_sums(args.data)
    palette = fit_palette(photos)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    palette.save(args.out)
    print(f"{len(photos)} photos -> {args.out}")
    for label, (a, b) in sorted(palette.chroma.items()):
        print(f"  {label:<24} a* {a:6.1f}  b* {b:6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
