"""Run colorization methods over evaluation samples and score every output.

A *method* is any callable ``(GrayImage, ColorImage) -> Colorized``. Methods are
built by name: names in :data:`METHODS` map to factories (so a method can load
its model once per run), and every transfer backend in
:data:`panocolor.transfer.TRANSFERS` is a method too, run through
:func:`panocolor.api.colorize_result`. A new method, such as a per-object one,
only needs::

    @METHODS.register("perobject-fast")
    def _perobject_fast() -> Method:
        return lambda gray, reference: ...

The floors ``gray`` (no colour at all) and ``reinhard`` (one global tint) are run
in every evaluation so that every number has something to be compared with.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from panocolor.api import colorize_result
from panocolor.colorspace import rgb_to_lab
from panocolor.errors import PanocolorError, UnknownBackendError
from panocolor.evaluate.metrics import (
    colourfulness,
    colourfulness_ratio,
    mean_ciede2000,
    p99_lightness_error,
    psnr,
    ssim,
    to_unit_rgb,
)
from panocolor.evaluate.protocols import (
    ProtocolName,
    Sample,
    SampleSpec,
    load_sample,
    plan_samples,
)
from panocolor.registry import Registry
from panocolor.transfer import TRANSFERS, build_transfer
from panocolor.types import ColorImage, Colorized, GrayImage

Method = Callable[[GrayImage, ColorImage], Colorized]
MethodFactory = Callable[[], Method]

METHODS: Registry[MethodFactory] = Registry("evaluation method")
FLOORS: tuple[str, ...] = ("gray", "reinhard")
DEFAULT_MAX_SIDE = 640


@dataclass(frozen=True)
class _NoChroma:
    """A transfer backend that gives every pixel a* = b* = 0."""

    name: str = "gray"

    def __call__(self, lightness: np.ndarray, reference_lab: np.ndarray, **_: object) -> np.ndarray:
        return np.zeros(np.shape(lightness) + (2,), np.float32)


@METHODS.register("gray")
def _gray_floor() -> Method:
    """The floor: the gray input itself, written as RGB."""
    return functools.partial(colorize_result, transfer=_NoChroma())


def method_names() -> list[str]:
    """Every method name :func:`build_method` accepts, sorted."""
    return sorted(set(METHODS.names()) | set(TRANSFERS.names()))


def build_method(name: str) -> Method:
    """Build the method called ``name`` (a :data:`METHODS` entry or a transfer backend).

    Raises
    ------
    UnknownBackendError
        If ``name`` is neither; the message lists the known names.
    """
    if name in METHODS:
        return METHODS.get(name)()
    if name in TRANSFERS:
        return functools.partial(colorize_result, transfer=build_transfer(name))
    raise UnknownBackendError(
        f"unknown method {name!r}; choose one of: {', '.join(method_names())}"
    )


def with_floors(methods: Sequence[str]) -> list[str]:
    """``methods`` behind the floors, without duplicates, in order."""
    return list(dict.fromkeys([*FLOORS, *methods]))


@dataclass(frozen=True)
class Result:
    """The scores of one method on one image (one row of ``results.csv``).

    Metrics are ``nan`` when ``error`` is set.

    Attributes
    ----------
    image, reference : str
        Target and reference paths relative to the data root (``"self"`` for the
        self protocol's reference).
    method : str
        Method name.
    height, width : int
        Evaluated size (after ``max_side`` downscaling).
    psnr : float
        RGB PSNR in dB (8-bit scale); higher is better.
    ssim : float
        RGB SSIM in [-1, 1]; higher is better.
    delta_e : float
        Mean CIEDE2000 to the truth; lower is better.
    colourfulness, colourfulness_truth : float
        Hasler-Süsstrunk M of the output and of the truth.
    colourfulness_ratio : float
        Their ratio; 1 is best.
    p99_delta_l : float
        99th percentile |ΔL*| of the 8-bit output against the gray input.
    seconds : float
        Wall time of the method call.
    error : str
        Empty, or why this image could not be evaluated with this method.
    """

    image: str
    reference: str
    method: str
    height: int = 0
    width: int = 0
    psnr: float = float("nan")
    ssim: float = float("nan")
    delta_e: float = float("nan")
    colourfulness: float = float("nan")
    colourfulness_truth: float = float("nan")
    colourfulness_ratio: float = float("nan")
    p99_delta_l: float = float("nan")
    seconds: float = float("nan")
    error: str = ""


def score(
    sample: Sample, method: str, output: Colorized, seconds: float, truth_lab: np.ndarray
) -> Result:
    """Compute every metric of one output against its sample's truth.

    ``truth_lab`` is ``sample.truth_lab``, passed in so it is computed once per image.
    """
    if output.rgb.shape != sample.truth.shape:
        raise ValueError(
            f"method {method!r} returned shape {output.rgb.shape} for a {sample.truth.shape} image"
        )
    rgb = to_unit_rgb(output.rgb)
    height, width = sample.gray.shape
    return Result(
        image=sample.spec.name,
        reference=sample.spec.reference_name,
        method=method,
        height=height,
        width=width,
        psnr=psnr(rgb, sample.truth),
        ssim=ssim(rgb, sample.truth),
        delta_e=mean_ciede2000(rgb_to_lab(rgb), truth_lab),
        colourfulness=colourfulness(rgb),
        colourfulness_truth=colourfulness(sample.truth),
        colourfulness_ratio=colourfulness_ratio(rgb, sample.truth),
        p99_delta_l=p99_lightness_error(output.rgb, sample.gray.lightness),
        seconds=seconds,
    )


@dataclass(frozen=True, eq=False)
class SampleOutcome:
    """Everything one image gave: its rows, and the outputs for contact sheets.

    Attributes
    ----------
    spec : SampleSpec
        The image.
    sample : Sample or None
        The loaded sample; None when it could not be read.
    outputs : dict of str to Colorized
        The outputs of the methods that succeeded.
    results : list of Result
        One per method, in run order.
    """

    spec: SampleSpec
    sample: Sample | None
    outputs: dict[str, Colorized]
    results: list[Result]


def iter_evaluation(
    specs: Iterable[SampleSpec], methods: Sequence[str], *, max_side: int | None = DEFAULT_MAX_SIDE
) -> Iterator[SampleOutcome]:
    """Evaluate ``methods`` (plus the floors) image by image, lazily.

    All methods are built before the first image is read, so an unknown name
    fails at once. Images that cannot be read and methods that fail with a
    :class:`~panocolor.errors.PanocolorError` give rows with ``error`` set; any
    other exception is a bug and propagates.

    Parameters
    ----------
    specs : iterable of SampleSpec
        From :func:`~panocolor.evaluate.protocols.plan_samples`.
    methods : sequence of str
        Method names (see :func:`method_names`).
    max_side : int or None, optional
        Downscale images so their longer side is at most this (None: full size).

    Yields
    ------
    SampleOutcome
        One per spec, in order.

    Raises
    ------
    UnknownBackendError
        If a method name is unknown.
    """
    names = with_floors(methods)
    built = {name: build_method(name) for name in names}
    for spec in specs:
        try:
            sample = load_sample(spec, max_side)
        except PanocolorError as error:
            rows = [
                Result(spec.name, spec.reference_name, name, error=str(error)) for name in names
            ]
            yield SampleOutcome(spec, None, {}, rows)
            continue
        truth_lab = sample.truth_lab
        outputs: dict[str, Colorized] = {}
        rows = []
        for name, method in built.items():
            started = time.perf_counter()
            try:
                output = method(sample.gray, sample.reference)
            except PanocolorError as error:
                rows.append(Result(spec.name, spec.reference_name, name, error=str(error)))
                continue
            seconds = time.perf_counter() - started
            outputs[name] = output
            rows.append(score(sample, name, output, seconds, truth_lab))
        yield SampleOutcome(spec, sample, outputs, rows)


def run_evaluation(
    source: Path | Sequence[SampleSpec],
    methods: Sequence[str],
    *,
    protocol: ProtocolName = "self",
    root: Path | None = None,
    limit: int | None = None,
    max_side: int | None = DEFAULT_MAX_SIDE,
) -> list[Result]:
    """Evaluate ``methods`` (plus the floors ``gray`` and ``reinhard``) on every sample.

    Parameters
    ----------
    source : Path or sequence of SampleSpec
        A pairs CSV or image folder, planned with
        :func:`~panocolor.evaluate.protocols.plan_samples` from ``protocol``,
        ``root`` and ``limit``; or samples planned already (those three are then
        ignored).
    methods : sequence of str
        Method names (see :func:`method_names`).
    max_side : int or None, optional
        Downscale images so their longer side is at most this (None: full size).

    Returns
    -------
    list of Result
        Image-major: for each sample, one row per method, floors first.

    Examples
    --------
    >>> results = run_evaluation(Path("data/pairs.csv"), ["photoreal"], limit=4)  # doctest: +SKIP
    """
    if isinstance(source, Path):
        source = plan_samples(source, root=root, protocol=protocol, limit=limit)
    return [
        result
        for outcome in iter_evaluation(source, methods, max_side=max_side)
        for result in outcome.results
    ]
