"""The one module that knows model files: names, pinned sha256, where they are, how to fetch.

Backends ask :func:`find_model` for a path and never look elsewhere. A file is
searched, in order, in an explicit ``model_dir``, in ``$PANOCOLOR_MODEL_DIR`` and in
the per-user cache; :func:`fetch_models` (``panocolor models fetch``) fills a folder
from the public addresses or from a local copy, verifying every sha256;
:class:`TFLiteModel` runs a model file (created without the runtime's chatter on stderr)
and returns the tensors asked for.
"""

from panocolor.models._runtime import TFLiteModel, dequantize
from panocolor.models._store import (
    ENV_VAR,
    ModelFetchError,
    cache_dir,
    fetch_models,
    file_sha256,
    find_model,
    locate,
    search_dirs,
)
from panocolor.models._table import BASE_URL, MODEL_FILES, ModelFile

__all__ = [
    "BASE_URL",
    "ENV_VAR",
    "MODEL_FILES",
    "ModelFetchError",
    "ModelFile",
    "TFLiteModel",
    "cache_dir",
    "dequantize",
    "fetch_models",
    "file_sha256",
    "find_model",
    "locate",
    "search_dirs",
]
