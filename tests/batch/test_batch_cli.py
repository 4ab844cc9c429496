"""``panocolor batch`` through the CLI: layouts, lists, broken files, reruns, per-object."""

import csv
import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data
from typer.testing import CliRunner

from panocolor.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture()
def scans(tmp_path):
    """A folder tree of small gray photos, one broken file, and a colour reference."""
    root = tmp_path / "scans"
    camera = data.camera()
    for name, step in (("a.png", 8), ("1950/b.jpg", 6), ("1950/summer/c.tif", 7)):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(camera[::step, ::step]).save(path)
    (root / "1950" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    reference = tmp_path / "reference.jpg"
    Image.fromarray(data.coffee()[::4, ::4]).save(reference)
    return root, reference


def manifest(out):
    lines = (out / "panocolor-manifest.jsonl").read_text().splitlines()
    return {record["key"]: record for record in map(json.loads, lines)}


def test_folder_with_a_broken_file(scans, tmp_path):
    root, reference = scans
    out = tmp_path / "out"
    result = invoke("batch", root, "-o", out, "-r", reference, "--segmenter", "none", "-w", "1")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "3 done" in result.output and "1 failed" in result.output
    for name, step in (("a.png", 8), ("1950/b.jpg", 6), ("1950/summer/c.tif", 7)):
        rgb = np.asarray(Image.open(out / name))
        assert rgb.shape == data.camera()[::step, ::step].shape + (3,)
    assert not (out / "1950" / "broken.png").exists()
    with (out / "panocolor-failures.csv").open() as file:
        (failure,) = list(csv.DictReader(file))
    assert failure["input"].endswith("broken.png") and "cannot read" in failure["reason"]
    records = manifest(out)
    assert set(records) == {"a.png", "1950/b.jpg", "1950/summer/c.tif"}
    record = records["1950/summer/c.tif"]
    assert record["settings"]["transfer"] == "photoreal"
    assert record["references"] == {"reference": str(reference.resolve())}
    assert record["version"] and record["timings"]["total"] > 0

    # A second run skips the finished photos and fails the broken one again.
    mtimes = {name: (out / name).stat().st_mtime_ns for name in records}
    result = invoke("batch", root, "-o", out, "-r", reference, "--segmenter", "none")
    assert result.exit_code == 1
    assert "0 done, 3 skipped" in result.output
    assert {name: (out / name).stat().st_mtime_ns for name in records} == mtimes


def test_csv_list_reference_per_row(scans, tmp_path):
    root, reference = scans
    other = tmp_path / "astronaut.png"
    Image.fromarray(data.astronaut()[::4, ::4]).save(other)
    listing = root / "list.csv"
    listing.write_text("input,reference\na.png,../astronaut.png\n1950/b.jpg,\n")
    out = tmp_path / "out"
    args = ("-o", out, "-r", reference, "--segmenter", "none", "--transfer", "reinhard")
    result = invoke("batch", listing, *args)
    assert result.exit_code == 0, result.output
    records = manifest(out)
    assert records["a.png"]["references"] == {"reference": str(other.resolve())}
    assert records["1950/b.jpg"]["references"] == {"reference": str(reference.resolve())}
    assert sorted(p.name for p in out.rglob("*.*") if not p.name.startswith(".")) == [
        "a.png",
        "b.jpg",
        "panocolor-manifest.jsonl",
    ]


def test_existing_outputs_need_overwrite(scans, tmp_path):
    root, reference = scans
    (root / "1950" / "broken.png").unlink()
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.png").write_bytes(b"precious")
    args = ("batch", root, "-o", out, "-r", reference, "--segmenter", "none")
    result = invoke(*args)
    assert result.exit_code == 1 and "--overwrite" in result.output
    assert (out / "a.png").read_bytes() == b"precious"
    result = invoke(*args, "--overwrite")
    assert result.exit_code == 0, result.output
    assert "3 done" in result.output
    assert Image.open(out / "a.png").size == (64, 64)


def tree(path):
    """Every file and folder under ``path``, with each file's bytes (what a run may change)."""
    return {
        p.relative_to(path).as_posix(): p.read_bytes() if p.is_file() else None
        for p in sorted(path.rglob("*"))
    }


def one_error_line(result, message):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines


def test_bad_options_are_one_line_errors(scans, tmp_path):
    root, reference = scans
    out = tmp_path / "out"
    before = tree(tmp_path)
    for extra, message in (
        (("--engine", "spark"), "--engine must be one of local, ray, got 'spark'"),
        (("--ref", "sky"), "--ref takes CLASS=PATH (e.g. sky=blue_sky.jpg), got 'sky'"),
        (("--transfer", "nope"), "'nope'"),
        (("-r", tmp_path / "missing.jpg"), str(tmp_path / "missing.jpg")),
    ):
        result = invoke(
            "batch", root, "-o", out, *(("-r", reference) if "-r" not in extra else ()), *extra
        )
        one_error_line(result, message)
        assert tree(tmp_path) == before  # refused before anything was created
    assert not out.exists()


@pytest.mark.parametrize("where", ["under-a-file", "is-a-file"])
def test_output_folder_that_cannot_be_a_folder_is_refused_up_front(scans, tmp_path, where):
    root, reference = scans
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder")
    out = blocker / "out" if where == "under-a-file" else blocker
    before = tree(tmp_path)
    result = invoke("batch", root, "-o", out, "-r", reference, "--segmenter", "none")
    one_error_line(result, "is a file, not a folder")
    assert str(blocker) in result.output
    assert tree(tmp_path) == before


def test_unwritable_output_folder_is_refused_up_front(scans, tmp_path, monkeypatch):
    # Tests run as root, whom permission bits do not stop: the parent folder is made to
    # look read-only to the (real) access check, as it is for an ordinary user.
    import panocolor.batch.run as run_module

    root, reference = scans
    parent = tmp_path / "readonly"
    parent.mkdir()
    real_access = os.access

    def access(path, mode, **kwargs):
        if Path(path) == parent and mode & os.W_OK:
            return False
        return real_access(path, mode, **kwargs)

    monkeypatch.setattr(run_module.os, "access", access)
    before = tree(tmp_path)
    result = invoke("batch", root, "-o", parent / "out", "-r", reference, "--segmenter", "none")
    one_error_line(result, f"cannot write into {parent / 'out'}: permission denied ({parent}")
    assert tree(tmp_path) == before


def test_lock_that_cannot_be_created_is_one_line(scans, tmp_path, monkeypatch):
    """Where the access check passes but creating files fails (ACLs, NFS root squash...)."""
    import panocolor.batch.manifest as manifest_module

    root, reference = scans
    out = tmp_path / "out"
    real_open = os.open

    def denied(path, flags, *args, **kwargs):
        if str(path).endswith(".panocolor-batch.lock"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(manifest_module.os, "open", denied)
    result = invoke("batch", root, "-o", out, "-r", reference, "--segmenter", "none")
    one_error_line(result, f"cannot write into {out}: Permission denied")
    assert not any(out.iterdir())


def test_output_folder_equal_to_or_around_the_input_is_refused(scans, tmp_path):
    root, reference = scans
    before = tree(tmp_path)
    result = invoke("batch", root, "-o", root, "-r", reference, "--segmenter", "none")
    one_error_line(result, f"the output folder {root} is the input folder")
    assert tree(tmp_path) == before  # no lock, no manifest among the photos
    # An input folder inside the output folder, with a subfolder named like itself:
    # scans/scans/x.png would be written to scans/x.png, among the inputs.
    (root / "scans").mkdir()
    (root / "scans" / "x.png").write_bytes((root / "a.png").read_bytes())
    before = tree(tmp_path)
    result = invoke("batch", root, "-o", tmp_path, "-r", reference, "--segmenter", "none")
    one_error_line(result, "would be written inside the input folder")
    assert tree(tmp_path) == before


def test_output_subfolder_of_the_input_is_fine(scans, tmp_path):
    root, reference = scans
    (root / "1950" / "broken.png").unlink()
    out = root / "coloured"
    result = invoke("batch", root, "-o", out, "-r", reference, "--segmenter", "none", "-w", "1")
    assert result.exit_code == 0, result.output
    assert set(manifest(out)) == {"a.png", "1950/b.jpg", "1950/summer/c.tif"}


@pytest.mark.parametrize("segmenter", ["none", "auto"])
def test_batch_without_any_reference_is_refused_up_front(scans, tmp_path, segmenter):
    root, _ = scans
    out = tmp_path / "out"
    result = invoke("batch", root, "-o", out, "--segmenter", segmenter)
    one_error_line(result, "no colour reference for every photo")
    assert "-r REFERENCE" in result.output and not out.exists()
    listing = root / "list.csv"
    listing.write_text("input,reference\na.png,../reference.jpg\n1950/b.jpg,\n")
    result = invoke("batch", listing, "-o", out, "--segmenter", segmenter)
    one_error_line(result, f"no colour reference for 1 of the photos (e.g. {root / '1950/b.jpg'})")
    assert not out.exists()


def test_empty_folder_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    result = invoke("batch", tmp_path / "empty", "-o", tmp_path / "out", "-r", "x.jpg")
    one_error_line(result, f"found no photos in {tmp_path / 'empty'}")
    assert not (tmp_path / "out").exists()


def test_lock_is_removed_and_a_held_lock_refuses(scans, tmp_path, monkeypatch):
    import fcntl

    monkeypatch.delenv("PANOCOLOR_MODEL_DIR", raising=False)  # the models must be missing

    root, reference = scans
    (root / "1950" / "broken.png").unlink()
    out = tmp_path / "out"
    out.mkdir()
    lock = out / ".panocolor-batch.lock"
    with lock.open("w") as held:  # another batch, alive, holding it
        held.write("4242\n")
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = invoke("batch", root, "-o", out, "-r", reference, "--segmenter", "none")
        one_error_line(result, f"another panocolor batch (pid 4242) is writing into {out}")
        assert sorted(p.name for p in out.iterdir()) == [lock.name]
    # Released but left behind (its batch was SIGKILLed): taken over, and gone at the end.
    args = ("batch", root, "-o", out, "-r", reference, "--segmenter", "none", "-w", "1")
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert f"took over {lock}, left by a batch (pid 4242) that is no longer running" in (
        " ".join(result.output.split())
    )
    assert not lock.exists()
    # An error after the lock was taken (here: a worker that cannot start) removes it too.
    result = invoke(*args, "--overwrite", "--segmenter", "deeplab", "--model-dir", tmp_path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert not lock.exists()


def test_unrecorded_complete_output_of_a_killed_run_is_replaced_not_refused(scans, tmp_path):
    """Killed between publishing b.jpg and recording it: the resume redoes b.jpg only."""
    root, reference = scans
    (root / "1950" / "broken.png").unlink()
    out = tmp_path / "out"
    args = ("batch", root, "-o", out, "-r", reference, "--segmenter", "none", "-w", "1")
    assert invoke(*args).exit_code == 0
    lines = (out / "panocolor-manifest.jsonl").read_text().splitlines()
    kept = [line for line in lines if json.loads(line)["key"] != "1950/b.jpg"]
    (out / "panocolor-manifest.jsonl").write_text("\n".join(kept) + "\n")
    stats = {k: (out / k).stat().st_mtime_ns for k in ("a.png", "1950/summer/c.tif")}
    inode = (out / "1950/b.jpg").stat().st_ino
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert "1 done, 2 skipped" in result.output
    assert (out / "1950/b.jpg").stat().st_ino != inode  # replaced atomically (new file)
    assert {k: (out / k).stat().st_mtime_ns for k in stats} == stats
    lines = (out / "panocolor-manifest.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["key"] for line in lines) == sorted(manifest(out))
    assert len(lines) == 3


def test_per_object_default_records_the_plan(model_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("PANOCOLOR_MODEL_DIR", str(model_dir))
    root = tmp_path / "in"
    root.mkdir()
    Image.fromarray(np.asarray(Image.fromarray(data.astronaut()).convert("L"))[::2, ::2]).save(
        root / "astronaut.png"
    )
    reference = tmp_path / "coffee.jpg"
    Image.fromarray(data.coffee()[::2, ::2]).save(reference)
    out = tmp_path / "out"
    result = invoke("batch", root, "-o", out, "-r", reference, "-w", "1")
    assert result.exit_code == 0, result.output
    record = manifest(out)["astronaut.png"]
    assert record["settings"]["segmenter"] == "auto"
    choices = record["references"]["choices"]
    assert choices, record["references"]
    # The only colour source given is -r: every segment takes its colour from it.
    assert {choice["file"] for choice in choices} == {str(reference.resolve())}, choices
    assert {"segment", "plan", "transfer"} <= set(record["timings"])
    rgb = np.asarray(Image.open(out / "astronaut.png")).astype(int)
    assert rgb.shape == (256, 256, 3)
    assert np.abs(rgb[..., 0] - rgb[..., 2]).mean() > 2  # coloured, not the gray copied
