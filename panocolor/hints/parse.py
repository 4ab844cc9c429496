"""The text spellings of hints (CLI, batch CSV): ``X,Y=#RRGGBB`` and ``CLASS_OR_ID=#RRGGBB``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from panocolor.hints.types import Hint, HintError, SegmentColour, check_scribbles

_HEX = re.compile(r"#?([0-9a-fA-F]{6})")


def parse_colour(text: str) -> tuple[int, int, int]:
    """``"#RRGGBB"`` (or ``RRGGBB``) -> ``(R, G, B)``; :class:`HintError` otherwise.

    Examples
    --------
    >>> parse_colour("#ff8000")
    (255, 128, 0)
    """
    match = _HEX.fullmatch(text.strip())
    if match is None:
        raise HintError(f"colour must be #RRGGBB (six hex digits), got {text.strip()!r}")
    value = int(match.group(1), 16)
    return (value >> 16, (value >> 8) & 255, value & 255)


def parse_hint(text: str) -> Hint:
    """``"X,Y=#RRGGBB"`` -> :class:`Hint` (X column, Y row of the full-size photo).

    Examples
    --------
    >>> parse_hint("120,45=#1f3a93")
    Hint(x=120, y=45, rgb=(31, 58, 147))
    """
    where, sep, colour = text.partition("=")
    parts = where.split(",")
    if not sep or len(parts) != 2:
        raise HintError(f"a hint is X,Y=#RRGGBB (e.g. 120,45=#1f3a93), got {text!r}")
    try:
        x, y = (int(part.strip()) for part in parts)
    except ValueError:
        raise HintError(f"hint position must be two whole numbers X,Y, got {where!r}") from None
    return Hint(x, y, parse_colour(colour))


def parse_hint_list(text: str) -> list[Hint]:
    """A JSON list of point hints (the batch CSV's ``hints`` column) -> list of :class:`Hint`.

    Each item is either the CLI spelling ``"X,Y=#RRGGBB"`` or an object
    ``{"x": X, "y": Y, "colour": "#RRGGBB"}`` as the web app's JSON API takes.

    Raises
    ------
    HintError
        Not JSON, not a list, or an item that is not a hint.

    Examples
    --------
    >>> parse_hint_list('["10,20=#ff0000", {"x": 5, "y": 6, "colour": "#0000ff"}]')
    [Hint(x=10, y=20, rgb=(255, 0, 0)), Hint(x=5, y=6, rgb=(0, 0, 255))]
    """
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise HintError(f'hints must be a JSON list, e.g. ["120,45=#1f3a93"]: {error}') from None
    if not isinstance(items, list):
        raise HintError(f"hints must be a JSON list, got {type(items).__name__}")
    hints = []
    for item in items:
        if isinstance(item, str):
            hints.append(parse_hint(item))
        elif isinstance(item, dict) and set(item) == {"x", "y", "colour"}:
            if not isinstance(item["colour"], str):
                raise HintError(f"hint colour must be #RRGGBB, got {item['colour']!r}")
            hints.append(Hint(item["x"], item["y"], parse_colour(item["colour"])))
        else:
            spellings = '"X,Y=#RRGGBB" or {"x": X, "y": Y, "colour": "#RRGGBB"}'
            raise HintError(f"each hint is {spellings}, got {item!r}")
    return hints


def spell_hint(hint: Hint) -> str:
    """:class:`Hint` -> ``"X,Y=#RRGGBB"`` (what :func:`parse_hint` reads).

    Examples
    --------
    >>> spell_hint(Hint(120, 45, (31, 58, 147)))
    '120,45=#1f3a93'
    """
    red, green, blue = hint.rgb
    return f"{hint.x},{hint.y}=#{red:02x}{green:02x}{blue:02x}"


def parse_segment_colour(text: str, *, flat: bool = False) -> SegmentColour:
    """``"CLASS_OR_ID=#RRGGBB"`` -> :class:`SegmentColour` (digits: a segment id).

    Examples
    --------
    >>> parse_segment_colour("car=#c00000")
    SegmentColour(target='car', rgb=(192, 0, 0), flat=False)
    >>> parse_segment_colour("3=#00ff00", flat=True).target
    3
    """
    target, sep, colour = text.partition("=")
    if not sep or not target.strip():
        raise HintError(f"a segment colour is CLASS_OR_ID=#RRGGBB (e.g. car=#c00000), got {text!r}")
    name = target.strip()
    return SegmentColour(int(name) if name.isdigit() else name, parse_colour(colour), flat)


def read_scribbles(path: str | Path, shape: tuple[int, int] | None = None) -> np.ndarray:
    """Read a scribble image (a PNG with transparency) as (H, W, 4) uint8 RGBA.

    Read through :mod:`panocolor.io` (EXIF orientation applied, any format it reads).

    Parameters
    ----------
    path : path
        The file; transparent where there is no hint.
    shape : (H, W), optional
        The photo's size, checked when given.

    Raises
    ------
    ImageReadError
        If the file cannot be read.
    HintError
        If it has no transparency (every pixel would be a hint) or the wrong size.
    """
    from panocolor.io.decode import decode
    from panocolor.io.read import DEFAULT_MAX_PIXELS

    decoded = decode(path, DEFAULT_MAX_PIXELS)
    if decoded.alpha is None or decoded.own is None:
        raise HintError(
            f"scribbles {path} have no transparent pixels: paint the hints on a transparent "
            "canvas (PNG with alpha)"
        )
    own = decoded.own if decoded.own.ndim == 3 else np.dstack([decoded.own] * 3)
    rgba = np.dstack([own, decoded.alpha])
    rgba = np.rint(np.clip(rgba, 0.0, 1.0) * 255).astype(np.uint8)
    return rgba if shape is None else check_scribbles(rgba, shape)
