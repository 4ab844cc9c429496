"""``apply_hints``: the chroma of a colorization, with the user's colour hints laid over it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from panocolor.hints.chroma import relative_chroma
from panocolor.hints.spread import (
    SEED_RADIUS,
    SEED_TOLERANCE,
    blend_hints,
    disagreement,
    fill_segments,
    relative_of,
    segment_guide,
    spread_seeds,
    working_lightness,
)
from panocolor.hints.types import Hint, HintError, SegmentColour, Spread, check_scribbles
from panocolor.imaging.resample import resize_to_shape
from panocolor.segment.segmentation import Segmentation


@dataclass(frozen=True, eq=False)
class Guidance:
    """Everything the user said about colours: point hints, scribbles, segment colours.

    Attributes
    ----------
    hints : tuple of Hint
    scribbles : (H, W, 4) uint8 ndarray or None
        RGBA, transparent where there is no hint.
    segment_colours : tuple of SegmentColour
    spread : Spread
    """

    hints: tuple[Hint, ...] = ()
    scribbles: np.ndarray | None = None
    segment_colours: tuple[SegmentColour, ...] = ()
    spread: Spread = field(default_factory=Spread)

    def __bool__(self) -> bool:
        return bool(self.hints or self.segment_colours) or self.scribbles is not None

    def check(self, shape: tuple[int, int]) -> Guidance:
        """Raise :class:`HintError` unless everything fits a photo of ``shape`` = (H, W)."""
        for hint in self.hints:
            hint.check_inside(shape)
        if self.scribbles is not None:
            check_scribbles(self.scribbles, shape)
        return self


def make_guidance(
    hints: Sequence[Hint] | None = None,
    scribbles: np.ndarray | None = None,
    segment_colours: Sequence[SegmentColour] | None = None,
) -> Guidance:
    """A :class:`Guidance` from the API's keyword arguments (validated types)."""
    for item, kind in [(h, Hint) for h in hints or ()] + [
        (s, SegmentColour) for s in segment_colours or ()
    ]:
        if not isinstance(item, kind):
            raise HintError(f"expected a {kind.__name__}, got {item!r}")
    return Guidance(tuple(hints or ()), scribbles, tuple(segment_colours or ()))


def _point_seeds(
    hints: Sequence[Hint], lightness: np.ndarray, small_l: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Working-size seeds of point hints: (relative chroma * weight, weight)."""
    rel = np.zeros(small_l.shape + (3,), np.float32)
    weight = np.zeros(small_l.shape, np.float32)
    for hint in hints:
        row, col = hint.cell(lightness.shape, small_l.shape)
        rows = slice(max(0, row - SEED_RADIUS), row + SEED_RADIUS + 1)
        cols = slice(max(0, col - SEED_RADIUS), col + SEED_RADIUS + 1)
        window = small_l[rows, cols]
        # The hint pixel's own L*, not the working size's: on an edge, the side it is on.
        difference = np.abs(window - lightness[hint.y, hint.x])
        chosen = difference <= SEED_TOLERANCE
        if not chosen.any():
            chosen = difference == difference.min()
        weight[rows, cols] += chosen
        rel[rows, cols] += chosen[..., None] * relative_of(hint.rgb)
    return rel, weight


def _scribble_seeds(scribbles: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Working-size seeds of scribbles: (relative chroma * weight, weight)."""
    alpha = scribbles[..., 3].astype(np.float32) / 255.0
    rel = np.zeros(scribbles.shape[:2] + (3,), np.float32)
    painted = alpha > 0
    rel[painted] = relative_chroma(scribbles[painted][:, :3])
    # A 1-pixel stroke covers 1/k of a k x k block: scaled back to full weight.
    scale = max(1.0, scribbles.shape[0] / shape[0])
    small_weight = resize_to_shape(alpha, shape)
    small_rel = resize_to_shape(rel * alpha[..., None], shape)
    return small_rel * scale, small_weight * scale


def _segment_layer(
    colours: Sequence[SegmentColour],
    segmentation: Segmentation,
    chroma_small: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Working-size (relative chroma, reach) of pinned segments."""
    from panocolor.segment.classes import resolve_class

    ids = segmentation.ids
    rel = np.zeros(ids.shape + (3,), np.float32)
    reach = np.zeros(ids.shape, np.float32)
    for colour in colours:
        if isinstance(colour.target, int):
            if colour.target not in {s.id for s in segmentation.segments}:
                raise HintError(f"segment colour: no segment {colour.target} in this photo")
            targets = [colour.target]
            what = f"segment {colour.target}"
        else:
            label = resolve_class(colour.target)
            targets = [s.id for s in segmentation.by_label(label)]
            what = f"class {label}"
            if not targets:
                found = ", ".join(sorted({s.label for s in segmentation.segments}))
                raise HintError(f"segment colour: no {what} in this photo (found: {found})")
        inside = np.isin(ids, targets)
        vector = relative_of(colour.rgb)
        strength = np.ones(ids.shape, np.float32)
        magnitude = np.hypot(chroma_small[..., 0], chroma_small[..., 1])
        if not colour.flat and magnitude[inside].mean() > 1.0:
            # The reference's texture: stronger and weaker colour around the pinned one.
            strength = np.clip(magnitude / magnitude[inside].mean(), 0.5, 1.5)
        rel[inside] = vector * strength[inside][:, None]
        reach[inside] = 1.0
    return rel, reach


def apply_hints(
    lightness: np.ndarray,
    chroma: np.ndarray,
    guidance: Guidance,
    segmentation: Segmentation | None = None,
    *,
    match_confidence: Mapping[int, float] | None = None,
) -> np.ndarray:
    """Lay colour hints over a colorization's chroma; L* is not touched.

    Parameters
    ----------
    lightness : (H, W) float32 ndarray
        Full-size L* in [0, 100] (the guide; hint colours take this lightness).
    chroma : (H, W, 2) float32 ndarray
        The chroma the reference gave (zeros when there is none: then what no hint
        reaches stays neutral gray).
    guidance : Guidance
        The hints, checked against the photo's size here.
    segmentation : Segmentation, optional
        Segments of the photo (any size): hints stop at segment borders and fill the
        segment they fall on; needed for segment colours.
    match_confidence : mapping of int to float, optional
        Per segment id, how confidently the transfer matched its colour
        (:attr:`~panocolor.pipeline.result.Colorized.match_confidence`): hints fill
        less of a confident segment (:attr:`Spread.confident`).

    Returns
    -------
    ab : (H, W, 2) float32 ndarray
        Hints win where they reach, ``chroma`` elsewhere, a soft transition between.

    Raises
    ------
    HintError
        A hint outside the photo, scribbles of another size, a segment colour without
        a segmentation or naming a segment that is not there.
    """
    lightness = np.asarray(lightness, np.float32)
    chroma = np.asarray(chroma, np.float32)
    guidance.check(lightness.shape)
    if not guidance:
        return chroma
    if guidance.segment_colours and segmentation is None:
        raise HintError("segment colours need segments: use a segmenter (not --segmenter none)")
    small_l = working_lightness(lightness)
    small_seg = segmentation.resized(small_l.shape) if segmentation is not None else None
    rel = np.zeros(small_l.shape + (3,), np.float32)
    reach = np.zeros(small_l.shape, np.float32)
    chroma_small = resize_to_shape(chroma, small_l.shape)
    if guidance.segment_colours:
        rel, reach = _segment_layer(guidance.segment_colours, small_seg, chroma_small)
    if guidance.hints or guidance.scribbles is not None:
        seed_rel, seeds = _point_seeds(guidance.hints, lightness, small_l)
        if guidance.scribbles is not None:
            more_rel, more = _scribble_seeds(guidance.scribbles, small_l.shape)
            seed_rel, seeds = seed_rel + more_rel, seeds + more
        mean_rel = seed_rel / np.maximum(seeds, 1e-6)[..., None]
        spread = guidance.spread
        around = cv2.blur(chroma_small, (3, 3))  # the reference's chroma near each seed
        trust, residual = disagreement(small_l, mean_rel, around, *spread.agree)
        values = np.dstack([mean_rel, trust, residual])
        local, known, point_reach = spread_seeds(
            segment_guide(small_l, small_seg if spread.segment_barriers else None),
            values,
            seeds,
            smoothness=spread.smoothness,
            colour_smoothness=spread.colour_smoothness,
            sigma=spread.sigma,
            gain=spread.gain,
            cutoff=spread.cutoff,
        )
        if small_seg is not None:
            local, point_reach = fill_segments(
                local,
                known,
                point_reach,
                seeds,
                values,
                small_seg.ids,
                spread.segment_reach,
                around,
                spread.likeness,
                match_confidence,
                spread.confident,
            )
        # Near hints close to the reference's colours, those stay, shifted by the residual.
        replace = point_reach * local[..., 3]
        shift = local[..., 4:6] * (point_reach - replace)[..., None]
        # Points over pinned segments ("over" compositing of two layers).
        total = replace + (1.0 - replace) * reach
        rel = (local[..., :3] * replace[..., None] + rel * ((1 - replace) * reach)[..., None]) / (
            np.maximum(total, 1e-6)[..., None]
        )
        shift *= (1.0 - reach)[..., None]
        reach = total
        return blend_hints(lightness, chroma, rel, reach, shift)
    return blend_hints(lightness, chroma, rel, reach)
