"""A real ``panocolor batch`` killed (SIGKILL, SIGTERM, SIGINT) at known moments, then resumed.

Only the main process is signalled, never its process group: its workers must end with it.
"""

import os
import signal
from pathlib import Path

import pytest

from tests.batch.killing import NAMES, check_outputs, records, session_processes, wait_for

pytestmark = pytest.mark.slow

MOMENTS = {
    # every worker started and holding, before any job: nothing written yet
    "before-any-output": {"hold_workers": True},
    # a worker has half of photo2's bytes in its temporary file
    "mid-write": {"block_write": NAMES[2]},
    # the parent has recorded two photos (the workers may go on writing until the kill)
    "after-some-photos": {"pause_after": 2},
}
MARKERS = {"before-any-output": None, "mid-write": "blocked", "after-some-photos": "paused"}


def batch_args(root, out, reference, segmenter):
    return [root, "-o", out, "-r", reference, "--segmenter", segmenter, "--workers", "2"]


def wait_moment(batch, moment):
    """Wait until the batch is at ``moment``; return the partial file for mid-write."""
    if moment == "before-any-output":
        started = lambda: len(batch.worker_pids()) == 2 or batch.process.poll() is not None  # noqa: E731
        wait_for(started, "both workers")
        assert len(batch.worker_pids()) == 2, batch.output()
        return None
    text = batch.wait_marker(MARKERS[moment])
    return Path(text) if moment == "mid-write" else None


def stats(out, keys):
    return {key: (os.stat(out / key).st_mtime_ns, os.stat(out / key).st_ino) for key in keys}


# Before any output the workers hold before loading models: the segmenter changes nothing.
CASES = [
    (m, s) for m in MOMENTS for s in ("none", "auto") if (m, s) != ("before-any-output", "auto")
]


@pytest.mark.parametrize(("moment", "segmenter"), CASES)
def test_sigkill_kills_the_workers_and_the_resume_redoes_nothing(
    photos, tmp_path, batches, moment, segmenter, request
):
    env = {}
    if segmenter == "auto":  # per-object: the deeplab segmenter, loaded in every worker
        env["PANOCOLOR_MODEL_DIR"] = str(request.getfixturevalue("model_dir"))
    root, reference = photos
    out = tmp_path / "out"
    args = batch_args(root, out, reference, segmenter)

    batch = batches(args, MOMENTS[moment], env)
    partial = wait_moment(batch, moment)
    if partial is not None:
        assert partial.is_file() and partial.name.endswith(".part") and partial.stat().st_size
    workers = batch.worker_pids()
    assert workers and set(workers) <= set(session_processes(batch.pid))
    os.kill(batch.pid, signal.SIGKILL)
    batch.process.wait()
    batch.wait_gone()  # the workers died with their parent

    before = records(out)
    if moment == "before-any-output":
        assert not before and not any((out / name).exists() for name in NAMES)
    if moment == "after-some-photos":
        assert len(before) == 2
    if moment == "mid-write":
        assert partial.exists()  # what the resume has to clean up
        assert NAMES[2] not in before
    finished = stats(out, before)
    for key in before:
        assert (out / key).is_file()

    resumed = batches(args, None, env)
    output = resumed.output()
    assert resumed.process.returncode == 0, output
    assert f"{len(before)} skipped" in output
    assert "took over" in output and str(batch.pid) in output  # the stale lock, by pid
    check_outputs(out)
    assert stats(out, before) == finished, "a photo finished before the kill was redone"


def test_workers_die_with_the_parent_without_pdeathsig(photos, tmp_path, batches):
    """The watchdog thread alone (as where prctl does not exist) ends the workers."""
    root, reference = photos
    args = batch_args(root, tmp_path / "out", reference, "none")
    batch = batches(args, {"hold_workers": True, "no_pdeathsig": True})
    wait_moment(batch, "before-any-output")
    os.kill(batch.pid, signal.SIGKILL)
    batch.process.wait()
    batch.wait_gone()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_stop_cleanly(photos, tmp_path, batches, signum):
    root, reference = photos
    out = tmp_path / "out"
    args = batch_args(root, out, reference, "none")
    batch = batches(args, {"block_write": NAMES[2]})
    partial = Path(batch.wait_marker("blocked"))
    assert partial.is_file()
    os.kill(batch.pid, signum)
    output = batch.output()
    assert batch.process.returncode == 128 + signum, output
    batch.wait_gone()
    done = records(out)
    name = signal.Signals(signum).name
    assert f"interrupted by {name}: {len(done)} of {len(NAMES)} photos done" in output
    assert "run the same command again to resume" in output
    assert "Traceback" not in output
    assert not partial.exists() and not list(out.rglob("*.part"))
    assert not (out / ".panocolor-batch.lock").exists()
    finished = stats(out, done)

    resumed = batches(args)
    output = resumed.output()
    assert resumed.process.returncode == 0, output
    assert f"{len(done)} skipped" in output and "took over" not in output
    check_outputs(out)
    assert stats(out, done) == finished


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_dead_worker_is_replaced_and_every_photo_recorded_once(
    photos, tmp_path, batches, workers
):
    """A worker SIGKILLed right after writing photo1, before reporting it (BrokenProcessPool)."""
    root, reference = photos
    out = tmp_path / "out"
    args = [root, "-o", out, "-r", reference, "--segmenter", "none", "--workers", workers]
    batch = batches(args, {"die_after_write": NAMES[1]})
    output = batch.output()
    assert batch.marker("died").exists(), "the hook did not kill the worker"
    assert batch.process.returncode == 0, output
    assert f"{len(NAMES)} done, 0 skipped" in output and "0 failed" in output
    check_outputs(out)  # photo1 redone in a fresh pool, recorded once, no partial left
    batch.wait_gone()
