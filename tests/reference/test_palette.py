"""The stuff palette: its file, its fit, and the shipped colours' plausibility."""

import numpy as np
import pytest

from panocolor.evaluate.train_palette import fit_palette, group_labels, photo_sums
from panocolor.reference.palette import StuffPalette, default_palette


def test_a_saved_palette_loads_back(tmp_path):
    palette = StuffPalette({"sky-other-merged": (-1.234, -12.0), "tree-merged": (-7.5, 11.0)})
    palette.save(tmp_path / "p.json")
    loaded = StuffPalette.load(tmp_path / "p.json")
    assert loaded.chroma == {"sky-other-merged": (-1.23, -12.0), "tree-merged": (-7.5, 11.0)}
    assert loaded.colour("person") is None


def test_the_shipped_palette_has_green_plants_and_a_blue_sky():
    palette = default_palette()
    for plant in ("grass-merged", "tree-merged"):
        a, b = palette.colour(plant)
        assert a < -5 and b > 5, plant
    a, b = palette.colour("sky-other-merged")
    assert b < -8 and abs(a) < 5
    assert set(palette.chroma) <= set(group_labels().values())


def test_the_fit_is_the_pixel_weighted_mean_and_leaves_photos_out():
    labels = group_labels()
    grass = next(cid for cid, label in labels.items() if label == "grass-merged")
    field = next(cid for cid, label in labels.items() if label == "grass-merged" and cid != grass)
    lab = np.zeros((4, 4, 3), np.float32)
    lab[:2] = (50.0, -30.0, 20.0)
    lab[2:] = (50.0, -10.0, 40.0)
    semantic = np.zeros((4, 4), np.uint8)
    semantic[:2] = grass
    semantic[2:3] = field  # one row of a second category of the same group
    first = photo_sums(lab, semantic, labels)
    assert list(first) == ["grass-merged"]
    np.testing.assert_allclose(first["grass-merged"], [-30 * 8 - 10 * 4, 20 * 8 + 40 * 4, 12])
    other = photo_sums(np.full((2, 2, 3), (50.0, 0.0, 0.0), np.float32), semantic[:2, :2], labels)
    (a, b) = fit_palette([first, other]).chroma["grass-merged"]
    assert (a, b) == pytest.approx(((-280) / 16, (320) / 16))
    assert fit_palette([first, other], leave_out=[1]).chroma["grass-merged"] == pytest.approx(
        (-280 / 12, 320 / 12)
    )
    assert fit_palette([first, other], leave_out=[0, 1]).chroma == {}
