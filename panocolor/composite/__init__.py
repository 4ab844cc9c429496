"""Compositing stage: per-object chroma blended under soft masks, and L* + chroma -> pixels."""

from panocolor.composite.compose import compose_lab, compose_pixels, composite_chroma

__all__ = ["compose_lab", "compose_pixels", "composite_chroma"]
