"""One registry for every stage: names, options and protocols checked; one default each."""

from __future__ import annotations

import inspect

import pytest
import typer.main

from panocolor import defaults
from panocolor.batch import ENGINES, BatchEngine, run_batch
from panocolor.batch.engines import LocalEngine, RayEngine
from panocolor.cli._app import app
from panocolor.errors import PanocolorError, UnknownBackendError
from panocolor.pipeline import Settings
from panocolor.registry import Registry
from panocolor.segment import SEGMENTERS, Segmenter, SuperpixelSegmenter, build_segmenter
from panocolor.transfer import TRANSFERS, ColorTransfer, build_transfer


@pytest.fixture
def shapes() -> Registry[Segmenter]:
    registry: Registry[Segmenter] = Registry("shape", Segmenter)

    @registry.register("ok")
    def ok(scale: float = 1.0) -> Segmenter:
        return SuperpixelSegmenter(k=scale)

    @registry.register("broken")
    def broken() -> Segmenter:
        return "not a segmenter"  # type: ignore[return-value]

    return registry


def test_build_checks_the_name_and_lists_the_choices(shapes):
    with pytest.raises(
        UnknownBackendError, match=r"unknown shape 'round'; choose one of: broken, ok"
    ):
        shapes.build("round")


def test_build_checks_the_options_against_the_factory(shapes):
    assert shapes.build("ok", scale=3.0).k == 3.0
    with pytest.raises(PanocolorError, match="shape 'ok': got an unexpected keyword argument"):
        shapes.build("ok", radius=2)


def test_build_checks_the_protocol_of_what_was_built(shapes):
    with pytest.raises(TypeError, match="shape 'broken' built str, not Segmenter"):
        shapes.build("broken")


def test_duplicate_names_are_refused(shapes):
    with pytest.raises(ValueError, match="already registered"):
        shapes.register("ok")(lambda: None)


def test_auto_and_none_are_segmenter_entries(monkeypatch, tmp_path):
    assert {"auto", "none", "deeplab", "superpixel"} <= set(SEGMENTERS)
    assert build_segmenter("none") is None
    # auto without the model files: no segmenter, not an error
    monkeypatch.setenv("PANOCOLOR_MODEL_DIR", str(tmp_path))
    monkeypatch.setattr("panocolor.models._store.cache_dir", lambda: tmp_path)
    assert build_segmenter("auto", model_dir=tmp_path) is None
    with pytest.raises(PanocolorError, match="segmenter 'none'"):
        build_segmenter("none", model_dir=tmp_path)


def test_auto_builds_deeplab_when_its_models_are_found(model_dir):
    assert type(build_segmenter("auto", model_dir=model_dir)).__name__ == "DeepLabSegmenter"


def test_transfers_are_checked_too():
    assert isinstance(build_transfer("reinhard"), ColorTransfer)
    with pytest.raises(PanocolorError, match="transfer 'reinhard'"):
        build_transfer("reinhard", radius=3)
    assert TRANSFERS.protocol is ColorTransfer


def test_batch_engines_are_registered():
    assert list(ENGINES) == ["local", "ray"]
    assert ENGINES.build("local") == LocalEngine()
    assert ENGINES.build("ray", address="auto") == RayEngine("auto")
    assert isinstance(ENGINES.build("local"), BatchEngine)
    with pytest.raises(PanocolorError, match="batch engine 'local'"):
        ENGINES.build("local", address="auto")  # an address means nothing to local workers


def cli_defaults(command: str) -> dict[str, object]:
    click_app = typer.main.get_command(app)
    return {p.name: p.default for p in click_app.commands[command].params}


def test_one_default_per_setting_everywhere():
    """CLI commands, Settings (what batch and the web app store) and the builders agree."""
    for command in ("colorize", "batch"):
        options = cli_defaults(command)
        assert options["transfer"] == defaults.DEFAULT_TRANSFER
        assert options["segmenter"] == defaults.DEFAULT_SEGMENTER
        assert options["mode"] == defaults.DEFAULT_MODE
    assert cli_defaults("demo")["transfer"] == defaults.DEFAULT_TRANSFER
    assert cli_defaults("batch")["engine"] == defaults.DEFAULT_ENGINE
    settings = Settings()
    assert (settings.transfer, settings.segmenter, settings.mode) == (
        defaults.DEFAULT_TRANSFER,
        defaults.DEFAULT_SEGMENTER,
        defaults.DEFAULT_MODE,
    )
    assert inspect.signature(run_batch).parameters["engine"].default == defaults.DEFAULT_ENGINE
    assert inspect.signature(build_segmenter).parameters["name"].default == "auto"
    assert inspect.signature(build_transfer).parameters["name"].default == "photoreal"
