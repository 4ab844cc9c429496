"""End to end in a real headless Chromium: upload, colorize, swap a segment's reference, download.

Also: the start page shows nothing meant to be hidden, and /docs renders offline.
Needs Debian's ``chromium`` package and Playwright for Python (its own browser
download is not used). ``PANOCOLOR_UPDATE_SCREENSHOT=1`` also rewrites docs/web.png.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import cv2
import httpx
import numpy as np
import pytest
from PIL import Image
from skimage import data
from skimage.color import rgb2lab
from skimage.transform import resize

from panocolor.web import Limits, create_app, running

CHROMIUM = shutil.which("chromium")
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "web.png"
TIMEOUT_MS = 30_000

# Shown only once there is something to show: on the start page each must be invisible.
HIDDEN_AT_START = (
    "#target-thumb",
    "#target-input",
    "#reference-input",
    "#gallery-box",
    "#error",
    "#download",
    "#compare",
    "#overlay",
    "#segment-panel",
    "#hint-tools",
)
# Operation summaries /docs must show.
OPERATIONS = ("Create Session", "Upload Image", "Delete Image", "Colorize", "Update Segment")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="no chromium on PATH (Debian: apt-get install chromium)"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright for Python")


def _save(rgb: np.ndarray, path: Path, side: int = 320) -> Path:
    height, width = rgb.shape[:2]
    shape = (round(height * side / width), side)
    Image.fromarray((resize(rgb, shape, anti_aliasing=True) * 255).round().astype(np.uint8)).save(
        path
    )
    return path


def _deepest_point(mask: np.ndarray) -> tuple[int, int]:
    depth = cv2.distanceTransform(np.pad(mask, 1).astype(np.uint8), cv2.DIST_L2, 3)[1:-1, 1:-1]
    row, col = np.unravel_index(int(np.argmax(depth)), depth.shape)
    return int(row), int(col)


def _click_pixel(
    page: sync_api.Page, selector: str, row: int, col: int, shape: tuple[int, ...]
) -> None:
    """Click pixel (row, col) of an image of ``shape`` shown by element ``selector``."""
    box = page.locator(selector).bounding_box()
    position = {
        "x": (col + 0.5) / shape[1] * box["width"],
        "y": (row + 0.5) / shape[0] * box["height"],
    }
    page.click(selector, position=position)


def _download(page: sync_api.Page) -> np.ndarray:
    with page.expect_download() as download:
        page.click("#download")
    return np.asarray(Image.open(download.value.path()))


def _wait_done(page: sync_api.Page) -> None:
    page.wait_for_function(
        "document.querySelector('#status').textContent.startsWith('Done')"
        " && document.querySelector('#compare').hidden === false"
        " && !document.querySelector('#colorize').disabled",  # the page is idle again
        timeout=TIMEOUT_MS,
    )


def _check_start_page(page: sync_api.Page) -> None:
    """Nothing meant to be hidden shows before an upload (CSS must not override ``hidden``)."""
    hidden = page.evaluate(
        "[...document.querySelectorAll('[hidden]')]"
        ".map((e) => [`#${e.id}`, getComputedStyle(e).display])"
    )
    assert {selector for selector, _ in hidden} == set(HIDDEN_AT_START)
    shown = [selector for selector in HIDDEN_AT_START if page.locator(selector).is_visible()]
    assert not shown, f"visible on the start page: {shown}"
    assert all(display == "none" for _, display in hidden), hidden


def _check_docs_offline(browser: sync_api.Browser, url: str) -> None:
    """/docs renders its operations with every request off 127.0.0.1 blocked."""
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    asked: list[str] = []
    blocked: list[str] = []

    def only_local(route: sync_api.Route) -> None:
        asked.append(route.request.url)
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{url}/docs")
    for name in OPERATIONS:
        operation = page.locator(".opblock-summary-description", has_text=name).first
        operation.wait_for(state="visible")
        assert operation.is_visible(), name
    assert blocked == [], blocked
    assert any(u.endswith("/openapi.json") for u in asked) and len(asked) >= 3, asked
    page.close()


def test_upload_colorize_swap_download(
    tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANOCOLOR_MODEL_DIR", str(model_dir))
    cat = data.chelsea()
    gray_path = tmp_path / "cat.png"
    _save(np.dot(cat, [0.299, 0.587, 0.114]).round().astype(np.uint8), gray_path)
    references = [_save(data.coffee(), tmp_path / "coffee.jpg")]
    references.append(_save(data.astronaut(), tmp_path / "astronaut.jpg"))
    references.append(_save(data.rocket(), tmp_path / "rocket.jpg"))
    gray = np.asarray(Image.open(gray_path))
    second_gray = _save(data.camera(), tmp_path / "camera.png")

    app = create_app(limits=Limits(max_upload_bytes=2**20, max_pixels=10**6))
    with running(app) as url, sync_api.sync_playwright() as playwright:
        assert url.startswith("http://127.0.0.1:")
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        _check_docs_offline(browser, url)
        page = browser.new_page(viewport={"width": 1280, "height": 720}, accept_downloads=True)
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        page.wait_for_selector("body[data-ready=true]")
        _check_start_page(page)
        page.set_input_files("#target-input", gray_path)
        page.wait_for_selector("#target-thumb:not([hidden])")
        page.set_input_files("#reference-input", references)
        page.wait_for_function("document.querySelectorAll('#references li').length === 3")
        page.click("#references button[aria-label='Remove rocket.jpg']")
        page.wait_for_function("document.querySelectorAll('#references li').length === 2")
        base = url + page.evaluate("state.base")
        names = [i["name"] for i in httpx.get(base).json()["images"]]
        assert names == ["cat.png", "coffee.jpg", "astronaut.jpg"]
        page.click("#colorize")
        _wait_done(page)
        before = _download(page)

        segments = httpx.get(f"{base}/segments").json()["segments"]
        ids = np.asarray(Image.open(io.BytesIO(httpx.get(f"{base}/segments/ids.png").content)))
        chosen = max(segments, key=lambda s: s["area"] if s["area"] < 0.5 else 0)
        row, col = _deepest_point(ids == chosen["id"])
        _click_pixel(page, "#overlay", row, col, ids.shape)
        page.wait_for_function(
            f"document.querySelector('#segment-title').textContent.includes('#{chosen['id']}:')"
        )
        page.select_option("#segment-reference", label="astronaut.jpg")
        page.evaluate("document.querySelector('#status').textContent = ''")
        page.click("#segment-apply")
        _wait_done(page)
        after = _download(page)
        if os.environ.get("PANOCOLOR_UPDATE_SCREENSHOT") == "1":
            page.screenshot(path=SCREENSHOT, full_page=True)
        # A new gray photo: the old photo's result and segments leave the page.
        old_thumb = page.get_attribute("#target-thumb", "src")
        page.set_input_files("#target-input", second_gray)
        page.wait_for_function(
            f"document.querySelector('#target-thumb').getAttribute('src') !== {old_thumb!r}"
        )
        shown = [
            s
            for s in ("#compare", "#download", "#overlay", "#segment-panel")
            if page.locator(s).is_visible()
        ]
        assert not shown, f"still shown for the new photo: {shown}"
        browser.close()

    assert before.shape == after.shape == gray.shape + (3,)
    full_ids = cv2.resize(ids.astype(np.int32), gray.shape[::-1], interpolation=cv2.INTER_NEAREST)
    swapped = (full_ids == chosen["id"]).astype(np.uint8)
    changed = np.abs(before.astype(int) - after.astype(int)).max(axis=2) > 2
    # Near: the rim the soft masks feather into (6 working pixels, the photo is 1.4x the
    # working size) and 3 px for the segment map resized by nearest neighbour.
    distance = cv2.distanceTransform(1 - swapped, cv2.DIST_L2, 5)
    near = distance <= 12
    assert changed[swapped.astype(bool)].mean() > 0.5
    assert not changed[~near].any(), f"{changed[~near].sum()} pixels changed elsewhere"
    lightness = rgb2lab(np.repeat(gray[..., None], 3, axis=2))[..., 0]
    for result in (before, after):  # 8-bit PNGs, as downloaded
        assert result.dtype == np.uint8
        assert np.abs(rgb2lab(result)[..., 0] - lightness).max() <= 0.5


def test_click_a_colour_hint_then_remove_it(
    tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hint clicked on the photo changes the result around it, not in a far segment;
    removing it from the list brings the previous result back."""
    monkeypatch.setenv("PANOCOLOR_MODEL_DIR", str(model_dir))
    gray_path = tmp_path / "cat.png"
    _save(np.dot(data.chelsea(), [0.299, 0.587, 0.114]).round().astype(np.uint8), gray_path)
    reference = _save(data.coffee(), tmp_path / "coffee.jpg")
    gray = np.asarray(Image.open(gray_path))

    app = create_app(limits=Limits(max_upload_bytes=2**20, max_pixels=10**6))
    with running(app) as url, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1280, "height": 720}, accept_downloads=True)
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        page.wait_for_selector("body[data-ready=true]")
        page.set_input_files("#target-input", gray_path)
        page.wait_for_selector("#target-thumb:not([hidden])")
        page.set_input_files("#reference-input", [reference])
        page.wait_for_function("document.querySelectorAll('#references li').length === 1")
        page.click("#colorize")
        _wait_done(page)
        plain = _download(page)
        base = url + page.evaluate("state.base")
        ids = np.asarray(Image.open(io.BytesIO(httpx.get(f"{base}/segments/ids.png").content)))
        full_ids = cv2.resize(
            ids.astype(np.int32), gray.shape[::-1], interpolation=cv2.INTER_NEAREST
        )
        counts = np.bincount(full_ids.ravel())
        largest, second = np.argsort(counts)[::-1][:2]
        row, col = _deepest_point(full_ids == largest)  # the hint goes deep inside one segment

        page.check("#hint-mode")
        page.fill("#hint-colour", "#20c040")
        page.evaluate("document.querySelector('#status').textContent = ''")
        _click_pixel(page, "#frame", row, col, gray.shape)
        page.wait_for_function("document.querySelectorAll('#hints li').length === 1")
        _wait_done(page)
        hinted = _download(page)
        (hint,) = httpx.get(f"{base}/hints").json()["hints"]
        assert hint["colour"] == "#20c040"
        assert abs(hint["x"] - col) <= 1 and abs(hint["y"] - row) <= 1, (hint, row, col)
        assert page.locator("#hint-marks .mark").count() == 1

        page.evaluate("document.querySelector('#status').textContent = ''")
        page.click("#hints button[aria-label='Remove hint 1']")
        page.wait_for_function("document.querySelectorAll('#hints li').length === 0")
        _wait_done(page)
        removed = _download(page)
        browser.close()

    changed = np.abs(hinted.astype(int) - plain.astype(int)).max(axis=2) > 2
    around = changed[max(row - 3, 0) : row + 4, max(col - 3, 0) : col + 4]
    assert around.all(), around
    hinted_lab, plain_lab = rgb2lab(hinted), rgb2lab(plain)
    assert np.hypot(*(hinted_lab[row, col, 1:] - [-45, 35])) < np.hypot(
        *(plain_lab[row, col, 1:] - [-45, 35])
    )  # greener at the hint than without it
    # Far: pixels of the other large segment more than 8 px from the hinted one.
    far = (full_ids == second) & (
        cv2.distanceTransform((full_ids != largest).astype(np.uint8), cv2.DIST_L2, 3) > 8
    )
    assert far.sum() > 500, far.sum()
    assert not changed[far].any(), f"{changed[far].sum()} far pixels changed"
    assert np.abs(removed.astype(int) - plain.astype(int)).max() <= 1
