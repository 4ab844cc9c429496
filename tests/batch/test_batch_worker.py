"""The batch's typed settings: what workers get, and what the manifest records."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from panocolor.batch import BatchConfig, read_manifest, run_batch
from panocolor.batch.manifest import MANIFEST_NAME
from panocolor.errors import PanocolorError
from panocolor.pipeline import Settings

# A manifest line as panocolor wrote it before settings were typed.
OLD_LINE = (
    '{"input":"/in/a.png","output":"/out/a.png","key":"a.png","shape":[4,6],'
    '"settings":{"transfer":"photoreal","segmenter":"none","mode":"fast","gallery":null,'
    '"segment_pixels":1000000},"references":{"reference":"/ref.jpg"},"version":"0.1.0",'
    '"timings":{"total":0.1},"guidance":{}}'
)


def test_config_holds_typed_settings_and_pickles() -> None:
    assert BatchConfig().settings == Settings()
    settings = Settings(segmenter="none", mode="faithful", gallery=Path("/g"), model_dir=Path("/m"))
    config = BatchConfig(settings=settings, reference="/ref.jpg")
    assert pickle.loads(pickle.dumps(config)) == config


def test_settings_round_trip_through_the_manifest_dict() -> None:
    settings = Settings(transfer="reinhard", segmenter="superpixel", gallery=Path("/photos"))
    written = settings.to_dict()
    assert json.loads(json.dumps(written)) == written
    assert Settings.from_dict(written) == settings
    # model_dir is not recorded: it comes back as the default.
    with_dir = Settings(model_dir=Path("/models"))
    assert Settings.from_dict(with_dir.to_dict()) == Settings()


def test_old_manifests_still_load(tmp_path) -> None:
    (tmp_path / MANIFEST_NAME).write_text(OLD_LINE + "\n", encoding="utf-8")
    record = read_manifest(tmp_path)["a.png"]
    assert Settings.from_dict(record["settings"]) == Settings(segmenter="none", mode="fast")
    assert Settings.from_dict({"transfer": "reinhard"}) == Settings(transfer="reinhard")


def test_bad_settings_dicts_are_refused() -> None:
    with pytest.raises(PanocolorError, match="unknown settings: colour"):
        Settings.from_dict({"colour": "red"})
    with pytest.raises(PanocolorError, match="mode must be one of"):
        Settings.from_dict({"mode": "slow"})


def test_a_batch_records_its_settings_as_before(photos, tmp_path) -> None:
    root, reference = photos
    settings = Settings(segmenter="none")
    config = BatchConfig(settings=settings, reference=str(reference))
    out = tmp_path / "out"
    summary = run_batch(root, out, config)
    assert summary.failed == 0
    lines = (out / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    old = json.loads(OLD_LINE)["settings"]
    for line in lines:
        assert '"settings":' + json.dumps(old, separators=(",", ":")) in line
        assert Settings.from_dict(json.loads(line)["settings"]) == settings
