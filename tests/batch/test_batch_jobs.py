"""Listing a batch's jobs, and the manifest's bookkeeping, without colorizing anything."""

import json

import pytest

from panocolor.batch import Job, list_jobs, read_manifest
from panocolor.batch.manifest import Manifest, Record, remove_partials
from panocolor.batch.run import plan_batch
from panocolor.errors import PanocolorError


def touch(path, data=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_folder_is_listed_recursively_keeping_its_layout(tmp_path):
    for name in ("a.png", "sub/b.JPG", "sub/deeper/c.tif", "notes.txt", "sub/.hidden.png"):
        touch(tmp_path / "in" / name)
    out = tmp_path / "out"
    jobs = list_jobs(tmp_path / "in", out)
    assert [job.key for job in jobs] == ["a.png", "sub/b.JPG", "sub/deeper/c.tif"]
    assert jobs[2].output == str((out / "sub/deeper/c.tif").resolve())


def test_output_folder_inside_the_input_folder_is_not_an_input(tmp_path):
    touch(tmp_path / "a.png")
    touch(tmp_path / "out" / "a.png")
    assert [job.key for job in list_jobs(tmp_path, tmp_path / "out")] == ["a.png"]


def test_csv_list_with_per_row_references(tmp_path):
    touch(tmp_path / "scans" / "2024" / "a.png")
    touch(tmp_path / "elsewhere" / "b.png")
    listing = tmp_path / "scans" / "list.csv"
    listing.write_text(
        f"input,reference\n2024/a.png,refs/beach.jpg\n{tmp_path / 'elsewhere' / 'b.png'},\n\n"
    )
    jobs = list_jobs(listing, tmp_path / "out")
    assert [job.key for job in jobs] == ["2024/a.png", "b.png"]  # outside the list's folder
    assert jobs[0].reference == str(tmp_path / "scans" / "refs" / "beach.jpg")
    assert jobs[1].reference is None


@pytest.mark.parametrize(
    ("text", "message"),
    [("path\na.png\n", "no 'input' column"), ("input\na/x.png\nb/../a/x.png\n", "both")],
)
def test_bad_lists_are_refused(tmp_path, text, message):
    listing = tmp_path / "list.csv"
    listing.write_text(text)
    with pytest.raises(PanocolorError, match=message):
        list_jobs(listing, tmp_path / "out")


def test_missing_source_is_refused(tmp_path):
    with pytest.raises(PanocolorError, match="does not exist"):
        list_jobs(tmp_path / "nope", tmp_path / "out")


def record(key, out):
    return Record(key, str(out / key), key, [2, 2], {}, {}, "0", {})


def test_manifest_drops_a_partial_last_line_and_keeps_appending(tmp_path):
    manifest = Manifest(tmp_path)
    manifest.append(record("a.png", tmp_path))
    manifest.close()
    with (tmp_path / "panocolor-manifest.jsonl").open("a") as file:
        file.write('{"input": "cut off mid-wri')
    manifest = Manifest(tmp_path)
    manifest.append(record("b.png", tmp_path))
    manifest.close()
    lines = (tmp_path / "panocolor-manifest.jsonl").read_text().splitlines()
    assert [json.loads(line)["key"] for line in lines] == ["a.png", "b.png"]
    assert set(read_manifest(tmp_path)) == {"a.png", "b.png"}


def test_partial_files_of_killed_runs_are_removed(tmp_path):
    leftover = touch(tmp_path / "sub" / ".a.png.0123456789ab.part")
    other = touch(tmp_path / ".keep.part")
    assert remove_partials(tmp_path) == 1
    assert not leftover.exists() and other.exists()


def test_plan_skips_recorded_valid_outputs_and_redoes_the_rest(tmp_path):
    import numpy as np
    from PIL import Image

    out = tmp_path / "out"
    jobs = [Job(str(tmp_path / n), str(out / n), n) for n in ("ok.png", "bad.png", "new.png")]
    for name in ("ok.png", "bad.png", "foreign.png"):
        Image.fromarray(np.zeros((2, 2, 3), np.uint8)).save(touch(out / name))
    (out / "bad.png").write_bytes(b"\x89PNG truncated")
    plan = plan_batch(jobs, out, overwrite=False)  # no manifest: existing files are not ours
    assert plan.todo == [jobs[2]] and len(plan.refused) == 2
    manifest = Manifest(out)
    manifest.append(record("ok.png", out))
    manifest.append(record("bad.png", out))
    manifest.close()
    plan = plan_batch(jobs, out, overwrite=False)
    assert plan.skipped == [jobs[0]]
    assert sorted((job.key, job.replace) for job in plan.todo) == [
        ("bad.png", True),
        ("new.png", False),
    ]
