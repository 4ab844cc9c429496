"""Photorealistic colour transfer without learned weights (the default backend).

Steps, each chosen by measurement on the development set (see ``benchmarks/``
and ``panocolor evaluate``):

1. Shrink target and reference to a working size (chroma is smooth; this bounds cost).
2. Remap the reference's L* to the target's mean and spread, so that matching on
   lightness compares like with like (Welsh et al. [1]_).
3. Describe every pixel by its L* and, at three scales, the local mean and standard
   deviation of L* (luminance plus texture). Multi-scale context beat Welsh's single
   5x5 window by about 0.8 CIEDE2000 on self-references.
   For a pair of regions (per-object colorization), the reference region's L* is
   remapped once more, halfway towards the target region's mean and spread
   (``region_remap``).
   With the DeepLab VOC model available, every pixel is also described by what the
   segmentation network sees there (:mod:`panocolor.segment.semantic`): the network's
   deep descriptors of target and reference, reduced to a few principal components
   fitted on both together, bilinearly upsampled and weighted (``semantic_weight``), so
   that faces match faces and sky matches sky rather than whatever has similar
   texture. Without the model file the features are lightness and texture only.
4. For each target pixel on a lattice (``query_stride``), average the a*b* of its
   ``neighbors`` nearest reference pixels in that feature space (an approximate
   k-d tree, ``eps``). For a pair of regions (matched on the same features,
   descriptors included), pixels of the rest of the reference compete too, at a
   distance penalty
   (``region_preference``): a segment whose class was named wrongly, or whose
   reference region lacks its texture, takes colour from where the reference
   matches it instead. How far the matches can be trusted is kept too: their
   feature distance and how much their a*b* agree (``_pool``).
5. Propagate the chroma from its confident pixels over the gray photo, edge-aware
   (:func:`panocolor.imaging.propagate.propagate_chroma`: a confidence-normalised
   fast global smoother [2]_), so that a surface without a lightness edge takes one
   tone instead of blotches; then bring it to full resolution with a fast guided
   filter on full-resolution L*.

References
----------
.. [1] T. Welsh, M. Ashikhmin, K. Mueller, "Transferring color to greyscale images",
       ACM SIGGRAPH 2002. :DOI:`10.1145/566654.566576`
.. [2] D. Min, S. Choi, J. Lu, B. Ham, K. Sohn, M. N. Do, "Fast global image
       smoothing based on weighted least squares", IEEE TIP 23(12), 2014.
       :DOI:`10.1109/TIP.2014.2366600`
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import cv2
import numpy as np
from scipy.spatial import cKDTree

from panocolor.errors import ModelNotFoundError
from panocolor.imaging import guided_upsample, resize_to_pixels
from panocolor.imaging.propagate import propagate_chroma
from panocolor.segment.semantic import (
    DEFAULT_LAYER,
    DeepLabEncoder,
    SemanticEncoder,
    joint_pca,
    to_grid,
)
from panocolor.transfer.base import TRANSFERS, MatchedChroma, RegionPair, check_inputs

T = TypeVar("T")
log = logging.getLogger(__name__)

# (window radius, weight) of the texture features; weights shrink with scale so that
# fine texture dominates and coarse context only breaks ties.
_SCALES = ((2, 1.0), (6, 0.7), (16, 0.5))
_REGION_SCALE_BOUNDS = (0.5, 2.0)  # of a region pair's L* spread ratio
_TEXTURE_COLUMNS = 1 + 2 * len(_SCALES)  # L* and the texture features, before descriptors


def texture_features(lightness: np.ndarray) -> np.ndarray:
    """Per-pixel matching features: L* and multi-scale local mean and std of L*.

    Parameters
    ----------
    lightness : (H, W) float32 ndarray
        L* in [0, 100].

    Returns
    -------
    features : (H, W, 7) float32 ndarray
    """
    lightness = np.asarray(lightness, dtype=np.float32)
    channels = [lightness]
    squared = lightness * lightness
    for radius, weight in _SCALES:
        size = (2 * radius + 1, 2 * radius + 1)
        mean = cv2.blur(lightness, size, borderType=cv2.BORDER_REFLECT)
        var = cv2.blur(squared, size, borderType=cv2.BORDER_REFLECT) - mean * mean
        channels += [weight * mean, weight * np.sqrt(np.maximum(var, 0.0))]
    return np.stack(channels, axis=-1)


def match_lightness(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Affinely remap ``source`` L* values to the mean and std of ``target`` L* values."""
    spread = float(source.std())
    scale = float(target.std()) / spread if spread > 1e-3 else 1.0
    return ((source - source.mean()) * scale + target.mean()).astype(np.float32)


@TRANSFERS.register("photoreal")
@dataclass
class PhotorealTransfer:
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
        Scales of the confidence of a pixel's matches (see :meth:`_pool`): mean
        feature distance of its ``neighbors`` matches (L* units) and spread of their
        a*b* (CIELAB units) at which confidence has halved.
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
        :func:`_region_features`). Mean CIEDE2000 of per-object fast mode on the 31
        COCO development photos (self protocol / 32 COCO pairs), deeplab segments:
        0 gave 5.33 / 12.96, 0.5 gave 5.33 / 12.83, 1 gave 5.46 / 12.73; true
        segments: 4.57 / 12.86, 4.36 / 12.66, 4.30 / 12.74. Halfway is never worse
        than no remap, and full remap is worse on self-references with deeplab.
        (Measured before ``region_preference`` existed, i.e. with it infinite.)
    query_stride : int
        Only target pixels on a lattice of this step are matched (regions with fewer
        than 16 lattice pixels: all of theirs); the others take their colour from
        the propagation of step 5, which fills pixels of no confidence anyway. All 76
        development photos, self protocol, ΔE00 / PSNR / s per photo (one run, under
        load): 1 gave 3.72 / 30.17 / 2.3, 2 gave 3.74 / 30.12 / 1.4, 3 gave 3.77 /
        30.04 / 1.4; on the 32 COCO pairs 12.71 ΔE00 and 18.29 / 18.28 / 18.29
        bleeding for all three. kodim04 from kodim15 on a quiet machine: 1.12 s,
        0.57 s, 0.27 s.
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
        the region. Re-chosen with region pairs matching on the descriptors (issue 12;
        lightness and texture only gave, on all 31 COCO photos, self protocol, 5.32
        CIEDE2000 with deeplab segments and 4.47 with true segments at 5). Mean
        CIEDE2000 / bleeding / adherence, fast mode, first 12 of the 31 COCO photos
        (self protocol): deeplab segments 4.27 / 7.41 / 4.15 with 5, 4.44 / 7.55 /
        4.36 with 12, 4.56 / 7.79 / 4.62 with inf; true segments 3.98 / 7.06 / 3.36,
        3.90 / 6.82 / 2.92, 3.87 / 6.76 / 2.73 (first 13 photos at 5: 4.10 and 3.82).
        First 5 of the 32 COCO pairs, fast mode: deeplab 12.60 / 18.34 / 8.58 with 5,
        12.91 / 19.08 / 8.43 with inf; true segments 12.58 / 18.29 / 7.32 and 12.69 /
        17.87 / 4.58; single-reference photoreal 12.81 / 18.72 / 8.77. Deeplab
        mislabels (giraffes called "building", snow called "road") are what the
        preference forgives; with true segments, whose labels are right, inf adheres
        better. Cost: with 5 most region matches are farther than the preference, so
        most pixels are searched in the whole reference too (about 2x the time of inf).
        12 is kept: with 5, a third of a labelled sky drew grass colour from the
        rest of the reference once colour was propagated by confidence (synthetic
        sky/grass test in ``tests/composite/test_perobject.py``), and with right
        labels (true segments, or the user's ``--ref``) a larger preference adheres
        better.
    """

    working_pixels: int = 256 * 256
    neighbors: int = 4
    eps: float = 1.0
    confidence_distance: float = 10.0
    confidence_spread: float = 10.0
    smoothness: float = 100.0
    sigma: float = 4.0
    region_remap: float = 0.5
    region_preference: float = 12.0
    query_stride: int = 2
    semantic_weight: float = 8.0
    semantic_components: int = 8
    semantic_layer: str = DEFAULT_LAYER
    model_dir: str | os.PathLike[str] | None = None
    encoder: SemanticEncoder | None = field(default=None, repr=False)
    name: str = "photoreal"
    _encoder_looked_up: bool = field(default=False, repr=False, init=False)
    _prepared: _RecentInputs = field(default_factory=lambda: _RecentInputs(4), repr=False)

    def __call__(
        self,
        lightness: np.ndarray,
        reference_lab: np.ndarray,
        *,
        target_mask: np.ndarray | None = None,
        reference_mask: np.ndarray | None = None,
    ) -> np.ndarray:
        lightness, reference_lab, target_mask, _ = check_inputs(
            lightness, reference_lab, target_mask, reference_mask
        )
        # A reference mask is a hard limit here (the ColorTransfer contract).
        (matched,) = self.match_regions(
            lightness,
            reference_lab,
            [RegionPair(target_mask, reference_mask, target_mask)],
            region_preference=np.inf,
        )
        small_l = self._prepared.get(
            (lightness, reference_lab), lambda: self._prepare(lightness, reference_lab)
        ).small_l
        small_ab = self.refine(small_l, matched.ab, matched.confidence)
        ab = guided_upsample(small_ab, small_l, lightness)
        if target_mask is not None:
            ab[~target_mask] = 0.0
        return ab

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

    def _pool(self, candidates: np.ndarray, distance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean chroma and confidence of each pixel's matches.

        ``candidates`` (n, k, 2) a*b* and ``distance`` (n, k) feature distances of the
        k matches; returns (n, 2) float32 mean chroma and (n,) float32 confidence in
        (0, 1]: ``1 / (1 + (d / confidence_distance)^2) / (1 + (s / confidence_spread)^2)``
        with ``d`` the mean distance and ``s`` the RMS spread of the matches' a*b*
        around their mean. Neighbours that disagree on colour, or that are far in
        feature space, are what a blotch is made of.
        """
        chroma = candidates.mean(axis=1)
        spread = np.sqrt(((candidates - chroma[:, None]) ** 2).sum(axis=-1).mean(axis=1))
        near = 1.0 / (1.0 + (distance.mean(axis=1) / self.confidence_distance) ** 2)
        agree = 1.0 / (1.0 + (spread / self.confidence_spread) ** 2)
        return chroma.astype(np.float32), (near * agree).astype(np.float32)

    def match_regions(
        self,
        lightness: np.ndarray,
        reference_lab: np.ndarray,
        regions: Sequence[RegionPair],
        *,
        region_preference: float | None = None,
    ) -> list[MatchedChroma]:
        """Raw matched chroma at working size for several target/reference region pairs.

        Each pair queries only its own target pixels, against a k-d tree of its own
        reference region (the whole reference's tree is built once per input pair).
        This is what keeps per-object colorization about as fast as one transfer,
        whatever the number of regions. Target pixels that their region
        matches badly are also matched against the whole reference, and those
        candidates compete at a penalty (``region_preference``).

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
        region_preference : float, optional
            Overrides the attribute of that name (``np.inf`` keeps to the regions).

        Returns
        -------
        list of MatchedChroma
            Unrefined (h', w', 2) chroma at the working size of ``lightness`` and its
            (h', w') confidence (both 0 outside each target region).
        """
        prepared = self._prepared.get(
            (lightness, reference_lab), lambda: self._prepare(lightness, reference_lab)
        )
        if region_preference is None:
            region_preference = self.region_preference
        shape = prepared.small_l.shape
        outputs = []
        for pair in regions:
            region = (
                np.ones(shape, bool) if pair.target is None else _shrink_mask(pair.target, shape)
            )
            rows = _lattice_rows(region, self.query_stride)
            chroma = np.zeros((prepared.small_l.size, 2), np.float32)
            confidence = np.zeros(prepared.small_l.size, np.float32)
            if rows.size:
                chroma[rows], confidence[rows] = self._match_pair(
                    prepared, pair, rows, region_preference
                )
            outputs.append(MatchedChroma(chroma.reshape(shape + (2,)), confidence.reshape(shape)))
        return outputs

    def _match_pair(
        self, prepared: _Prepared, pair: RegionPair, rows: np.ndarray, region_preference: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """(n, 2) chroma and (n,) confidence of target ``rows`` (flat indices) in ``pair``."""
        if pair.reference is None:
            distance, nearest = prepared.whole_matches(rows, self.neighbors, self.eps)
            return self._pool(prepared.ref_ab[nearest], distance)
        # Region pairs match in the whole feature space (descriptors too); only the
        # lightness columns are remapped towards the target region, before rotation.
        keep = np.flatnonzero(_shrink_mask(pair.reference, prepared.small_ref.shape[:2]))
        points = prepared.ref_features.reshape(-1, prepared.ref_features.shape[-1])[keep]
        if pair.lightness_from is not None and pair.lightness_from.any():
            core = _shrink_mask(pair.lightness_from, prepared.small_l.shape).ravel()
            points = _region_features(points, prepared.small_l.ravel()[core], self.region_remap)
        k = min(self.neighbors, len(keep))
        queries = prepared.rotate(prepared.target_rows(rows))
        distance, nearest = _query(cKDTree(prepared.rotate(points)), queries, k, self.eps)
        candidates = prepared.ref_ab[keep[nearest]]  # (n, k, 2)
        # A candidate from elsewhere costs at least region_preference, so only pixels
        # whose k-th match inside the region is farther than that can change.
        needy = distance[:, -1] > region_preference
        if needy.any():
            whole_distance, whole_nearest = prepared.whole_matches(rows[needy], k, self.eps)
            both_distance = np.concatenate(
                [distance[needy], np.hypot(whole_distance, region_preference)], axis=1
            )
            both = np.concatenate([candidates[needy], prepared.ref_ab[whole_nearest]], axis=1)
            best = np.argpartition(both_distance, k - 1, axis=1)[:, :k]
            candidates[needy] = np.take_along_axis(both, best[..., None], axis=1)
            distance[needy] = np.take_along_axis(both_distance, best, axis=1)
        return self._pool(candidates, distance)

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

    def _prepare(self, lightness: np.ndarray, reference_lab: np.ndarray) -> _Prepared:
        small_l = resize_to_pixels(lightness, self.working_pixels)
        small_ref = resize_to_pixels(reference_lab, self.working_pixels)
        ref_l = match_lightness(small_ref[..., 0], small_l)
        target_features, ref_features = texture_features(small_l), texture_features(ref_l)
        encoder = self.semantic_encoder()
        if encoder is not None:
            target_meaning, ref_meaning = joint_pca(
                encoder(lightness).descriptors,
                encoder(reference_lab[..., 0]).descriptors,
                self.semantic_components,
            )
            target_features = _append(
                target_features, self.semantic_weight * to_grid(target_meaning, small_l.shape)
            )
            ref_features = _append(
                ref_features, self.semantic_weight * to_grid(ref_meaning, small_ref.shape[:2])
            )
            # The descriptors are smooth and correlated with the texture features; on
            # principal axes the k-d tree splits where the points spread, which made the
            # 15-d search 2.5x faster at the same results.
            axes = _principal_axes(target_features, ref_features)
            return _Prepared(small_l, small_ref, target_features, ref_features, axes)
        return _Prepared(small_l, small_ref, target_features, ref_features)


def _principal_axes(*features: np.ndarray) -> np.ndarray:
    """(d, d) orthonormal principal axes of feature arrays pooled (columns = axes)."""
    pooled = np.concatenate([f.reshape(-1, f.shape[-1]) for f in features]).astype(np.float64)
    centred = pooled - pooled.mean(axis=0)
    _, axes = np.linalg.eigh(centred.T @ centred)  # (d, d): far cheaper than an (n, d) SVD
    return axes[:, ::-1].astype(np.float32)


def _append(features: np.ndarray, extra: np.ndarray) -> np.ndarray:
    return np.concatenate([features, extra.astype(np.float32)], axis=-1)


@dataclass(eq=False)
class _Prepared:
    """Working-size copies and per-pixel features of a target and its (L*-matched) reference."""

    small_l: np.ndarray
    small_ref: np.ndarray
    target_features: np.ndarray
    ref_features: np.ndarray
    axes: np.ndarray | None = None  # (d, d) rotation applied before k-d tree searches
    _tree: cKDTree | None = field(default=None, repr=False)  # of every reference pixel

    def rotate(self, features: np.ndarray) -> np.ndarray:
        """(n, d) features in the k-d trees' axes (a rotation: distances are unchanged)."""
        return features if self.axes is None else (features @ self.axes).astype(np.float32)

    @property
    def ref_ab(self) -> np.ndarray:
        """(n, 2) reference chroma, in the order of the flattened features."""
        return self.small_ref[..., 1:].reshape(-1, 2)

    def target_rows(self, rows: np.ndarray) -> np.ndarray:
        """(n, d) features of the target pixels ``rows`` (flat indices)."""
        return self.target_features.reshape(-1, self.target_features.shape[-1])[rows]

    def whole_matches(self, rows: np.ndarray, k: int, eps: float) -> tuple[np.ndarray, np.ndarray]:
        """(n, k) distances and indices of the nearest reference pixels of target ``rows``."""
        if self._tree is None:
            points = self.ref_features.reshape(-1, self.ref_features.shape[-1])
            self._tree = cKDTree(self.rotate(points))
        queries = self.rotate(self.target_rows(rows))
        return _query(self._tree, queries, min(k, self._tree.n), eps)


def _query(tree: cKDTree, queries: np.ndarray, k: int, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """(n, k) distances and indices of the ``k`` nearest points of ``tree``."""
    workers = -1 if len(queries) > 50_000 else 1  # threads only pay off on large queries
    distance, nearest = tree.query(queries, k=k, eps=eps, workers=workers)
    return distance.reshape(-1, k), nearest.reshape(-1, k)


def _region_features(
    ref_features: np.ndarray, target_lightness: np.ndarray, strength: float = 1.0
) -> np.ndarray:
    """Reference-region features with the region's L* remapped towards the target region's.

    The whole reference was remapped to the whole target (step 2); a region pair is
    remapped again, towards its own mean and spread, so that e.g. a dark face in the
    reference matches a light face in the target. ``strength`` in [0, 1] moves the mean
    that fraction of the way and the spread that fraction of the way in log scale (0:
    no change, 1: exact match), because a region's statistics mix its lighting with
    its content (a crop with less of a dark coat is not a lighter person). L* and
    the local means move with the affine map and local standard deviations scale with
    it (exact inside the region). The scale is bounded so that tiny or flat regions
    cannot blow up texture. Columns after the lightness and texture features (semantic
    descriptors) are left as they are.
    """
    ref_features, rest = ref_features[:, :_TEXTURE_COLUMNS], ref_features[:, _TEXTURE_COLUMNS:]
    ref_l = ref_features[:, 0]
    ref_mean, spread = float(ref_l.mean()), float(ref_l.std())
    ratio = float(target_lightness.std()) / spread if spread > 1e-3 else 1.0
    scale = float(np.clip(ratio, *_REGION_SCALE_BOUNDS)) ** strength
    # L' = ref_mean + scale * (L - ref_mean) + strength * (target mean - ref_mean)
    shift = (1.0 - scale) * ref_mean + strength * (float(target_lightness.mean()) - ref_mean)
    weights = np.array([1.0] + [w for _, w in _SCALES for _ in range(2)], np.float32)
    offsets = np.array([1.0] + [1.0, 0.0] * len(_SCALES), np.float32)
    remapped = (ref_features * scale + weights * offsets * shift).astype(np.float32)
    return np.concatenate([remapped, rest], axis=1) if rest.shape[1] else remapped


class _RecentInputs:
    """Results computed for the last few input arrays, recognised by identity.

    Per-object colorization calls the backend once per reference region with the very
    same target and reference arrays, so their working copies and features are
    computed once. Identity (not equality) keeps the check free; callers never mutate
    the arrays they pass. Inputs are held by weak reference, so a batch of large
    photos does not keep earlier photos alive.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: list[tuple[tuple[weakref.ref, ...], object]] = []

    def get(self, arrays: tuple[np.ndarray, ...], compute: Callable[[], T]) -> T:
        for known, value in self._items:
            if all(ref() is a for ref, a in zip(known, arrays, strict=True)):
                return value  # type: ignore[return-value]
        value = compute()
        live = [item for item in self._items if all(ref() is not None for ref in item[0])]
        self._items = [(tuple(weakref.ref(a) for a in arrays), value), *live[: self._size - 1]]
        return value


_MIN_LATTICE_ROWS = 16  # a region with fewer lattice pixels is queried at every pixel


def _lattice_rows(region: np.ndarray, stride: int) -> np.ndarray:
    """Flat indices of ``region``'s pixels on a ``stride`` lattice (all of them if few)."""
    if stride > 1:
        lattice = np.zeros_like(region)
        lattice[::stride, ::stride] = True
        rows = np.flatnonzero(region & lattice)
        if rows.size >= _MIN_LATTICE_ROWS:
            return rows
    return np.flatnonzero(region)


def _shrink_mask(mask: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resize a boolean mask to ``shape`` keeping every pixel the mask touches."""
    if mask.shape == shape:
        return mask.astype(bool)
    area = cv2.resize(mask.astype(np.float32), (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    return area > 0
