"""Per-pixel matching features of the photoreal backend (step 2 of
:mod:`panocolor.transfer.photoreal`).

The reference's L* is remapped to the target's mean and spread, so that matching on
lightness compares like with like (Welsh et al. [1]_). Every pixel is then described
by its L* and, at three scales, the local mean and standard deviation of L*
(luminance plus texture, :func:`texture_features`). Multi-scale context beat Welsh's
single 5x5 window by about 0.8 CIEDE2000 on self-references. For a pair of regions
(per-object colorization), the reference region's L* is remapped once more, halfway
towards the target region's mean and spread (``region_remap``, :func:`region_features`).

With the DeepLab VOC model available, every pixel is also described by what the
segmentation network sees there (:mod:`panocolor.segment.semantic`): the network's deep
descriptors of target and reference, reduced to a few principal components fitted on
both together, bilinearly upsampled and weighted (``semantic_weight``), so that faces
match faces and sky matches sky rather than whatever has similar texture
(:func:`append_columns`; :func:`~panocolor.transfer.matching.prepare` puts them
together). Without the model file the features are lightness and texture only.

References
----------
.. [1] T. Welsh, M. Ashikhmin, K. Mueller, "Transferring color to greyscale images",
       ACM SIGGRAPH 2002. :DOI:`10.1145/566654.566576`
"""

from __future__ import annotations

import cv2
import numpy as np

# (window radius, weight) of the texture features; weights shrink with scale so that
# fine texture dominates and coarse context only breaks ties.
_SCALES = ((2, 1.0), (6, 0.7), (16, 0.5))
_REGION_SCALE_BOUNDS = (0.5, 2.0)  # of a region pair's L* spread ratio
TEXTURE_COLUMNS = 1 + 2 * len(_SCALES)  # L* and the texture features, before descriptors


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


def region_features(
    ref_features: np.ndarray, target_lightness: np.ndarray, strength: float = 1.0
) -> np.ndarray:
    """Reference-region features with the region's L* remapped towards the target region's.

    The whole reference was remapped to the whole target (:func:`match_lightness`); a
    region pair is remapped again, towards its own mean and spread, so that e.g. a dark
    face in the reference matches a light face in the target. ``strength`` in [0, 1]
    moves the mean that fraction of the way and the spread that fraction of the way in
    log scale (0: no change, 1: exact match), because a region's statistics mix its
    lighting with its content (a crop with less of a dark coat is not a lighter
    person). L* and the local means move with the affine map and local standard
    deviations scale with it (exact inside the region). The scale is bounded so that
    tiny or flat regions cannot blow up texture. Columns after the lightness and
    texture features (semantic descriptors) are left as they are.

    Parameters
    ----------
    ref_features : (n, d) float32 ndarray
        Features of the reference region's pixels, ``d >= 7`` (:func:`texture_features`
        first).
    target_lightness : (m,) float ndarray
        L* of the target region's pixels.
    strength : float, optional
        How far to remap, in [0, 1].

    Returns
    -------
    features : (n, d) float32 ndarray
    """
    ref_features, rest = ref_features[:, :TEXTURE_COLUMNS], ref_features[:, TEXTURE_COLUMNS:]
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


def principal_axes(*features: np.ndarray) -> np.ndarray:
    """(d, d) orthonormal principal axes of feature arrays pooled (columns = axes)."""
    pooled = np.concatenate([f.reshape(-1, f.shape[-1]) for f in features]).astype(np.float64)
    centred = pooled - pooled.mean(axis=0)
    _, axes = np.linalg.eigh(centred.T @ centred)  # (d, d): far cheaper than an (n, d) SVD
    return axes[:, ::-1].astype(np.float32)


def append_columns(features: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """``features`` (..., d) with ``extra`` (..., e) appended as float32 columns."""
    return np.concatenate([features, extra.astype(np.float32)], axis=-1)
