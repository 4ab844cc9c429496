"""Finding model files on disk and fetching them (pure I/O; no model maths here)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import platformdirs

from panocolor.errors import ModelNotFoundError
from panocolor.models._table import BASE_URL, MODEL_FILES, ModelFile

ENV_VAR = "PANOCOLOR_MODEL_DIR"
_HOW_TO = (
    "run `panocolor models fetch` (add `--from DIR` to copy from a folder), "
    f"or point `--model-dir` / the {ENV_VAR} environment variable at a folder that holds it"
)
_verified: dict[tuple[str, int, int], str] = {}


class ModelFetchError(ModelNotFoundError):
    """A model file could not be downloaded or copied, or its sha256 did not match."""


def cache_dir() -> Path:
    """The per-user model cache (``platformdirs.user_cache_dir('panocolor')/models``)."""
    return Path(platformdirs.user_cache_dir("panocolor", appauthor=False)) / "models"


def search_dirs(model_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Model directories in search order: ``model_dir``, ``$PANOCOLOR_MODEL_DIR``, the cache."""
    dirs = [Path(model_dir)] if model_dir is not None else []
    if os.environ.get(ENV_VAR):
        dirs.append(Path(os.environ[ENV_VAR]))
    dirs.append(cache_dir())
    return dirs


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file; cached per (path, size, mtime) for the process."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _verified:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _verified[key] = digest.hexdigest()
    return _verified[key]


def _known(name: str) -> ModelFile:
    try:
        return MODEL_FILES[name]
    except KeyError:
        known = ", ".join(MODEL_FILES)
        raise ModelNotFoundError(f"unknown model file {name!r}; known files: {known}") from None


def locate(name: str, model_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """The first file called ``name`` with the pinned sha256 in :func:`search_dirs`, or None."""
    entry = _known(name)
    for folder in search_dirs(model_dir):
        path = folder / name
        if path.is_file() and file_sha256(path) == entry.sha256:
            return path
    return None


def find_model(name: str, model_dir: str | os.PathLike[str] | None = None) -> Path:
    """Path of a model file, searched in ``model_dir``, ``$PANOCOLOR_MODEL_DIR``, the user cache.

    Parameters
    ----------
    name : str
        A file name from :data:`MODEL_FILES`.
    model_dir : path-like, optional
        Folder searched first.

    Returns
    -------
    path : Path
        An existing file whose sha256 matches the pinned one.

    Raises
    ------
    ModelNotFoundError
        If ``name`` is unknown, or no searched folder holds it with the right sha256;
        the message names the file, the folders searched and how to provide it.
    """
    found = locate(name, model_dir)
    if found is not None:
        return found
    entry = _known(name)
    folders = search_dirs(model_dir)
    wrong = [str(d / name) for d in folders if (d / name).is_file()]
    detail = f" ({', '.join(wrong)} has the wrong sha256)" if wrong else ""
    raise ModelNotFoundError(
        f"model file {entry.name} not found in {', '.join(map(str, folders))}{detail}; {_HOW_TO}"
    )


def _copy_verified(source: Path, target: Path, sha256: str) -> None:
    if not source.is_file():
        raise ModelFetchError(f"{source} does not exist; cannot copy model file {source.name}")
    got = file_sha256(source)
    if got != sha256:
        raise ModelFetchError(
            f"{source} has sha256 {got}, expected {sha256}; refusing to copy a wrong file"
        )
    with tempfile.NamedTemporaryFile(
        dir=target.parent, prefix=f".{target.name}.", delete=False
    ) as t:
        tmp = Path(t.name)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _download(url: str, target: Path, sha256: str) -> None:
    import pooch  # imported here: only downloads need it

    try:
        pooch.retrieve(
            url,
            known_hash=f"sha256:{sha256}",
            fname=target.name,
            path=target.parent,
            progressbar=False,
        )
    except ValueError as error:  # pooch's hash mismatch; it removes the bad download
        raise ModelFetchError(f"download of {target.name} from {url} failed: {error}") from None
    except OSError as error:  # network errors (requests' errors are OSErrors)
        raise ModelFetchError(
            f"download of {target.name} from {url} failed ({error}); "
            "copy it from a folder instead with `panocolor models fetch --from DIR`"
        ) from None


def fetch_models(
    names: Iterable[str] | None = None,
    dest: str | os.PathLike[str] | None = None,
    *,
    from_dir: str | os.PathLike[str] | None = None,
    base_url: str = BASE_URL,
) -> list[Path]:
    """Put model files into ``dest``, verifying each file's pinned sha256.

    Files already in ``dest`` with the right hash are kept as they are.

    Parameters
    ----------
    names : iterable of str, optional
        File names from :data:`MODEL_FILES`; default all of them.
    dest : path-like, optional
        Target folder (created); default the user cache, :func:`cache_dir`.
    from_dir : path-like, optional
        Copy from this folder instead of downloading.
    base_url : str, optional
        Download from ``{base_url}/{name}``; default the pinned public repository.

    Returns
    -------
    paths : list of Path
        The files in ``dest``, in the order of ``names``.

    Raises
    ------
    ModelNotFoundError
        For an unknown name.
    ModelFetchError
        When a download or copy fails or its sha256 does not match; nothing is left
        behind under the file's name.
    """
    entries = [_known(n) for n in (MODEL_FILES if names is None else names)]
    target_dir = Path(dest) if dest is not None else cache_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for entry in entries:
        target = target_dir / entry.name
        if not (target.is_file() and file_sha256(target) == entry.sha256):
            if from_dir is not None:
                _copy_verified(Path(from_dir) / entry.name, target, entry.sha256)
            else:
                _download(f"{base_url.rstrip('/')}/{entry.name}", target, entry.sha256)
        paths.append(target)
    return paths
