"""The web app's JSON API through FastAPI's TestClient: the flow, bad input, safety."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from skimage import data
from skimage.transform import resize
from typer.testing import CliRunner

from panocolor.api import Settings
from panocolor.cli import app as cli
from panocolor.web import WEB_SETTINGS, Limits, create_app

SUPERPIXEL = Settings(segmenter="superpixel", mode="faithful", transfer="reinhard")
LIMITS = Limits(max_upload_bytes=300_000, max_pixels=200_000)


def _encoded(pixels: np.ndarray, image_format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=image_format)
    return buffer.getvalue()


def _small(rgb: np.ndarray, side: int = 128) -> np.ndarray:
    height, width = rgb.shape[:2]
    shape = (round(height * side / max(height, width)), round(width * side / max(height, width)))
    return (resize(rgb, shape, anti_aliasing=True) * 255).round().astype(np.uint8)


@pytest.fixture(scope="module")
def gray_png() -> bytes:
    rgb = _small(data.chelsea())
    return _encoded(np.dot(rgb, [0.299, 0.587, 0.114]).round().astype(np.uint8))


@pytest.fixture(scope="module")
def colour_jpeg() -> bytes:
    return _encoded(_small(data.coffee()), "JPEG")


@pytest.fixture(scope="module")
def other_jpeg() -> bytes:
    return _encoded(_small(data.astronaut()), "JPEG")


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    gallery = tmp_path / "gallery"
    (gallery / "sub").mkdir(parents=True)
    Image.fromarray(_small(data.astronaut(), 64)).save(gallery / "astronaut.png")
    Image.fromarray(_small(data.coffee(), 64)).save(gallery / "sub" / "coffee.jpg")
    app = create_app(SUPERPIXEL, gallery=gallery, limits=LIMITS, warm_up=False)
    with TestClient(app) as test_client:
        yield test_client


def _session(client: TestClient) -> str:
    response = client.post("/api/sessions")
    assert response.status_code == 201
    return f"/api/sessions/{response.json()['session_id']}"


def _upload(
    client: TestClient, base: str, content: bytes, role: str, name: str = "photo.png"
) -> dict:
    response = client.post(f"{base}/images", files={"file": (name, content)}, data={"role": role})
    assert response.status_code == 201, response.text
    return response.json()


def _finish(client: TestClient, base: str, body: dict | None = None) -> dict:
    response = client.post(f"{base}/colorize", json=body or {})
    assert response.status_code == 202, response.text
    job = response.json()
    deadline = time.monotonic() + 30
    while job["state"] not in ("done", "error") and time.monotonic() < deadline:
        time.sleep(0.05)
        job = client.get(job["url"]).json()
    return job


def _png(content: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(content)))


def _assert_error(response, status: int, *words: str) -> None:  # noqa: ANN001
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    for word in words:
        assert word in detail, detail


def test_flow_colorize_swap_rename_download(
    client: TestClient, gray_png: bytes, colour_jpeg: bytes, other_jpeg: bytes
) -> None:
    base = _session(client)
    target = _upload(client, base, gray_png, "target", "cat.png")
    reference = _upload(client, base, colour_jpeg, "reference", "coffee.jpg")
    other = _upload(client, base, other_jpeg, "reference", "astronaut.jpg")
    assert target["preview_url"] and client.get(target["preview_url"]).status_code == 200

    job = _finish(client, base)
    assert job["state"] == "done", job
    first = _png(client.get(f"{base}/result.png").content)
    assert first.shape == (target["height"], target["width"], 3)

    info = client.get(f"{base}/segments").json()
    assert info["segments"] and all(s["reference"] == reference["id"] for s in info["segments"])
    assert client.get(info["overlay_url"]).headers["content-type"] == "image/png"
    ids = _png(client.get(f"{base}/segments/ids.png").content)
    assert ids.shape == (info["height"], info["width"])
    chosen = max(info["segments"], key=lambda s: s["area"] if s["area"] < 0.5 else 0)
    rows, cols = np.nonzero(ids == chosen["id"])
    at = client.get(
        f"{base}/segments/at",
        params={"x": (cols[0] + 0.5) / ids.shape[1], "y": (rows[0] + 0.5) / ids.shape[0]},
    )
    assert at.json()["id"] == chosen["id"]

    body = {"reference": other["id"], "label": "rug"}
    updated = client.put(f"{base}/segments/{chosen['id']}", json=body).json()
    assert updated["label"] == "rug" and updated["detected_label"] == chosen["label"]
    assert updated["reference"] == other["id"] and updated["reason"] == "segment"
    assert _finish(client, base)["state"] == "done"
    second = _png(client.get(f"{base}/result.png").content)
    changed = np.abs(first.astype(int) - second.astype(int)).max(axis=2) > 2
    full_ids = np.asarray(Image.fromarray(ids).resize(first.shape[1::-1], Image.Resampling.NEAREST))
    assert changed[full_ids == chosen["id"]].mean() > 0.5
    assert not changed[full_ids != chosen["id"]].any()

    download = client.get(f"{base}/result.png", params={"download": True})
    assert "attachment" in download.headers["content-disposition"]
    assert "cat-colour.png" in download.headers["content-disposition"]
    assert client.get(f"{base}/segments/{chosen['id']}").status_code == 405
    reset = client.put(f"{base}/segments/{chosen['id']}", json={"reference": None}).json()
    assert reset["reason"] != "segment" and reset["label"] == "rug"


def test_bad_uploads_give_clear_4xx(client: TestClient, gray_png: bytes) -> None:
    base = _session(client)
    post = lambda content, role="target", name="x.jpg": client.post(  # noqa: E731
        f"{base}/images", files={"file": (name, content)}, data={"role": role}
    )
    _assert_error(post(b"hello, I am text\n" * 10), 422, "not an image")
    jpeg = _encoded(_small(data.astronaut(), 200), "JPEG")
    _assert_error(post(jpeg[: len(jpeg) // 2]), 422, "truncated")
    _assert_error(post(b""), 422, "empty")
    _assert_error(post(gray_png, role="reference"), 422, "no colour")
    _assert_error(post(np.random.default_rng(0).bytes(400_000)), 413, "limit")
    big = _encoded(np.zeros((500, 500), np.uint8))  # few bytes, too many pixels
    assert len(big) < LIMITS.max_upload_bytes
    _assert_error(post(big), 413, "pixels")
    _assert_error(post(gray_png, role="sky"), 422, "role")
    _assert_error(client.post(f"{base}/images", data={"role": "target"}), 422, "file")
    assert client.get(base).json()["images"] == []


def test_chunked_upload_over_the_limit_is_refused(client: TestClient) -> None:
    base = _session(client)

    def chunks() -> Iterator[bytes]:
        yield b"x" * 2_000_000

    response = client.post(
        f"{base}/images",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    _assert_error(response, 413, "limit")


def test_client_filenames_never_become_paths(
    client: TestClient, gray_png: bytes, tmp_path: Path
) -> None:
    base = _session(client)
    store = client.app.state.store
    names = {
        "../../etc/passwd": "passwd",
        "..\\..\\boot.ini": "boot.ini",
        "/tmp/evil.png": "evil.png",
        "..": "image",
    }
    for name, shown in names.items():
        assert _upload(client, base, gray_png, "target", name)["name"] == shown
    session = store.get(base.rsplit("/", 1)[1])
    files = list(session.folder.iterdir())
    assert files and all(f.parent == session.folder for f in files)
    assert all(len(f.name.split(".")[0]) == 32 for f in files)  # server-made uuid names
    assert session.folder.is_relative_to(store.root)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/sessions/0123456789abcdef0123456789abcdef", 404),
        ("get", "/api/sessions/..%2F..%2Fetc", 404),
        ("get", "/api/sessions/%2E%2E/result.png", 422),
        ("get", "/api/sessions/NOT-AN-ID/result.png", 422),
        ("get", "/api/sessions/../../etc/passwd", 404),
        ("get", "/api/gallery/0123456789abcdef/preview.png", 404),
        ("get", "/api/gallery/..%2Fsecret/preview.png", 404),
        ("get", "/api/gallery/secret.png/preview.png", 422),
        ("delete", "/api/sessions/0123456789abcdef0123456789abcdef", 404),
    ],
)
def test_unknown_or_malformed_ids(client: TestClient, method: str, path: str, status: int) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert isinstance(response.json()["detail"], str)


def test_unknown_ids_inside_a_session(
    client: TestClient, gray_png: bytes, colour_jpeg: bytes
) -> None:
    base = _session(client)
    missing = "0123456789abcdef0123456789abcdef"
    _assert_error(client.get(f"{base}/images/{missing}/preview.png"), 404, "image")
    _assert_error(client.get(f"{base}/jobs/{missing}"), 404, "job")
    _assert_error(client.post(f"{base}/colorize", json={}), 409, "gray photo")
    _assert_error(client.get(f"{base}/segments"), 409, "colorize")
    _assert_error(client.get(f"{base}/result.png"), 409, "colorize")
    _upload(client, base, gray_png, "target")
    _assert_error(client.post(f"{base}/colorize", json={}), 409, "reference")
    _upload(client, base, colour_jpeg, "reference")
    _assert_error(client.post(f"{base}/colorize", json={"reference": "x/../y"}), 422, "reference")
    _assert_error(client.post(f"{base}/colorize", json={"reference": missing}), 404, "image")
    gallery = {"gallery_id": "0123456789abcdef"}
    _assert_error(client.post(f"{base}/images/gallery", json=gallery), 404, "gallery")


def test_segment_edits_are_validated(
    client: TestClient, gray_png: bytes, colour_jpeg: bytes
) -> None:
    base = _session(client)
    target = _upload(client, base, gray_png, "target")
    _upload(client, base, colour_jpeg, "reference")
    assert _finish(client, base)["state"] == "done"
    put = lambda segment, body: client.put(f"{base}/segments/{segment}", json=body)  # noqa: E731
    _assert_error(put(999, {"label": "sky"}), 404, "segment")
    _assert_error(put(0, {"label": "sky"}), 422)
    _assert_error(put(1, {"label": "<script>"}), 422, "label")
    _assert_error(put(1, {"label": ""}), 422, "label")
    _assert_error(put(1, {"label": "   "}), 422, "label")
    assert put(1, {"label": " old sofa "}).json()["label"] == "old sofa"
    _assert_error(put(1, {"label": "x" * 65}), 422, "label")
    _assert_error(put(1, {"path": "/etc/passwd"}), 422)
    _assert_error(put(1, {"reference": target["id"]}), 422, "reference image")
    _assert_error(put(1, {"reference": "0" * 32}), 404, "image")


def test_gallery(client: TestClient) -> None:
    items = client.get("/api/gallery").json()["items"]
    assert sorted(i["name"] for i in items) == ["astronaut.png", "sub/coffee.jpg"]
    preview = client.get(items[0]["preview_url"])
    assert preview.status_code == 200 and preview.headers["content-type"] == "image/png"
    base = _session(client)
    response = client.post(f"{base}/images/gallery", json={"gallery_id": items[1]["id"]})
    assert response.status_code == 201
    assert response.json()["role"] == "reference" and response.json()["name"] == "sub/coffee.jpg"


def test_model_errors_end_the_job_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gray_png: bytes, colour_jpeg: bytes
) -> None:
    monkeypatch.setenv("PANOCOLOR_MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    app = create_app(Settings(segmenter="deeplab"), limits=LIMITS, warm_up=False)
    with TestClient(app) as client:
        base = _session(client)
        _upload(client, base, gray_png, "target")
        _upload(client, base, colour_jpeg, "reference")
        job = _finish(client, base)
    assert job["state"] == "error" and "not found" in job["error"]


def test_sessions_expire_and_shutdown_cleans_up(tmp_path: Path, gray_png: bytes) -> None:
    limits = Limits(session_ttl_s=60, max_sessions=2)
    app = create_app(SUPERPIXEL, limits=limits, warm_up=False)
    with TestClient(app) as client:
        store = app.state.store
        base = _session(client)
        _upload(client, base, gray_png, "target")
        folder = store.get(base.rsplit("/", 1)[1]).folder
        _session(client)
        _assert_error(client.post("/api/sessions"), 503, "limit")
        assert store.sweep(now=time.monotonic() + 61) == 2
        assert not folder.exists() and len(store) == 0
        _assert_error(client.get(base), 404, "expired")
        _session(client)
    assert not store.root.exists()


def test_openapi_documents_the_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/sessions",
        "/api/sessions/{session_id}/images",
        "/api/sessions/{session_id}/colorize",
        "/api/sessions/{session_id}/jobs/{job_id}",
        "/api/sessions/{session_id}/segments",
        "/api/sessions/{session_id}/segments/overlay.png",
        "/api/sessions/{session_id}/segments/{segment_id}",
        "/api/sessions/{session_id}/result.png",
        "/api/gallery",
    ):
        assert path in paths, path
    assert "SegmentUpdate" in schema["components"]["schemas"]
    assert client.get("/docs").status_code == 200
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    assert client.get("/static/app.js").status_code == 200


def test_default_settings_keep_swaps_local() -> None:
    assert WEB_SETTINGS.mode == "faithful"
    with pytest.raises(ValueError, match="max_pixels"):
        Limits(max_pixels=0)


def test_gallery_choices_and_suggestions_with_models(
    tmp_path: Path,
    model_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    gray_png: bytes,
) -> None:
    monkeypatch.setenv("PANOCOLOR_MODEL_DIR", str(model_dir))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the gallery index
    gallery = tmp_path / "gallery"
    gallery.mkdir()
    Image.fromarray(_small(data.chelsea(), 160)).save(gallery / "cat.jpg")
    settings = Settings(mode="faithful", gallery=gallery)
    with TestClient(create_app(settings, gallery=gallery, limits=LIMITS)) as client:
        base = _session(client)
        _upload(client, base, gray_png, "target")
        _upload(client, base, _encoded(_small(data.rocket())), "reference")  # no cat in it
        assert _finish(client, base)["state"] == "done"
        segments = client.get(f"{base}/segments").json()["segments"]
    cats = [s for s in segments if s["label"] == "cat"]
    assert cats and all(s["reason"] == "gallery" for s in cats)
    assert all(s["reference_name"] == "cat.jpg" and s["reference"] is None for s in cats)
    assert [g["name"] for g in cats[0]["suggestions"]] == ["cat.jpg"]


def test_serve_command_prints_a_free_port_and_cleans_up(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "panocolor", "serve", "--port", "0", "--max-upload-mb", "1"]
    env = os.environ | {"TMPDIR": str(tmp_path)}
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stderr.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert url, line
        assert httpx.post(f"{url[0]}/api/sessions", timeout=10).status_code == 201
        assert list(tmp_path.glob("panocolor-web-*/s-*"))
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    assert not list(tmp_path.glob("panocolor-web-*"))


def test_serve_refuses_a_missing_gallery(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--gallery", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "not a folder" in result.output
