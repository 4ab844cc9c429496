"""Default segmenter: two DeepLab TFLite models fused into one panoptic segmentation.

DeepLabv3 (Pascal VOC, 20 object classes) gives the things; DeepLab Cityscapes
gives only the stuff classes it is trustworthy on for general photos (road,
sidewalk, building, vegetation, terrain, sky). Both run on the gray photo copied to
three channels at 513 x 513. The fused class map is refined to full resolution on
the gray image (:func:`~panocolor.segment._refine.refine_labels`), things are split
into instances by connected components, fragments smaller than ``min_area`` are
merged into their neighbours, and pixels no model claims become ``unknown-k``
regions (graph-based superpixels).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import cv2
import numpy as np

from panocolor.colorspace import lightness_to_gray
from panocolor.errors import PanocolorError
from panocolor.models import find_model, tflite_interpreter
from panocolor.segment._refine import refine_labels, upsample_labels
from panocolor.segment._regions import fill_holes, superpixels
from panocolor.segment.base import (
    SEGMENTERS,
    Segment,
    Segmentation,
    check_lightness,
    unknown_segments,
)
from panocolor.segment.classes import coco_categories, model_classes, model_labels

VOC_MODEL = "deeplabv3_mnv2_pascal_quant.tflite"
CITYSCAPES_MODEL = "deeplab_mobilenet_edgetpu_slim_cityscapes_quant.tflite"
MODEL_SIZE = 513
STUFF = ("sky", "vegetation", "terrain", "road", "sidewalk", "building")
"""Cityscapes classes trusted by default (the others are unreliable outside street scenes)."""
_INTERPRETERS: dict[tuple[str, int], DeepLabModel] = {}
_LOCK = threading.Lock()


class DeepLabModel:
    """One DeepLab TFLite model: a 513 x 513 uint8 RGB image in, class ids out.

    Parameters
    ----------
    path : path-like
        The ``.tflite`` file.
    num_threads : int, optional
        Interpreter threads.
    """

    def __init__(self, path: str | os.PathLike[str], num_threads: int = 2) -> None:
        self.path = os.fspath(path)
        self._interpreter = tflite_interpreter(self.path, num_threads)  # quiet on stderr
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._lock = threading.Lock()

    def __call__(self, gray: np.ndarray) -> np.ndarray:
        """Class ids of a gray image.

        Parameters
        ----------
        gray : (H, W) uint8 ndarray
            sRGB-encoded gray image, any size (resized to 513 x 513, aspect not kept).

        Returns
        -------
        ids : (513, 513) uint8 ndarray
            The model's class id per pixel, over the whole (squashed) image.
        """
        if gray.shape != (MODEL_SIZE, MODEL_SIZE):
            gray = cv2.resize(gray, (MODEL_SIZE, MODEL_SIZE), interpolation=cv2.INTER_AREA)
        batch = np.repeat(gray[None, :, :, None], 3, axis=3)
        with self._lock:  # one interpreter, one call at a time
            self._interpreter.set_tensor(self._input, batch)
            self._interpreter.invoke()
            return self._interpreter.get_tensor(self._output)[0].astype(np.uint8)

    @classmethod
    def shared(cls, path: str | os.PathLike[str], num_threads: int = 2) -> DeepLabModel:
        """The process-wide instance for ``path`` (interpreters are created once)."""
        key = (os.path.realpath(path), num_threads)
        with _LOCK:
            if key not in _INTERPRETERS:
                _INTERPRETERS[key] = cls(path, num_threads)
            return _INTERPRETERS[key]


def class_table(stuff: tuple[str, ...] = STUFF) -> tuple[tuple[tuple[int, str], ...], np.ndarray]:
    """The fused classes and, per model, a lookup from its class ids to fused indices.

    Parameters
    ----------
    stuff : tuple of str, optional
        Cityscapes classes to keep.

    Returns
    -------
    table : tuple of (int, str)
        (COCO id, source) per fused index; index 0 is "no class".
    luts : (2, 256) uint8 ndarray
        Row 0 maps VOC ids, row 1 Cityscapes ids, to fused indices (0 = dropped).
    """
    mapped = model_classes("cityscapes")
    unknown = sorted(set(stuff) - set(mapped))
    if unknown:
        raise PanocolorError(f"stuff classes {unknown} are not among {sorted(mapped)}")
    table: list[tuple[int, str]] = [(0, "")]
    luts = np.zeros((2, 256), np.uint8)
    for row, (model, names) in enumerate((("voc", model_classes("voc")), ("cityscapes", stuff))):
        for name in names:
            luts[row, model_labels(model).index(name)] = len(table)
            table.append((model_classes(model)[name][0], f"deeplab-{model}"))
    return tuple(table), luts


def fuse(voc: np.ndarray, cityscapes: np.ndarray, luts: np.ndarray) -> np.ndarray:
    """Fused class index map: VOC objects first, then the kept Cityscapes stuff, else 0.

    Parameters
    ----------
    voc, cityscapes : (h, w) uint8 ndarray
        The two models' class ids.
    luts : (2, 256) uint8 ndarray
        From :func:`class_table`.

    Returns
    -------
    fused : (h, w) uint8 ndarray
        Index into the fused class table.
    """
    things = luts[0][voc]
    return np.where(things > 0, things, luts[1][cityscapes])


@SEGMENTERS.register("deeplab")
class DeepLabSegmenter:
    """DeepLab VOC + Cityscapes panoptic segmenter (the default).

    Parameters
    ----------
    model_dir : path-like, optional
        Folder searched first for the model files (see :func:`panocolor.models.find_model`).
    refine : bool, optional
        Snap class borders to the gray image's edges (guided filter); False upsamples
        the 513 x 513 class map by nearest neighbour.
    radius, eps : float, optional
        Refinement filter radius (fraction of the working image's longer side) and
        regularisation.
    min_area : float, optional
        Connected pieces of a class smaller than this fraction of the image are
        merged into their neighbours.
    min_region : float, optional
        The same for ``unknown-k`` regions.
    stuff : tuple of str, optional
        Cityscapes classes to use; default :data:`STUFF`. On gray COCO photos only
        "sky" and "vegetation" are precise (see ``panocolor.evaluate.segmentation``).
    num_threads : int, optional
        Threads per TFLite interpreter.

    Raises
    ------
    ModelNotFoundError
        If a model file is missing.
    """

    def __init__(
        self,
        model_dir: str | os.PathLike[str] | None = None,
        *,
        refine: bool = True,
        radius: float = 0.02,
        eps: float = 1e-3,
        min_area: float = 0.0005,
        min_region: float = 0.002,
        stuff: tuple[str, ...] = STUFF,
        num_threads: int = 2,
    ) -> None:
        self.voc = DeepLabModel.shared(find_model(VOC_MODEL, model_dir), num_threads)
        self.cityscapes = DeepLabModel.shared(find_model(CITYSCAPES_MODEL, model_dir), num_threads)
        self.refine = refine
        self.radius = radius
        self.eps = eps
        self.min_area = min_area
        self.min_region = min_region
        self.stuff = tuple(stuff)
        self.classes, self._luts = class_table(self.stuff)

    def __repr__(self) -> str:
        return (
            f"DeepLabSegmenter(refine={self.refine}, radius={self.radius}, eps={self.eps}, "
            f"min_area={self.min_area}, min_region={self.min_region}, stuff={self.stuff})"
        )

    def class_map(self, lightness: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Fused class index per full-resolution pixel, before instances and regions.

        Parameters
        ----------
        lightness : (H, W) float32 ndarray
            L* in [0, 100].

        Returns
        -------
        classes : (H, W) uint8 ndarray
            Index into :attr:`classes` (0 = no model claims the pixel).
        support : (H, W) float32 ndarray or None
            Refinement support in [0, 1] (None without refinement).
        """
        gray = _to_uint8(lightness)
        fused = fuse(self.voc(gray), self.cityscapes(gray), self._luts)
        if not self.refine:
            return upsample_labels(fused, gray.shape), None
        guide = gray.astype(np.float32) / 255.0
        return refine_labels(fused, guide, radius=self.radius, eps=self.eps)

    def __call__(self, lightness: np.ndarray) -> Segmentation:
        """Segment a gray photo.

        Parameters
        ----------
        lightness : (H, W) array_like
            L* in [0, 100].

        Returns
        -------
        segmentation : Segmentation
            Things (one segment per instance), stuff (one per class) and
            ``unknown-k`` regions; scores are the mean refinement support.
        """
        lightness = check_lightness(lightness)
        classes, support = self.class_map(lightness)
        return assemble(
            classes,
            self.classes,
            lambda: superpixels(_to_uint8(lightness)),
            support=support,
            min_area=self.min_area,
            min_region=self.min_region,
        )


def _to_uint8(lightness: np.ndarray) -> np.ndarray:
    return np.round(lightness_to_gray(lightness) * 255.0).astype(np.uint8)


def assemble(
    classes: np.ndarray,
    table: tuple[tuple[int, str], ...],
    regions: Callable[[], np.ndarray],
    *,
    support: np.ndarray | None = None,
    min_area: float = 0.0005,
    min_region: float = 0.002,
) -> Segmentation:
    """Turn a class index map into a panoptic segmentation.

    Parameters
    ----------
    classes : (H, W) uint8 ndarray
        Index into ``table`` per pixel; 0 = no class.
    table : tuple of (int, str)
        (COCO category id, source) per class index; entry 0 is unused.
    regions : callable
        Returns an (H, W) int region map used to split unclaimed pixels; called only
        when there are some.
    support : (H, W) float32 ndarray, optional
        Per-pixel confidence in [0, 1]; a segment's score is its mean.
    min_area : float, optional
        Class pieces smaller than this fraction of the image are merged into neighbours.
    min_region : float, optional
        The same for the regions of unclaimed pixels.

    Returns
    -------
    segmentation : Segmentation
        Ids numbered things first, then stuff, then unknown regions.
    """
    height, width = classes.shape
    min_pixels = max(1, round(min_area * height * width))
    min_region_pixels = max(1, round(min_region * height * width))
    categories = coco_categories()
    ids = np.zeros((height, width), np.int32)
    owners: list[int] = []  # class index of each id (id = position + 1)
    present = [int(c) for c in np.unique(classes) if c]
    present.sort(key=lambda c: not categories[table[c][0]].is_thing)
    for c in present:
        n, pieces, stats, _ = cv2.connectedComponentsWithStats(
            (classes == c).astype(np.uint8), connectivity=8, ltype=cv2.CV_32S
        )
        big = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] >= min_pixels)
        big = big[big > 0]
        if big.size == 0:
            continue
        lookup = np.zeros(n, np.int32)
        if categories[table[c][0]].is_thing:
            lookup[big] = len(owners) + 1 + np.arange(big.size, dtype=np.int32)
            owners.extend([c] * big.size)
        else:
            lookup[big] = len(owners) + 1
            owners.append(c)
        np.copyto(ids, lookup[pieces], where=lookup[pieces] > 0)
    n_known = len(owners)
    unclaimed = classes == 0
    if unclaimed.any():
        region = regions()[unclaimed]
        sizes = np.bincount(region)
        keep = np.flatnonzero(sizes >= min_region_pixels)
        lookup = np.zeros(sizes.size, np.int32)
        lookup[keep] = n_known + 1 + np.arange(keep.size, dtype=np.int32)
        ids[unclaimed] = lookup[region]
    holes = ids == 0
    if holes.all():
        ids[:] = 1
        n_known = 0
        owners = []
        holes[:] = False
    ids = fill_holes(ids, holes)
    counts = np.bincount(ids.ravel(), minlength=int(ids.max()) + 1)
    scores = None
    if support is not None:
        scores = np.bincount(ids.ravel(), weights=support.ravel(), minlength=counts.size)
        scores = np.clip(scores / np.maximum(counts, 1), 0.0, 1.0)
    segments = []
    for i, c in enumerate(owners, start=1):
        category = categories[table[c][0]]
        score = None if scores is None else round(float(scores[i]), 4)
        segments.append(
            Segment(
                i, category.id, category.name, category.is_thing, int(counts[i]), score, table[c][1]
            )
        )
    segments += unknown_segments(range(n_known + 1, counts.size), counts, "superpixel")
    return Segmentation(ids, tuple(segments))
