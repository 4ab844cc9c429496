"""The colorization methods an evaluation compares, built by name.

A *method* is any callable ``(Sample) -> Colorized``: it colorizes ``sample.gray``
and may use ``sample.reference`` (and, for methods that bring their own
segmentation, ``sample.truth_segmentation``). Methods are built by name: names in
:data:`METHODS` map to factories (so a method can load its models once per run), and
every transfer backend in :data:`panocolor.transfer.TRANSFERS` is a single-reference
method too (``photoreal-texture``: ``photoreal`` without the semantic descriptors,
matching on lightness and texture as before issue 12). Per-object methods:

- ``perobject-fast`` / ``perobject-faithful``: the product's default pipeline
  (``deeplab`` segments of the gray photo and of the reference);
- ``perobject-fast-truth`` / ``perobject-faithful-truth``: the same with the true
  panoptic segmentations of target and reference (the ``panoptic-file`` use case);
- ``perobject-fast-heldout`` / ``perobject-faithful-heldout``: deeplab segments whose
  stuff probe never saw the sample's photos (:mod:`panocolor.evaluate.heldout`), for
  figures on the COCO photos the shipped probe was trained on.

The floors ``gray`` (no colour at all) and ``reinhard`` (one global tint) are run
in every evaluation so that every number has something to be compared with.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from panocolor.errors import PanocolorError, UnknownBackendError
from panocolor.evaluate.heldout import heldout_method
from panocolor.evaluate.protocols import Sample
from panocolor.pipeline import Colorized, Colorizer, Settings
from panocolor.registry import Registry
from panocolor.transfer import TRANSFERS, build_transfer

Method = Callable[[Sample], Colorized]
MethodFactory = Callable[[], Method]

METHODS: Registry[MethodFactory] = Registry("evaluation method")
FLOORS: tuple[str, ...] = ("gray", "reinhard")


@dataclass(frozen=True)
class _NoChroma:
    """A transfer backend that gives every pixel a* = b* = 0."""

    name: str = "gray"

    def __call__(self, lightness: np.ndarray, reference_lab: np.ndarray, **_: object) -> np.ndarray:
        return np.zeros(np.shape(lightness) + (2,), np.float32)


def _single_reference(transfer) -> Method:  # noqa: ANN001
    colorizer = Colorizer(Settings(segmenter="none"), transfer=transfer)
    return lambda sample: colorizer(sample.gray, sample.reference)


@METHODS.register("gray")
def _gray_floor() -> Method:
    """The floor: the gray input itself, written as RGB."""
    return _single_reference(_NoChroma())


@METHODS.register("photoreal-texture")
def _photoreal_texture() -> Method:
    """Single-reference photoreal matching on lightness and texture only (no descriptors)."""
    from panocolor.transfer.photoreal import PhotorealTransfer

    return _single_reference(PhotorealTransfer(semantic_weight=0.0, name="photoreal-texture"))


def _perobject(mode: str, use_truth: bool) -> Method:
    if not use_truth:
        colorizer = Colorizer(Settings(segmenter="deeplab", mode=mode))
        return lambda sample: colorizer(sample.gray, sample.reference)
    colorizer = Colorizer(Settings(segmenter="none", mode=mode))

    def with_true_segments(sample: Sample) -> Colorized:
        if sample.truth_segmentation is None or sample.reference_segmentation is None:
            raise PanocolorError(f"{sample.spec.name}: no true segmentation in the data set")
        return colorizer(
            sample.gray,
            sample.reference,
            segmentation=sample.truth_segmentation,
            reference_segmentation=sample.reference_segmentation,
        )

    return with_true_segments


for _mode in ("fast", "faithful"):
    METHODS.register(f"perobject-{_mode}")(functools.partial(_perobject, _mode, False))
    METHODS.register(f"perobject-{_mode}-truth")(functools.partial(_perobject, _mode, True))
    METHODS.register(f"perobject-{_mode}-heldout")(functools.partial(heldout_method, _mode))


def method_names() -> list[str]:
    """Every method name :func:`build_method` accepts, sorted."""
    return sorted(set(METHODS.names()) | set(TRANSFERS.names()))


def build_method(name: str, shared: dict | None = None) -> Method:
    """Build the method called ``name`` (a :data:`METHODS` entry or a transfer backend).

    ``BASE+hN`` names are BASE given N hints from the truth
    (:mod:`panocolor.evaluate.hints`); those built with the same ``shared`` dict
    compute each BASE output once.

    Raises
    ------
    UnknownBackendError
        If ``name`` is neither; the message lists the known names.
    """
    from panocolor.evaluate.hints import build_hinted, parse_hinted_name

    if parse_hinted_name(name) is not None:
        return build_hinted(name, build_method, {} if shared is None else shared)  # type: ignore[return-value]
    if name in METHODS:
        return METHODS.get(name)()
    if name in TRANSFERS:
        return _single_reference(build_transfer(name))
    raise UnknownBackendError(
        f"unknown method {name!r}; choose one of: {', '.join(method_names())}"
    )


def with_floors(methods: Sequence[str]) -> list[str]:
    """``methods`` behind the floors, without duplicates, in order."""
    return list(dict.fromkeys([*FLOORS, *methods]))
