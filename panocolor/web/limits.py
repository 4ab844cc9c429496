"""The web server's limits: upload size, pixels, sessions, images per session, workers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Bounds on what clients may make the server store and compute.

    Attributes
    ----------
    max_upload_bytes : int
        Largest uploaded file.
    max_pixels : int
        Largest image (width x height) accepted, checked before decoding.
    session_ttl_s : float
        A session idle this long is removed with its files.
    max_sessions : int
        Sessions held at once; more are refused until some expire.
    max_images : int
        Images per session.
    workers : int
        Threads running colorization jobs (the colorizer itself runs one at a time).
    sweep_interval_s : float, optional
        How often the sweeper looks for idle sessions (default: ``session_ttl_s / 4``,
        at most 60 s).
    """

    max_upload_bytes: int = 64 * 2**20
    max_pixels: int = 50_000_000
    session_ttl_s: float = 3600.0
    max_sessions: int = 100
    max_images: int = 20
    workers: int = 2
    sweep_interval_s: float | None = None

    def __post_init__(self) -> None:
        for name in ("max_upload_bytes", "max_pixels", "max_sessions", "max_images", "workers"):
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be >= 1, got {getattr(self, name)}")
        for name in ("session_ttl_s", "sweep_interval_s"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"Limits.{name} must be > 0, got {value}")

    @property
    def sweep_every_s(self) -> float:
        """Seconds between sweeps: ``sweep_interval_s``, else TTL / 4 (at most 60 s)."""
        return self.sweep_interval_s or min(60.0, self.session_ttl_s / 4)
