"""The web app's JSON API through FastAPI's TestClient: the flow, bad input, safety."""

from __future__ import annotations

import asyncio
import io
import os
import queue
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from skimage import data
from typer.testing import CliRunner

from panocolor.cli import app as cli
from panocolor.imaging.colorspace import rgb_to_lab
from panocolor.pipeline import Settings
from panocolor.web import WEB_SETTINGS, Limits, create_app
from panocolor.web.server import bind
from panocolor.web.store import Job
from tests.web.conftest import LIMITS, SUPERPIXEL, _encoded, _small

# How far past a segment a swap may change pixels: the reach of the soft masks (a guided
# filter of radius 3 touches pixels 6 away; these photos are below the working size).
RIM_PIXELS = 6


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


def _png_header(width: int, height: int) -> bytes:
    """A PNG that announces ``width`` x ``height`` gray pixels in a few bytes (header only)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    row = zlib.compress(b"\0" * (width + 1))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", row) + chunk(b"IEND", b"")


def _max_lightness_error(gray: np.ndarray, rgb: np.ndarray) -> float:
    """Largest |L*(result) - L*(gray photo)| of 8-bit images (what a viewer sees)."""
    assert gray.dtype == rgb.dtype == np.uint8
    lightness = rgb_to_lab(np.repeat(gray[..., None], 3, axis=2) / 255.0)[..., 0]
    return float(np.abs(rgb_to_lab(rgb / 255.0)[..., 0] - lightness).max())


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
    assert _max_lightness_error(_png(gray_png), first) <= 0.5

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
    assert _max_lightness_error(_png(gray_png), second) <= 0.5
    changed = np.abs(first.astype(int) - second.astype(int)).max(axis=2) > 2
    full_ids = np.asarray(Image.fromarray(ids).resize(first.shape[1::-1], Image.Resampling.NEAREST))
    assert changed[full_ids == chosen["id"]].mean() > 0.5
    # Outside the segment, only the rim its soft mask feathers into may change.
    outside = cv2.distanceTransform((full_ids != chosen["id"]).astype(np.uint8), cv2.DIST_L2, 5)
    assert outside[changed].max() <= RIM_PIXELS

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


def test_limit_messages_give_the_real_figures(tmp_path: Path) -> None:
    app = create_app(SUPERPIXEL, warm_up=False)  # the default limits: 64 MB, 50,000,000 pixels
    with TestClient(app) as client:
        base = _session(client)
        post = lambda content, name: client.post(  # noqa: E731
            f"{base}/images", files={"file": (name, content)}, data={"role": "target"}
        )
        response = post(_png_header(20_000, 20_000), "huge.png")  # 400 MP in 99 bytes
        assert response.status_code == 413
        assert response.json()["detail"] == (
            "huge.png has 400,000,000 pixels (20,000 x 20,000), "
            "more than the limit of 50,000,000 pixels"
        )
        response = post(bytes(66 * 2**20), "big.png")
        assert response.status_code == 413
        assert response.json()["detail"] == "the request is larger than the upload limit of 64 MB"
    small = Limits(max_upload_bytes=round(1.5 * 2**20))
    with TestClient(create_app(SUPERPIXEL, limits=small, warm_up=False)) as client:
        base = _session(client)
        response = client.post(f"{base}/images", files={"file": ("big.png", bytes(2 * 2**20))})
        assert response.status_code == 413
        assert response.json()["detail"] == "the file is larger than the upload limit of 1.5 MB"


def test_images_can_be_removed(
    client: TestClient, gray_png: bytes, colour_jpeg: bytes, other_jpeg: bytes
) -> None:
    base = _session(client)
    session = client.app.state.store.get(base.rsplit("/", 1)[1])
    target = _upload(client, base, gray_png, "target", "cat.png")
    reference = _upload(client, base, colour_jpeg, "reference", "coffee.jpg")
    other = _upload(client, base, other_jpeg, "reference", "astronaut.jpg")
    assert _finish(client, base)["state"] == "done"
    segment = client.get(f"{base}/segments").json()["segments"][0]["id"]
    body = {"reference": other["id"]}
    assert client.put(f"{base}/segments/{segment}", json=body).json()["reason"] == "segment"
    files = [session.images[other["id"]].path, session.images[other["id"]].preview]
    assert all(f.exists() for f in files)

    session.jobs["0" * 32] = Job("0" * 32)  # a job still running: its files are in use
    _assert_error(client.delete(f"{base}/images/{other['id']}"), 409, "still running")
    session.jobs.clear()
    response = client.delete(f"{base}/images/{other['id']}")
    assert response.status_code == 204, response.text
    assert not any(f.exists() for f in files)
    images = client.get(base).json()["images"]
    assert [i["id"] for i in images] == [target["id"], reference["id"]]
    assert client.get(f"{base}/segments").json()["segments"][0]["reason"] != "segment"
    assert client.get(other["preview_url"]).status_code == 404
    _assert_error(client.delete(f"{base}/images/{other['id']}"), 404, "image")
    _assert_error(client.post(f"{base}/colorize", json={"reference": other["id"]}), 404, "image")
    assert _finish(client, base)["state"] == "done"  # with the reference left

    assert client.delete(f"{base}/images/{reference['id']}").status_code == 204
    _assert_error(client.post(f"{base}/colorize", json={}), 409, "reference")
    assert client.delete(f"{base}/images/{target['id']}").status_code == 204
    info = client.get(base).json()
    assert info["images"] == [] and info["target"] is None and not info["has_result"]
    _assert_error(client.get(f"{base}/segments"), 409, "colorize")
    assert [f.suffix for f in session.folder.iterdir()] == []  # every file went with them


def test_favicon(client: TestClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/vnd.microsoft.icon"
    icon = Image.open(io.BytesIO(response.content))
    assert icon.format == "ICO" and (16, 16) in icon.info["sizes"]
    assert '<link rel="icon" href="/favicon.ico">' in client.get("/").text


def test_api_docs_need_no_network(client: TestClient) -> None:
    html = client.get("/docs")
    assert html.status_code == 200
    assert "//" not in html.text.replace("http://www.w3.org", ""), html.text  # no other host
    assets = re.findall(r'(?:src|href)="([^"]+)"', html.text)
    assert len(assets) >= 2, html.text
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200 and len(response.content) > 100, asset
    assert "/openapi.json" in html.text


def test_limits_sweep_interval() -> None:
    assert Limits().sweep_every_s == 60
    assert Limits(session_ttl_s=2).sweep_every_s == 0.5
    assert Limits(session_ttl_s=2, sweep_interval_s=0.05).sweep_every_s == 0.05
    with pytest.raises(ValueError, match="sweep_interval_s"):
        Limits(sweep_interval_s=0)


def _wait_until(condition, timeout_s: float = 30.0) -> bool:  # noqa: ANN001
    """Poll ``condition`` until it holds or ``timeout_s`` passes; return whether it held."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_the_sweeper_removes_idle_sessions_on_its_own(gray_png: bytes) -> None:
    limits = Limits(session_ttl_s=2.0, sweep_interval_s=0.05)  # TTL: room for a slow upload
    app = create_app(SUPERPIXEL, limits=limits, warm_up=False)
    with TestClient(app) as client:
        store = app.state.store
        sessions = {}
        for base in (busy := _session(client), idle := _session(client)):
            sessions[base] = store.get(base.rsplit("/", 1)[1])
        sessions[busy].jobs["0" * 32] = Job("0" * 32)  # a running job keeps its session
        _upload(client, idle, gray_png, "target")
        folders = {base: session.folder for base, session in sessions.items()}
        assert any(folders[idle].iterdir()) and folders[busy].exists()
        # Nothing here touches the sessions: only the sweeper thread can remove them.
        assert _wait_until(lambda: not folders[idle].exists()), "the idle session stayed"
        assert len(store) == 1 and folders[busy].exists()  # swept in the same pass, kept
        sessions[busy].jobs["0" * 32].state = "done"
        assert _wait_until(lambda: len(store) == 0), "the finished session stayed"
        assert not folders[busy].exists()
        _assert_error(client.get(idle), 404, "expired")


def test_openapi_documents_the_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/sessions",
        "/api/sessions/{session_id}/images",
        "/api/sessions/{session_id}/images/{image_id}",
        "/api/sessions/{session_id}/colorize",
        "/api/sessions/{session_id}/jobs/{job_id}",
        "/api/sessions/{session_id}/segments",
        "/api/sessions/{session_id}/segments/overlay.png",
        "/api/sessions/{session_id}/segments/{segment_id}",
        "/api/sessions/{session_id}/result.png",
        "/api/gallery",
    ):
        assert path in paths, path
    assert "delete" in paths["/api/sessions/{session_id}/images/{image_id}"]
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


class _Output:
    """Lines of a process's output, read by a thread so no read can block the test."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self._thread.start()

    def _read(self, stream: io.TextIOBase) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)  # end of output: the process has exited or closed it

    def wait_for(self, pattern: str, timeout_s: float) -> re.Match[str]:
        """The first match of ``pattern`` in a line; fails (never hangs) after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                pytest.fail(f"the output ended without {pattern!r}: {self.lines}")
            self.lines.append(line)
            if match := re.search(pattern, line):
                return match
        pytest.fail(f"no {pattern!r} in the output within {timeout_s} s: {self.lines}")


@contextmanager
def _serve(tmp_path: Path, *args: str, timeout_s: float = 60.0) -> Iterator[str]:
    """Run ``panocolor serve ARGS`` on a free 127.0.0.1 port; yield its URL; stop it with Ctrl+C."""
    command = [sys.executable, "-m", "panocolor", "serve", "--port", "0", *args]
    env = os.environ | {"TMPDIR": str(tmp_path)}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    try:
        yield _Output(process).wait_for(r"http://127\.0\.0\.1:\d+", timeout_s)[0]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
            raise
    assert code == 0


def test_output_reader_fails_on_a_silent_process_instead_of_hanging() -> None:
    command = [sys.executable, "-c", "import time; time.sleep(60)"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        with pytest.raises(pytest.fail.Exception, match="within 0.5 s"):
            _Output(process).wait_for("http://", timeout_s=0.5)
    finally:
        process.kill()
        process.wait(timeout=20)


@pytest.mark.slow
def test_serve_command_prints_a_free_port_and_cleans_up(tmp_path: Path) -> None:
    with _serve(tmp_path, "--max-upload-mb", "1") as url:
        assert httpx.post(f"{url}/api/sessions", timeout=10).status_code == 201
        assert list(tmp_path.glob("panocolor-web-*/s-*"))
    assert not list(tmp_path.glob("panocolor-web-*"))


@pytest.mark.slow
def test_serve_flags_limit_real_uploads(tmp_path: Path, gray_png: bytes) -> None:
    flags = ("--max-upload-mb", "0.5", "--max-pixels", "100000")
    with _serve(tmp_path, *flags) as url, httpx.Client(base_url=url, timeout=30) as client:
        base = f"/api/sessions/{client.post('/api/sessions').json()['session_id']}"

        def post(content: bytes, name: str = "x.png") -> httpx.Response:
            return client.post(
                f"{base}/images", files={"file": (name, content)}, data={"role": "target"}
            )

        noise = np.random.default_rng(0).bytes
        assert post(gray_png).status_code == 201  # small enough
        response = post(noise(600_000))  # over 0.5 MB: refused while saving
        assert response.status_code == 413
        assert response.json()["detail"] == "the file is larger than the upload limit of 0.5 MB"
        response = post(noise(2_000_000))  # over 0.5 MB + framing: refused before reading
        assert response.status_code == 413
        assert response.json()["detail"] == "the request is larger than the upload limit of 0.5 MB"
        response = post(_encoded(np.zeros((300, 400), np.uint8)), "wide.png")
        assert response.status_code == 413
        assert response.json()["detail"] == (
            "wide.png has 120,000 pixels (400 x 300), more than the limit of 100,000 pixels"
        )
        assert [i["name"] for i in client.get(base).json()["images"]] == ["x.png"]


def test_server_sockets_listen_on_127_0_0_1_and_send_without_delay() -> None:
    """uvicorn serves on a socket from bind(); asyncio must turn Nagle off on its
    connections, else each response waits ~40 ms for a delayed ACK."""
    sock = bind()
    assert sock.getsockname()[0] == "127.0.0.1"

    async def nodelay_of_a_connection() -> int:
        loop = asyncio.get_running_loop()
        accepted: asyncio.Future[asyncio.BaseTransport] = loop.create_future()

        class Accept(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                accepted.set_result(transport)

        server = await loop.create_server(Accept, sock=sock)
        try:
            _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
            transport = await asyncio.wait_for(accepted, timeout=10)
            connection = transport.get_extra_info("socket")
            flag = connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            writer.close()
            return flag
        finally:
            server.close()
            await server.wait_closed()

    assert asyncio.run(nodelay_of_a_connection()) != 0


def test_serve_refuses_a_missing_gallery(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--gallery", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "not a folder" in result.output


def test_later_jobs_of_a_session_reuse_its_images(
    client: TestClient, gray_png: bytes, colour_jpeg: bytes, other_jpeg: bytes
) -> None:
    """A hint or a swap colours again without segmenting the same reference again."""
    base = _session(client)
    _upload(client, base, gray_png, "target")
    _upload(client, base, colour_jpeg, "reference")
    assert _finish(client, base)["state"] == "done"
    first = _png(client.get(f"{base}/result.png").content)
    colorizer = client.app.state.work.colorizer
    calls = []
    inner = colorizer.segmenter
    colorizer.segmenter = lambda lightness: calls.append(lightness.shape) or inner(lightness)
    assert _finish(client, base)["state"] == "done"
    assert calls == []  # the photo's segments are the session's, the reference's are kept
    np.testing.assert_array_equal(_png(client.get(f"{base}/result.png").content), first)
    client.post(f"{base}/hints", json={"x": 10, "y": 20, "colour": "#ff0000"})
    assert _finish(client, base)["state"] == "done"
    assert calls == []
    other = _upload(client, base, other_jpeg, "reference")  # read and segmented once
    assert _finish(client, base, {"reference": other["id"]})["state"] == "done"
    assert _finish(client, base, {"reference": other["id"]})["state"] == "done"
    assert len(calls) == 1
