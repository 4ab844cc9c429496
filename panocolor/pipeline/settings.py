"""How a :class:`~panocolor.pipeline.Colorizer` works: everything but the images."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Settings:
        """The settings :meth:`to_dict` wrote (a batch manifest's ``settings``).

        Keys it lacks keep their defaults (``model_dir`` is never written), so
        manifests written by earlier versions load too.

        Raises
        ------
        PanocolorError
            If ``data`` holds a key that is not a setting, or a bad mode.
        """
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise PanocolorError(f"unknown settings: {', '.join(unknown)}")
        options = dict(data)
        for name in ("gallery", "model_dir"):
            if options.get(name) is not None:
                options[name] = Path(options[name])
        return cls(**options)

    def to_dict(self) -> dict[str, object]:
        return {
            "transfer": self.transfer,
            "segmenter": self.segmenter,
            "mode": self.mode,
            "gallery": str(self.gallery) if self.gallery else None,
            "segment_pixels": self.segment_pixels,
        }
