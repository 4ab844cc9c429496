"""Run colorization methods over evaluation samples and score every output.

A *method* is any callable ``(Sample) -> Colorized``: it colorizes
``sample.gray`` and may use ``sample.reference`` (and, for methods that bring
their own segmentation, ``sample.truth_segmentation``). Methods are built by
name: names in :data:`METHODS` map to factories (so a method can load its models
once per run), and every transfer backend in :data:`panocolor.transfer.TRANSFERS`
is a single-reference method too (``photoreal-texture``: ``photoreal`` without the
semantic descriptors, matching on lightness and texture as before issue 12). Per-object
methods:

- ``perobject-fast`` / ``perobject-faithful``: the product's default pipeline
  (``deeplab`` segments of the gray photo and of the reference);
- ``perobject-fast-truth`` / ``perobject-faithful-truth``: the same with the true
  panoptic segmentations of target and reference (the ``panoptic-file`` use case).

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
from panocolor.evaluate.region_metrics import blotchiness, colour_bleeding, region_adherence
from panocolor.imaging import rgb_to_lab
from panocolor.pipeline import Colorized, Colorizer, Settings
from panocolor.registry import Registry
from panocolor.transfer import TRANSFERS, build_transfer

Method = Callable[[Sample], Colorized]
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
    bleeding : float
        Mean a*b* error within 3 px of true segment boundaries (nan without a true
        segmentation); lower is better.
    adherence : float
        Mean a*b* distance between each true segment's output colour and the
        reference's same-class segments (nan without true segmentations); lower is better.
    blotchiness : float
        Mean excess a*b* gradient over the truth's where L* is flat (spurious chroma
        edges, see :func:`~panocolor.evaluate.metrics.blotchiness`); 0 is best.
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
    bleeding: float = float("nan")
    adherence: float = float("nan")
    blotchiness: float = float("nan")
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
    output_lab = rgb_to_lab(rgb)
    height, width = sample.gray.shape
    bleeding = adherence = float("nan")
    truth_seg, reference_seg = sample.truth_segmentation, sample.reference_segmentation
    if truth_seg is not None:
        bleeding = colour_bleeding(output_lab, truth_lab, truth_seg.ids)
        if reference_seg is not None:
            adherence = region_adherence(
                output_lab,
                truth_seg.ids,
                {s.id: s.label for s in truth_seg.segments},
                sample.reference.lab,
                reference_seg.ids,
                {s.id: s.label for s in reference_seg.segments},
            )
    return Result(
        image=sample.spec.name,
        reference=sample.spec.reference_name,
        method=method,
        height=height,
        width=width,
        psnr=psnr(rgb, sample.truth),
        ssim=ssim(rgb, sample.truth),
        delta_e=mean_ciede2000(output_lab, truth_lab),
        colourfulness=colourfulness(rgb),
        colourfulness_truth=colourfulness(sample.truth),
        colourfulness_ratio=colourfulness_ratio(rgb, sample.truth),
        p99_delta_l=p99_lightness_error(output.rgb, sample.gray.lightness),
        bleeding=bleeding,
        adherence=adherence,
        blotchiness=blotchiness(output_lab, truth_lab),
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
