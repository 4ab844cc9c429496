"""Typed data objects that flow between the pipeline stages.

``read -> GrayImage``; a colour photo becomes a ``ColorImage``; a transfer backend
turns ``GrayImage.lightness`` plus a ``ColorImage`` into a*b* chroma; composition
turns lightness + chroma into the output pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from panocolor.reference.base import ReferencePlan
    from panocolor.segment.base import Segmentation


@dataclass(frozen=True, eq=False)
class GrayImage:
    """A grayscale photo as CIELAB lightness, plus what is needed to write it back.

    Attributes
    ----------
    lightness : (H, W) float32 ndarray
        L* in [0, 100] at full resolution, EXIF orientation already applied.
    bit_depth : int
        8 or 16: the depth outputs are written with.
    source : Path or None
        The file it came from, if any.
    was_color : bool
        True when a colour photo was given and converted to gray.
    alpha : (H, W) float32 ndarray or None
        Coverage in [0, 1] of a photo with transparency (``lightness`` is then the
        photo composited onto white); None when every pixel is opaque.
    opaque_lightness : (H, W) float32 ndarray or None
        With ``alpha``: the L* of the photo's own pixels before compositing (that of
        white where alpha is 0). Colour is found on it, then composited onto white
        with :func:`panocolor.io.composite_chroma`.
    """

    lightness: np.ndarray
    bit_depth: int = 8
    source: Path | None = None
    was_color: bool = False
    alpha: np.ndarray | None = None
    opaque_lightness: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.lightness.ndim != 2:
            raise ValueError(f"lightness must be (H, W), got shape {self.lightness.shape}")
        if self.bit_depth not in (8, 16):
            raise ValueError(f"bit_depth must be 8 or 16, got {self.bit_depth}")

    @property
    def shape(self) -> tuple[int, int]:
        return self.lightness.shape  # type: ignore[return-value]


@dataclass(frozen=True, eq=False)
class ColorImage:
    """A colour photo in CIELAB.

    Attributes
    ----------
    lab : (H, W, 3) float32 ndarray
        L* in [0, 100], a*, b* about [-128, 127]; EXIF orientation applied.
    source : Path or None
        The file it came from, if any.
    """

    lab: np.ndarray
    source: Path | None = None

    def __post_init__(self) -> None:
        if self.lab.ndim != 3 or self.lab.shape[2] != 3:
            raise ValueError(f"lab must be (H, W, 3), got shape {self.lab.shape}")

    @property
    def shape(self) -> tuple[int, int]:
        return self.lab.shape[:2]  # type: ignore[return-value]


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
    """

    rgb: np.ndarray
    lightness: np.ndarray
    ab: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)
    segmentation: Segmentation | None = None
    plan: ReferencePlan | None = None
