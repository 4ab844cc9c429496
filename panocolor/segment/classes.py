"""Class vocabularies: COCO panoptic categories and how the models' classes map onto them.

The mapping is data (``data/class_map.json``): for each Pascal VOC or Cityscapes class
the models know, a list of COCO panoptic category ids. The first is the category
its segments get; the others only count as the same class in evaluation (Cityscapes
"terrain" is COCO grass, dirt, sand or playingfield).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

MODELS = ("voc", "cityscapes")


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
