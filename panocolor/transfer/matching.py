"""Nearest-neighbour chroma matching of the photoreal backend (step 3 of
:mod:`panocolor.transfer.photoreal`).

For each target pixel on a lattice (``query_stride``, :func:`lattice_rows`), the a*b*
of its ``neighbors`` nearest reference pixels in feature space are averaged (an
approximate k-d tree, ``eps``, :func:`build_tree`). For a pair of regions (matched on
the same features, descriptors included), pixels of the rest of the reference compete
too, at a distance penalty (``region_preference``, :func:`match_pair`): a segment
whose class was named wrongly, or whose reference region lacks its texture, takes
colour from where the reference matches it instead. How far the matches can be
trusted is kept too: their feature distance and how much their a*b* agree
(:func:`pool`).

:func:`prepare` makes the working-size copies and features of one target and
reference (:class:`Prepared`, which builds the k-d tree of every reference pixel on
first use); the backend keeps the last few
(:class:`~panocolor.imaging.recent.RecentInputs`) so that the per-object calls on one
photo prepare it once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from pykdtree.kdtree import KDTree

from panocolor.imaging import resize_to_pixels
from panocolor.segment.semantic import SemanticEncoder, joint_pca, to_grid
from panocolor.transfer.base import RegionPair
from panocolor.transfer.features import (
    append_columns,
    match_lightness,
    principal_axes,
    region_features,
    texture_features,
)

_MIN_LATTICE_ROWS = 16  # a region with fewer lattice pixels is queried at every pixel


@dataclass(eq=False)
class Prepared:
    """Working-size copies and per-pixel features of a target and its (L*-matched) reference."""

    small_l: np.ndarray
    small_ref: np.ndarray
    target_features: np.ndarray
    ref_features: np.ndarray
    axes: np.ndarray | None = None  # (d, d) rotation applied before k-d tree searches
    _tree: KDTree | None = field(default=None, repr=False)  # of every reference pixel

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
            self._tree = build_tree(self.rotate(points))
        queries = self.rotate(self.target_rows(rows))
        return query(self._tree, queries, min(k, self._tree.n), eps)


def prepare(
    lightness: np.ndarray,
    reference_lab: np.ndarray,
    working_pixels: int,
    encoder: SemanticEncoder | None = None,
    *,
    weight: float = 0.0,
    components: int = 8,
) -> Prepared:
    """Shrink a target and its reference to ``working_pixels`` and describe their pixels.

    Parameters
    ----------
    lightness : (H, W) float32 ndarray
        Target L* in [0, 100].
    reference_lab : (h, w, 3) float32 ndarray
        Reference CIELAB; its L* is matched to the target's
        (:func:`~panocolor.transfer.features.match_lightness`) before describing it.
    working_pixels : int
        Pixel budget of the working copies.
    encoder : SemanticEncoder or None, optional
        Source of semantic descriptors, appended ``weight``-weighted after the texture
        features (``components`` principal components fitted on both images
        together); None: lightness and texture only.
    """
    small_l = resize_to_pixels(lightness, working_pixels)
    small_ref = resize_to_pixels(reference_lab, working_pixels)
    ref_l = match_lightness(small_ref[..., 0], small_l)
    target_features, ref_features = texture_features(small_l), texture_features(ref_l)
    if encoder is None:
        return Prepared(small_l, small_ref, target_features, ref_features)
    target_meaning, ref_meaning = joint_pca(
        encoder(lightness).descriptors, encoder(reference_lab[..., 0]).descriptors, components
    )
    target_features = append_columns(
        target_features, weight * to_grid(target_meaning, small_l.shape)
    )
    ref_features = append_columns(ref_features, weight * to_grid(ref_meaning, small_ref.shape[:2]))
    # The descriptors are smooth and correlated with the texture features; on principal
    # axes the k-d tree splits where the points spread, which made the 15-d search 2.5x
    # faster at the same results.
    axes = principal_axes(target_features, ref_features)
    return Prepared(small_l, small_ref, target_features, ref_features, axes)


def build_tree(points: np.ndarray) -> KDTree:
    """A k-d tree of (n, d) feature points, in float32.

    pykdtree rather than scipy's cKDTree: on photoreal's 15-d features it answered the
    same approximate (``eps``) queries 4-5x faster (kodim04 from kodim15), building
    and searching in float32 with OpenMP threads.
    """
    return KDTree(np.ascontiguousarray(points, dtype=np.float32))


def query(tree: KDTree, queries: np.ndarray, k: int, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """(n, k) distances and indices of the ``k`` nearest points of ``tree``."""
    distance, nearest = tree.query(np.ascontiguousarray(queries, dtype=np.float32), k=k, eps=eps)
    return distance.reshape(-1, k), nearest.reshape(-1, k).astype(np.intp)


def match_pair(
    prepared: Prepared,
    pair: RegionPair,
    rows: np.ndarray,
    *,
    neighbors: int,
    eps: float,
    region_remap: float,
    region_preference: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The reference matches of target ``rows`` (flat indices) in ``pair``.

    A pair without a reference region matches against the whole reference. Otherwise
    the reference region's lightness columns are remapped towards the target region
    (``region_remap``, see :func:`~panocolor.transfer.features.region_features`), and
    candidates from the rest of the reference compete at a ``region_preference``
    distance penalty.

    Returns
    -------
    candidates : (n, k, 2) float32 ndarray
        a*b* of the ``k <= neighbors`` matches of each row.
    distance : (n, k) ndarray
        Their feature distances.
    """
    if pair.reference is None:
        distance, nearest = prepared.whole_matches(rows, neighbors, eps)
        return prepared.ref_ab[nearest], distance
    # Region pairs match in the whole feature space (descriptors too); only the
    # lightness columns are remapped towards the target region, before rotation.
    keep = np.flatnonzero(shrink_mask(pair.reference, prepared.small_ref.shape[:2]))
    points = prepared.ref_features.reshape(-1, prepared.ref_features.shape[-1])[keep]
    if pair.lightness_from is not None and pair.lightness_from.any():
        core = shrink_mask(pair.lightness_from, prepared.small_l.shape).ravel()
        points = region_features(points, prepared.small_l.ravel()[core], region_remap)
    k = min(neighbors, len(keep))
    queries = prepared.rotate(prepared.target_rows(rows))
    distance, nearest = query(build_tree(prepared.rotate(points)), queries, k, eps)
    candidates = prepared.ref_ab[keep[nearest]]  # (n, k, 2)
    # A candidate from elsewhere costs at least region_preference, so only pixels
    # whose k-th match inside the region is farther than that can change.
    needy = distance[:, -1] > region_preference
    if needy.any():
        whole_distance, whole_nearest = prepared.whole_matches(rows[needy], k, eps)
        both_distance = np.concatenate(
            [distance[needy], np.hypot(whole_distance, region_preference)], axis=1
        )
        both = np.concatenate([candidates[needy], prepared.ref_ab[whole_nearest]], axis=1)
        best = np.argpartition(both_distance, k - 1, axis=1)[:, :k]
        candidates[needy] = np.take_along_axis(both, best[..., None], axis=1)
        distance[needy] = np.take_along_axis(both_distance, best, axis=1)
    return candidates, distance


def pool(
    candidates: np.ndarray,
    distance: np.ndarray,
    confidence_distance: float,
    confidence_spread: float,
) -> tuple[np.ndarray, np.ndarray]:
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
    near = 1.0 / (1.0 + (distance.mean(axis=1) / confidence_distance) ** 2)
    agree = 1.0 / (1.0 + (spread / confidence_spread) ** 2)
    return chroma.astype(np.float32), (near * agree).astype(np.float32)


def lattice_rows(region: np.ndarray, stride: int) -> np.ndarray:
    """Flat indices of ``region``'s pixels on a ``stride`` lattice (all of them if few)."""
    if stride > 1:
        lattice = np.zeros_like(region)
        lattice[::stride, ::stride] = True
        rows = np.flatnonzero(region & lattice)
        if rows.size >= _MIN_LATTICE_ROWS:
            return rows
    return np.flatnonzero(region)


def shrink_mask(mask: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resize a boolean mask to ``shape`` keeping every pixel the mask touches."""
    if mask.shape == shape:
        return mask.astype(bool)
    area = cv2.resize(mask.astype(np.float32), (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    return area > 0
