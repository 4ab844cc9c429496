"""Colour hints: the user says "this coat was red", and the colour follows the object.

Point hints (:class:`Hint`), scribbles (an RGBA image, transparent where there is no
hint) and pinned segments (:class:`SegmentColour`) fix hue and saturation, never
lightness; :func:`apply_hints` spreads them edge-aware over the gray photo and lays
them over the chroma a reference gave (or over gray, without a reference).
"""

from panocolor.hints.apply import Guidance, Spread, apply_hints, make_guidance
from panocolor.hints.chroma import chroma_at, relative_chroma
from panocolor.hints.parse import (
    parse_colour,
    parse_hint,
    parse_hint_list,
    parse_segment_colour,
    read_scribbles,
    spell_hint,
)
from panocolor.hints.types import Hint, HintError, SegmentColour, check_rgb, check_scribbles

__all__ = [
    "Guidance",
    "Hint",
    "HintError",
    "SegmentColour",
    "Spread",
    "apply_hints",
    "check_rgb",
    "check_scribbles",
    "chroma_at",
    "make_guidance",
    "parse_colour",
    "parse_hint",
    "parse_hint_list",
    "parse_segment_colour",
    "read_scribbles",
    "relative_chroma",
    "spell_hint",
]
