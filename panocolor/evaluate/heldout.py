"""Stuff probes and palettes that never saw the photos they colour: honest figures on COCO.

The shipped stuff probe (:mod:`panocolor.segment.stuff`) was trained on the 31 COCO
photos of the development set, so per-object figures on those photos with it would
be measured on its training data. The ``perobject-fast-heldout`` and
``perobject-faithful-heldout`` evaluation methods segment each sample (target and
reference) with a probe trained only on the photos of the other folds: photo ``i`` of
the set's ``manifest.csv`` (in the order of :func:`~panocolor.evaluate.segmentation.
coco_samples`) is in fold ``i % 5``, as in the segmentation report's cross-validation.
Photos outside the training set (Kodak, misc) are segmented with the probe trained on
every fold, which is the shipped one. The stuff palette
(:mod:`panocolor.reference.palette`), fitted on the same photos, is held out alike.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from panocolor.errors import PanocolorError
from panocolor.evaluate.protocols import Sample
from panocolor.pipeline import Colorized, Colorizer, Settings
from panocolor.reference.palette import StuffPalette
from panocolor.segment.stuff import StuffProbe

FOLDS = 5


def data_root(photo: Path) -> Path:
    """The development set a photo belongs to: its nearest folder with a ``manifest.csv``.

    Raises
    ------
    PanocolorError
        If no folder above the photo has one.
    """
    for folder in Path(photo).resolve().parents:
        if (folder / "manifest.csv").is_file():
            return folder
    raise PanocolorError(f"{photo}: no manifest.csv above it (a held-out probe needs the data set)")


class HeldOutProbes:
    """Probes fitted without the folds of given photos, for one development set.

    Parameters
    ----------
    root : Path
        The data set (``manifest.csv`` and COCO ground truth).
    model_dir : Path or None
        Folder with the DeepLab model files.
    """

    def __init__(self, root: Path, model_dir: Path | None = None) -> None:
        from panocolor.evaluate.segmentation import coco_samples
        from panocolor.evaluate.train_palette import training_sums
        from panocolor.evaluate.train_stuff import training_rows

        photos = [s.image.resolve() for s in coco_samples(root)]
        self.index = {path: i for i, path in enumerate(photos)}
        self.inputs, self.targets, self.photo_index = training_rows(root, model_dir)
        self._probes: dict[frozenset[int], StuffProbe] = {}
        self.colour_sums = training_sums(root)  # the palette's, in the same photo order

    def folds_of(self, photos: list[Path]) -> frozenset[int]:
        """The folds of those photos that are training photos (others have none)."""
        resolved = (photo.resolve() for photo in photos)
        return frozenset(self.index[p] % FOLDS for p in resolved if p in self.index)

    def palette_without(self, folds: frozenset[int]) -> StuffPalette:
        """The stuff palette of every training photo outside ``folds``."""
        from panocolor.evaluate.train_palette import fit_palette

        left_out = [i for i in range(len(self.colour_sums)) if i % FOLDS in folds]
        return fit_palette(self.colour_sums, left_out)

    def without(self, folds: frozenset[int]) -> StuffProbe:
        """The probe fitted on every training photo outside ``folds`` (cached)."""
        from panocolor.evaluate.train_stuff import fit_probe

        if folds not in self._probes:
            keep = ~np.isin(self.photo_index % FOLDS, list(folds))
            self._probes[folds] = fit_probe(self.inputs[keep], self.targets[keep])
        return self._probes[folds]


def heldout_method(mode: str) -> Callable[[Sample], Colorized]:
    """Per-object ``mode`` with deeplab segments whose stuff probe never saw the sample."""
    from panocolor.segment import build_segmenter

    probes: dict[Path, HeldOutProbes] = {}
    colorizers: dict[tuple[Path, frozenset[int]], Colorizer] = {}

    def run(sample: Sample) -> Colorized:
        photos = [sample.spec.target] + ([sample.spec.reference] if sample.spec.reference else [])
        root = data_root(sample.spec.target)
        if root not in probes:
            probes[root] = HeldOutProbes(root)
        folds = probes[root].folds_of(photos)
        key = (root, folds)
        if key not in colorizers:
            segmenter = build_segmenter("deeplab", probe=probes[root].without(folds))
            settings = Settings(segmenter="deeplab", mode=mode)
            palette = probes[root].palette_without(folds)
            colorizers[key] = Colorizer(settings, segmenter=segmenter, palette=palette)
        return colorizers[key](sample.gray, sample.reference)

    return run
