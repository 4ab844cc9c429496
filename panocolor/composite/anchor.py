"""A segment's colour anchored to its reference region's where its matches are weak.

Matching gives each target pixel the chroma of the reference pixels that look like it.
When a segment has few look-alikes in its reference region (a different photo of the
same kind of object), its matches are weak and their chroma is little more than a
draw of some of the region's pixels: the segment's mean colour then drifts from the
object's colour in the reference (a red bus coming out orange). Where the matches are
weak, :func:`anchor_to_region` moves the segment's mean chroma towards the region's
mean; where they are strong (a reference of the same scene), it leaves them alone.
:func:`anchor_parts` does the same part by part (a face towards the reference's face,
a coat towards its coat: :mod:`panocolor.transfer.parts`). Weak matches also come out
in patches, each pixel taking whichever reference colour its look-alikes had;
:func:`coherent_tone` makes such a segment one tone wherever the gray photo shows one
surface.
"""

from __future__ import annotations

import numpy as np

from panocolor.imaging.propagate import propagate_chroma
from panocolor.transfer.base import RegionMatcher, RegionPair, RegionParts

# Mean match confidence at which anchoring stops. Segments matched in a photo of the same
# scene (self protocol, 31 COCO photos, true segments) have a median confidence of 0.53,
# those matched in a photo of another scene (32 COCO pairs) 0.20.
CONFIDENT = 0.5

# How far a weakly matched segment's chroma is propagated over surfaces the gray photo
# shows as one (:func:`coherent_tone`; refinement's own smoother uses 100), and the
# lightness step (guide levels, 2.55 per L*) that stops it. 32 COCO pairs, fast, ΔE00 /
# bleeding / adherence / blotchiness: deeplab 12.30 / 17.85 / 6.71 / 0.021 (12.54 / 18.24
# / 6.87 / 0.034 without), true segments 12.37 / 17.69 / 4.07 / 0.023 (12.60 / 17.95 /
# 4.08 / 0.034); 31 COCO self photos 3.95 (3.94), held-out probe 3.99 (3.98). Sigma 4 made
# kodim04's face a little more even still but cost self 0.03 (held-out 4.00), sigma 2 left
# green on her cheek; smoothness 1000 (sigma 4) left the hat patchier. Blended in by twice
# the anchoring strength instead of fully, self lost nothing but the pairs kept half the
# gain and kodim04's face its yellow-green patches.
COHERENT_SMOOTHNESS = 3000.0
COHERENT_SIGMA = 3.0
_MARGIN = 8  # working pixels around a segment's box that the propagation may pass through


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
        The reference region's mean a*b*
        (:func:`~panocolor.reference.base.region_chroma`); None: unchanged.
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
    small_l: np.ndarray,
    reference_lab: np.ndarray,
    pair: RegionPair,
    chroma: np.ndarray,
    trust: float | None,
    region_ab: np.ndarray | None,
) -> np.ndarray:
    """A weakly matched segment's refined chroma anchored to its region's colour, then
    part by part, then made one tone over each surface (:func:`coherent_tone`).

    ``pair`` is the segment's region pair (its ``lightness_from`` the segment's pixels
    at the working size of ``chroma`` and ``small_l``), ``lightness`` the full-resolution
    L* the matcher was given, ``trust`` the segment's :func:`matched_confidence` and
    ``region_ab`` its anchor colour (:func:`~panocolor.reference.palette.segment_anchor`;
    None: no anchoring, but a weak segment is still made coherent). Segments matched from
    :data:`CONFIDENT` up are returned as they are.

    Parts (:meth:`~panocolor.transfer.base.RegionMatcher.region_parts`, measured in
    :mod:`panocolor.transfer.parts`) are only computed for segments anchoring moves.
    """
    if _strength(trust, CONFIDENT) == 0.0:
        return chroma
    core = pair.lightness_from
    anchored = anchor_to_region(chroma, core, trust, region_ab)
    # A whole reference (a palette anchor) has no region whose parts could correct it.
    if anchored is not chroma and pair.reference is not None:
        parts = matcher.region_parts(lightness, reference_lab, pair)
        anchored = anchor_parts(anchored, core, trust, parts)
    return coherent_tone(anchored, small_l, core)


def coherent_tone(
    chroma: np.ndarray,
    lightness: np.ndarray,
    core: np.ndarray,
    *,
    smoothness: float = COHERENT_SMOOTHNESS,
    sigma: float = COHERENT_SIGMA,
) -> np.ndarray:
    """``chroma`` over ``core`` made one tone wherever the gray photo shows one surface.

    Weak matches draw each pixel's colour from whichever reference pixels look most
    like it, so one surface comes out in patches (a face in yellow and green, a suit
    with a red smear). The segment's own chroma is propagated over it by the
    edge-aware smoother of :func:`~panocolor.imaging.propagate.propagate_chroma`, far
    (``smoothness``) but never across a lightness edge. Outside ``core`` nothing
    changes.

    Parameters
    ----------
    chroma : (h, w, 2) float32 ndarray
        A segment's chroma.
    lightness : (h, w) float32 ndarray
        L* in [0, 100] at the same size, the guide.
    core : (h, w) bool ndarray
        The segment's pixels; only they seed and receive the propagation.
    smoothness, sigma : float, optional
        The smoother's lambda and edge sensitivity (see ``propagate_chroma``).

    Returns
    -------
    (h, w, 2) float32 ndarray
        A new array, or ``chroma`` itself when ``core`` is empty.

    Examples
    --------
    >>> chroma = np.zeros((8, 8, 2), np.float32)
    >>> chroma[:, :4, 0] = 20.0  # two patches of colour on one even surface
    >>> flat = np.full((8, 8), 50.0, np.float32)
    >>> toned = coherent_tone(chroma, flat, np.ones((8, 8), bool))
    >>> bool(np.ptp(toned[..., 0]) < 2.0)
    True
    """
    if not core.any():
        return chroma
    rows, cols = np.nonzero(core)
    box = (
        slice(max(rows.min() - _MARGIN, 0), rows.max() + _MARGIN + 1),
        slice(max(cols.min() - _MARGIN, 0), cols.max() + _MARGIN + 1),
    )
    inside = core[box]
    spread = propagate_chroma(
        lightness[box], chroma[box], inside.astype(np.float32), smoothness=smoothness, sigma=sigma
    )
    toned = chroma.copy()
    toned[box][inside] = spread[inside]
    return toned


def _strength(confidence: float | None, confident: float) -> float:
    """How far a segment of mean match ``confidence`` is anchored: 0 when None."""
    return 0.0 if confidence is None else max(0.0, 1.0 - confidence / confident)
