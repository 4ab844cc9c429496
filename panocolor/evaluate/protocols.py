"""Evaluation protocols: which gray input, reference and truth each sample gets.

Both protocols start from a colour photo of the target (the truth) and give the
methods its exact CIELAB L* as the gray input, so no 8-bit gray round trip blurs
the comparison.

``self``
    The reference is a horizontally mirrored central crop (80 % of each side) of
    the target itself: the right colours are available, only their places move.
``pairs``
    The reference is another photo, from the pairs CSV (``target,reference,note``
    with paths relative to the data root).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from panocolor.evaluate.truth import recounted, truth_segmentation
from panocolor.imaging import rgb_to_lab
from panocolor.io import IMAGE_SUFFIXES, read_rgb
from panocolor.segment import Segmentation
from panocolor.types import ColorImage, GrayImage

ProtocolName = Literal["self", "pairs"]
PROTOCOLS: tuple[ProtocolName, ...] = ("self", "pairs")
SELF_CROP_FRACTION = 0.8


@dataclass(frozen=True)
class SampleSpec:
    """One evaluation sample, before any pixel is read.

    Attributes
    ----------
    name : str
        The target's path relative to the data root (its file name for folders).
    target : Path
        The target's colour photo (the truth).
    reference : Path or None
        The reference photo; None under the ``self`` protocol.
    reference_name : str
        The reference's path relative to the data root, or ``"self"``.
    """

    name: str
    target: Path
    reference: Path | None = None
    reference_name: str = "self"


@dataclass(frozen=True, eq=False)
class Sample:
    """One loaded sample: what a method gets and what it should produce.

    Attributes
    ----------
    spec : SampleSpec
        Where it came from.
    truth : (H, W, 3) float32 ndarray
        The target's colour photo, sRGB in [0, 1] on 8-bit levels.
    gray : GrayImage
        ``rgb_to_lab(truth)[..., 0]``: the input every method receives.
    reference_rgb : (h, w, 3) float32 ndarray
        The reference, sRGB in [0, 1].
    reference : ColorImage
        ``reference_rgb`` in CIELAB.
    truth_segmentation, reference_segmentation : Segmentation or None
        True panoptic segmentations of target and reference, where the data set has
        them (see :mod:`panocolor.evaluate.truth`), at the sample's sizes.
    """

    spec: SampleSpec
    truth: np.ndarray
    gray: GrayImage
    reference_rgb: np.ndarray
    reference: ColorImage
    truth_segmentation: Segmentation | None = None
    reference_segmentation: Segmentation | None = None

    @property
    def truth_lab(self) -> np.ndarray:
        """(H, W, 3) float32 CIELAB of the truth."""
        return rgb_to_lab(self.truth)


def read_pairs(csv_path: Path, root: Path) -> list[tuple[Path, Path]]:
    """Read a ``target,reference[,note]`` CSV into absolute ``(target, reference)`` paths.

    Raises
    ------
    ValueError
        If the header lacks ``target`` or ``reference``.
    """
    with open(csv_path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not {"target", "reference"} <= set(reader.fieldnames or ()):
            raise ValueError(f"{csv_path} needs 'target' and 'reference' columns")
        return [(root / row["target"], root / row["reference"]) for row in reader]


def read_image_list(csv_path: Path, root: Path) -> list[Path]:
    """Read the ``path`` column of a manifest CSV (such as ../shared/data/manifest.csv)."""
    with open(csv_path, newline="", encoding="utf-8") as handle:
        return [root / row["path"] for row in csv.DictReader(handle)]


def _has_column(csv_path: Path, name: str) -> bool:
    with open(csv_path, newline="", encoding="utf-8") as handle:
        return name in (csv.DictReader(handle).fieldnames or ())


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def plan_samples(
    source: Path,
    *,
    root: Path | None = None,
    protocol: ProtocolName = "self",
    limit: int | None = None,
) -> list[SampleSpec]:
    """List the samples of an evaluation without reading any image.

    Parameters
    ----------
    source : Path
        A pairs CSV, or (``self`` protocol only) a manifest CSV with a ``path``
        column (every image it lists) or a folder searched recursively for images.
    root : Path, optional
        What the CSV's paths are relative to; default: the CSV's folder.
    protocol : {"self", "pairs"}
        ``self``: one sample per distinct image (targets and references of the
        CSV, in order of first appearance); ``pairs``: one sample per CSV row.
    limit : int, optional
        Keep only the first ``limit`` samples.

    Returns
    -------
    list of SampleSpec
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}; choose one of: {', '.join(PROTOCOLS)}")
    if source.is_dir():
        if protocol != "self":
            raise ValueError("a folder of images can only be evaluated with protocol 'self'")
        root = source
        images = sorted(p for p in source.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        specs = [SampleSpec(_relative(p, root), p) for p in images]
    elif protocol == "self" and _has_column(source, "path"):
        root = source.parent if root is None else root
        specs = [SampleSpec(_relative(p, root), p) for p in read_image_list(source, root)]
    else:
        root = source.parent if root is None else root
        pairs = read_pairs(source, root)
        if protocol == "pairs":
            specs = [
                SampleSpec(_relative(target, root), target, reference, _relative(reference, root))
                for target, reference in pairs
            ]
        else:
            distinct = dict.fromkeys(path for pair in pairs for path in pair)
            specs = [SampleSpec(_relative(p, root), p) for p in distinct]
    return specs if limit is None else specs[:limit]


def downscale(rgb: np.ndarray, max_side: int | None) -> np.ndarray:
    """Shrink ``rgb`` (area averaging) so its longer side is at most ``max_side``.

    Parameters
    ----------
    rgb : (H, W, 3) float32 ndarray
        sRGB in [0, 1].
    max_side : int or None
        Largest allowed side in pixels; None or 0 keeps the size.

    Returns
    -------
    (H', W', 3) float32 ndarray
        ``rgb`` itself when already small enough.
    """
    height, width = rgb.shape[:2]
    if not max_side or max(height, width) <= max_side:
        return rgb
    scale = max_side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def self_reference(rgb: np.ndarray, fraction: float = SELF_CROP_FRACTION) -> np.ndarray:
    """The ``self`` protocol's reference: a central crop of ``rgb``, mirrored left-right.

    Parameters
    ----------
    rgb : (H, W, C) ndarray
        The target's colour photo.
    fraction : float, optional
        Kept share of each side, in (0, 1].

    Returns
    -------
    (round(fraction * H), round(fraction * W), C) ndarray
        A copy.
    """
    height, width = rgb.shape[:2]
    crop_h, crop_w = max(1, round(fraction * height)), max(1, round(fraction * width))
    top, left = (height - crop_h) // 2, (width - crop_w) // 2
    return rgb[top : top + crop_h, left : left + crop_w][:, ::-1].copy()


def load_sample(spec: SampleSpec, max_side: int | None = None) -> Sample:
    """Read and prepare one sample.

    The truth is downscaled to ``max_side`` and rounded to 8-bit levels; the
    gray input is its exact L*. The reference is the truth's mirrored crop
    (``self``) or the downscaled reference photo (``pairs``).

    Raises
    ------
    ImageReadError
        If an image cannot be read.
    """
    truth = downscale(read_rgb(spec.target), max_side)
    truth = (np.round(truth * 255.0) / 255.0).astype(np.float32)
    truth_seg = truth_segmentation(spec.target, truth.shape[:2])
    if spec.reference is None:
        reference_rgb = self_reference(truth)
        reference_seg = (
            recounted(truth_seg, self_reference(truth_seg.ids[..., None])[..., 0])
            if truth_seg is not None
            else None
        )
    else:
        reference_rgb = downscale(read_rgb(spec.reference), max_side)
        reference_seg = truth_segmentation(spec.reference, reference_rgb.shape[:2])
    return Sample(
        spec=spec,
        truth=truth,
        gray=GrayImage(lightness=rgb_to_lab(truth)[..., 0], bit_depth=8, source=spec.target),
        reference_rgb=reference_rgb,
        reference=ColorImage(lab=rgb_to_lab(reference_rgb), source=spec.reference),
        truth_segmentation=truth_seg,
        reference_segmentation=reference_seg,
    )
