"""A segment's colour anchored to its reference region's where its matches are weak.

Matching gives each target pixel the chroma of the reference pixels that look like it.
When a segment has few look-alikes in its reference region (a different photo of the
same kind of object), its matches are weak and their chroma is little more than a
draw of some of the region's pixels: the segment's mean colour then drifts from the
object's colour in the reference (a red bus coming out orange). Where the matches are
weak, :func:`anchor_to_region` moves the segment's mean chroma towards the region's
mean; where they are strong (a reference of the same scene), it leaves them alone.
:func:`anchor_parts` does the same part by part (a face towards the reference's face,
a coat towards its coat: :mod:`panocolor.transfer.parts`).
"""

from __future__ import annotations

import numpy as np

from panocolor.transfer.base import RegionMatcher, RegionPair, RegionParts

# Mean match confidence at which anchoring stops. Segments matched in a photo of the same
# scene (self protocol, 31 COCO photos, true segments) have a median confidence of 0.53,
# those matched in a photo of another scene (32 COCO pairs) 0.20.
CONFIDENT = 0.5


def region_chroma(reference_lab: np.ndarray, region: np.ndarray | None) -> np.ndarray | None:
    """Mean a*b* of a reference region.

    Parameters
    ----------
    reference_lab : (h, w, 3) float ndarray
        The reference in CIELAB.
    region : (h, w) bool ndarray or None
        The region's pixels; None (the whole reference) has no region to anchor to.

    Returns
    -------
    (2,) float32 ndarray or None
        None when there is no region or it is empty.
    """
    if region is None or not region.any():
        return None
    return reference_lab[region][:, 1:].mean(axis=0).astype(np.float32)


def matched_confidence(confidence: np.ndarray, core: np.ndarray) -> float | None:
    """Mean confidence of a segment's matched pixels (confidence > 0); None: none matched.

    ``confidence`` and ``core`` are (h, w): match confidence in [0, 1] and the segment.
    """
    matched = confidence[core]
    matched = matched[matched > 0]
    return float(matched.mean()) if matched.size else None


def anchor_to_region(
    chroma: np.ndarray,
    core: np.ndarray,
    confidence: float | None,
    target_ab: np.ndarray | None,
    *,
    confident: float = CONFIDENT,
) -> np.ndarray:
    """``chroma`` shifted so that its mean over ``core`` moves towards ``target_ab``.

    The shift is ``max(0, 1 - c / confident) * (target_ab - mean(chroma[core]))``, with
    ``c`` the mean confidence of the core's matched pixels (:func:`matched_confidence`):
    all the way for a segment matched with no confidence, not at all from ``confident``
    up. The
    whole field is shifted alike, so its texture and its blend with the neighbours'
    colours are kept.

    Parameters
    ----------
    chroma : (h, w, 2) float32 ndarray
        A segment's chroma (its own pixels and the rim its soft mask reaches).
    core : (h, w) bool ndarray
        The segment's pixels.
    confidence : float or None
        :func:`matched_confidence` of the segment; None (nothing matched): unchanged.
    target_ab : (2,) ndarray or None
        The reference region's mean a*b* (:func:`region_chroma`); None: unchanged.
    confident : float, optional
        Mean confidence from which the segment is left as matched.

    Returns
    -------
    (h, w, 2) float32 ndarray
        A new array, or ``chroma`` itself when nothing moves.

    Examples
    --------
    >>> chroma = np.zeros((4, 4, 2), np.float32)
    >>> core = np.ones((4, 4), bool)
    >>> anchor_to_region(chroma, core, 0.1, np.array([10.0, 0.0]))[0, 0].round(2).tolist()
    [8.0, 0.0]
    """
    strength = _strength(confidence, confident)
    if target_ab is None or strength == 0.0:
        return chroma
    shift = strength * (np.asarray(target_ab, np.float32) - chroma[core].mean(axis=0))
    return (chroma + shift).astype(np.float32)


def anchor_parts(
    chroma: np.ndarray,
    core: np.ndarray,
    confidence: float | None,
    parts: RegionParts | None,
    *,
    confident: float = CONFIDENT,
) -> np.ndarray:
    """``chroma`` with each part's mean over ``core`` moved towards its reference part's.

    The same strength as :func:`anchor_to_region`, ``max(0, 1 - c / confident)``; part
    ``k`` is shifted by that times (its reference mean - its membership-weighted mean
    over ``core``), and each pixel takes the membership-weighted sum of the parts'
    shifts, so the field stays smooth across part boundaries. Applied after
    :func:`anchor_to_region`, it corrects what the region's mean hides: a face that
    matched face paint and a coat that matched skin can average to the region's colour.

    Parameters
    ----------
    chroma : (h, w, 2) float32 ndarray
        A segment's chroma.
    core : (h, w) bool ndarray
        The segment's pixels.
    confidence : float or None
        The segment's mean match confidence; None: unchanged.
    parts : RegionParts or None
        The segment's parts (:func:`~panocolor.transfer.parts.region_parts`) at the
        shape of ``chroma``; None: unchanged.
    confident : float, optional
        Mean confidence from which the segment is left as matched.

    Returns
    -------
    (h, w, 2) float32 ndarray
        A new array, or ``chroma`` itself when nothing moves.

    Examples
    --------
    >>> chroma = np.zeros((2, 2, 2), np.float32)
    >>> halves = np.zeros((2, 2, 2), np.float32)
    >>> halves[:, 0, 0] = halves[:, 1, 1] = 1.0  # left column part 0, right part 1
    >>> parts = RegionParts(halves, np.array([[10.0, 0.0], [0.0, -10.0]], np.float32))
    >>> anchored = anchor_parts(chroma, np.ones((2, 2), bool), 0.0, parts)
    >>> anchored[0, 0].tolist(), anchored[0, 1].tolist()
    ([10.0, 0.0], [0.0, -10.0])
    """
    strength = _strength(confidence, confident)
    if parts is None or strength == 0.0:
        return chroma
    inside = parts.membership[core]  # (n, K)
    mass = inside.sum(axis=0)
    part_means = inside.T @ chroma[core] / np.maximum(mass, 1e-6)[:, None]
    shift = np.where(mass[:, None] > 0, parts.reference_ab - part_means, 0.0)
    return (chroma + strength * (parts.membership @ shift.astype(np.float32))).astype(np.float32)


def anchor_segment(
    matcher: RegionMatcher,
    lightness: np.ndarray,
    reference_lab: np.ndarray,
    pair: RegionPair,
    chroma: np.ndarray,
    trust: float | None,
    region_ab: np.ndarray | None,
) -> np.ndarray:
    """A segment's refined chroma anchored to its region's colour, then part by part.

    ``pair`` is the segment's region pair (its ``lightness_from`` the segment's pixels
    at the working size of ``chroma``), ``trust`` its :func:`matched_confidence` and
    ``region_ab`` its region's :func:`region_chroma`.

    Parts (:meth:`~panocolor.transfer.base.RegionMatcher.region_parts`, measured in
    :mod:`panocolor.transfer.parts`) are only computed for segments anchoring moves.
    """
    core = pair.lightness_from
    anchored = anchor_to_region(chroma, core, trust, region_ab)
    if anchored is chroma:  # matched confidently, or no region: parts would not move either
        return chroma
    return anchor_parts(anchored, core, trust, matcher.region_parts(lightness, reference_lab, pair))


def _strength(confidence: float | None, confident: float) -> float:
    """How far a segment of mean match ``confidence`` is anchored: 0 when None."""
    return 0.0 if confidence is None else max(0.0, 1.0 - confidence / confident)
