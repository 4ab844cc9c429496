"""Typed colour hints: a point with a colour, a segment pinned to a colour, scribbles,
and :class:`Spread`, how far they reach.

Every hint fixes hue and saturation, never lightness: its colour is converted to
chroma at the photo's own L* (see :mod:`panocolor.hints.spread`). Everything a user
can get wrong is checked here and raised as a :class:`HintError` with a one-line
message.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from panocolor.errors import PanocolorError

RGB = tuple[int, int, int]


class HintError(PanocolorError):
    """A colour hint is invalid (outside the photo, a bad colour, wrong-size scribbles...)."""


def check_rgb(rgb: object, what: str = "hint colour") -> RGB:
    """``rgb`` as a tuple of three ints in [0, 255]; :class:`HintError` otherwise.

    Accepts any sequence of three integers (numpy integers too); floats, strings,
    booleans and out-of-range values are refused.
    """
    values = tuple(rgb) if isinstance(rgb, (tuple, list, np.ndarray)) else None
    if values is None or len(values) != 3:
        raise HintError(f"{what} must be three values (R, G, B) in 0..255, got {rgb!r}")
    for value in values:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
            raise HintError(f"{what} must be integers in 0..255, got {rgb!r}")
        if not 0 <= int(value) <= 255:
            raise HintError(f"{what} values must be in 0..255, got {rgb!r}")
    return (int(values[0]), int(values[1]), int(values[2]))


@dataclass(frozen=True)
class Hint:
    """A point hint: "the colour at this pixel is this".

    Attributes
    ----------
    x, y : int
        Column and row in the full-size photo (0-based; after EXIF rotation).
    rgb : tuple of 3 int
        sRGB colour in [0, 255]; only its hue and saturation are used.
    """

    x: int
    y: int
    rgb: RGB

    def __post_init__(self) -> None:
        for name in ("x", "y"):
            value = getattr(self, name)
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
                raise HintError(f"hint {name} must be a pixel position, got {value!r}")
            if not float(value).is_integer():
                raise HintError(f"hint {name} must be a whole pixel position, got {value!r}")
            object.__setattr__(self, name, int(value))
        object.__setattr__(self, "rgb", check_rgb(self.rgb))

    def check_inside(self, shape: tuple[int, int]) -> None:
        """Raise :class:`HintError` unless the hint lies in a photo of ``shape`` = (H, W)."""
        height, width = shape
        if not (0 <= self.x < width and 0 <= self.y < height):
            raise HintError(
                f"hint at x={self.x}, y={self.y} is outside the {width}x{height} photo "
                f"(x must be in 0..{width - 1}, y in 0..{height - 1})"
            )

    def cell(self, shape: tuple[int, int], small: tuple[int, int]) -> tuple[int, int]:
        """(row, col) of the hint in a ``small`` = (h, w) grid over a photo of ``shape``."""
        row = min(small[0] - 1, self.y * small[0] // shape[0])
        col = min(small[1] - 1, self.x * small[1] // shape[1])
        return row, col

    def to_dict(self) -> dict[str, object]:
        return {"x": self.x, "y": self.y, "rgb": list(self.rgb)}


@dataclass(frozen=True)
class SegmentColour:
    """Pin one segment (by id) or every segment of a class to a colour.

    Attributes
    ----------
    target : int or str
        A segment id (>= 1) or a class name (COCO name or plain alias: ``shirt`` is
        not one, ``person`` is; see ``panocolor classes``).
    rgb : tuple of 3 int
        sRGB colour in [0, 255]; only its hue and saturation are used.
    flat : bool
        True: one hue and saturation over the whole segment. False (default): the
        segment keeps the reference's chroma variation (stronger and weaker
        colour where the reference had it), around the pinned colour.
    """

    target: int | str
    rgb: RGB
    flat: bool = False

    def __post_init__(self) -> None:
        target = self.target
        if isinstance(target, (bool, np.bool_)):
            raise HintError(f"segment colour target must be an id or a class, got {target!r}")
        if isinstance(target, Integral):
            if int(target) < 1:
                raise HintError(f"segment ids start at 1, got {target}")
            object.__setattr__(self, "target", int(target))
        elif not isinstance(target, str) or not target.strip():
            raise HintError(f"segment colour target must be an id or a class, got {target!r}")
        else:
            object.__setattr__(self, "target", target.strip())
        object.__setattr__(self, "rgb", check_rgb(self.rgb, "segment colour"))


def check_scribbles(scribbles: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Validate an RGBA scribble image for a photo of ``shape`` = (H, W).

    Parameters
    ----------
    scribbles : (H, W, 4) uint8 ndarray
        Colour where the user painted, alpha 0 (transparent) elsewhere.
    shape : (H, W) tuple of int
        The photo's size.

    Returns
    -------
    scribbles : (H, W, 4) uint8 ndarray
        The same array.

    Raises
    ------
    HintError
        If it is not RGBA uint8 or not the photo's size.
    """
    array = np.asarray(scribbles)
    if array.ndim != 3 or array.shape[2] != 4:
        raise HintError(
            f"scribbles must be an RGBA image (H, W, 4) with transparency, got shape {array.shape}"
        )
    if array.dtype != np.uint8:
        raise HintError(f"scribbles must be 8-bit RGBA, got {array.dtype}")
    if array.shape[:2] != tuple(shape):
        raise HintError(
            f"scribbles are {array.shape[1]}x{array.shape[0]} but the photo is "
            f"{shape[1]}x{shape[0]}: paint them on a canvas the photo's size"
        )
    return array


@dataclass(frozen=True)
class Spread:
    """How far hints reach (see :mod:`panocolor.hints.spread`).

    Attributes
    ----------
    smoothness : float
        Lambda of the edge-aware smoother for the reach, at the working size: larger
        reaches farther.
    colour_smoothness : float
        Its lambda for the hints' colours: smaller keeps each hint's colour to the
        pixels nearest to it along the photo when several share a surface.
    sigma : float
        Lightness step (guide levels, 2.55 per L*) at which spreading mostly stops.
    gain : float
        Reach is 1 where the spread confidence is at least ``1 / gain`` of a lone
        hint's at its centre, fading below.
    cutoff : float
        Reach below this fraction counts as none (the smoother's faint, long tail).
    agree : (float, float)
        a*b* distances between a hint's colour and the reference's there: below the
        first the reference's colours around the hint are kept, shifted by the
        difference (a correction of their tone that keeps their texture), above the
        second the hint's colour replaces them (the reference was wrong there),
        linear between.
    segment_reach : float
        With a segmentation: the least reach over the whole segment a hint falls on
        (:func:`~panocolor.hints.spread.fill_segments`). This is what makes hints pay
        on pairs of different photos and what costs on self-references: per-object
        fast mode with 10 hints (Zhang et al. protocol), ΔE00 on the 32 COCO pairs /
        every other of the 76 photos (self), no hints 12.59 / 3.97: as is 8.01 / 4.50;
        0 (no fill) 10.29 / 3.96; filled only as much as the hint disagrees with the
        reference 8.32 / 4.21; only the pixels coloured like the hint's spot 8.64 /
        4.27; filled by shifting the reference's chroma rather than replacing it
        8.76 / 4.42 (stuff probe as the segmenter's default, one region pair per group
        of segments; one run each).
    segment_barriers : bool
        With a segmentation: hints do not spread across segment borders.
    likeness : float
        a*b* scale of "coloured alike" for ``segment_reach``: the segment's pixels the
        reference coloured this much unlike the hint's spot are reached ``e^-1/2`` as
        much.
    confident : (float, float)
        A segment the transfer matched with confidence below the first is filled as
        ``segment_reach`` says, above the second not at all, linearly between (the
        transfer's median segment confidence is 0.20 on pairs of different photos,
        0.53 on self-references). ΔE00 with 10 hints as above (32 pairs / 38 self):
        no gate 7.96 / 4.51, (0.35, 0.6) 8.35 / 4.04, (0.45, 0.6) 8.18 / 4.08,
        (0, 0.5) 9.41 / 3.98; no hints 12.58 / 3.99 (anchored region colours).
    """

    smoothness: float = 300.0
    colour_smoothness: float = 300.0
    sigma: float = 4.0
    gain: float = 4.0
    cutoff: float = 0.1
    agree: tuple[float, float] = (6.0, 15.0)
    segment_reach: float = 1.0
    segment_barriers: bool = True
    likeness: float = 8.0
    confident: tuple[float, float] = (0.45, 0.6)
