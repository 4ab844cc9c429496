"""Per-object colorization: planning, both compositing modes, and the fallbacks."""

import numpy as np
import pytest
from skimage import data

from panocolor.composite.perobject import faithful_chroma, fast_chroma
from panocolor.evaluate.metrics import mean_ciede2000
from panocolor.explain import card_titles, explain_panel
from panocolor.imaging.colorspace import rgb_to_lab
from panocolor.pipeline import Colorizer, Settings
from panocolor.reference import (
    ClassReferences,
    ImageKey,
    ReferencePhoto,
    SegmentedReference,
    SegmentReferences,
    WholeReference,
    plan_references,
)
from panocolor.segment import Segment, Segmentation
from panocolor.segment.segmentation import USER_SOURCE
from panocolor.transfer import build_transfer
from panocolor.transfer.photoreal import PhotorealTransfer
from panocolor.types import ColorImage, GrayImage


def max_lightness_error(rgb: np.ndarray, lightness: np.ndarray) -> float:
    """Largest |L* of the written pixels - the input's L*| (8- or 16-bit ``rgb``)."""
    white = 65535.0 if rgb.dtype == np.uint16 else 255.0
    return float(np.abs(rgb_to_lab(rgb / white)[..., 0] - lightness).max())


def segmentation_of(ids: np.ndarray, labels: dict[int, str], source: str = "") -> Segmentation:
    """A Segmentation from an id map; classes get COCO-like ids, ``unknown-*`` gets 0.

    ``source`` "" stands for a model's labels; ``"user"`` makes them given.
    """
    ids = ids.astype(np.int32)
    segments = tuple(
        Segment(
            i,
            0 if label.startswith("unknown") else 100 + i,
            label,
            False,
            int((ids == i).sum()),
            source=source,
        )
        for i, label in labels.items()
    )
    return Segmentation(ids, segments)


def banded_lab(rng: np.random.Generator) -> np.ndarray:
    """(90, 120, 3) CIELAB: a blue sky over a yellow field, L* with noise from ``rng``."""
    lab = np.zeros((90, 120, 3), np.float32)
    lab[:45] = (70.0, -5.0, -40.0)
    lab[45:] = (75.0, 0.0, 65.0)
    lab[..., 0] += rng.normal(0, 2, lab.shape[:2])
    return lab


@pytest.fixture(scope="module")
def scene():
    """Two colour bands (blue sky over yellow field) with true segments, mirrored as reference."""
    lab = banded_lab(np.random.default_rng(0))
    ids = np.where(np.arange(90)[:, None] < 45, 1, 2) * np.ones((1, 120), int)
    target = segmentation_of(ids, {1: "sky", 2: "grass"})
    reference = ColorImage(lab[:, ::-1].copy())
    return lab, target, reference


def plan_for(lightness, segmentation, reference, reference_segmentation, **extra):
    main = SegmentedReference(reference, None, given=reference_segmentation)
    sources = [*extra.get("before", []), ReferencePhoto(main), WholeReference(main)]
    return plan_references(lightness, segmentation, sources)


def test_same_class_regions_are_chosen(scene):
    lab, target, reference = scene
    plan = plan_for(lab[..., 0], target, reference, target)
    assert [(c.label, c.reason, c.region_ids) for c in plan.choices] == [
        ("sky", "same-class", (1,)),
        ("grass", "same-class", (2,)),
    ]


@pytest.mark.parametrize("descriptors", [False, True], ids=["texture", "descriptors"])
@pytest.mark.parametrize("mode_chroma", [fast_chroma, faithful_chroma])
def test_each_segment_takes_its_own_class_colour(scene, mode_chroma, descriptors, request):
    """A model's right labels win, with and without the DeepLab descriptors.

    Pinned both ways: which one ``build_transfer("photoreal")`` gives depends on
    whether the model files are found (with descriptors, ``region_preference`` 5 let
    this sky draw grass colour, b* -22).
    """
    lab, target, reference = scene
    # The reference's sky is *below* (flipped vertically): position cannot explain success.
    flipped = ColorImage(reference.lab[::-1].copy())
    ref_seg = segmentation_of(target.ids[::-1], {1: "sky", 2: "grass"})
    plan = plan_for(lab[..., 0], target, flipped, ref_seg)
    transfer = (
        PhotorealTransfer(model_dir=request.getfixturevalue("model_dir"))
        if descriptors
        else PhotorealTransfer(semantic_weight=0.0)
    )
    if descriptors:
        assert transfer.semantic_encoder() is not None
    ab = mode_chroma(lab[..., 0], target, plan, transfer).ab
    assert ab[5:40, :, 1].mean() < -25  # sky stays blue
    assert ab[50:85, :, 1].mean() > 45  # grass stays yellow


def _striped_sky(mode_chroma, source: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean a*b* of a striped "sky", a flat sky and a building (see the tests below).

    Reference: flat blue sky over a striped red building. Target: a "sky" segment
    whose left half is striped and right half flat, over a striped building.
    """
    height, width = 90, 120
    stripes = np.where(np.arange(width) % 4 < 2, 50.0, 90.0)[None, :].repeat(height, 0)
    top = np.arange(height)[:, None] < height // 2
    reference = np.zeros((height, width, 3), np.float32)
    reference[..., 0] = np.where(top, 70.0, stripes)
    reference[..., 1] = np.where(top, 0.0, 60.0)
    reference[..., 2] = np.where(top, -40.0, 40.0)
    lightness = np.where(top & (np.arange(width) >= width // 2), 70.0, stripes)
    ids = np.where(top, 1, 2) * np.ones((1, width), int)
    labels = {1: "sky", 2: "building"}
    target = segmentation_of(ids, labels, source)
    plan = plan_for(lightness, target, ColorImage(reference), segmentation_of(ids, labels))
    ab = mode_chroma(lightness.astype(np.float32), target, plan, build_transfer("photoreal")).ab
    regions = ab[5:40, 5:40], ab[5:40, 80:115], ab[50:85, 5:115]
    striped_sky, flat_sky, building = (region.mean(axis=(0, 1)) for region in regions)
    return striped_sky, flat_sky, building


@pytest.mark.parametrize("mode_chroma", [fast_chroma, faithful_chroma])
def test_mislabelled_pixels_take_colour_where_the_reference_matches_them(mode_chroma):
    """A model's "sky" label is a preference: its striped half takes the building's red.

    The flat sky stays blue and the building red; the striped half of the "sky", which
    the sky region cannot match, takes the building's red (as a giraffe called
    "building" should not take a wall's colour).
    """
    striped_sky, flat_sky, building = _striped_sky(mode_chroma, source="")
    assert flat_sky[1] < -30, "the flat sky stays blue"
    assert building[0] > 45, "the building stays red"
    assert striped_sky[0] > 45, "the striped 'sky' takes the building's red"


@pytest.mark.parametrize("mode_chroma", [fast_chroma, faithful_chroma])
def test_given_labels_keep_to_their_reference_region(mode_chroma):
    """A label a person gave is kept to: the whole "sky", striped half too, stays blue."""
    striped_sky, flat_sky, building = _striped_sky(mode_chroma, source=USER_SOURCE)
    assert flat_sky[1] < -30 and striped_sky[1] < -30, "all of the sky stays blue"
    assert abs(striped_sky[0]) < 10, "none of the building's red"
    assert building[0] > 45, "the building stays red"


def test_class_without_reference_falls_back_to_the_whole_photo(scene):
    lab, _, reference = scene
    ids = np.ones(lab.shape[:2], int)
    ids[30:60, 40:80] = 2
    target = segmentation_of(ids, {1: "sky", 2: "giraffe"})
    ref_seg = segmentation_of(
        np.where(np.arange(90)[:, None] < 45, 1, 2) * np.ones((1, 120), int), {1: "sky", 2: "grass"}
    )
    plan = plan_for(lab[..., 0], target, reference, ref_seg)
    assert plan.choice(2).reason == "whole-reference"
    ab = fast_chroma(lab[..., 0], target, plan, build_transfer("photoreal")).ab
    chroma = np.hypot(ab[..., 0], ab[..., 1])
    assert chroma[35:55, 45:75].mean() > 10, "a segment without a reference still gets colour"
    assert chroma.min() > 0


def test_class_less_segments_take_colour_by_resemblance_and_the_panel_says_so(scene):
    """``unknown-k`` segments draw from the pixels they resemble anywhere; cards say so."""
    lab, _, reference = scene
    ids = np.ones(lab.shape[:2], int)
    ids[30:60, 10:50], ids[30:60, 70:110], ids[5:15, 5:15] = 2, 3, 4
    labels = {1: "sky", 2: "unknown-1", 3: "unknown-2", 4: "giraffe"}
    target = segmentation_of(ids, labels)
    ref_seg = segmentation_of(np.ones(lab.shape[:2], int), {1: "sky"})
    plan = plan_for(lab[..., 0], target, reference, ref_seg)
    assert [c.reason for c in plan.choices] == [
        "same-class",
        "resemblance",
        "resemblance",
        "whole-reference",
    ]
    titles = card_titles(plan)
    whole = "2 unknown <- resemblance; giraffe <- whole-reference"
    assert titles == {
        (ImageKey.reference(), (1,)): "sky <- same-class",
        (ImageKey.reference(), ()): whole,
    }
    # The card lists one line per reason, so the second reason is not cut off.
    colorizer = Colorizer(Settings(segmenter="none"), transfer=build_transfer("photoreal"))
    gray = GrayImage(lab[..., 0])
    panel = explain_panel(
        colorizer(gray, reference, segmentation=target, reference_segmentation=ref_seg)
    )
    one = segmentation_of(np.ones(lab.shape[:2], int), {1: "sky"})
    single = explain_panel(
        colorizer(gray, reference, segmentation=one, reference_segmentation=ref_seg)
    )
    assert panel.shape[0] > single.shape[0]


def test_priorities_segment_then_class_then_photo(scene):
    lab, _, reference = scene
    # Segments carry COCO names; --ref takes plain aliases of them ("sky", "grass").
    target = segmentation_of(
        np.where(np.arange(90)[:, None] < 45, 1, 2) * np.ones((1, 120), int),
        {1: "sky-other-merged", 2: "grass-merged"},
    )
    red = ColorImage(
        np.dstack(
            [np.full((20, 20), 50.0), np.full((20, 20), 60.0), np.full((20, 20), 40.0)]
        ).astype(np.float32)
    )
    plan = plan_for(
        lab[..., 0],
        target,
        reference,
        target,
        before=[SegmentReferences({2: red}), ClassReferences({"sky": red, "grass": reference})],
    )
    assert plan.choice(1).reason == "class"
    assert plan.choice(2).reason == "segment"


def test_plan_without_any_reference_is_a_clear_error(scene):
    from panocolor.errors import PanocolorError

    lab, target, _ = scene
    with pytest.raises(PanocolorError, match="no reference for segments of class"):
        plan_references(lab[..., 0], target, [])


def test_every_pixel_gets_colour_and_lightness_is_kept():
    """Real photo, class-less superpixel segments: fast mode colours every pixel."""
    gray = rgb_to_lab(data.astronaut()[::2, ::2] / 255.0)[..., 0]
    colorizer = Colorizer(Settings(segmenter="superpixel"))
    result = colorizer(GrayImage(gray), data.coffee())
    assert result.segmentation is not None and len(result.plan.choices) >= 2
    chroma = np.hypot(result.ab[..., 0], result.ab[..., 1])
    assert (chroma > 0.5).mean() > 0.99
    assert max_lightness_error(result.rgb, gray) <= 0.5


def test_fast_matches_faithful_on_a_real_photo():
    truth = data.astronaut()[::2, ::2] / 255.0
    lab = rgb_to_lab(truth)
    reference = truth[:, ::-1]
    outputs = {
        mode: Colorizer(Settings(segmenter="superpixel", mode=mode))(
            GrayImage(lab[..., 0]), reference
        ).rgb
        for mode in ("fast", "faithful")
    }
    for rgb in outputs.values():
        assert max_lightness_error(rgb, lab[..., 0]) <= 0.5
    difference = mean_ciede2000(
        rgb_to_lab(outputs["fast"] / 255.0), rgb_to_lab(outputs["faithful"] / 255.0)
    )
    assert difference <= 1.5


def test_look_alike_region_only_when_alike_enough(scene):
    """A class the reference lacks takes a look-alike region only above ``min_similarity``."""
    lab, _, reference = scene
    ids = np.where(np.arange(90)[:, None] < 45, 1, 2) * np.ones((1, 120), int)
    target = segmentation_of(ids, {1: "sea", 2: "sand"})  # neither class is in the reference
    ref_seg = segmentation_of(ids, {1: "sky", 2: "grass"})
    main = SegmentedReference(reference, None, given=ref_seg)

    def reasons(min_similarity: float) -> list[tuple[str, tuple[int, ...]]]:
        photo = ReferencePhoto(main, by_appearance=True, min_similarity=min_similarity)
        plan = plan_references(lab[..., 0], target, [photo, WholeReference(main)])
        return [(c.reason, c.region_ids) for c in plan.choices]

    # The mirrored reference has the same bands: each target band finds its twin...
    assert reasons(0.8) == [("appearance", (1,)), ("appearance", (2,))]
    # ...but nothing is alike enough for an impossible gate: the whole photo serves both.
    assert reasons(1.01) == [("whole-reference", ()), ("whole-reference", ())]


def test_rim_takes_the_objects_own_colour():
    """Outside its segment, within the soft mask's reach, a segment's colour is carried out."""
    from panocolor.composite.masks import extend_outward

    core = np.zeros((40, 40), bool)
    core[10:30, 10:20] = True
    chroma = np.zeros((40, 40, 2), np.float32)
    chroma[core] = (10.0, -5.0)
    extended = extend_outward(chroma, core, reach=4)
    np.testing.assert_allclose(extended[20, 22], (10.0, -5.0), atol=1e-5)  # 3 px outside
    np.testing.assert_allclose(extended[20, 26], (0.0, 0.0))  # beyond the reach
    np.testing.assert_array_equal(extended[core], chroma[core])


@pytest.mark.parametrize("mode", ["fast", "faithful"])
def test_16_bit_output_keeps_lightness_to_16_bit_rounding(mode):
    gray16 = (data.camera()[::3, ::3].astype(np.uint32) * 257).astype(np.uint16)
    lightness = rgb_to_lab(np.dstack([gray16 / 65535.0] * 3))[..., 0]
    colorizer = Colorizer(Settings(segmenter="superpixel", mode=mode))
    result = colorizer(GrayImage(lightness, bit_depth=16), data.coffee())
    assert result.rgb.dtype == np.uint16
    assert max_lightness_error(result.rgb, lightness) <= 0.05


# Fast mode on odd sizes: primes, very thin and very tall photos, a few above the working
# budget (65,536 pixels) so that they are shrunk and brought back.
ODD_SIZES = [(251, 509), (509, 251), (7, 9973), (9973, 7), (1, 65537), (65537, 1), (13, 17), (2, 3)]


def _two_band_scene(shape: tuple[int, int]) -> tuple[np.ndarray, Segmentation, int]:
    """L* of a dark "sky" and a light "grass" side by side along the longer axis."""
    rng = np.random.default_rng(1)
    height, width = shape
    along = np.arange(max(height, width))
    split = max(1, along.size // 2)
    sky_side = along < split
    sky = sky_side[None, :] if width >= height else sky_side[:, None]
    sky = np.broadcast_to(sky, shape)
    lightness = np.where(sky, 45.0, 80.0) + rng.normal(0, 1.5, shape)
    ids = np.where(sky, 1, 2)
    labels = {1: "sky", 2: "grass"} if ids.min() == 1 else {2: "grass"}
    return lightness.astype(np.float32), segmentation_of(ids, labels), split


@pytest.fixture(scope="module")
def band_reference():
    """Blue sky (L* 45) over yellow grass (L* 80), with its true segments."""
    rng = np.random.default_rng(2)
    lab = np.zeros((90, 120, 3), np.float32)
    lab[:45] = (45.0, -5.0, -40.0)
    lab[45:] = (80.0, 0.0, 65.0)
    lab[..., 0] += rng.normal(0, 1.5, (90, 120))
    ids = np.where(np.arange(90)[:, None] < 45, 1, 2) * np.ones((1, 120), int)
    return ColorImage(lab), segmentation_of(ids, {1: "sky", 2: "grass"})


@pytest.mark.parametrize("shape", ODD_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_fast_mode_on_odd_sizes(band_reference, shape):
    reference, ref_seg = band_reference
    lightness, target, split = _two_band_scene(shape)
    result = Colorizer(Settings(segmenter="none", mode="fast"))(
        GrayImage(lightness), reference, segmentation=target, reference_segmentation=ref_seg
    )
    assert result.rgb.shape == shape + (3,) and result.ab.shape == shape + (2,)
    assert np.isfinite(result.ab).all()
    assert max_lightness_error(result.rgb, lightness) <= 0.5
    if max(shape) >= 100:  # each side's colour, away from the seam
        b = result.ab[..., 1] if shape[1] >= shape[0] else result.ab[..., 1].T
        margin = max(8, b.shape[1] // 10)
        assert b[:, : split - margin].mean() < -25, "the sky side stays blue"
        assert b[:, split + margin :].mean() > 45, "the grass side stays yellow"


@pytest.mark.parametrize(
    "photo", ["coco/train2017/000000000030.jpg", "kodak/kodim23.png", "misc/chelsea.png"]
)
def test_soft_masks_are_a_partition_on_real_deeplab_segments(
    monkeypatch, model_dir, shared_data, photo
):
    """The soft masks fast mode blends with are >= 0 and sum to 1 at every pixel."""
    from panocolor.composite import masks as soft
    from panocolor.io import read_color

    used: list[np.ndarray] = []
    original = soft.soft_masks

    def spy(*args, **kwargs):
        masks = original(*args, **kwargs)
        used.append(masks)
        return masks

    monkeypatch.setattr(soft, "soft_masks", spy)
    gray = GrayImage(read_color(shared_data / photo).lab[..., 0])  # a colour photo's L*
    colorizer = Colorizer(Settings(segmenter="deeplab", model_dir=model_dir))
    result = colorizer(gray, read_color(shared_data / "misc/coffee.png"))
    assert len(result.segmentation.segments) >= 2
    assert used, "fast mode blends with soft masks"
    for masks in used:
        assert masks.shape[0] >= 2
        assert masks.min() >= 0.0
        np.testing.assert_allclose(masks.sum(axis=0), 1.0, atol=1e-5)


@pytest.mark.parametrize("mode_chroma", [fast_chroma, faithful_chroma])
def test_matchers_report_each_segments_match_confidence(scene, mode_chroma):
    lab, target, reference = scene
    ref_seg = segmentation_of(target.ids, {1: "sky", 2: "grass"})
    plan = plan_for(lab[..., 0], target, reference, ref_seg)
    matched = mode_chroma(lab[..., 0], target, plan, build_transfer("photoreal"))
    assert set(matched.confidence) == {1, 2}
    assert all(0.0 < value <= 1.0 for value in matched.confidence.values())
    # The reference is the scene itself, mirrored: its colours are matched confidently.
    assert min(matched.confidence.values()) > 0.3
    # A backend that does not match regions knows nothing of its confidence.
    assert mode_chroma(lab[..., 0], target, plan, build_transfer("reinhard")).confidence == {}


@pytest.mark.parametrize("transfer", ["photoreal", "reinhard"])
@pytest.mark.parametrize("mode_chroma", [fast_chroma, faithful_chroma])
def test_no_seam_where_the_gray_photo_shows_no_edge(mode_chroma, transfer):
    """Two segments of one even surface, coloured from two regions: a ramp, not a step.

    The gray photo is flat across the boundary, so nothing in it says where one colour
    ends; binary masks (the original method's, faithful mode before) jumped from one
    region's colour to the other between two neighbouring pixels.
    """
    height, width = 48, 96
    lightness = np.full((height, width), 60.0, np.float32)
    lightness += np.random.default_rng(1).normal(0, 0.5, lightness.shape).astype(np.float32)
    ids = np.where(np.arange(width)[None, :] < width // 2, 1, 2) * np.ones((height, 1), int)
    labels = {1: "wall", 2: "door"}
    reference = np.zeros((height, width, 3), np.float32)
    reference[..., 0] = lightness
    reference[..., 1] = np.where(ids == 1, 40.0, -40.0)
    target = segmentation_of(ids, labels, USER_SOURCE)
    plan = plan_for(lightness, target, ColorImage(reference), segmentation_of(ids, labels))
    backend = (
        PhotorealTransfer(semantic_weight=0.0)
        if transfer == "photoreal"
        else build_transfer(transfer)
    )
    a_star = mode_chroma(lightness, target, plan, backend).ab[..., 0].mean(axis=0)
    assert a_star[: width // 2 - 12].mean() > 30 and a_star[width // 2 + 12 :].mean() < -30
    largest_step = np.abs(np.diff(a_star)).max()
    assert largest_step < 0.4 * (a_star[:8].mean() - a_star[-8:].mean())
