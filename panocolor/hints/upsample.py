"""Joint bilateral upsampling of the hint layers: a hint's reach ends where the L* edge is.

The hints are spread at a working size, where a lightness edge falls inside some
pixels (they take the mean of both sides). A linear guided upsampling, as the
transfer uses, fits one model across such windows and carries a few pixels of the
hint's colour past the edge. Here each full-size pixel takes its value from the 2 x 2
working pixels around it, weighted bilinearly *and* by how close their L* is to its
own (Kopf et al. [1]_): a pixel on the far side of an edge listens to the working
pixels on its side.

References
----------
.. [1] J. Kopf, M. F. Cohen, D. Lischinski, M. Uyttendaele, "Joint bilateral
       upsampling", ACM TOG 26(3), 2007. :DOI:`10.1145/1276377.1276497`
"""

from __future__ import annotations

import numpy as np

from panocolor.imaging.bands import row_bands

RANGE_SIGMA = 3.0  # L*: a working pixel this much lighter or darker counts e^-1 as much
_FLOOR = 1e-6  # spatial weight kept when no neighbour is close in L* (thin structures)


def _axis(full: int, small: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower neighbour, upper neighbour and the upper one's bilinear weight, per full index."""
    position = (np.arange(full, dtype=np.float32) + 0.5) * np.float32(small / full) - 0.5
    position = np.clip(position, 0.0, small - 1)
    low = np.minimum(position.astype(np.int64), small - 1)
    high = np.minimum(low + 1, small - 1)
    return low, high, (position - low).astype(np.float32)


def joint_upsample(
    layer: np.ndarray,
    small_l: np.ndarray,
    lightness: np.ndarray,
    sigma: float = RANGE_SIGMA,
    rows: slice | None = None,
) -> np.ndarray:
    """Upsample ``layer`` to ``lightness``'s size, guided by L* (joint bilateral, 2 x 2).

    Parameters
    ----------
    layer : (h, w, C) float32 ndarray
        Values at working size.
    small_l : (h, w) float32 ndarray
        L* at working size, aligned with ``layer``.
    lightness : (H, W) float32 ndarray
        Full-size L* in [0, 100].
    sigma : float, optional
        Range scale in L* units.
    rows : slice, optional
        Only these full-size rows (step 1), e.g. one of :func:`row_bands` per thread.

    Returns
    -------
    (H, W, C) float32 ndarray
        Each pixel a convex combination of the four working pixels around it (only
        the ``rows`` when given: (len(rows), W, C)).
    """
    height, width = lightness.shape
    small_h, small_w = small_l.shape
    cols = _axis(width, small_w)
    rows = slice(0, height) if rows is None else slice(*rows.indices(height)[:2])
    out = np.empty((rows.stop - rows.start, width, layer.shape[2]), np.float32)
    row_low, row_high, row_t = _axis(height, small_h)
    for part in row_bands(rows.stop - rows.start, width):
        band = slice(rows.start + part.start, rows.start + part.stop)
        own = lightness[band]
        total = np.zeros(own.shape, np.float32)
        acc = np.zeros(own.shape + (layer.shape[2],), np.float32)
        for source_rows, row_weight in (
            (row_low[band], 1 - row_t[band]),
            (row_high[band], row_t[band]),
        ):
            # Rows, then columns: two plain takes are much faster than one 2-D fancy index.
            l_rows, layer_rows = small_l.take(source_rows, axis=0), layer.take(source_rows, axis=0)
            for cols_at, col_weight in ((cols[0], 1 - cols[2]), (cols[1], cols[2])):
                difference = (own - l_rows.take(cols_at, axis=1)) * np.float32(1 / sigma)
                weight = np.exp(-(difference * difference))
                weight += _FLOOR
                weight *= row_weight[:, None] * col_weight[None, :]
                acc += weight[..., None] * layer_rows.take(cols_at, axis=1)
                total += weight
        out[part] = acc / np.maximum(total, 1e-12)[..., None]
    return out
