"""Gallery references: the index is built once, reused, updated per file, and searched."""

import os

import numpy as np
import pytest
from PIL import Image
from skimage import data

from panocolor.imaging.colorspace import rgb_to_lab
from panocolor.pipeline import Colorizer, Settings
from panocolor.reference import GalleryIndex, GallerySource, ImageKey
from panocolor.reference.describe import Embedder
from panocolor.segment import build_segmenter
from panocolor.types import GrayImage


@pytest.fixture()
def gallery(tmp_path):
    folder = tmp_path / "gallery"
    (folder / "pets").mkdir(parents=True)
    Image.fromarray(data.chelsea()).save(folder / "pets" / "cat.jpg")
    Image.fromarray(data.coffee()).save(folder / "coffee.png")
    (folder / "notes.txt").write_text("not a photo")
    return folder


@pytest.fixture()
def models(model_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("PANOCOLOR_MODEL_DIR", str(model_dir))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return build_segmenter("deeplab"), Embedder()


def test_index_is_reused_and_updated_per_file(gallery, models, tmp_path):
    segmenter, embedder = models
    cache = tmp_path / "index"
    first = GalleryIndex(gallery, segmenter, embedder, cache)
    assert (first.report.indexed, first.report.reused) == (2, 0)
    assert "cat" in {label for entry in first.entries for label in entry.labels}

    again = GalleryIndex(gallery, segmenter, embedder, cache)
    assert (again.report.indexed, again.report.reused) == (0, 2)

    changed = gallery / "coffee.png"
    Image.fromarray(data.coffee()[::2, ::2]).save(changed)
    os.utime(changed, ns=(1, 1))  # a different modification time, whatever the clock does
    updated = GalleryIndex(gallery, segmenter, embedder, cache)
    assert (updated.report.indexed, updated.report.reused) == (1, 1)

    (gallery / "pets" / "cat.jpg").unlink()
    pruned = GalleryIndex(gallery, segmenter, embedder, cache)
    assert pruned.report.removed == 1 and len(pruned.entries) == 1


def test_a_photo_added_to_an_indexed_gallery_is_indexed_and_chosen(gallery, models, tmp_path):
    segmenter, embedder = models
    cache = tmp_path / "index"
    outside = tmp_path / "cat.jpg"
    (gallery / "pets" / "cat.jpg").rename(outside)  # the gallery is indexed without the cat
    first = GalleryIndex(gallery, segmenter, embedder, cache)
    assert (first.report.indexed, first.report.reused) == (1, 0)
    lightness = rgb_to_lab(data.chelsea()[:, ::-1] / 255.0)[..., 0]
    target = segmenter(lightness)
    cats = [s for s in target.segments if s.label == "cat"]
    assert cats, "deeplab must find the cat of the gray photo"
    assert not GallerySource(first).propose(lightness, target, cats).choices

    added = gallery / "new" / "cat.jpg"
    added.parent.mkdir()
    outside.rename(added)
    reopened = GalleryIndex(gallery, segmenter, embedder, cache)
    report = reopened.report
    assert (report.indexed, report.reused, report.removed, report.skipped) == (1, 1, 0, [])
    assert [e.path for e in reopened.entries if "cat" in e.labels] == [added]
    proposal = GallerySource(reopened).propose(lightness, target, cats)
    assert [(c.reason, str(c.image_key)) for c in proposal.choices] == [("gallery", str(added))]
    assert [image.key for image in proposal.images] == [ImageKey.of_gallery(added)]


def test_gallery_gives_the_cat_its_reference(gallery, models):
    gray = GrayImage(rgb_to_lab(data.chelsea()[:, ::-1] / 255.0)[..., 0])
    colorizer = Colorizer(Settings(segmenter="deeplab", gallery=gallery))
    result = colorizer(gray)
    cats = [c for c in result.plan.choices if c.label == "cat"]
    assert cats and cats[0].reason == "gallery"
    assert cats[0].image_key.value.endswith("cat.jpg") and 0 < cats[0].score <= 1
    chroma = np.hypot(result.ab[..., 0], result.ab[..., 1])
    assert chroma.mean() > 5
