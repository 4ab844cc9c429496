"""What a web job costs when a session colours its photo again (a hint added).

Usage: ``python benchmarks/web_hint_jobs.py [--repeats 3] [--model-dir DIR]``

The web app (in process, default settings: per object with deeplab when its model
files are found) colours kodim04 from kodim15 (``../shared/data``; scikit-image's
astronaut from coffee without it), then adds one hint at a time and colours again, as
a person clicking on the photo does. Each job after a hint is timed twice in the same
run: as the app runs it (the session's photo and reference objects kept between jobs,
so the reference's segmentation and descriptors are reused), and with the kept images
dropped before the job (every job reads and segments its reference anew: the
baseline). Medians over ``--repeats`` hints; the ratio kept / anew is the figure.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image
from skimage import data

from panocolor.pipeline import Settings
from panocolor.web import Limits, create_app

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "kodak"


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _photos() -> tuple[bytes, bytes, str]:
    if (SHARED / "kodim04.png").is_file():
        gray = np.asarray(Image.open(SHARED / "kodim04.png").convert("L"))
        colour = (SHARED / "kodim15.png").read_bytes()
        return _png(gray), colour, "kodim04 from kodim15"
    gray = np.dot(data.astronaut(), [0.299, 0.587, 0.114]).round().astype(np.uint8)
    return _png(gray), _png(data.coffee()), "astronaut from coffee"


def _job(client: TestClient, base: str) -> float:
    started = time.perf_counter()
    job = client.post(f"{base}/colorize", json={}).json()
    while job["state"] not in ("done", "error"):
        time.sleep(0.01)
        job = client.get(job["url"]).json()
    if job["state"] != "done":
        raise SystemExit(f"job failed: {job.get('error')}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model-dir", type=Path, default=None)
    args = parser.parse_args()
    if args.model_dir is not None:
        os.environ["PANOCOLOR_MODEL_DIR"] = str(args.model_dir)
    gray, colour, what = _photos()
    app = create_app(Settings(), limits=Limits(max_upload_bytes=20_000_000), warm_up=False)
    kept, anew = [], []
    with TestClient(app) as client:
        base = f"/api/sessions/{client.post('/api/sessions').json()['session_id']}"
        for role, content in (("target", gray), ("reference", colour)):
            files = {"file": (f"{role}.png", content)}
            client.post(f"{base}/images", files=files, data={"role": role}).raise_for_status()
        first = _job(client, base)  # loads the models and segments the photo
        work = app.state.work
        for k in range(args.repeats):
            hint = {"x": 100 + 40 * k, "y": 150, "colour": "#c04030"}
            client.post(f"{base}/hints", json=hint).raise_for_status()
            kept.append(_job(client, base))
            work.forget_images()
            anew.append(_job(client, base))
    segmenter = type(work.colorizer.segmenter).__name__ if work.colorizer.segmenter else "none"
    kept_s, anew_s = statistics.median(kept), statistics.median(anew)
    print(f"{what}, {segmenter}, {os.cpu_count()} CPUs; first job {first:.2f} s (models loaded)")
    print(
        f"job after a hint: {kept_s:.2f} s with the session's images kept, {anew_s:.2f} s "
        f"read and segmented anew: {kept_s / anew_s:.2f}x"
    )


if __name__ == "__main__":
    main()
