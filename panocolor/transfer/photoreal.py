"""Photorealistic colour transfer without learned weights (the default backend).

Steps, each chosen by measurement on the development set (see ``benchmarks/``
and ``panocolor evaluate``):

1. Shrink target and reference to a working size (chroma is smooth; this bounds cost).
2. Remap the reference's L* to the target's mean and spread, and describe every pixel
   of both by its L*, its texture at three scales and, with the DeepLab VOC model,
   what the segmentation network sees there (:mod:`panocolor.transfer.features`), so
   that faces match faces and sky matches sky.
3. For each target pixel on a lattice (``query_stride``), average the a*b* of its
   ``neighbors`` nearest reference pixels in that feature space, keeping how far the
   matches can be trusted; a region pair (per-object colorization) prefers its own
   reference region (:mod:`panocolor.transfer.matching`).
4. Propagate the chroma from its confident pixels over the gray photo, edge-aware
   (:func:`panocolor.imaging.propagate.propagate_chroma`: a confidence-normalised
   fast global smoother [1]_), so that a surface without a lightness edge takes one
   tone instead of blotches; then bring it to full resolution with a fast guided
   filter on full-resolution L*.

References
----------
.. [1] D. Min, S. Choi, J. Lu, B. Ham, K. Sohn, M. N. Do, "Fast global image
       smoothing based on weighted least squares", IEEE TIP 23(12), 2014.
       :DOI:`10.1109/TIP.2014.2366600`
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from panocolor.errors import ModelNotFoundError
from panocolor.imaging import WORKING_PIXELS, guided_upsample
from panocolor.imaging.propagate import propagate_chroma
from panocolor.imaging.recent import RecentInputs
from panocolor.segment.semantic import DEFAULT_LAYER, DeepLabEncoder, SemanticEncoder
from panocolor.transfer.base import (
    TRANSFERS,
    MaskedTransfer,
    MatchedChroma,
    RegionPair,
    RegionParts,
    TransferInputs,
)
from panocolor.transfer.features import match_lightness, texture_features
from panocolor.transfer.matching import (
    Prepared,
    lattice_rows,
    match_pair,
    pool,
    prepare,
    shrink_mask,
)
from panocolor.transfer.parts import region_parts

__all__ = ["PhotorealTransfer", "match_lightness", "texture_features"]

log = logging.getLogger(__name__)


@TRANSFERS.register("photoreal")
@dataclass
class PhotorealTransfer(MaskedTransfer):
    """Luminance-and-texture matching with edge-aware refinement (see module docstring).

    Parameters
    ----------
    working_pixels : int
        Pixel budget of the working copies of target and reference.
    neighbors : int
        Reference pixels averaged per target pixel.
    eps : float
        Approximation of the k-d tree search (0 = exact); 1.0 changed CIEDE2000 by
        < 0.02 on the development set and halved the search time.
    confidence_distance, confidence_spread : float
        Scales of the confidence of a pixel's matches
        (:func:`~panocolor.transfer.matching.pool`): mean feature distance of its
        ``neighbors`` matches (L* units) and spread of their a*b* (CIELAB units) at
        which confidence has halved.
    smoothness, sigma : float
        How far confident chroma travels over the gray photo, and the lightness edge
        (guide levels, 2.55 per L*) that stops it (:func:`~panocolor.imaging.
        propagate.propagate_chroma`). Mean CIEDE2000 / PSNR / colourfulness ratio /
        bleeding on 19 development photos (self protocol, every 4th of the
        manifest) and on 16 pairs (every 4th row of pairs.csv): the guided filter
        this replaced (radius 4, eps 20) 3.53 / 30.40 / 0.89 / 7.26 and 14.77 /
        20.46 / 0.92 / 18.61; smoothness 10: pairs 14.86 / 20.31 / 0.96 / 19.09;
        30: 3.42 / 30.65 / 0.90 / 6.84 and 14.78 / 20.41 / 0.94 / 18.96; 100: 3.52 /
        30.58 / 0.87 / 7.04 and 14.67 / 20.56 / 0.91 / 18.75; 300: 3.71 / 30.29 /
        0.84 / 7.42; 1000 (sigma 8): 4.99 / 28.23 / 0.71 / 9.19 (washed out). 100
        is kept for coherence: by eye a face or a sky takes one tone where 30
        still leaves patches (kodim04 from kodim15). Confidence matters: at 300,
        uniform confidence gave 3.77 / 30.26 on self-references against 3.71 / 30.29.
    region_remap : float
        For region pairs (per-object colorization), how far a reference region's L*
        is remapped towards its target region's, in [0, 1] (see
        :func:`~panocolor.transfer.features.region_features`). Mean CIEDE2000 of
        per-object fast mode on the 31
        COCO development photos (self protocol / 32 COCO pairs), deeplab segments:
        0 gave 5.33 / 12.96, 0.5 gave 5.33 / 12.83, 1 gave 5.46 / 12.73; true
        segments: 4.57 / 12.86, 4.36 / 12.66, 4.30 / 12.74. Halfway is never worse
        than no remap, and full remap is worse on self-references with deeplab.
        (Measured before ``region_preference`` existed, i.e. with it infinite.)
    query_stride : int
        Only target pixels on a lattice of this step are matched (regions with fewer
        than 16 lattice pixels: all of theirs); the others take their colour from
        the propagation of step 4, which fills pixels of no confidence anyway. All 76
        development photos, self protocol, ΔE00 / PSNR / s per photo (one run, under
        load): 1 gave 3.72 / 30.17 / 2.3, 2 gave 3.74 / 30.12 / 1.4, 3 gave 3.77 /
        30.04 / 1.4; on the 32 COCO pairs 12.71 ΔE00 and 18.29 / 18.28 / 18.29
        bleeding for all three. kodim04 from kodim15, quiet: 1.12 / 0.57 / 0.27 s.
    semantic_weight : float
        Weight of the semantic descriptors among the matching features, in L* units
        per unit of the first principal component (0: lightness and texture only).
        Mean CIEDE2000 / PSNR on 19 development photos (self protocol, every 4th of
        the manifest): 0 (lightness and texture only) 5.16 / 27.91 dB; 5: 3.63 /
        30.42; 8: 3.62 / 30.41; 11: 3.64 / 30.30; 15: 3.69 / 30.14; 25: 3.79 / 29.83.
        Other layers at 15: ``aspp`` 4.29, ``fine`` 5.08; 4 components 3.85, 16: 3.67.
        On the 32 COCO pairs (ΔE00 / bleeding / adherence / blotchiness): 8 gave 12.71
        / 18.28 / 9.24 / 0.026, 12: 12.74 / 18.54 / 9.14 / 0.027, 16: 12.85 / 18.73 /
        9.00 / 0.032, 24: 12.97 / 19.06 / 8.88 / 0.034. By eye 16 gave kodim04 (from
        kodim15) a more plausible skin tone, but every figure but adherence is worse.
    semantic_components : int
        Principal components of the descriptors kept (basis fitted per target and
        reference pair, on both together).
    semantic_layer : str
        Descriptor layer of the VOC model (a key of
        :data:`panocolor.segment.semantic.LAYERS`).
    model_dir : path-like or None
        Folder searched first for the VOC model file. When it is found nowhere (see
        :func:`panocolor.models.find_model`), matching uses lightness and texture
        only, as with ``semantic_weight=0`` (logged once at INFO level).
    encoder : callable or None
        ``lightness -> SemanticFeatures``, to use instead of the VOC model (built from
        ``model_dir`` on first use when None).
    region_preference : float
        For region pairs, the feature distance by which a match inside the reference
        region is preferred to one anywhere in the reference: a candidate outside the
        region at distance d counts as ``hypot(d, region_preference)``. Distances are
        in the matching space (L* units for lightness and texture, plus the weighted
        descriptors, whose region matches lie about 11 apart at the median on kodim04
        from kodim15). 0 ignores regions (single-reference matching), inf never leaves
        the region. Deeplab mislabels (giraffes called "building", snow called "road")
        are what the preference forgives; with true segments, whose labels are right,
        inf adheres better (first 5 of the 32 COCO pairs, true segments, adherence 4.58
        with inf, 7.32 with 5). Pixels whose region matches are farther than the
        preference are also searched in the whole reference (5 took 2x inf's time).
        Chosen with the stuff probe as the default and weak matches anchored to
        their region's colour, fast mode with probes that never saw the photos
        (``perobject-fast-heldout``), ΔE00 / bleeding / adherence / blotchiness, 31
        COCO photos (self): 6 gave 3.96 / 7.33 / 4.06 / 0.021, 8: 3.98 / 7.38 / 4.08 /
        0.022, 12: 4.03 / 7.47 / 4.19 / 0.023, 20: 4.09 / 7.55 / 4.24 / 0.024; 32 COCO
        pairs: 6 gave 12.60 / 18.16 / 7.67 / 0.039, 8: 12.61 / 18.17 / 7.65 / 0.040,
        12: 12.63 / 18.19 / 7.65 / 0.042. 8 is kept: that synthetic sky's b* is -31
        with 8 and -25 with 6 (-37 with 12, -40 without descriptors).
    parts, part_softness : int, float
        Parts of a region pair, on the descriptors, that per-object compositing
        anchors one by one (0 or 1: none), and how softly pixels belong to them
        (:mod:`panocolor.transfer.parts`, with the measurements).
    """

    working_pixels: int = WORKING_PIXELS
    neighbors: int = 4
    eps: float = 1.0
    confidence_distance: float = 10.0
    confidence_spread: float = 10.0
    smoothness: float = 100.0
    sigma: float = 4.0
    region_remap: float = 0.5
    region_preference: float = 8.0
    parts: int = 3
    part_softness: float = 10.0
    query_stride: int = 2
    semantic_weight: float = 8.0
    semantic_components: int = 8
    semantic_layer: str = DEFAULT_LAYER
    model_dir: str | os.PathLike[str] | None = None
    encoder: SemanticEncoder | None = field(default=None, repr=False)
    name: str = "photoreal"
    _encoder_looked_up: bool = field(default=False, repr=False, init=False)
    _prepared: RecentInputs = field(default_factory=lambda: RecentInputs(4), repr=False)

    def chroma(self, inputs: TransferInputs) -> np.ndarray:
        # A reference mask is a hard limit here (the ColorTransfer contract): strict.
        region = RegionPair(
            inputs.target_mask, inputs.reference_mask, inputs.target_mask, strict=True
        )
        (matched,) = self.match_regions(inputs.lightness, inputs.reference_lab, [region])
        small_l = self._prepare(inputs.lightness, inputs.reference_lab).small_l
        small_ab = self.refine(small_l, matched.ab, matched.confidence)
        return guided_upsample(small_ab, small_l, inputs.lightness)

    def refine(
        self, small_l: np.ndarray, small_ab: np.ndarray, confidence: np.ndarray | None = None
    ) -> np.ndarray:
        """Working-size chroma propagated from its confident pixels over the gray photo.

        ``small_l`` (h, w) L*, ``small_ab`` (h, w, 2) matched chroma, ``confidence``
        (h, w) in [0, 1] (None: all 1); returns (h, w, 2) float32.
        """
        return propagate_chroma(
            small_l, small_ab, confidence, smoothness=self.smoothness, sigma=self.sigma
        )

    def match_regions(
        self,
        lightness: np.ndarray,
        reference_lab: np.ndarray,
        regions: Sequence[RegionPair],
    ) -> list[MatchedChroma]:
        """Raw matched chroma at working size for several target/reference region pairs.

        Each pair queries only its own target pixels, against a k-d tree of its own
        reference region (the whole reference's tree is built once per input pair).
        This is what keeps per-object colorization about as fast as one transfer,
        whatever the number of regions. Target pixels that their region
        matches badly are also matched against the whole reference, and those
        candidates compete at a penalty (``region_preference``), unless the pair is
        ``strict``.

        Parameters
        ----------
        lightness : (H, W) float32 ndarray
            Target L*.
        reference_lab : (h, w, 3) float32 ndarray
            Reference CIELAB.
        regions : sequence of RegionPair
            Masks at the sizes of ``lightness`` and ``reference_lab``, or already at
            the working size (per-object colorization passes full-resolution L*, so
            that the descriptors see what the segmenter saw, with working-size masks).

        Returns
        -------
        list of MatchedChroma
            Unrefined (h', w', 2) chroma at the working size of ``lightness`` and its
            (h', w') confidence (both 0 outside each target region).
        """
        prepared = self._prepare(lightness, reference_lab)
        shape = prepared.small_l.shape
        outputs = []
        for pair in regions:
            region = (
                np.ones(shape, bool) if pair.target is None else shrink_mask(pair.target, shape)
            )
            rows = lattice_rows(region, self.query_stride)
            chroma = np.zeros((prepared.small_l.size, 2), np.float32)
            confidence = np.zeros(prepared.small_l.size, np.float32)
            if rows.size:
                candidates, distance = match_pair(
                    prepared,
                    pair,
                    rows,
                    neighbors=self.neighbors,
                    eps=self.eps,
                    region_remap=self.region_remap,
                    region_preference=np.inf if pair.strict else self.region_preference,
                )
                chroma[rows], confidence[rows] = pool(
                    candidates, distance, self.confidence_distance, self.confidence_spread
                )
            outputs.append(MatchedChroma(chroma.reshape(shape + (2,)), confidence.reshape(shape)))
        return outputs

    def region_parts(
        self, lightness: np.ndarray, reference_lab: np.ndarray, pair: RegionPair
    ) -> RegionParts | None:
        """The parts a region pair shares, at working size (None: no descriptors)."""
        prepared = self._prepare(lightness, reference_lab)
        return region_parts(prepared, pair, self.parts, self.part_softness)

    def semantic_encoder(self) -> SemanticEncoder | None:
        """The descriptor source in use, or None (no weight, or no model file)."""
        if self.semantic_weight <= 0:
            return None
        if self.encoder is None and not self._encoder_looked_up:
            self._encoder_looked_up = True
            try:
                self.encoder = DeepLabEncoder(self.model_dir, layer=self.semantic_layer)
            except ModelNotFoundError as error:
                log.info("photoreal matches on lightness and texture only: %s", error)
        return self.encoder

    def _prepare(self, lightness: np.ndarray, reference_lab: np.ndarray) -> Prepared:
        """The working copies and features of an input pair, computed once per pair."""
        return self._prepared.get(
            (lightness, reference_lab),
            lambda: prepare(
                lightness,
                reference_lab,
                self.working_pixels,
                self.semantic_encoder(),
                weight=self.semantic_weight,
                components=self.semantic_components,
            ),
        )
