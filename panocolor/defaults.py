"""The default of every pipeline setting, in one place.

The faces (CLI, batch, web) and the stages read their defaults here. The module
imports nothing, so the CLI can use it for its option defaults without loading a
stage (``panocolor --help`` stays fast).
"""

DEFAULT_TRANSFER = "photoreal"
"""Colour transfer backend (:data:`panocolor.transfer.TRANSFERS`)."""

DEFAULT_SEGMENTER = "auto"
"""Segmenter (:data:`panocolor.segment.SEGMENTERS`): ``deeplab`` when its model files are
found, else ``none`` (one reference for the whole photo)."""

DEFAULT_MODE = "fast"
"""Per-object compositing mode (:data:`panocolor.composite.perobject.MODES`)."""

DEFAULT_ENGINE = "local"
"""Batch engine (:data:`panocolor.batch.ENGINES`)."""
