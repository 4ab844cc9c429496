"""Class vocabularies: COCO panoptic categories and how the models' classes map onto them.

The mapping is data (``data/class_map.json``): for each Pascal VOC or Cityscapes class
the models know, a list of COCO panoptic category ids. The first is the category
its segments get; the others only count as the same class in evaluation (Cityscapes
"terrain" is COCO grass, dirt, sand or playingfield).

Users name classes in plain words (``--ref sky=...``): :data:`CLASS_ALIASES` maps those
onto the COCO names segments carry, and :func:`resolve_class` accepts either.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from panocolor.errors import PanocolorError

MODELS = ("voc", "cityscapes")


class UnknownClassError(PanocolorError, ValueError):
    """A class name given by a user is neither a COCO panoptic name nor an alias of one."""


@dataclass(frozen=True)
class Category:
    """A COCO panoptic category."""

    id: int
    name: str
    is_thing: bool


@cache
def _data() -> dict[str, Any]:
    text = resources.files("panocolor.segment").joinpath("data/class_map.json").read_text("utf-8")
    return json.loads(text)


@cache
def coco_categories() -> dict[int, Category]:
    """The 133 COCO panoptic categories by id."""
    return {i: Category(i, name, bool(thing)) for i, name, thing in _data()["coco_categories"]}


def model_labels(model: str) -> tuple[str, ...]:
    """Class names of ``model`` ("voc" or "cityscapes") in output-id order."""
    return tuple(_data()["models"][_check(model)]["labels"])


def model_classes(model: str) -> dict[str, tuple[int, ...]]:
    """The classes of ``model`` that map to COCO: name -> COCO ids (first = assigned)."""
    return {k: tuple(v) for k, v in _data()["models"][_check(model)]["classes"].items()}


@cache
def known_categories() -> dict[int, int]:
    """COCO id -> the COCO id assigned to the model class that covers it.

    These are the categories the models know; evaluation compares classes through
    this table (a true "table-merged" pixel predicted "dining table" is right).
    """
    table: dict[int, int] = {}
    for model in MODELS:
        for ids in model_classes(model).values():
            for i in ids:
                table[i] = ids[0]
    return table


def _check(model: str) -> str:
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    return model


# ---------------------------------------------------------------- names users type

CLASS_ALIASES: dict[str, str] = {
    # stuff the deeplab segmenter finds (Cityscapes classes and their COCO names)
    "clouds": "sky-other-merged",
    "trees": "tree-merged",
    "vegetation": "tree-merged",
    "foliage": "tree-merged",
    "bush": "tree-merged",
    "lawn": "grass-merged",
    "terrain": "grass-merged",
    "buildings": "building-other-merged",
    "street": "road",
    "sidewalk": "pavement-merged",
    # Pascal VOC spellings and plain words for things
    "people": "person",
    "man": "person",
    "woman": "person",
    "child": "person",
    "face": "person",
    "aeroplane": "airplane",
    "plane": "airplane",
    "bike": "bicycle",
    "motorbike": "motorcycle",
    "sofa": "couch",
    "tvmonitor": "tv",
    "television": "tv",
    "pottedplant": "potted plant",
    "plant": "potted plant",
    "diningtable": "dining table",
    "table": "dining table",
    "cars": "car",
    # other COCO stuff (found by --segmenter panoptic-file or hf)
    "lake": "water-other",
    "ocean": "sea",
    "mountains": "mountain-merged",
    "hill": "mountain-merged",
    "rocks": "rock-merged",
    "stone": "rock-merged",
    "ground": "dirt-merged",
}
"""Plain names users type (``--ref sky=...``) -> the COCO panoptic name segments carry.

A COCO name made of a word and qualifiers only (``-merged``, ``-other``, ``-stuff``) is
also reached by that word (``mountain`` -> ``mountain-merged``, ``water`` ->
``water-other``), unless this table says otherwise; ``panocolor classes`` lists them all.
"""

_QUALIFIERS = ("-merged", "-other", "-stuff")
_UNKNOWN = re.compile(r"unknown-[1-9][0-9]*")


@cache
def class_aliases() -> dict[str, str]:
    """Every accepted alias -> COCO name: :data:`CLASS_ALIASES` plus the qualifier stems."""
    names = {category.name for category in coco_categories().values()}
    aliases: dict[str, str] = {}
    for name in sorted(names):
        stem, *rest = name.split("-")
        if rest and all(f"-{word}" in _QUALIFIERS for word in rest) and stem not in names:
            aliases[stem] = name
    aliases.update(CLASS_ALIASES)
    unknown = sorted(set(aliases.values()) - names)
    if unknown:  # the table is data; a typo there must not pass silently
        raise ValueError(f"aliases point at names that are not COCO categories: {unknown}")
    return aliases


def resolve_class(name: str) -> str:
    """The segment label a class name given by a user stands for.

    Parameters
    ----------
    name : str
        A COCO panoptic name (``sky-other-merged``), an alias (``sky``, ``vegetation``,
        ``people``; letter case, spaces and ``_`` do not matter) or ``unknown-k``.

    Returns
    -------
    label : str
        The COCO name (or ``unknown-k``).

    Raises
    ------
    UnknownClassError
        If ``name`` is neither; the message suggests close names.

    Examples
    --------
    >>> resolve_class("Sky"), resolve_class("vegetation"), resolve_class("dining_table")
    ('sky-other-merged', 'tree-merged', 'dining table')
    """
    key = " ".join(name.strip().lower().replace("_", " ").split())
    names = {category.name for category in coco_categories().values()}
    if key in names or _UNKNOWN.fullmatch(key):
        return key
    aliases = class_aliases()
    if key in aliases:
        return aliases[key]
    close = difflib.get_close_matches(key, sorted(names | set(aliases)), n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    raise UnknownClassError(
        f"unknown class {name!r}; {hint}`panocolor classes` lists the class names"
    )
