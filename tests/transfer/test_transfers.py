"""Transfer backends: the protocol contract, luminance exactness on real photos, and quality."""

import numpy as np
import pytest
from PIL import Image
from skimage import color, data

from panocolor.api import colorize, colorize_result
from panocolor.composite import composite_chroma
from panocolor.composite.compose import compose_lab
from panocolor.errors import UnknownBackendError
from panocolor.imaging.colorspace import gray_to_lightness, rgb_to_lab
from panocolor.io import read_gray, to_pixels
from panocolor.segment.semantic import SemanticFeatures
from panocolor.transfer import TRANSFERS, ColorTransfer, build_transfer
from panocolor.transfer.base import RegionPair
from panocolor.transfer.photoreal import PhotorealTransfer

BACKENDS = ["reinhard", "photoreal", "neural"]


@pytest.fixture(scope="module")
def astronaut_pair():
    """Gray astronaut L* and the colour coffee photo as a reference (both real photos)."""
    lightness = rgb_to_lab(data.astronaut()[::2, ::2] / 255.0)[..., 0]
    reference = rgb_to_lab(data.coffee()[::2, ::2] / 255.0)
    return lightness, reference


def test_registry_lists_backends_and_rejects_unknown():
    assert set(BACKENDS) <= set(TRANSFERS.names())
    with pytest.raises(UnknownBackendError, match="unknown transfer 'wct2'; choose one of"):
        build_transfer("wct2")


@pytest.mark.parametrize("name", BACKENDS)
def test_backend_contract(name, astronaut_pair):
    lightness, reference = astronaut_pair
    backend = build_transfer(name)
    assert isinstance(backend, ColorTransfer)
    ab = backend(lightness, reference)
    assert ab.shape == lightness.shape + (2,)
    assert ab.dtype == np.float32
    assert np.all(np.isfinite(ab))
    assert np.hypot(ab[..., 0], ab[..., 1]).mean() > 2.0, "a colour reference must give colour"


@pytest.mark.parametrize("name", BACKENDS)
def test_output_lightness_is_the_inputs(name, astronaut_pair):
    lightness, reference = astronaut_pair
    gray8 = np.round(color.lab2rgb(np.dstack([lightness] + [np.zeros_like(lightness)] * 2)) * 255)
    gray8 = gray8[..., 0].astype(np.uint8)
    rgb = colorize(gray8, data.coffee(), transfer=name, segmenter="none")
    assert rgb.dtype == np.uint8 and rgb.shape == gray8.shape + (3,)
    delta = np.abs(color.rgb2lab(rgb)[..., 0] - gray_to_lightness(gray8 / 255.0))
    assert delta.max() <= 0.5


RED_LAB = (53.24, 80.09, 67.20)  # pure sRGB red
RED_HUE = np.degrees(np.arctan2(RED_LAB[2], RED_LAB[1]))


def _red_pixels(ab: np.ndarray) -> np.ndarray:
    """Pixels of a clearly red hue: chroma over 20 within 30 degrees of pure red's hue."""
    hue = np.degrees(np.arctan2(ab[..., 1], ab[..., 0]))
    turn = np.abs((hue - RED_HUE + 180.0) % 360.0 - 180.0)
    return (np.hypot(ab[..., 0], ab[..., 1]) > 20.0) & (turn < 30.0)


@pytest.mark.parametrize("name", BACKENDS)
def test_masks_restrict_both_sides(name, astronaut_pair):
    """Only target-mask pixels get chroma, and only reference-mask colours are used.

    The reference's masked-in triangle is a real photo's texture, tinted blue; the
    masked-out triangle (inside the mask's bounding box) is pure red, at an L* the
    target has plenty of: any red in the output came from outside the mask.
    """
    lightness, _ = astronaut_pair
    texture = gray_to_lightness(data.camera()[::4, ::4] / 255.0)  # (128, 128)
    reference = np.stack(
        [texture, -25.0 + 0.2 * (texture - 50.0), -30.0 - 0.2 * (texture - 50.0)], axis=-1
    ).astype(np.float32)
    reference_mask = np.add.outer(np.arange(128), np.arange(128)) < 128
    reference[~reference_mask] = RED_LAB
    target_mask = np.zeros(lightness.shape, bool)
    target_mask[20:236, 20:236] = True
    backend = build_transfer(name)
    ab = backend(lightness, reference, target_mask=target_mask, reference_mask=reference_mask)
    assert np.all(ab[~target_mask] == 0)
    assert np.hypot(ab[..., 0], ab[..., 1])[target_mask].mean() > 10.0
    assert not _red_pixels(ab).any(), f"{_red_pixels(ab).mean():.1%} red pixels"
    # The test can see red: without the mask, the red triangle is used.
    assert _red_pixels(backend(lightness, reference, target_mask=target_mask)).mean() > 0.05


@pytest.mark.parametrize("name", BACKENDS)
def test_backends_are_deterministic(name, astronaut_pair):
    """Fresh instances on copies of the inputs: no cached preparation is shared."""
    lightness, reference = astronaut_pair
    first = build_transfer(name)(lightness.copy(), reference.copy())
    second = build_transfer(name)(lightness.copy(), reference.copy())
    np.testing.assert_array_equal(first, second)


def test_photoreal_puts_colours_where_textures_match():
    """Smooth dark half blue, noisy bright half yellow: matching must keep them apart."""
    rng = np.random.default_rng(0)
    height, width = 96, 128
    lab = np.zeros((height, width, 3), np.float32)
    lab[:, : width // 2] = (35.0, 10.0, -45.0)
    lab[:, width // 2 :] = (80.0, -5.0, 70.0)
    lab[:, width // 2 :, 0] += rng.normal(0, 4, (height, width // 2))
    reference = lab[:, ::-1].copy()  # the same scene, mirrored
    ab_photoreal = build_transfer("photoreal")(lab[..., 0], reference)
    ab_reinhard = build_transfer("reinhard")(lab[..., 0], reference)
    error = {
        name: np.abs(ab - lab[..., 1:])[:, 8:-8].mean()
        for name, ab in (("photoreal", ab_photoreal), ("reinhard", ab_reinhard))
    }
    assert error["photoreal"] < 4.0 < error["reinhard"]


def test_reinhard_gives_the_reference_mean_chroma(astronaut_pair):
    lightness, reference = astronaut_pair
    ab = build_transfer("reinhard")(lightness, reference)
    np.testing.assert_allclose(ab[0, 0], reference[..., 1:].reshape(-1, 2).mean(0), atol=1e-3)


@pytest.mark.parametrize("name", ["photoreal", "neural"])
def test_tiny_and_thin_images(name):
    reference = rgb_to_lab(data.coffee()[:40, :40] / 255.0)
    for shape in [(1, 1), (3, 200), (200, 3)]:
        lightness = np.full(shape, 50.0, np.float32)
        assert build_transfer(name)(lightness, reference).shape == shape + (2,)


def test_empty_reference_mask_is_refused(astronaut_pair):
    lightness, reference = astronaut_pair
    with pytest.raises(ValueError, match="selects no reference pixel"):
        build_transfer("photoreal")(
            lightness, reference, reference_mask=np.zeros(reference.shape[:2], bool)
        )


def test_sixteen_bit_input_gives_sixteen_bit_output():
    gray16 = (data.camera()[:64, :64].astype(np.uint16) * 257).astype(np.uint16)
    result = colorize_result(
        gray16, data.coffee()[:64, :64], transfer="photoreal", segmenter="none"
    )
    assert result.rgb.dtype == np.uint16
    delta = np.abs(color.rgb2lab(result.rgb / 65535.0)[..., 0] - result.lightness)
    assert delta.max() <= 0.05


def _half_transparent_photo(tmp_path) -> tuple:
    """A gray photo (PNG, gray + alpha) whose alpha ramps from 255 to 0 across its middle."""
    gray = data.camera()[::2, ::2]  # (256, 256)
    ramp = np.clip(np.linspace(600.0, -300.0, gray.shape[1]), 0, 255).astype(np.uint8)
    path = tmp_path / "fading.png"
    Image.fromarray(np.dstack([gray, np.broadcast_to(ramp, gray.shape)]), "LA").save(path)
    return path, gray


def _chroma_excess_on_the_edge(rgb, alpha, opaque_rgb) -> float:
    """Mean chroma above that of the same pixels colorized opaque, where alpha is 0.1-0.9."""

    def chroma(pixels):
        lab = rgb_to_lab(pixels / 255.0)
        return np.hypot(lab[..., 1], lab[..., 2])

    edge = (alpha > 0.1) & (alpha < 0.9)
    return float(np.maximum(chroma(rgb) - chroma(opaque_rgb), 0.0)[edge].mean())


@pytest.mark.parametrize("name", BACKENDS)
def test_transparency_edge_has_no_colour_band(name, tmp_path):
    """Colour found on the photo's own pixels, then composited onto white like the gray.

    Found on the composited L* instead (the old way), the half-white edge is colored as
    bright content: a salmon band 4.7-7.2 chroma above the same pixels colorized opaque.
    """
    path, gray = _half_transparent_photo(tmp_path)
    image = read_gray(path)
    reference = rgb_to_lab(data.coffee() / 255.0)
    opaque = colorize(gray, data.coffee(), transfer=name, segmenter="none")
    ab = build_transfer(name)(image.opaque_lightness, reference)
    ab = composite_chroma(image.opaque_lightness, ab, image.alpha)
    rgb = to_pixels(compose_lab(image.lightness, ab), image.bit_depth)
    assert _chroma_excess_on_the_edge(rgb, image.alpha, opaque) <= 1.0
    clear = image.alpha == 0
    assert np.all(rgb[clear] == 255)  # fully transparent: the white page
    delta = np.abs(rgb_to_lab(rgb / 255.0)[..., 0] - image.lightness)
    assert delta.max() <= 0.5


def test_colorize_of_a_transparency_edge_has_no_colour_band(tmp_path):
    path, gray = _half_transparent_photo(tmp_path)
    alpha = read_gray(path).alpha
    opaque = colorize(gray, data.coffee(), transfer="photoreal", segmenter="none")
    rgb = colorize(path, data.coffee(), transfer="photoreal", segmenter="none")
    assert _chroma_excess_on_the_edge(rgb, alpha, opaque) <= 1.0


def test_region_remap_equals_features_of_the_remapped_photo():
    """Remapping a region's features is exact: the same as features of the remapped L*."""
    from panocolor.transfer.features import region_features, texture_features

    lightness = rgb_to_lab(data.astronaut()[::8, ::8] / 255.0)[..., 0]
    remapped = 1.5 * lightness + 10.0  # spread ratio 1.5 lies inside the bounds
    features = texture_features(lightness).reshape(-1, 7)
    expected = texture_features(remapped).reshape(-1, 7)
    got = region_features(features, remapped.ravel())
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=2e-2)


def test_region_pair_matches_on_the_regions_own_lightness():
    """A dark reference region colours a light target region by relative lightness.

    Target: a left region whose L* ramps 60..80 and a dark right region. Reference: a
    left region whose L* ramps 20..40 with blue at its dark end and red at its light end,
    and a bright right region. Matched pair to pair, the target ramp must get blue at
    its dark end and red at its light end; matched on absolute L* it would all be red
    (a* 54, b* 25 everywhere, as with ``region_remap=0``).
    """
    height, width = 64, 64
    ramp = np.linspace(0.0, 1.0, width // 2, dtype=np.float32)[None, :].repeat(height, 0)
    target = np.empty((height, width), np.float32)
    target[:, : width // 2] = 60 + 20 * ramp
    target[:, width // 2 :] = 15.0
    reference = np.zeros((height, width, 3), np.float32)
    reference[:, : width // 2, 0] = 20 + 20 * ramp
    reference[:, : width // 2, 1] = -40 + 100 * ramp  # a*: blue-green to red
    reference[:, : width // 2, 2] = -50 + 80 * ramp  # b*: blue to yellow-ish
    reference[:, width // 2 :] = (90.0, 0.0, 0.0)
    left = np.zeros((height, width), bool)
    left[:, : width // 2] = True
    pair = RegionPair(target=left, reference=left, lightness_from=left)

    def ends(region_remap: float) -> tuple[np.ndarray, np.ndarray]:
        backend = PhotorealTransfer(
            region_remap=region_remap,
            region_preference=np.inf,
            semantic_weight=0.0,  # synthetic ramps: nothing for the network to recognise
            query_stride=1,  # raw matches at every pixel (a lattice leaves gaps unmatched)
        )
        ((ab, _),) = backend.match_regions(target, reference, [pair])
        return ab[8:-8, 2:6].mean(axis=(0, 1)), ab[8:-8, 26:30].mean(axis=(0, 1))

    dark_end, light_end = ends(1.0)
    assert dark_end[1] < -20 and light_end[0] > dark_end[0] + 30, (dark_end, light_end)
    dark_end, light_end = ends(0.0)  # no remap: one colour, the reference's light end
    np.testing.assert_allclose(dark_end, light_end, atol=1.0)
    assert dark_end[0] > 40


def test_region_preference_lets_a_mismatched_region_take_colour_from_elsewhere():
    """A segment whose reference region lacks its texture takes colour where it matches.

    Reference: a flat red left half and a striped blue right half. Target: a striped
    left half and a flat right half, both paired with the reference's flat red half
    (as when the segmenter names the stripes wrongly). Kept inside the region, the
    stripes turn red; with a finite preference they find the blue stripes, while the
    flat half, which its region matches, stays red.
    """
    height, width = 64, 128
    stripes = np.where(np.arange(width) % 4 < 2, 30.0, 70.0).astype(np.float32)[None, :]
    left = np.zeros((height, width), bool)
    left[:, : width // 2] = True
    reference = np.zeros((height, width, 3), np.float32)
    reference[left] = (50.0, 60.0, 40.0)
    reference[~left] = (0.0, -20.0, -50.0)
    reference[..., 0] = np.where(left, 50.0, stripes)
    target = np.where(left, stripes, 50.0).astype(np.float32)
    pairs = [RegionPair(left, left), RegionPair(~left, left)]

    def colours(preference: float) -> tuple[np.ndarray, np.ndarray]:
        backend = PhotorealTransfer(
            region_preference=preference, semantic_weight=0.0, query_stride=1
        )  # raw matches at every pixel
        striped, flat = (matched.ab for matched in backend.match_regions(target, reference, pairs))
        inner = slice(8, -8), slice(4, 24)
        return striped[inner].mean(axis=(0, 1)), flat[:, ::-1][inner].mean(axis=(0, 1))

    striped, flat = colours(np.inf)
    np.testing.assert_allclose(striped, (60.0, 40.0), atol=1.0)
    np.testing.assert_allclose(flat, (60.0, 40.0), atol=1.0)
    striped, flat = colours(5.0)
    np.testing.assert_allclose(striped, (-20.0, -50.0), atol=1.0)
    np.testing.assert_allclose(flat, (60.0, 40.0), atol=1.0)


def test_semantic_descriptors_join_the_matching_features(model_dir, astronaut_pair):
    """With the VOC model, photoreal matches on 7 lightness/texture + 8 semantic features."""
    lightness, reference = astronaut_pair
    backend = PhotorealTransfer(model_dir=model_dir)
    assert backend.semantic_encoder() is not None
    ab = backend(lightness, reference)
    prepared = backend._prepared.get((lightness, reference), lambda: None)
    assert prepared.target_features.shape[-1] == 7 + backend.semantic_components
    assert prepared.ref_features.shape[-1] == 7 + backend.semantic_components
    plain = PhotorealTransfer(semantic_weight=0.0)(lightness, reference)
    assert plain.shape == ab.shape and np.abs(ab - plain).mean() > 0.5


def test_without_the_model_photoreal_matches_on_lightness_and_texture(
    tmp_path, monkeypatch, astronaut_pair, caplog
):
    monkeypatch.delenv("PANOCOLOR_MODEL_DIR", raising=False)
    monkeypatch.setattr("panocolor.models._store.cache_dir", lambda: tmp_path / "cache")
    lightness, reference = astronaut_pair
    backend = PhotorealTransfer(model_dir=tmp_path)
    with caplog.at_level("INFO", logger="panocolor.transfer.photoreal"):
        assert backend.semantic_encoder() is None
    assert "lightness and texture only" in caplog.text
    assert "deeplabv3_mnv2_pascal_quant.tflite" in caplog.text
    np.testing.assert_array_equal(
        backend(lightness, reference), PhotorealTransfer(semantic_weight=0.0)(lightness, reference)
    )


def test_descriptors_improve_a_self_reference(model_dir):
    """A mirrored crop of the photo as reference: meaning puts its colours back in place."""
    rgb = data.astronaut()[::2, ::2]
    lab = rgb_to_lab(rgb / 255.0)
    h, w = lab.shape[:2]
    reference = lab[h // 10 : h - h // 10, w // 10 : w - w // 10][:, ::-1].copy()
    errors = {}
    for weight in (0.0, 8.0):
        ab = PhotorealTransfer(model_dir=model_dir, semantic_weight=weight)(lab[..., 0], reference)
        errors[weight] = float(np.hypot(*(ab - lab[..., 1:]).transpose(2, 0, 1)).mean())
    assert errors[8.0] < 0.9 * errors[0.0]


def test_region_remap_leaves_semantic_columns_alone():
    from panocolor.transfer.features import region_features, texture_features

    lightness = rgb_to_lab(data.astronaut()[::8, ::8] / 255.0)[..., 0]
    features = texture_features(lightness).reshape(-1, 7)
    extra = np.random.default_rng(0).normal(size=(len(features), 3)).astype(np.float32)
    got = region_features(np.concatenate([features, extra], axis=1), 1.5 * lightness.ravel() + 10)
    np.testing.assert_array_equal(got[:, 7:], extra)
    np.testing.assert_allclose(got[:, :7], region_features(features, 1.5 * lightness.ravel() + 10))


def test_region_pairs_match_on_the_descriptors_too():
    """Inside a region pair, pixels alike in lightness and texture are told apart by meaning.

    Target and reference have the same L* noise everywhere. A stand-in encoder calls
    the target's left half and the reference's bottom half one thing ("A"), the
    target's right half and the reference's top half another ("B"); the reference is
    red on top and blue below. Matched within a region pair on lightness and texture
    alone, both target halves would get a mix of red and blue.
    """
    rng = np.random.default_rng(0)
    target = (50 + 5 * rng.standard_normal((64, 128))).astype(np.float32)
    reference = np.zeros((64, 128, 3), np.float32)
    reference[..., 0] = 50 + 5 * rng.standard_normal((64, 128))
    reference[:32, :, 1:] = (60.0, 40.0)
    reference[32:, :, 1:] = (-20.0, -50.0)
    a, b = (1.0, 0.0), (0.0, 1.0)
    target_grid = np.zeros((8, 16, 2), np.float32)
    target_grid[:, :8], target_grid[:, 8:] = a, b
    reference_grid = np.zeros((8, 16, 2), np.float32)
    reference_grid[:4], reference_grid[4:] = b, a

    def encoder(lightness: np.ndarray) -> SemanticFeatures:
        grid = target_grid if lightness is target else reference_grid
        return SemanticFeatures(grid, grid, lightness.shape)

    whole = np.ones((64, 128), bool)
    backend = PhotorealTransfer(
        encoder=encoder, region_remap=0.0, query_stride=1
    )  # raw, every pixel
    ((ab, _),) = backend.match_regions(target, reference, [RegionPair(whole, whole, whole)])
    np.testing.assert_allclose(ab[8:-8, 8:56].mean(axis=(0, 1)), (-20.0, -50.0), atol=2.0)
    np.testing.assert_allclose(ab[8:-8, 72:120].mean(axis=(0, 1)), (60.0, 40.0), atol=2.0)
