"""One method's output on one image -> one row of scores (:class:`Result`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from panocolor.evaluate.metrics import (
    colourfulness,
    colourfulness_ratio,
    mean_ciede2000,
    p99_lightness_error,
    psnr,
    ssim,
    to_unit_rgb,
)
from panocolor.evaluate.protocols import Sample
from panocolor.evaluate.region_metrics import blotchiness, colour_bleeding, region_adherence
from panocolor.imaging import rgb_to_lab
from panocolor.pipeline import Colorized


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
