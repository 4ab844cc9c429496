"""How fast the web app answers while many clients colorize at once.

Usage: ``python benchmarks/web_load.py [--clients 20] [--probes 30]``

A real uvicorn server on 127.0.0.1 (superpixel segments, faithful mode) serves
``--clients`` clients at once, each creating a session, uploading a small gray photo
and a reference, colorizing, polling, downloading the result and ending the session
(what ``tests/web/test_web_load.py`` checks for correctness). Two figures, each with
its baseline measured in the same run:

* answer time of a light request (``GET /api/gallery``, one every 50 ms) while the
  jobs run, against the same request at the same pace on the idle server (and the
  idle server asked back-to-back on one connection, against the paced figure);
* wall time of all clients at once, against one client alone (and per client).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
from PIL import Image
from rich.console import Console
from rich.table import Table
from skimage import data

from panocolor.pipeline import Settings
from panocolor.web import Limits, create_app, running


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


GRAY = _png(data.camera()[::6, ::6])
COLOUR = _png(data.astronaut()[::6, ::6])
PAUSE_S = 0.05


def client_flow(url: str) -> float:
    """One client's whole visit; its wall time in seconds."""
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=300.0) as client:
        created = client.post("/api/sessions").raise_for_status().json()
        base = f"/api/sessions/{created['session_id']}"
        for role, content in (("target", GRAY), ("reference", COLOUR)):
            files = {"file": (f"{role}.png", content)}
            client.post(f"{base}/images", files=files, data={"role": role}).raise_for_status()
        job = client.post(f"{base}/colorize", json={}).raise_for_status().json()
        while job["state"] not in ("done", "error"):
            time.sleep(0.1)
            job = client.get(job["url"]).raise_for_status().json()
        if job["state"] != "done":
            raise RuntimeError(f"a job failed: {job['error']}")
        client.get(f"{base}/result.png").raise_for_status()
        client.delete(base).raise_for_status()
    return time.perf_counter() - started


def probe(client: httpx.Client, pause_s: float = PAUSE_S) -> float:
    """Seconds to answer GET /api/gallery, then a pause of ``pause_s``.

    Probes are paced the same idle and under load; the back-to-back row (no pause,
    one keep-alive connection) shows whether responses wait for TCP's delayed ACK
    (about 40 ms each when Nagle is left on).
    """
    started = time.perf_counter()
    client.get("/api/gallery").raise_for_status()
    answer_s = time.perf_counter() - started
    time.sleep(pause_s)
    return answer_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--probes", type=int, default=30, help="idle probes for the baseline")
    args = parser.parse_args()

    settings = Settings(segmenter="superpixel", mode="faithful")
    app = create_app(settings, limits=Limits(max_sessions=args.clients + 5), warm_up=False)
    with running(app) as url, httpx.Client(base_url=url, timeout=300.0) as prober:
        client_flow(url)  # warm-up: first imports and allocations
        idle = [probe(prober) for _ in range(args.probes)]
        back_to_back = [probe(prober, pause_s=0.0) for _ in range(args.probes)]
        alone_s = client_flow(url)

        loaded: list[float] = []
        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            futures = [pool.submit(client_flow, url) for _ in range(args.clients)]
            while not all(future.done() for future in futures):
                loaded.append(probe(prober))
            per_client = [future.result() for future in futures]
        all_s = time.perf_counter() - started

    idle_ms = statistics.median(idle) * 1e3
    table = Table(title=f"web app under load ({os.cpu_count()} CPUs, {args.clients} clients)")
    for column in ("figure", "under load", "baseline", "ratio"):
        table.add_column(column, justify="right")
    for name, values in (("median", loaded), ("max", loaded)):
        value = (statistics.median(values) if name == "median" else max(values)) * 1e3
        table.add_row(
            f"GET /api/gallery {name} ms ({len(loaded)} probes; baseline: idle median)",
            f"{value:.1f}",
            f"{idle_ms:.1f}",
            f"{value / idle_ms:.1f}x",
        )
    back_ms = statistics.median(back_to_back) * 1e3
    table.add_row(
        "GET /api/gallery back-to-back median ms, idle (baseline: paced)",
        f"{back_ms:.1f}",
        f"{idle_ms:.1f}",
        f"{back_ms / idle_ms:.1f}x",
    )
    table.add_row(
        f"all {args.clients} clients, wall s (baseline: one client alone)",
        f"{all_s:.2f}",
        f"{alone_s:.2f}",
        f"{all_s / alone_s:.1f}x",
    )
    table.add_row(
        "slowest client's visit s (baseline: one client alone)",
        f"{max(per_client):.2f}",
        f"{alone_s:.2f}",
        f"{max(per_client) / alone_s:.1f}x",
    )
    table.add_row(
        "wall s per client (baseline: one client alone)",
        f"{all_s / args.clients:.3f}",
        f"{alone_s:.3f}",
        f"{all_s / args.clients / alone_s:.2f}x",
    )
    Console().print(table)


if __name__ == "__main__":
    main()
