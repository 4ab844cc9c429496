"""The user-guided protocol of Zhang et al. (2017): methods given N colour hints from the truth.

A *hinted method* is named ``BASE+hN`` (``photoreal+h10``, ``perobject-fast+h5``):
the method ``BASE`` colorizes the sample as usual, then N hints are laid over its
chroma with :func:`panocolor.hints.apply_hints` (what the product's ``Colorizer``
does after the transfer, on the same chroma and segments). The hints are sampled
from the truth: positions uniform over the photo from a generator seeded by the
image's name (so ``+h5``'s hints are the first five of ``+h10``'s), each hint's
colour the truth's mean colour in a 5 x 5 window. ``hints-only+hN`` colours from
the hints alone: no reference, segments from ``deeplab`` when its models are found.

A base method's output is computed once per sample and shared by its ``+hN``
variants; their ``seconds`` count the base only on the first variant run.

References
----------
.. [1] R. Zhang, J.-Y. Zhu, P. Isola, X. Geng, A. S. Lin, T. Yu, A. A. Efros,
       "Real-Time User-Guided Image Colorization with Learned Deep Priors",
       SIGGRAPH 2017. :DOI:`10.1145/3072959.3073703`
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

from panocolor.composite import compose_pixels
from panocolor.evaluate.protocols import Sample
from panocolor.hints import Hint, apply_hints, make_guidance
from panocolor.imaging.resample import resize_to_pixels
from panocolor.pipeline import Colorized

HINTS_ONLY = "hints-only"
HINT_WINDOW = 2  # radius: each hint's colour is the truth's mean over 5 x 5 pixels
HINT_SEED = 2017
_NAME = re.compile(r"(?P<base>.+)\+h(?P<count>\d+)")


def hinted_name(method: str, count: int) -> str:
    """``("photoreal", 10)`` -> ``"photoreal+h10"``."""
    return f"{method}+h{count}"


def parse_hinted_name(name: str) -> tuple[str, int] | None:
    """``"photoreal+h10"`` -> ``("photoreal", 10)``; None for a plain method name."""
    match = _NAME.fullmatch(name)
    return (match["base"], int(match["count"])) if match else None


def parse_counts(text: str) -> list[int]:
    """``"0,1,5,10"`` -> ``[0, 1, 5, 10]`` (:class:`ValueError` on anything else)."""
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or min(counts) < 0:
        raise ValueError(f"--hints takes counts >= 0 such as 10 or 0,1,5,10, got {text!r}")
    return list(dict.fromkeys(counts))


def hinted_methods(methods: Sequence[str], counts: Sequence[int]) -> list[str]:
    """Every method with every hint count: ``photoreal+h0``, ``photoreal+h1``..."""
    return [hinted_name(method, count) for method in methods for count in counts]


def hint_window(row: int, col: int) -> tuple[slice, slice]:
    """The protocol's window around pixel (row, col): 5 x 5, cut at the photo's top and left."""
    return (
        slice(max(0, row - HINT_WINDOW), row + HINT_WINDOW + 1),
        slice(max(0, col - HINT_WINDOW), col + HINT_WINDOW + 1),
    )


def sample_hints(truth: np.ndarray, count: int, key: str, seed: int = HINT_SEED) -> list[Hint]:
    """``count`` hints from a photo's true colours (the protocol of [1]_).

    Parameters
    ----------
    truth : (H, W, 3) float ndarray
        sRGB in [0, 1].
    count : int
        Number of hints.
    key : str
        Seeds the positions with ``seed`` (the image's name: same photo, same hints).

    Returns
    -------
    list of Hint
        Positions uniform over the photo; the first k of them do not depend on ``count``.
    """
    height, width = truth.shape[:2]
    rng = np.random.default_rng([seed, zlib.crc32(key.encode())])
    where = np.floor(rng.random((count, 2)) * (height, width)).astype(int)
    hints = []
    for row, col in where:
        window = truth[hint_window(row, col)]
        rgb = np.rint(window.reshape(-1, 3).mean(axis=0) * 255).astype(int)
        hints.append(Hint(int(col), int(row), tuple(rgb.tolist())))
    return hints


class _Memo:
    """A base method whose last output is kept for the next ``+hN`` variant of the same sample."""

    def __init__(self, method) -> None:  # noqa: ANN001 (a runner Method)
        self.method = method
        self.sample: Sample | None = None
        self.output: Colorized | None = None

    def __call__(self, sample: Sample) -> Colorized:
        if sample is not self.sample:
            self.sample, self.output = sample, self.method(sample)
        return self.output  # type: ignore[return-value]


def _hints_only():  # noqa: ANN202 (a runner Method)
    """Gray, with the photo's deeplab segments when the models are found (else none)."""
    from panocolor.pipeline import Colorizer, Settings

    colorizer = Colorizer(Settings(segmenter="auto"))

    def segments_only(sample: Sample) -> Colorized:
        lightness = sample.gray.lightness
        segmentation = None
        if colorizer.segmenter is not None:
            small = resize_to_pixels(lightness, colorizer.settings.segment_pixels)
            segmentation = colorizer.segmenter(small)
        ab = np.zeros(lightness.shape + (2,), np.float32)
        rgb = compose_pixels(lightness, ab, 8)
        return Colorized(rgb, lightness, ab, segmentation=segmentation)

    return segments_only


def build_hinted(name: str, build_method, shared: dict[str, _Memo]) -> object:  # noqa: ANN001
    """The method ``BASE+hN`` (see the module docstring).

    ``build_method`` (the runner's) builds BASE once per ``shared`` dict: the variants
    built with the same dict share its outputs.
    """
    parsed = parse_hinted_name(name)
    if parsed is None:
        raise ValueError(f"{name!r} is not a hinted method name (BASE+hN)")
    base, count = parsed
    if base not in shared:
        shared[base] = _Memo(_hints_only() if base == HINTS_ONLY else build_method(base))
    memo = shared[base]

    def hinted(sample: Sample) -> Colorized:
        output = memo(sample)
        if count == 0:
            return output
        hints = sample_hints(sample.truth, count, sample.spec.name)
        guidance = make_guidance(hints)
        ab = apply_hints(
            output.lightness,
            output.ab,
            guidance,
            output.segmentation,
            match_confidence=output.match_confidence,
        )
        rgb = compose_pixels(output.lightness, ab, 8)
        return Colorized(
            rgb,
            output.lightness,
            ab,
            output.timings,
            output.segmentation,
            output.plan,
            output.match_confidence,
        )

    return hinted
