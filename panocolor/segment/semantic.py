"""Dense semantic descriptors: what the segmentation network sees at every place of a photo.

The DeepLab VOC network is a whole MobileNetV2 backbone (ImageNet-pretrained, then
trained on Pascal VOC); its inner activations describe far more than the 21 classes it
names. One run of the model per photo gives both the segmentation and a
:class:`SemanticFeatures` (see :meth:`DeepLabModel.run
<panocolor.segment.deeplab.DeepLabModel.run>`), so matching pixels "on meaning" costs no
second model run when the photo is segmented anyway.

Layers (names of the VOC model's tensors at 513 x 513 input; chosen by measurement, see
:class:`~panocolor.transfer.photoreal.PhotorealTransfer`):

- ``backbone``: ``MobilenetV2/expanded_conv_16/project/add_fold`` 33 x 33 x 320, the
  deepest backbone features (the default);
- ``aspp``: ``concat_projection/Relu`` 33 x 33 x 256, after atrous spatial pyramid pooling;
- ``fine``: ``MobilenetV2/expanded_conv_5/expand/Relu6`` 65 x 65 x 192.

The descriptors are reduced per target/reference pair with :func:`joint_pca` (a basis
fitted on both photos' descriptors together, so that the same components mean the same
thing on both sides) and brought to a working size with :func:`to_grid`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

LAYERS: dict[str, str] = {
    "backbone": "MobilenetV2/expanded_conv_16/project/add_fold",
    "aspp": "concat_projection/Relu",
    "fine": "MobilenetV2/expanded_conv_5/expand/Relu6",
}
"""Descriptor layers of the VOC model by short name -> tensor name prefix."""
LOGITS = "logits/semantic/BiasAdd"
DEFAULT_LAYER = "backbone"


@dataclass(frozen=True, eq=False)
class SemanticFeatures:
    """Dense descriptors and soft class scores of one photo, from one model run.

    The model sees the photo squashed to a square (aspect not kept), so cell (i, j) of
    an (h, w) grid describes the photo around ``((i + 0.5) * H / h, (j + 0.5) * W / w)``.

    Attributes
    ----------
    descriptors : (h, w, C) float32 ndarray
        Dequantized activations of :attr:`layer` at its grid resolution.
    logits : (h', w', K) float32 ndarray
        The model's class scores before the argmax (33 x 33 x 21 for VOC).
    image_size : (int, int)
        (H, W) of the photo they describe.
    layer : str
        Short name of the descriptor layer (a key of :data:`LAYERS`).

    Raises
    ------
    ValueError
        If an array is not 3-D float32, or ``image_size`` is not two positive ints.
    """

    descriptors: np.ndarray
    logits: np.ndarray
    image_size: tuple[int, int]
    layer: str = DEFAULT_LAYER

    def __post_init__(self) -> None:
        for name in ("descriptors", "logits"):
            value = getattr(self, name)
            if not isinstance(value, np.ndarray) or value.ndim != 3 or value.dtype != np.float32:
                got = getattr(value, "dtype", type(value).__name__), getattr(value, "shape", None)
                raise ValueError(f"{name} must be an (h, w, C) float32 ndarray, got {got}")
        size = tuple(int(v) for v in self.image_size)
        if len(size) != 2 or min(size) < 1:
            raise ValueError(f"image_size must be (H, W) with H, W >= 1, got {self.image_size}")
        object.__setattr__(self, "image_size", size)

    @property
    def grid(self) -> tuple[int, int]:
        """(h, w) of the descriptor grid."""
        return self.descriptors.shape[:2]


SemanticEncoder = Callable[[np.ndarray], SemanticFeatures]
"""``(lightness (H, W) float32 L*) -> SemanticFeatures``: what a transfer backend asks for."""


class DeepLabEncoder:
    """Semantic descriptors of a gray photo from the DeepLab VOC model.

    Uses the process-wide model instance that the ``deeplab`` segmenter uses too, and
    that instance remembers its last few runs, so a photo the segmenter has just seen
    is not run through the network again.

    Parameters
    ----------
    model_dir : path-like, optional
        Folder searched first for the model file (see :func:`panocolor.models.find_model`).
    layer : str, optional
        A key of :data:`LAYERS`.
    num_threads : int, optional
        Interpreter threads.

    Raises
    ------
    ModelNotFoundError
        If the VOC model file is missing.
    ValueError
        If ``layer`` is unknown.
    """

    def __init__(
        self,
        model_dir: str | os.PathLike[str] | None = None,
        *,
        layer: str = DEFAULT_LAYER,
        num_threads: int = 2,
    ) -> None:
        from panocolor.models import find_model
        from panocolor.segment.deeplab import VOC_MODEL, DeepLabModel

        if layer not in LAYERS:
            raise ValueError(f"layer must be one of {', '.join(LAYERS)}, got {layer!r}")
        self.layer = layer
        self.model = DeepLabModel.shared(find_model(VOC_MODEL, model_dir), num_threads)

    def __repr__(self) -> str:
        return f"DeepLabEncoder(layer={self.layer!r})"

    def __call__(self, lightness: np.ndarray) -> SemanticFeatures:
        """Descriptors of a photo given as L* (any size; shrunk like the segmenter does)."""
        from panocolor.imaging import lightness_to_uint8 as to_uint8
        from panocolor.imaging import resize_to_pixels

        lightness = np.asarray(lightness, dtype=np.float32)
        gray = to_uint8(resize_to_pixels(lightness, 1_000_000))
        _, features = self.model.run(gray, layer=self.layer)
        return SemanticFeatures(
            features.descriptors, features.logits, lightness.shape, features.layer
        )


def joint_pca(
    target: np.ndarray, reference: np.ndarray, components: int
) -> tuple[np.ndarray, np.ndarray]:
    """Project two photos' descriptors on the principal axes of both together.

    The basis is fitted on the descriptors of target and reference pooled (so a
    component means the same on both sides), and the projections are divided by the
    spread of the first component: the first component then has unit standard
    deviation over the pair and the others keep their relative importance.

    Parameters
    ----------
    target, reference : (h, w, C) and (h', w', C) float32 ndarray
        Descriptor grids.
    components : int
        Number of principal components kept (at most C and the number of cells).

    Returns
    -------
    target, reference : (h, w, k) and (h', w', k) float32 ndarray
        The reduced grids, ``k = min(components, C, cells)``.

    Raises
    ------
    ValueError
        If the channel counts differ or ``components < 1``.
    """
    if target.shape[-1] != reference.shape[-1]:
        raise ValueError(
            f"descriptor channels differ: target {target.shape}, reference {reference.shape}"
        )
    if components < 1:
        raise ValueError(f"components must be >= 1, got {components}")
    channels = target.shape[-1]
    a = target.reshape(-1, channels).astype(np.float64)
    b = reference.reshape(-1, channels).astype(np.float64)
    pooled = np.concatenate([a, b])
    mean = pooled.mean(axis=0)
    # Eigenvectors of the (C, C) scatter matrix rather than an SVD of the (n, C) cells:
    # the same axes, and OpenBLAS's threaded SVD took 1.7 s here against 0.02 s.
    centred = pooled - mean
    variances, axes = np.linalg.eigh(centred.T @ centred / len(pooled))
    order = np.argsort(variances)[::-1]
    k = min(components, channels, len(pooled))
    basis = axes[:, order[:k]]
    top = float(variances[order[0]])
    spread = np.sqrt(top) if top > 1e-18 else 1.0
    project = lambda x: ((x - mean) @ basis / spread).astype(np.float32)  # noqa: E731
    return (
        project(a).reshape(target.shape[:2] + (k,)),
        project(b).reshape(reference.shape[:2] + (k,)),
    )


def to_grid(descriptors: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Bilinearly resample an (h, w, C) descriptor grid to ``shape`` (H, W).

    Cell centres map to pixel centres (half-pixel convention), over the whole photo.
    """
    channels = descriptors.shape[-1]
    out = cv2.resize(
        np.ascontiguousarray(descriptors, np.float32),
        (shape[1], shape[0]),
        interpolation=cv2.INTER_LINEAR,
    )
    return out.reshape(shape + (channels,))
