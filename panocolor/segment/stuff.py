"""Stuff names from frozen DeepLab descriptors: a linear probe over scene groups.

The Pascal VOC model names 20 things and nothing else; the Cityscapes model names
street stuff only and calls meadows "road" and skies "building" on general photos. The
probe is a multinomial logistic regression on what the VOC model's backbone already
computed (no extra network run), trained on COCO panoptic ground truth
(:mod:`panocolor.evaluate.train_stuff`), that tells the stuff groups people colour
differently apart: :data:`GROUPS`. Its inputs per 33 x 33 cell (:func:`probe_inputs`):

- the backbone descriptor of the cell (320) and its mean over the photo (320: indoor or
  outdoor, beach or city);
- the share of each Cityscapes class in the cell (19), so the probe learns when that
  model is right;
- the cell's mean gray, gray spread and gradient magnitude (3: skies are bright and flat).

Two more outputs, "other" (stuff outside the groups) and "thing", leave the pixel to
the VOC things or to ``unknown-k`` regions.

The shipped weights (``data/stuff_probe.npz``) were trained on the 31 COCO photos of the
development set (photos CC BY 2.0, annotations CC BY 4.0 COCO Consortium; see
``data/README.md``).
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources

import cv2
import numpy as np

GROUPS: dict[str, tuple[int, ...]] = {
    "sky": (187,),  # sky-other-merged
    "tree": (184,),  # tree-merged
    "grass": (193, 145),  # grass-merged, playingfield
    "water": (178, 155, 148),  # water-other, sea, river
    "sand": (154, 194, 125),  # sand, dirt-merged, gravel
    "snow": (159,),
    "mountain": (192, 198),  # mountain-merged, rock-merged
    "road": (149, 191, 147),  # road, pavement-merged, railroad
    "building": (197, 128, 151),  # building-other-merged, house, roof
    "wall": (199, 171, 175, 176, 177),  # wall-other-merged, -brick, -stone, -tile, -wood
    "floor": (190, 118),  # floor-other-merged, floor-wood
}
"""Stuff group -> COCO panoptic category ids; the first id is the name its segments get."""
OUTPUTS = ("other", *GROUPS, "thing")
"""Probe outputs in order: index 0 other stuff, 1..11 :data:`GROUPS`, last any thing."""
CITYSCAPES_CLASSES = 19
GRID = 33
DEFAULT = "data/stuff_probe.npz"


def group_lut(is_thing: dict[int, bool]) -> np.ndarray:
    """(256,) int64 lookup: COCO category id -> probe output index.

    Parameters
    ----------
    is_thing : dict of int to bool
        Every COCO category id and whether it is a thing.
    """
    lut = np.zeros(256, np.int64)
    for cid, thing in is_thing.items():
        lut[cid] = len(OUTPUTS) - 1 if thing else 0
    for k, ids in enumerate(GROUPS.values(), start=1):
        lut[list(ids)] = k
    return lut


def cell_means(planes: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Area-average (H, W, C) planes to ``shape``, one channel at a time (cv2 caps channels)."""
    size = (shape[1], shape[0])
    return np.stack(
        [
            cv2.resize(planes[..., c], size, interpolation=cv2.INTER_AREA)
            for c in range(planes.shape[-1])
        ],
        axis=-1,
    )


def probe_inputs(descriptors: np.ndarray, cityscapes: np.ndarray, gray: np.ndarray) -> np.ndarray:
    """Per-cell probe inputs of one photo.

    Parameters
    ----------
    descriptors : (h, w, 320) float32 ndarray
        The VOC model's backbone descriptors (``SemanticFeatures.descriptors``).
    cityscapes : (513, 513) uint8 ndarray
        The Cityscapes model's class ids.
    gray : (H, W) uint8 ndarray
        The gray photo the models saw (any size; squashed to the grid like they do).

    Returns
    -------
    inputs : (h * w, 2 * 320 + 19 + 3) float32 ndarray
        Rows in raster order of the grid.
    """
    h, w, channels = descriptors.shape
    shares = cell_means(np.eye(CITYSCAPES_CLASSES, dtype=np.float32)[cityscapes], (h, w))
    g = gray.astype(np.float32) / 255.0
    gradient = np.abs(cv2.Sobel(g, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(g, cv2.CV_32F, 0, 1))
    stats = cell_means(np.stack([g, g * g, gradient], axis=-1), (h, w))
    spread = np.sqrt(np.maximum(stats[..., 1] - stats[..., 0] ** 2, 0.0))
    context = np.broadcast_to(descriptors.mean(axis=(0, 1)), descriptors.shape)
    parts = [descriptors, context, shares, stats[..., :1], spread[..., None], stats[..., 2:]]
    return np.concatenate(parts, axis=-1).reshape(h * w, -1).astype(np.float32)


class StuffProbe:
    """Softmax regression from :func:`probe_inputs` rows to :data:`OUTPUTS` probabilities.

    Parameters
    ----------
    mean, scale : (D,) ndarray
        Inputs are standardised as ``(x - mean) / scale`` first.
    weights : (D, K) ndarray
        Weights on the standardised inputs; K = ``len(OUTPUTS)``.
    bias : (K,) ndarray

    Raises
    ------
    ValueError
        If the shapes do not agree with :data:`OUTPUTS`.
    """

    def __init__(
        self, mean: np.ndarray, scale: np.ndarray, weights: np.ndarray, bias: np.ndarray
    ) -> None:
        self.mean = np.asarray(mean, np.float32)
        self.scale = np.asarray(scale, np.float32)
        self.weights = np.asarray(weights, np.float32)
        self.bias = np.asarray(bias, np.float32)
        if self.weights.ndim != 2 or self.weights.shape[1] != len(OUTPUTS):
            raise ValueError(f"weights must be (D, {len(OUTPUTS)}), got {self.weights.shape}")
        if self.bias.shape != (len(OUTPUTS),):
            raise ValueError(f"bias must be ({len(OUTPUTS)},), got {self.bias.shape}")
        if self.mean.shape != self.scale.shape or self.mean.shape != self.weights.shape[:1]:
            raise ValueError(f"mean, scale must be ({self.weights.shape[0]},)")

    def __repr__(self) -> str:
        return f"StuffProbe(inputs={self.weights.shape[0]}, outputs={len(OUTPUTS)})"

    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """(N, K) float32 softmax probabilities of (N, D) input rows; rows sum to 1."""
        scores = ((inputs - self.mean) / self.scale) @ self.weights + self.bias
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        return scores / scores.sum(axis=1, keepdims=True)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the probe; weights as float16 (the argmax is what matters), 25 KB."""
        with open(path, "wb") as handle:  # a file object: savez adds no ".npz" suffix
            np.savez_compressed(
                handle,
                mean=self.mean,
                scale=self.scale,
                weights=self.weights.astype(np.float16),
                bias=self.bias.astype(np.float16),
                outputs=np.array(OUTPUTS),
            )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> StuffProbe:
        """Read a probe written by :meth:`save`.

        Raises
        ------
        ValueError
            If its outputs are not :data:`OUTPUTS` (weights of another group table).
        """
        with np.load(path) as data:
            if tuple(str(o) for o in data["outputs"]) != OUTPUTS:
                raise ValueError(f"{path}: probe outputs {data['outputs']} are not {OUTPUTS}")
            return cls(data["mean"], data["scale"], data["weights"], data["bias"])


@cache
def default_probe() -> StuffProbe:
    """The probe shipped with the package (trained on the 31 development COCO photos)."""
    with resources.as_file(resources.files("panocolor.segment").joinpath(DEFAULT)) as path:
        return StuffProbe.load(path)
