"""How much N colour hints could lower CIEDE2000 at best: oracles that know the truth.

A hint tells the true colour at one point. Whatever a hint method does with it, it can
only move the chroma it is given towards what the hints say. This report bounds that
from above with two corrections that are *told the truth* beyond the hint points, and
compares them with what the shipped hints do (``BASE+hN``, :mod:`panocolor.evaluate.hints`):

- ``segment shift``: every segment a hint falls on is shifted by its true mean residual
  (truth minus output, averaged over the whole segment, not just at the hint);
- ``propagated``: the true residuals at the hint points, spread edge-aware over the gray
  photo (:func:`~panocolor.imaging.propagate.propagate_chroma`) at several
  smoothnesses, fading with distance or not; the best of them is reported.

When neither lowers the error much, the base's error is detail that no handful of
points can correct (as on the ``self`` protocol, where the reference is the photo
itself). Run ``python -m panocolor.evaluate.hint_ceiling CSV --root ../shared/data
--protocol self --hints 10``.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from panocolor.composite import compose_pixels
from panocolor.evaluate.hints import hint_window, hinted_name, sample_hints
from panocolor.evaluate.metrics import mean_ciede2000
from panocolor.evaluate.protocols import plan_samples
from panocolor.hints import Hint
from panocolor.hints.spread import working_lightness
from panocolor.imaging.colorspace import rgb_to_lab
from panocolor.imaging.propagate import propagate_chroma
from panocolor.imaging.resample import resize_to_shape

SMOOTHNESSES = (100.0, 1000.0, 10000.0)
SIGMAS = (3.0, 8.0)
SEGMENTS_FROM = "perobject-fast"


def hint_residuals(ab: np.ndarray, truth_ab: np.ndarray, hints: Sequence[Hint]) -> np.ndarray:
    """(N, 2) true minus output mean a*b* in each hint's window (the protocol's 5 x 5)."""
    residuals = []
    for hint in hints:
        window = hint_window(hint.y, hint.x)
        residuals.append((truth_ab[window] - ab[window]).reshape(-1, 2).mean(axis=0))
    return np.asarray(residuals, np.float32).reshape(-1, 2)


def segment_shift(
    ab: np.ndarray, truth_ab: np.ndarray, ids: np.ndarray, hints: Sequence[Hint]
) -> np.ndarray:
    """``ab`` with each segment under a hint shifted by its true mean residual.

    Parameters
    ----------
    ab, truth_ab : (H, W, 2) float32 ndarray
        Output and true a*b*.
    ids : (H, W) int ndarray
        Segment ids at the same size.
    hints : sequence of Hint

    Returns
    -------
    (H, W, 2) float32 ndarray
    """
    shifted = ab.copy()
    for segment in {int(ids[hint.y, hint.x]) for hint in hints}:
        inside = ids == segment
        shifted[inside] += (truth_ab[inside] - ab[inside]).mean(axis=0)
    return shifted


def propagated(
    lightness: np.ndarray,
    ab: np.ndarray,
    hints: Sequence[Hint],
    residuals: np.ndarray,
    *,
    smoothness: float,
    sigma: float,
    fade: bool,
) -> np.ndarray:
    """``ab`` plus the hint residuals spread edge-aware at the working size.

    Parameters
    ----------
    lightness : (H, W) float32 ndarray
        L* in [0, 100], the guide.
    ab : (H, W, 2) float32 ndarray
    hints : sequence of Hint
    residuals : (N, 2) float32 ndarray
        From :func:`hint_residuals`.
    smoothness, sigma : float
        As for :func:`~panocolor.imaging.propagate.propagate_chroma`.
    fade : bool
        Scale the correction by the spread seed weight relative to its peak (times 4,
        at most 1), so it dies out far from every hint; else it reaches everywhere.

    Returns
    -------
    (H, W, 2) float32 ndarray
    """
    small_l = working_lightness(lightness)
    seeds = np.zeros(small_l.shape + (2,), np.float32)
    weight = np.zeros(small_l.shape, np.float32)
    for hint, residual in zip(hints, residuals, strict=True):
        row, col = hint.cell(lightness.shape, small_l.shape)
        seeds[row, col] += residual
        weight[row, col] += 1.0
    field = propagate_chroma(
        small_l,
        seeds / np.maximum(weight, 1.0)[..., None],
        weight,
        smoothness=smoothness,
        sigma=sigma,
    )
    if fade:
        reach = propagate_chroma(
            small_l, np.dstack([weight, weight]), None, smoothness=smoothness, sigma=sigma
        )[..., 0]
        field *= np.clip(4.0 * reach / max(float(reach.max()), 1e-9), 0.0, 1.0)[..., None]
    return ab + resize_to_shape(field, lightness.shape)


def ceilings(
    lightness: np.ndarray,
    ab: np.ndarray,
    truth_lab: np.ndarray,
    ids: np.ndarray,
    hints: Sequence[Hint],
) -> dict[str, float]:
    """Mean CIEDE2000 of the output and of each oracle correction, on 8-bit output pixels.

    Returns
    -------
    dict of str to float
        ``base``, ``segment shift`` and one ``propagated ...`` entry per setting.
    """
    truth_ab = truth_lab[..., 1:].astype(np.float32)

    def error(chroma: np.ndarray) -> float:
        rgb = compose_pixels(lightness, chroma, 8).astype(np.float32) / 255.0
        return mean_ciede2000(rgb_to_lab(rgb), truth_lab)

    residuals = hint_residuals(ab, truth_ab, hints)
    scores = {"base": error(ab), "segment shift": error(segment_shift(ab, truth_ab, ids, hints))}
    for smoothness in SMOOTHNESSES:
        for sigma in SIGMAS:
            for fade in (False, True):
                corrected = propagated(
                    lightness, ab, hints, residuals, smoothness=smoothness, sigma=sigma, fade=fade
                )
                name = f"propagated {smoothness:g}/{sigma:g}" + (" faded" if fade else "")
                scores[name] = error(corrected)
    return scores


def main(argv: list[str] | None = None) -> int:
    """Command line: the table of mean CIEDE2000 per method and correction."""
    from panocolor.evaluate.runner import iter_evaluation

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("csv", type=Path, help="manifest or pairs CSV")
    parser.add_argument("--root", type=Path, required=True, help="folder the CSV paths are in")
    parser.add_argument("--protocol", choices=("self", "pairs"), default="self")
    parser.add_argument("--hints", type=int, default=10, help="hints per photo")
    parser.add_argument("-m", "--method", action="append", help="base method(s)")
    parser.add_argument("--limit", type=int, default=None, help="first N samples only")
    args = parser.parse_args(argv)
    methods = args.method or ["photoreal", "perobject-fast"]
    specs = plan_samples(args.csv, protocol=args.protocol, root=args.root, limit=args.limit)
    hinted = [hinted_name(method, args.hints) for method in methods]
    table: dict[str, dict[str, list[float]]] = {m: defaultdict(list) for m in methods}
    # perobject-fast's deeplab segments are the segments shifted, whatever the methods.
    run = list(dict.fromkeys([*methods, SEGMENTS_FROM, *hinted]))
    for outcome in iter_evaluation(specs, run):
        if outcome.sample is None or SEGMENTS_FROM not in outcome.outputs:
            continue
        sample, outputs = outcome.sample, outcome.outputs
        lightness, truth_lab = sample.gray.lightness, sample.truth_lab
        ids = outputs[SEGMENTS_FROM].segmentation.resized(lightness.shape).ids
        hints = sample_hints(sample.truth, args.hints, outcome.spec.name)
        by_name = {row.method: row for row in outcome.results}
        for method, with_hints in zip(methods, hinted, strict=True):
            if method not in outputs:
                continue
            for name, value in ceilings(
                lightness, outputs[method].ab, truth_lab, ids, hints
            ).items():
                table[method][name].append(value)
            table[method][f"shipped +h{args.hints}"].append(by_name[with_hints].delta_e)
        print(f"{outcome.spec.name}", flush=True)
    for method, scores in table.items():
        print(f"\n{method}, {args.hints} hints, {len(scores['base'])} samples (mean CIEDE2000)")
        for name, values in sorted(scores.items(), key=lambda item: np.mean(item[1])):
            print(f"  {name:<28} {np.mean(values):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
