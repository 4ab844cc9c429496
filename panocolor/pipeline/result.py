"""What one run of the pipeline returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from panocolor.reference.base import ReferencePlan
from panocolor.segment.segmentation import Segmentation


@dataclass(frozen=True, eq=False)
class Colorized:
    """The result of colorizing one gray photo.

    Attributes
    ----------
    rgb : (H, W, 3) ndarray
        sRGB pixels, uint8 for 8-bit inputs and uint16 for 16-bit inputs.
    lightness : (H, W) float32 ndarray
        The input's L*, which ``rgb`` reproduces up to quantisation.
    ab : (H, W, 2) float32 ndarray
        The chroma that was asked for (before gamut reduction).
    timings : dict of str to float
        Seconds spent per stage.
    segmentation : Segmentation or None
        The gray photo's segments (per-object colorization only; may be smaller
        than the photo: it is computed at a working size).
    plan : ReferencePlan or None
        Which reference each segment used, and why (per-object colorization only).
    match_confidence : dict of int to float
        Per segment id, the mean confidence in [0, 1] of its matched pixels (per-object
        colorization with a backend that matches regions, e.g. ``photoreal``; empty
        otherwise): how far the reference's colour can be trusted there.
    """

    rgb: np.ndarray
    lightness: np.ndarray
    ab: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)
    segmentation: Segmentation | None = None
    plan: ReferencePlan | None = None
    match_confidence: dict[int, float] = field(default_factory=dict)
