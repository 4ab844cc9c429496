"""Global Lab mean/std colour transfer (Reinhard et al. 2001): the baseline to beat.

References
----------
.. [1] E. Reinhard, M. Ashikhmin, B. Gooch, P. Shirley, "Color transfer between
       images", IEEE CG&A 21(5), 2001. :DOI:`10.1109/38.946629`
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from panocolor.transfer.base import TRANSFERS, MaskedTransfer, TransferInputs


@TRANSFERS.register("reinhard")
@dataclass
class ReinhardTransfer(MaskedTransfer):
    """Give every target pixel the reference's mean chroma.

    A gray target has zero chroma spread, so Reinhard's per-channel mean/std
    matching reduces to the reference's mean a*, b* everywhere.
    """

    name: str = "reinhard"

    def chroma(self, inputs: TransferInputs) -> np.ndarray:
        pixels = inputs.reference_pixels
        mean_ab = pixels[:, 1:].mean(axis=0, dtype=np.float64).astype(np.float32)
        return np.broadcast_to(mean_ab, inputs.lightness.shape + (2,)).copy()
