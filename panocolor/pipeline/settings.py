"""How a :class:`~panocolor.pipeline.Colorizer` works: everything but the images."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from panocolor.composite.perobject import MODES, Mode
from panocolor.defaults import DEFAULT_MODE, DEFAULT_SEGMENTER, DEFAULT_TRANSFER
from panocolor.errors import PanocolorError


@dataclass(frozen=True)
class Settings:
    """How a :class:`~panocolor.pipeline.Colorizer` works (also what batch and web store).

    Attributes
    ----------
    transfer : str
        Colour transfer backend (``photoreal``, ``reinhard``, ``neural``).
    segmenter : str
        ``auto`` (``deeplab`` when its model files are found, else single-reference),
        ``none`` (single-reference: one transfer for the whole photo), or a segmenter
        name (``deeplab``, ``superpixel``...).
    mode : {"fast", "faithful"}
        Per-object compositing mode (see :mod:`panocolor.composite.perobject`).
    gallery : Path or None
        Folder of colour photos to pick per-segment references from.
    model_dir : Path or None
        Folder searched first for model files (by the segmenter, the transfer and the
        gallery's embedder).
    segment_pixels : int
        The gray photo is segmented at most this large (chroma is computed at an even
        smaller working size and upsampled guided by full-resolution L*).
    """

    transfer: str = DEFAULT_TRANSFER
    segmenter: str = DEFAULT_SEGMENTER
    mode: Mode = DEFAULT_MODE  # type: ignore[assignment]
    gallery: Path | None = None
    model_dir: Path | None = None
    segment_pixels: int = 1_000_000

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise PanocolorError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")

    def to_dict(self) -> dict[str, object]:
        return {
            "transfer": self.transfer,
            "segmenter": self.segmenter,
            "mode": self.mode,
            "gallery": str(self.gallery) if self.gallery else None,
            "segment_pixels": self.segment_pixels,
        }
