"""A real ``panocolor batch`` killed with SIGKILL mid-run, then started again."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
from PIL import Image
from skimage import data

SIZES = [(96 + 8 * i, 128 + 8 * i) for i in range(8)]  # distinct, so sizes can be checked


def records(out):
    path = out / "panocolor-manifest.jsonl"
    if not path.exists():
        return {}
    lines = [line for line in path.read_text().splitlines() if line.endswith("}")]
    return {record["key"]: record for record in map(json.loads, lines)}


def start(args):
    command = [sys.executable, "-m", "panocolor", "batch", *map(str, args)]
    # Own session: the kill takes the worker processes too, like a machine going down.
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )


def test_killed_batch_resumes_without_partial_or_redone_outputs(tmp_path):
    root, out = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    astronaut = data.astronaut()
    for i, (height, width) in enumerate(SIZES):
        gray = np.asarray(Image.fromarray(astronaut).convert("L").resize((width, height)))
        Image.fromarray(gray).save(root / f"photo{i}.png")
    reference = tmp_path / "reference.jpg"
    Image.fromarray(data.coffee()).save(reference)
    args = ["-o", out, "-r", reference, "--segmenter", "none", "--workers", "1"]

    process = start([root, *args])
    deadline = time.monotonic() + 60
    while not records(out) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = records(out)
    assert 1 <= len(before) < len(SIZES), "the batch was not killed mid-run"

    # Every output is complete and valid, or absent.
    for i, (height, width) in enumerate(SIZES):
        path = out / f"photo{i}.png"
        if path.exists():
            assert np.asarray(Image.open(path)).shape == (height, width, 3)
    mtimes = {key: (out / key).stat().st_mtime_ns for key in before}

    process = start([root, *args])
    output = process.communicate(timeout=120)[0].decode()
    assert process.returncode == 0, output
    assert f"{len(before)} skipped" in output
    assert not list(out.rglob("*.part"))
    assert {key: (out / key).stat().st_mtime_ns for key in before} == mtimes
    after = records(out)
    assert set(after) == {f"photo{i}.png" for i in range(len(SIZES))}
    for i, (height, width) in enumerate(SIZES):
        assert np.asarray(Image.open(out / f"photo{i}.png")).shape == (height, width, 3)
    lines = (out / "panocolor-manifest.jsonl").read_text().splitlines()
    assert len(lines) == len(SIZES), "a finished photo was redone"
