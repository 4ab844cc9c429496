"""The colour-transfer stage: a protocol, its registry and the factory.

A transfer backend receives the target's lightness and a colour reference and
returns the chroma (a*, b*) the target should get. It never returns lightness:
panocolor keeps the input's L* exactly, so only chroma travels between stages.

Both sides may be restricted to a region (used by per-object colorization): only
``reference_mask`` pixels are drawn from, and only ``target_mask`` pixels need
chroma (others may be left at 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np

from panocolor.defaults import DEFAULT_TRANSFER
from panocolor.registry import Registry


@runtime_checkable
class ColorTransfer(Protocol):
    """Contract of every transfer backend.

    ``__call__(lightness, reference_lab, *, target_mask=None, reference_mask=None)``

    Parameters
    ----------
    lightness : (H, W) float32 ndarray
        Target L* in [0, 100].
    reference_lab : (h, w, 3) float32 ndarray
        Reference CIELAB.
    target_mask : (H, W) bool ndarray, optional
        Pixels that need chroma (default: all).
    reference_mask : (h, w) bool ndarray, optional
        Reference pixels to draw colour from (default: all); must not be empty.

    Returns
    -------
    ab : (H, W, 2) float32 ndarray
        a*, b* for the target; same height and width as ``lightness``.
    """

    name: str

    def __call__(
        self,
        lightness: np.ndarray,
        reference_lab: np.ndarray,
        *,
        target_mask: np.ndarray | None = None,
        reference_mask: np.ndarray | None = None,
    ) -> np.ndarray: ...


TRANSFERS: Registry[ColorTransfer] = Registry("transfer", ColorTransfer)
"""Colour transfer backends by name; each entry is a class taking keyword options."""


def build_transfer(name: str = DEFAULT_TRANSFER, **options: object) -> ColorTransfer:
    """Instantiate the transfer backend registered as ``name`` with ``options``.

    Raises
    ------
    UnknownBackendError
        If ``name`` is not registered (the message lists the known names).
    PanocolorError
        If an option is not one the backend takes.
    """
    return TRANSFERS.build(name, **options)


class TransferInputs(NamedTuple):
    """What :func:`check_inputs` hands a backend: validated float32 arrays.

    Attributes
    ----------
    lightness : (H, W) float32 ndarray
        Target L* in [0, 100].
    reference_lab : (h, w, 3) float32 ndarray
        The whole reference.
    target_mask : (H, W) bool ndarray or None
        Target pixels that need chroma (None: all).
    reference_mask : (h, w) bool ndarray or None
        Reference pixels to draw colour from (None: all).
    reference_pixels : (N, 3) float32 ndarray
        The CIELAB of those pixels (N >= 1).
    """

    lightness: np.ndarray
    reference_lab: np.ndarray
    target_mask: np.ndarray | None
    reference_mask: np.ndarray | None
    reference_pixels: np.ndarray


def check_inputs(
    lightness: np.ndarray,
    reference_lab: np.ndarray,
    target_mask: np.ndarray | None,
    reference_mask: np.ndarray | None,
) -> TransferInputs:
    """Validate the shapes of a transfer call and convert its arrays to float32.

    Raises
    ------
    ValueError
        If a shape is wrong, a mask differs in size from its image, or
        ``reference_mask`` selects no pixel.
    """
    lightness = np.asarray(lightness, dtype=np.float32)
    reference_lab = np.asarray(reference_lab, dtype=np.float32)
    if lightness.ndim != 2:
        raise ValueError(f"lightness must be (H, W), got shape {lightness.shape}")
    if reference_lab.ndim != 3 or reference_lab.shape[2] != 3:
        raise ValueError(f"reference_lab must be (h, w, 3), got shape {reference_lab.shape}")
    if target_mask is not None and target_mask.shape != lightness.shape:
        raise ValueError(
            f"target_mask shape {target_mask.shape} differs from lightness {lightness.shape}"
        )
    if reference_mask is None:
        ref_pixels = reference_lab.reshape(-1, 3)
    else:
        if reference_mask.shape != reference_lab.shape[:2]:
            raise ValueError(
                f"reference_mask shape {reference_mask.shape} differs from "
                f"reference {reference_lab.shape[:2]}"
            )
        ref_pixels = reference_lab[reference_mask]
    if len(ref_pixels) == 0:
        raise ValueError("reference_mask selects no reference pixel")
    return TransferInputs(lightness, reference_lab, target_mask, reference_mask, ref_pixels)


class MaskedTransfer:
    """Base of the backends: the :class:`ColorTransfer` call around one :meth:`chroma`.

    ``__call__`` checks the inputs (:func:`check_inputs`), asks :meth:`chroma` for the
    target's a*b*, and sets them to 0 outside ``target_mask``; a backend writes only
    :meth:`chroma` (and its ``name``).
    """

    name: str

    def __call__(
        self,
        lightness: np.ndarray,
        reference_lab: np.ndarray,
        *,
        target_mask: np.ndarray | None = None,
        reference_mask: np.ndarray | None = None,
    ) -> np.ndarray:
        inputs = check_inputs(lightness, reference_lab, target_mask, reference_mask)
        ab = self.chroma(inputs)
        if inputs.target_mask is not None:
            ab[~inputs.target_mask] = 0.0
        return ab

    def chroma(self, inputs: TransferInputs) -> np.ndarray:
        """(H, W, 2) float32 a*b* for every target pixel of ``inputs``.

        A new, writable array: the caller zeroes it outside the target mask.
        """
        raise NotImplementedError


@dataclass(frozen=True)
class RegionPair:
    """One target region to colour from one reference region.

    Attributes
    ----------
    target : (H, W) bool ndarray or None
        Target pixels that need chroma (None: all).
    reference : (h, w) bool ndarray or None
        Reference pixels to draw colour from (None: all).
    lightness_from : (H, W) bool ndarray or None
        Target pixels whose L* mean and spread the reference region is remapped to
        before matching (the object itself, without a blending margin). Used only
        with a ``reference`` region: a whole reference is already matched to the
        whole target. None: no per-region remap.
    strict : bool
        Whether the reference region is a hard limit. By default it is a preference
        (see :class:`RegionMatcher`): the segmenter may have named the target region
        wrongly. A label the user gave, a reference the user chose for the segment,
        or a ``reference_mask`` is kept to.
    """

    target: np.ndarray | None = None
    reference: np.ndarray | None = None
    lightness_from: np.ndarray | None = None
    strict: bool = False


class MatchedChroma(NamedTuple):
    """Chroma matched at working size, with how far each pixel's match can be trusted.

    Attributes
    ----------
    ab : (h, w, 2) float32 ndarray
        Matched a*, b*.
    confidence : (h, w) float32 ndarray
        Per-pixel confidence in [0, 1] (0: no estimate).
    """

    ab: np.ndarray
    confidence: np.ndarray


@dataclass(frozen=True, eq=False)
class RegionParts:
    """A region pair split into parts that mean the same thing on both sides.

    Parts are clusters of the semantic descriptors of the target region and the
    reference region together (a face, a coat, hair); a part present on one side only
    is dropped. Per-object compositing anchors each part of a weakly matched segment to
    its reference part's colour (:func:`~panocolor.composite.anchor.anchor_parts`).

    Attributes
    ----------
    membership : (h, w, K) float32 ndarray
        Soft membership of every working-size target pixel in each kept part (rows
        sum to at most 1: the share of dropped parts is left out).
    reference_ab : (K, 2) float32 ndarray
        Mean a*b* of each part's reference pixels.
    """

    membership: np.ndarray
    reference_ab: np.ndarray


@runtime_checkable
class RegionMatcher(Protocol):
    """Optional capability of a backend: answer many region pairs in one pass.

    Per-object colorization uses it, when a backend has it, to pay about one transfer
    whatever the number of segments. ``match_regions`` returns unrefined chroma and
    its confidence at the backend's working size for each :class:`RegionPair`, and
    ``refine`` propagates each region's chroma from its confident pixels. Unlike
    ``reference_mask``, a pair's reference region is a preference unless the pair is
    ``strict``: a backend may draw from the rest of the reference where that matches
    much better (a segment given the wrong class).
    """

    working_pixels: int

    def match_regions(
        self, lightness: np.ndarray, reference_lab: np.ndarray, regions: Sequence[RegionPair]
    ) -> list[MatchedChroma]: ...

    def refine(
        self, small_l: np.ndarray, small_ab: np.ndarray, confidence: np.ndarray | None = None
    ) -> np.ndarray: ...

    def region_parts(
        self, lightness: np.ndarray, reference_lab: np.ndarray, pair: RegionPair
    ) -> RegionParts | None: ...
