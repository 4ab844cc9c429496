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
import warnings
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
from panocolor.segment.semantic import DEFAULT_LAYER, LAYERS, LOGITS, SemanticFeatures
from panocolor.segment.stuff import GROUPS, StuffProbe, default_probe, probe_inputs

VOC_MODEL = "deeplabv3_mnv2_pascal_quant.tflite"
CITYSCAPES_MODEL = "deeplab_mobilenet_edgetpu_slim_cityscapes_quant.tflite"
MODEL_SIZE = 513
STUFF = ("sky", "vegetation", "terrain", "road", "sidewalk", "building")
"""Cityscapes classes trusted by default (the others are unreliable outside street scenes)."""
RECENT_RUNS = 4
"""Model runs each :class:`DeepLabModel` remembers (a target, its reference and spares)."""
_INTERPRETERS: dict[tuple[str, int, bool], DeepLabModel] = {}
_LOCK = threading.Lock()


class DeepLabModel:
    """One DeepLab TFLite model: a 513 x 513 uint8 RGB image in, class ids out.

    The VOC model also gives dense semantic descriptors from the same run
    (:meth:`run`): its inner tensors are read after ``invoke``. That needs the
    interpreter option ``experimental_preserve_all_tensors``: without it the runtime
    reuses inner buffers, and ``get_tensor`` on an inner tensor either fails ("tensor
    data is null") or silently returns a later layer's values (the 33 x 33 x 320
    backbone tensor came back holding the logits). Measured on the VOC model at 513 x
    513 (2 threads): 77 ms per run either way, peak RSS 126 MB against 88 MB.

    The last few runs are remembered (:data:`RECENT_RUNS`): an input within half a gray
    level (mean absolute difference at 513 x 513) of a remembered one gives that
    result without running the model, so the segmenter and a transfer backend that
    both look at the same photo (through slightly different resizes) share one run.

    Parameters
    ----------
    path : path-like
        The ``.tflite`` file.
    num_threads : int, optional
        Interpreter threads.
    inner : bool, optional
        Keep inner tensors readable (needed for :meth:`run`; False saves the memory for
        models used only for their class ids).
    """

    def __init__(
        self, path: str | os.PathLike[str], num_threads: int = 2, *, inner: bool = True
    ) -> None:
        self.path = os.fspath(path)
        with warnings.catch_warnings():  # the option's memory cost is measured above
            warnings.filterwarnings("ignore", message=".*experimental_preserve_all_tensors")
            self._interpreter = tflite_interpreter(  # quiet on stderr
                self.path, num_threads, experimental_preserve_all_tensors=inner
            )
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._inner = _inner_tensors(self._interpreter) if inner else {}
        self._lock = threading.Lock()
        self._recent: list[tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]] = []
        self.runs = 0  # model invocations so far (the cache's effect is observable)

    @property
    def has_semantics(self) -> bool:
        """Whether this model has the descriptor layers and logits (the VOC model does)."""
        return LOGITS in self._inner and all(name in self._inner for name in LAYERS.values())

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
        return self._run(gray)[0]

    def run(
        self, gray: np.ndarray, *, layer: str = DEFAULT_LAYER
    ) -> tuple[np.ndarray, SemanticFeatures]:
        """Class ids and semantic descriptors of a gray image, from one model run.

        Parameters
        ----------
        gray : (H, W) uint8 ndarray
            As for :meth:`__call__`.
        layer : str, optional
            Descriptor layer, a key of :data:`~panocolor.segment.semantic.LAYERS`.

        Returns
        -------
        ids : (513, 513) uint8 ndarray
            As :meth:`__call__` returns.
        features : SemanticFeatures
            Descriptors of ``layer`` and the class logits, for an image of ``gray``'s size.

        Raises
        ------
        ValueError
            If this model has no such layer (e.g. the Cityscapes model).
        """
        if layer not in LAYERS or not self.has_semantics:
            raise ValueError(f"{os.path.basename(self.path)} has no descriptor layer {layer!r}")
        ids, inner = self._run(gray)
        return ids, SemanticFeatures(
            _dequantize(*inner[LAYERS[layer]]), _dequantize(*inner[LOGITS]), gray.shape, layer
        )

    def _run(self, gray: np.ndarray) -> tuple[np.ndarray, dict[str, tuple]]:
        if gray.shape != (MODEL_SIZE, MODEL_SIZE):
            gray = cv2.resize(gray, (MODEL_SIZE, MODEL_SIZE), interpolation=cv2.INTER_AREA)
        with self._lock:  # one interpreter, one call at a time
            for seen, ids, inner in self._recent:
                if cv2.absdiff(seen, gray).mean() < 0.5:
                    return ids, inner
            batch = np.repeat(gray[None, :, :, None], 3, axis=3)
            self._interpreter.set_tensor(self._input, batch)
            self._interpreter.invoke()
            self.runs += 1
            ids = self._interpreter.get_tensor(self._output)[0].astype(np.uint8)
            ids.flags.writeable = False  # shared by every caller of a remembered run
            inner = {
                name: (self._interpreter.get_tensor(index)[0], scale, zero)
                for name, (index, scale, zero) in self._inner.items()
            }
            self._recent = [(gray, ids, inner), *self._recent[: RECENT_RUNS - 1]]
            return ids, inner

    def forget(self) -> None:
        """Drop the remembered runs (the next call runs the model; for benchmarks)."""
        with self._lock:
            self._recent = []

    @classmethod
    def shared(
        cls, path: str | os.PathLike[str], num_threads: int = 2, *, inner: bool = True
    ) -> DeepLabModel:
        """The process-wide instance for ``path`` (interpreters are created once)."""
        key = (os.path.realpath(path), num_threads, inner)
        with _LOCK:
            if key not in _INTERPRETERS:
                _INTERPRETERS[key] = cls(path, num_threads, inner=inner)
            return _INTERPRETERS[key]


def _inner_tensors(interpreter) -> dict[str, tuple[int, float, int]]:  # noqa: ANN001
    """(index, scale, zero point) of the descriptor layers and logits present in a model."""
    wanted = (*LAYERS.values(), LOGITS)
    found: dict[str, tuple[int, float, int]] = {}
    for detail in interpreter.get_tensor_details():
        shape = detail["shape"]
        if len(shape) != 4 or shape[0] != 1:
            continue  # weights and biases share the name prefixes
        for prefix in wanted:
            if detail["name"].startswith(prefix) and prefix not in found:
                scale, zero = detail["quantization"]
                found[prefix] = (detail["index"], float(scale), int(zero))
    return found


def _dequantize(values: np.ndarray, scale: float, zero: int) -> np.ndarray:
    if scale == 0.0:  # not quantized
        return values.astype(np.float32)
    return ((values.astype(np.float32) - zero) * scale).astype(np.float32)


def class_table(
    stuff: tuple[str, ...] = STUFF, *, probe: bool = False
) -> tuple[tuple[tuple[int, str], ...], np.ndarray]:
    """The fused classes and, per model, a lookup from its class ids to fused indices.

    Parameters
    ----------
    stuff : tuple of str, optional
        Cityscapes classes to keep (ignored with ``probe``).
    probe : bool, optional
        Stuff comes from the stuff probe instead: row 1 of ``luts`` then maps probe
        outputs (:data:`~panocolor.segment.stuff.OUTPUTS`) to the group classes.

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
    for name in model_classes("voc"):
        luts[0, model_labels("voc").index(name)] = len(table)
        table.append((model_classes("voc")[name][0], "deeplab-voc"))
    if probe:
        for k, ids in enumerate(GROUPS.values(), start=1):
            luts[1, k] = len(table)
            table.append((ids[0], "deeplab-probe"))
        return tuple(table), luts
    for name in stuff:
        luts[1, model_labels("cityscapes").index(name)] = len(table)
        table.append((model_classes("cityscapes")[name][0], "deeplab-cityscapes"))
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


def probe_stuff(probabilities: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Most likely probe output per pixel, from soft scores upsampled to ``shape``.

    Interpolating the probabilities (not the cell argmax) puts group borders where
    the two groups are equally likely, between cell centres.

    Parameters
    ----------
    probabilities : (h, w, K) float32 ndarray
        Probe probabilities per grid cell.
    shape : (int, int)
        (H, W) of the result (the 513 x 513 model frame).

    Returns
    -------
    outputs : (H, W) uint8 ndarray
        Index into :data:`~panocolor.segment.stuff.OUTPUTS`.
    """
    scores = cv2.resize(probabilities, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
    return scores.argmax(axis=-1).astype(np.uint8)


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
        Cityscapes classes to use when ``probe`` is None; default :data:`STUFF`.
    probe : StuffProbe, "default" or None, optional
        Names stuff by the stuff probe (:mod:`panocolor.segment.stuff`; "default" is
        the shipped one) from the VOC run's descriptors and the Cityscapes ids; None
        takes the Cityscapes ``stuff`` classes as they are (meadows come out as road).
        Off by default: under 5-fold cross-validation on the 31 COCO photos it lifts
        known-class pixel accuracy from 53.0% to 63.7% (sky 32% -> 88%), but it never
        names road or building (59% and 66% -> 0%), calls a lake sky (kodim16), and
        costs about 0.4 s a photo (``python -m panocolor.evaluate.segmentation``).
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
        probe: StuffProbe | str | None = None,
        num_threads: int = 2,
    ) -> None:
        self.voc = DeepLabModel.shared(find_model(VOC_MODEL, model_dir), num_threads)
        self.cityscapes = DeepLabModel.shared(
            find_model(CITYSCAPES_MODEL, model_dir), num_threads, inner=False
        )
        self.refine = refine
        self.radius = radius
        self.eps = eps
        self.min_area = min_area
        self.min_region = min_region
        self.stuff = tuple(stuff)
        self.probe = default_probe() if probe == "default" else probe
        self.classes, self._luts = class_table(self.stuff, probe=self.probe is not None)

    def __repr__(self) -> str:
        return (
            f"DeepLabSegmenter(refine={self.refine}, radius={self.radius}, eps={self.eps}, "
            f"min_area={self.min_area}, min_region={self.min_region}, "
            + (f"probe={self.probe!r})" if self.probe is not None else f"stuff={self.stuff})")
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
        gray = to_uint8(lightness)
        if self.probe is None:
            fused = fuse(self.voc(gray), self.cityscapes(gray), self._luts)
        else:
            ids, features = self.voc.run(gray)
            inputs = probe_inputs(features.descriptors, self.cityscapes(gray), gray)
            probabilities = self.probe.probabilities(inputs).reshape(*features.grid, -1)
            fused = fuse(ids, probe_stuff(probabilities, ids.shape), self._luts)
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
            lambda: superpixels(to_uint8(lightness)),
            support=support,
            min_area=self.min_area,
            min_region=self.min_region,
        )


def to_uint8(lightness: np.ndarray) -> np.ndarray:
    """sRGB-encoded 8-bit gray of an L* image (what the models see)."""
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
