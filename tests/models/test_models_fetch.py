"""Model files: search order, clear errors, sha256-verified download and copy."""

from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from panocolor.errors import ModelNotFoundError
from panocolor.models import (
    MODEL_FILES,
    ModelFetchError,
    ModelFile,
    fetch_models,
    find_model,
    search_dirs,
)

PAYLOAD = b"not really a model, but served and hashed like one\n"
NAME = "tiny_test_model.tflite"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch) -> Path:
    """No env var, a private cache, and one small fake entry in the table."""
    monkeypatch.delenv("PANOCOLOR_MODEL_DIR", raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setattr("panocolor.models._store.cache_dir", lambda: cache)
    digest = hashlib.sha256(PAYLOAD).hexdigest()
    monkeypatch.setitem(MODEL_FILES, NAME, ModelFile(NAME, digest, "test file"))
    return cache


@pytest.fixture
def server(tmp_path) -> Iterator[tuple[str, Path]]:
    """An http.server on 127.0.0.1 serving a temporary folder: (base URL, folder)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    httpd.shutdown()
    httpd.server_close()


def test_search_order(tmp_path, monkeypatch, isolated) -> None:
    explicit, env = tmp_path / "explicit", tmp_path / "env"
    for folder in (explicit, env, isolated):
        folder.mkdir(parents=True)
        (folder / NAME).write_bytes(PAYLOAD)
    monkeypatch.setenv("PANOCOLOR_MODEL_DIR", str(env))
    assert search_dirs(explicit) == [explicit, env, isolated]
    assert find_model(NAME, explicit) == explicit / NAME
    assert find_model(NAME) == env / NAME
    monkeypatch.delenv("PANOCOLOR_MODEL_DIR")
    assert find_model(NAME) == isolated / NAME


def test_missing_file_error_names_file_and_both_fixes(tmp_path) -> None:
    with pytest.raises(ModelNotFoundError) as error:
        find_model(NAME, tmp_path)
    message = str(error.value)
    assert NAME in message and "panocolor models fetch" in message
    assert "--model-dir" in message and "PANOCOLOR_MODEL_DIR" in message


def test_a_file_with_the_wrong_hash_is_not_used(tmp_path) -> None:
    (tmp_path / NAME).write_bytes(b"tampered")
    with pytest.raises(ModelNotFoundError, match="wrong sha256"):
        find_model(NAME, tmp_path)


def test_unknown_name() -> None:
    with pytest.raises(ModelNotFoundError, match="unknown model file"):
        find_model("nope.tflite")


def test_download_verifies_sha256(server, tmp_path) -> None:
    url, root = server
    (root / NAME).write_bytes(PAYLOAD)
    [path] = fetch_models([NAME], tmp_path / "dest", base_url=url)
    assert path.read_bytes() == PAYLOAD
    assert find_model(NAME, tmp_path / "dest") == path


def test_download_with_wrong_hash_fails_clearly(server, tmp_path) -> None:
    url, root = server
    (root / NAME).write_bytes(b"a different file")
    with pytest.raises(ModelFetchError, match=f"download of {NAME}.*(?i:hash)"):
        fetch_models([NAME], tmp_path / "dest", base_url=url)
    assert not (tmp_path / "dest" / NAME).exists()


def test_download_of_a_missing_file_fails_clearly(server, tmp_path) -> None:
    url, _ = server
    with pytest.raises(ModelFetchError, match=NAME):
        fetch_models([NAME], tmp_path / "dest", base_url=url)


def test_real_model_file_served_locally(server, tmp_path, model_dir) -> None:
    url, root = server
    name = "deeplabv3_mnv2_dm05_pascal_quant.tflite"
    shutil.copyfile(model_dir / name, root / name)
    [path] = fetch_models([name], tmp_path / "dest", base_url=url)
    assert find_model(name, tmp_path / "dest") == path


def test_copy_from_folder(tmp_path, isolated) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / NAME).write_bytes(PAYLOAD)
    [path] = fetch_models([NAME], from_dir=source)
    assert path == isolated / NAME and path.read_bytes() == PAYLOAD
    (source / NAME).write_bytes(b"corrupt")
    with pytest.raises(ModelFetchError, match="refusing"):
        fetch_models([NAME], tmp_path / "other", from_dir=source)
    assert not (tmp_path / "other" / NAME).exists()


def test_cli_models_fetch_and_list(tmp_path, isolated) -> None:
    from panocolor.cli import app

    source = tmp_path / "source"
    source.mkdir()
    (source / NAME).write_bytes(PAYLOAD)
    runner = CliRunner()
    result = runner.invoke(app, ["models", "fetch", NAME, "--from", str(source)])
    assert result.exit_code == 0, result.output
    assert (isolated / NAME).read_bytes() == PAYLOAD
    listing = runner.invoke(app, ["models", "list"])
    assert listing.exit_code == 0 and str(isolated / NAME) in listing.output
    failed = runner.invoke(app, ["models", "fetch", "nope.tflite", "--from", str(source)])
    assert failed.exit_code == 1 and "unknown model file" in failed.output
