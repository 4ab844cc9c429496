"""Helpers for the batch tests that run ``panocolor batch`` as a real process and kill it.

Kills land at known moments through the batch's test hooks (``panocolor.batch._hooks``,
set in ``$PANOCOLOR_BATCH_TEST_HOOKS``): the test waits for a hook's marker file, which
says e.g. that a partial output exists, and only then sends the signal.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from panocolor.batch._hooks import VARIABLE

SIZES = [(72 + 8 * i, 96 + 8 * i) for i in range(8)]  # distinct, so sizes can be checked
NAMES = [f"d{i % 2}/photo{i}.png" for i in range(len(SIZES))]
WAIT_SECONDS = 60  # only a bound against hanging forever; nothing is timed


def records(out: Path) -> dict[str, dict]:
    """Manifest records by key; asserts one line per output."""
    path = out / "panocolor-manifest.jsonl"
    if not path.exists():
        return {}
    lines = path.read_text().splitlines()
    keys = [json.loads(line)["key"] for line in lines]
    assert len(keys) == len(set(keys)), f"an output was recorded twice: {sorted(keys)}"
    return {record["key"]: record for record in map(json.loads, lines)}


def session_processes(sid: int) -> list[int]:
    """Live (not zombie) processes of session ``sid``, from /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        state, session = fields[0], int(fields[3])
        if session == sid and state not in ("Z", "X"):
            pids.append(int(entry.name))
    return pids


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def check_outputs(out: Path) -> None:
    """Every output is complete, valid, of the input's size, and recorded once."""
    assert set(records(out)) == set(NAMES)
    for name, (height, width) in zip(NAMES, SIZES, strict=True):
        with Image.open(out / name) as image:
            image.load()
            assert np.asarray(image).shape == (height, width, 3)
    assert not list(out.rglob("*.part"))
    assert not (out / ".panocolor-batch.lock").exists()


class Batch:
    """``python -m panocolor batch`` in its own session, with test hooks."""

    def __init__(self, args, hooks_dir: Path, hooks: dict | None, env: dict | None = None):
        self.hooks_dir = hooks_dir
        hooks_dir.mkdir(exist_ok=True)
        environment = dict(os.environ, **(env or {}))
        environment.pop(VARIABLE, None)
        if hooks is not None:
            environment[VARIABLE] = json.dumps({"dir": str(hooks_dir), **hooks})
        command = [sys.executable, "-m", "panocolor", "batch", *map(str, args)]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its session id is its pid: finds every process of it
            env=environment,
        )
        self.pid = self.process.pid

    def marker(self, name: str) -> Path:
        return self.hooks_dir / name

    def wait_marker(self, name: str) -> str:
        path = self.marker(name)
        wait_for(lambda: path.exists() or self.process.poll() is not None, name)
        assert path.exists(), f"the batch ended before {name}: {self.output()}"
        return path.read_text()

    def worker_pids(self) -> list[int]:
        return [int(p.name.split("-")[1]) for p in self.hooks_dir.glob("worker-*")]

    def output(self) -> str:
        return self.process.communicate(timeout=WAIT_SECONDS)[0].decode()

    def wait_gone(self) -> None:
        """Wait until no process of the batch is left; fail if one survives."""
        deadline = time.monotonic() + WAIT_SECONDS
        while session_processes(self.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not session_processes(self.pid), "processes of the killed batch survive"

    def cleanup(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
