"""Colour-transfer stage: backends that give a gray photo the chroma of a reference.

Backends register in :data:`TRANSFERS` (one file each) and are built by name with
:func:`build_transfer`: ``reinhard`` (global baseline), ``photoreal`` (default) and
``neural`` (Magenta arbitrary style transfer, chroma only).
"""

from panocolor.defaults import DEFAULT_TRANSFER
from panocolor.transfer import neural, photoreal, reinhard  # noqa: F401  (register backends)
from panocolor.transfer.base import TRANSFERS, ColorTransfer, build_transfer

__all__ = ["DEFAULT_TRANSFER", "TRANSFERS", "ColorTransfer", "build_transfer"]
