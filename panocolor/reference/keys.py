"""How a reference plan names its images: :class:`ImageKey` and its spellings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Literal, get_args

ImageKind = Literal[
    "reference",  # the one reference photo (-r)
    "class",  # the user's photo for one class (--ref CLASS=PATH)
    "segment",  # the photo chosen for one target segment (web app swaps)
    "gallery",  # a gallery photo, named by its path
]
IMAGE_KINDS: tuple[ImageKind, ...] = get_args(ImageKind)
_PREFIXED = ("class", "segment")  # the kinds spelled ``kind:value``


@dataclass(frozen=True)
class ImageKey:
    """Names a :class:`ReferenceImage` inside a plan.

    ``str(key)`` is the key's spelling in explain output, batch manifests and the web
    app's JSON: ``reference``, ``class:sky``, ``segment:3``, or a gallery photo's path.
    Different keys are spelled differently: a gallery path that would read as another
    kind of key is refused.

    Attributes
    ----------
    kind : ImageKind
        What kind of image it is.
    value : str
        The class name, segment id or gallery path ("" for the reference). A segment id
        may be given as an int.

    Raises
    ------
    ValueError
        If the value does not fit the kind: a class or gallery value empty or with
        surrounding blanks, a segment id that is not a non-negative integer without
        leading zeros, a gallery path without a file suffix or a folder in it.
    """

    kind: ImageKind
    value: str = ""

    def __post_init__(self) -> None:
        value = self.value
        if self.kind == "segment" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
            object.__setattr__(self, "value", value)
        if not isinstance(value, str):
            raise ValueError(f"image key value must be a str, got {value!r}")
        problem = _key_problem(self.kind, value)
        if problem:
            raise ValueError(f"bad image key {self.kind}={value!r}: {problem}")

    @classmethod
    def reference(cls) -> ImageKey:
        return cls("reference")

    @classmethod
    def of_class(cls, label: str) -> ImageKey:
        return cls("class", label)

    @classmethod
    def of_segment(cls, segment_id: int) -> ImageKey:
        return cls("segment", str(segment_id))

    @classmethod
    def of_gallery(cls, path: str | Path) -> ImageKey:
        return cls("gallery", str(path))

    def __str__(self) -> str:
        if self.kind == "reference":
            return "reference"
        if self.kind == "gallery":
            return self.value
        return f"{self.kind}:{self.value}"


def check_key(key: object) -> None:
    """Raise :class:`TypeError` unless ``key`` is an :class:`ImageKey`."""
    if not isinstance(key, ImageKey):
        raise TypeError(f"plan images are named by an ImageKey, got {key!r}")


def _key_problem(kind: str, value: str) -> str | None:
    """Why ``value`` cannot be a ``kind`` key (None when it can)."""
    if kind not in IMAGE_KINDS:
        return f"unknown kind (expected one of {', '.join(IMAGE_KINDS)})"
    if kind == "reference":
        return "the reference key has no value" if value else None
    if not value or value != value.strip():
        return "the value is empty or has surrounding blanks"
    if kind == "segment" and not (value.isascii() and value.isdigit() and str(int(value)) == value):
        return "a segment id is a non-negative integer without leading zeros"
    if kind == "gallery":
        path = PurePath(value)
        if value == "reference" or value.partition(":")[0] in _PREFIXED:
            return "a gallery path would read back as another kind of key"
        if not path.suffix and len(path.parts) < 2:
            return "a gallery path needs a file suffix or a folder in it"
    return None
