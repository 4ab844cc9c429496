"""Typical colours of stuff: the anchor of a segment whose class no reference shows.

A segment whose class the reference lacks (trees, when the reference is a room) takes
colour from the whole reference (reason ``whole-reference``), and its weak matches draw
whatever the reference has: the trees behind a crowd come out as red as the flag in
the reference. A :class:`StuffPalette` gives such a segment the typical colour of its
class instead, as an anchor: per-object compositing moves a weakly matched segment's
mean chroma towards it as it does towards a reference region's mean
(:func:`~panocolor.composite.anchor.anchor_to_region`), so the texture of the matches
is kept and a confident match is left alone.

The shipped palette (``data/stuff_palette.json``) is the mean a*b* of each stuff
group's pixels in the COCO panoptic truth of the development set's 31 photos
(:mod:`panocolor.evaluate.train_palette` reproduces it); the groups are those the
stuff probe names (:data:`~panocolor.segment.stuff.GROUPS`), under the label their
segments get. Things (people, cars) have no typical colour and get none.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from panocolor.reference.base import ReferenceChoice

DEFAULT = "data/stuff_palette.json"


@dataclass(frozen=True)
class StuffPalette:
    """Class label -> typical a*b*.

    Attributes
    ----------
    chroma : mapping of str to (float, float)
        Mean CIELAB a*, b* per segment label (e.g. ``"tree-merged"``).
    """

    chroma: Mapping[str, tuple[float, float]]

    def colour(self, label: str) -> np.ndarray | None:
        """(2,) float32 a*b* of ``label``; None for a class without a typical colour."""
        found = self.chroma.get(label)
        return None if found is None else np.asarray(found, np.float32)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write as JSON (labels sorted, a*b* rounded to 0.01)."""
        rounded = {k: [round(float(v), 2) for v in ab] for k, ab in sorted(self.chroma.items())}
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(rounded, handle, indent=1)
            handle.write("\n")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> StuffPalette:
        """Read a palette written by :meth:`save`."""
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return cls({str(k): (float(a), float(b)) for k, (a, b) in data.items()})


@cache
def default_palette() -> StuffPalette:
    """The palette shipped with the package (from the 31 development COCO photos)."""
    with resources.as_file(resources.files("panocolor.reference").joinpath(DEFAULT)) as path:
        return StuffPalette.load(path)


def segment_anchor(
    region_ab: np.ndarray | None,
    choice: ReferenceChoice,
    label: str,
    palette: StuffPalette | None,
) -> np.ndarray | None:
    """The colour a weakly matched segment is anchored to.

    Its reference region's mean a*b* (``region_ab``,
    :attr:`~panocolor.reference.base.RegionGroup.mean_chroma`); for a segment whose
    class no reference shows (``choice.reason`` ``whole-reference``), the typical colour
    of its class in ``palette``, so that trees matched against a room come out near
    green rather than in whatever the room holds. None: no anchor.
    """
    if region_ab is not None or palette is None or choice.reason != "whole-reference":
        return region_ab
    return palette.colour(label)
