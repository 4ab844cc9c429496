"""Run colorization methods over evaluation samples and score every output.

The methods are built by name (:mod:`panocolor.evaluate.methods`, whose names are
re-exported here); :func:`iter_evaluation` runs them, floors first, image by image,
and :func:`~panocolor.evaluate.scoring.score` turns each output into one
:class:`~panocolor.evaluate.scoring.Result` row (both re-exported here too).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from panocolor.errors import PanocolorError
from panocolor.evaluate.methods import (
    FLOORS,
    METHODS,
    Method,
    MethodFactory,
    build_method,
    method_names,
    with_floors,
)
from panocolor.evaluate.protocols import (
    ProtocolName,
    Sample,
    SampleSpec,
    load_sample,
    plan_samples,
)
from panocolor.evaluate.scoring import Result, score
from panocolor.pipeline import Colorized

__all__ = [
    "DEFAULT_MAX_SIDE",
    "FLOORS",
    "METHODS",
    "Method",
    "MethodFactory",
    "Result",
    "SampleOutcome",
    "build_method",
    "iter_evaluation",
    "method_names",
    "run_evaluation",
    "score",
    "with_floors",
]

DEFAULT_MAX_SIDE = 640


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
    shared: dict = {}  # hinted variants of one method share its outputs
    built = {name: build_method(name, shared) for name in names}
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
                output = method(sample)
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
    Two tiny photos in a temporary folder, one coloured from the other:

    >>> import tempfile
    >>> from PIL import Image
    >>> from skimage import data
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = Path(tmp)
    ...     Image.fromarray(data.astronaut()[::8, ::8]).save(folder / "astronaut.png")
    ...     Image.fromarray(data.coffee()[::8, ::8]).save(folder / "coffee.png")
    ...     _ = (folder / "pairs.csv").write_text("target,reference\\nastronaut.png,coffee.png\\n")
    ...     results = run_evaluation(folder / "pairs.csv", ["photoreal"], protocol="pairs")
    >>> for r in results:
    ...     print(r.image, r.reference, r.method, r.error == "", r.p99_delta_l < 0.5)
    astronaut.png coffee.png gray True True
    astronaut.png coffee.png reinhard True True
    astronaut.png coffee.png photoreal True True
    """
    if isinstance(source, Path):
        source = plan_samples(source, root=root, protocol=protocol, limit=limit)
    return [
        result
        for outcome in iter_evaluation(source, methods, max_side=max_side)
        for result in outcome.results
    ]
