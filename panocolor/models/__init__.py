"""The one module that knows model files: names, pinned sha256, where they are, how to fetch.

Backends ask :func:`find_model` for a path and never look elsewhere. A file is
searched, in order, in an explicit ``model_dir``, in ``$PANOCOLOR_MODEL_DIR`` and in
the per-user cache; :func:`fetch_models` (``panocolor models fetch``) fills a folder
from the public addresses or from a local copy, verifying every sha256;
:func:`tflite_interpreter` opens a model file without the runtime's chatter on stderr.
"""

from panocolor.models._runtime import tflite_interpreter
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
    "cache_dir",
    "fetch_models",
    "file_sha256",
    "find_model",
    "locate",
    "search_dirs",
    "tflite_interpreter",
]
