"""A small load test: 20 clients at once against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import io
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
from PIL import Image
from skimage import data

from panocolor.api import Settings
from panocolor.web import Limits, create_app, running

CLIENTS = 20
DEADLINE_S = 60.0


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


GRAY = _png(data.camera()[::6, ::6])
COLOUR = _png(data.astronaut()[::6, ::6])


def _client_flow(url: str) -> tuple[int, float]:
    """Create a session, upload, colorize, poll, fetch the result; return (bytes, seconds)."""
    started = time.monotonic()
    with httpx.Client(base_url=url, timeout=30.0) as client:
        base = (
            f"/api/sessions/{client.post('/api/sessions').raise_for_status().json()['session_id']}"
        )
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
    return len(result.content), time.monotonic() - started


def test_twenty_concurrent_clients_all_answered() -> None:
    settings = Settings(segmenter="superpixel", mode="faithful")
    app = create_app(settings, limits=Limits(max_sessions=CLIENTS + 5), warm_up=False)
    with running(app) as url, ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(_client_flow, url) for _ in range(CLIENTS)]
        # While the jobs queue up, the server still answers quickly.
        mark = time.monotonic()
        assert httpx.get(f"{url}/api/gallery", timeout=5.0).status_code == 200
        answer_s = time.monotonic() - mark
        results = [future.result(timeout=DEADLINE_S) for future in futures]
        assert len(app.state.store) == 0
    assert len(results) == CLIENTS and all(size > 1000 for size, _ in results)
    assert answer_s < 2.0, f"the server took {answer_s:.2f} s to answer during the load"
