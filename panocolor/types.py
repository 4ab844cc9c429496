"""The images every stage shares: a gray photo as L* and a colour photo as CIELAB.

``read_gray -> GrayImage``, ``read_color -> ColorImage``; a transfer backend turns
``GrayImage.lightness`` plus a ``ColorImage`` into a*b* chroma. What a whole run
returns, :class:`panocolor.pipeline.result.Colorized`, belongs to the pipeline level.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


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
