"""A small load test: 20 clients at once against a real uvicorn server on 127.0.0.1.

Correctness only (every client answered, no request failed, each result right); how
fast the server answers under load is measured by ``benchmarks/web_load.py``.
"""

from __future__ import annotations

import io
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest
from PIL import Image
from skimage import data

from panocolor.imaging.colorspace import rgb_to_lab
from panocolor.pipeline import Settings
from panocolor.web import Limits, create_app, running

CLIENTS = 20
DEADLINE_S = 120.0
pytestmark = pytest.mark.slow


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


GRAY_PIXELS = data.camera()[::6, ::6]
GRAY = _png(GRAY_PIXELS)
COLOUR = _png(data.astronaut()[::6, ::6])


def _client_flow(url: str) -> np.ndarray:
    """Create a session, upload, colorize, poll, fetch the result, end; return the result."""
    started = time.monotonic()
    with httpx.Client(base_url=url, timeout=60.0) as client:
        created = client.post("/api/sessions").raise_for_status().json()
        base = f"/api/sessions/{created['session_id']}"
        for role, content in (("target", GRAY), ("reference", COLOUR)):
            files = {"file": (f"{role}.png", content)}
            client.post(f"{base}/images", files=files, data={"role": role}).raise_for_status()
        job = client.post(f"{base}/colorize", json={}).raise_for_status().json()
        while job["state"] not in ("done", "error"):
            if time.monotonic() - started > DEADLINE_S:
                raise TimeoutError(f"job still {job['state']} after {DEADLINE_S} s")
            time.sleep(0.1)
            job = client.get(job["url"]).raise_for_status().json()
        assert job["state"] == "done", job["error"]
        result = client.get(f"{base}/result.png").raise_for_status()
        client.delete(base).raise_for_status()
    return np.asarray(Image.open(io.BytesIO(result.content)))


def test_twenty_concurrent_clients_all_answered() -> None:
    settings = Settings(segmenter="superpixel", mode="faithful")
    app = create_app(settings, limits=Limits(max_sessions=CLIENTS + 5), warm_up=False)
    with running(app) as url, ThreadPoolExecutor(CLIENTS) as pool:
        assert url.startswith("http://127.0.0.1:")
        futures = [pool.submit(_client_flow, url) for _ in range(CLIENTS)]
        # While the jobs queue up, the server still answers other requests.
        assert httpx.get(f"{url}/api/gallery", timeout=30.0).json() == {"items": []}
        results = [future.result(timeout=DEADLINE_S) for future in futures]
        assert len(app.state.store) == 0  # every client ended its session
    assert len(results) == CLIENTS
    lightness = rgb_to_lab(np.repeat(GRAY_PIXELS[..., None], 3, axis=2) / 255.0)[..., 0]
    for result in results:
        assert result.shape == GRAY_PIXELS.shape + (3,) and result.dtype == np.uint8
        assert np.ptp(result.astype(int), axis=2).max() > 10  # coloured, not gray
        assert np.abs(rgb_to_lab(result / 255.0)[..., 0] - lightness).max() <= 0.5
