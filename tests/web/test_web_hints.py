"""Colour hints through the JSON API: add, move, remove, undo, validation, effect on the result."""

from __future__ import annotations

import numpy as np
from fastapi.testclient import TestClient

from tests.web.test_web_api import (
    _assert_error,
    _finish,
    _max_lightness_error,
    _png,
    _session,
    _upload,
)


def test_hints_add_move_remove_undo(client: TestClient, gray_png: bytes) -> None:
    base = _session(client)
    _assert_error(client.post(f"{base}/hints", json={"x": 1, "y": 1, "colour": "#ff0000"}), 409)
    target = _upload(client, base, gray_png, "target")
    width, height = target["width"], target["height"]

    added = client.post(f"{base}/hints", json={"x": 10, "y": 20, "colour": "#FF0000"})
    assert added.status_code == 201, added.text
    (first,) = added.json()["hints"]
    assert (first["x"], first["y"], first["colour"]) == (10, 20, "#ff0000")
    client.post(f"{base}/hints", json={"x": 30, "y": 5, "colour": "#0000ff"})
    moved = client.put(f"{base}/hints/{first['id']}", json={"x": 40, "colour": "#00ff00"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["hints"][0] == {"id": first["id"], "x": 40, "y": 20, "colour": "#00ff00"}
    assert client.delete(f"{base}/hints/{first['id']}").status_code == 204
    assert [h["colour"] for h in client.get(f"{base}/hints").json()["hints"]] == ["#0000ff"]

    undone = client.post(f"{base}/hints/undo").json()  # the removal
    assert [(h["x"], h["colour"]) for h in undone["hints"]] == [(40, "#00ff00"), (30, "#0000ff")]
    undone = client.post(f"{base}/hints/undo").json()  # the move
    assert [(h["x"], h["colour"]) for h in undone["hints"]] == [(10, "#ff0000"), (30, "#0000ff")]
    client.post(f"{base}/hints/undo")
    final = client.post(f"{base}/hints/undo").json()
    assert final == {"hints": [], "can_undo": False}
    _assert_error(client.post(f"{base}/hints/undo"), 409, "nothing to undo")

    # Outside the photo, bad colours, unknown ids: clear 4xx, nothing stored.
    outside = {"x": width, "y": 0, "colour": "#ff0000"}
    _assert_error(client.post(f"{base}/hints", json=outside), 422, "outside", f"{width}x{height}")
    _assert_error(client.post(f"{base}/hints", json={"x": -1, "y": 0, "colour": "#ff0000"}), 422)
    _assert_error(client.post(f"{base}/hints", json={"x": 0, "y": 0, "colour": "red"}), 422)
    _assert_error(client.put(f"{base}/hints/h999", json={"x": 1}), 404, "no such hint")
    _assert_error(client.delete(f"{base}/hints/nope"), 422)
    assert client.get(f"{base}/hints").json()["hints"] == []


def test_hints_colour_the_result_and_go_with_the_photo(
    client: TestClient, gray_png: bytes, colour_jpeg: bytes
) -> None:
    base = _session(client)
    _upload(client, base, gray_png, "target")
    gray = _png(gray_png)
    # Hints alone (no reference): the hint's colour where it is, lightness kept.
    y, x = gray.shape[0] // 2, gray.shape[1] // 4
    client.post(f"{base}/hints", json={"x": x, "y": y, "colour": "#d02020"})
    job = _finish(client, base)
    assert job["state"] == "done", job
    alone = _png(client.get(f"{base}/result.png").content)
    assert _max_lightness_error(gray, alone) <= 0.5
    red = alone[y - 1 : y + 2, x - 1 : x + 2].astype(int)
    assert (red[..., 0] > red[..., 1] + 5).all(), red

    # With a reference: the hint changes the result around it; removing it gives back
    # the reference-only result.
    (hint,) = client.get(f"{base}/hints").json()["hints"]
    client.delete(f"{base}/hints/{hint['id']}")
    _upload(client, base, colour_jpeg, "reference", "coffee.jpg")
    assert _finish(client, base)["state"] == "done"
    plain = _png(client.get(f"{base}/result.png").content)
    client.post(f"{base}/hints/undo")
    assert _finish(client, base)["state"] == "done"
    hinted = _png(client.get(f"{base}/result.png").content)
    assert _max_lightness_error(gray, hinted) <= 0.5
    changed = np.abs(hinted.astype(int) - plain.astype(int)).max(axis=2) > 2
    assert changed[y - 2 : y + 3, x - 2 : x + 3].all()
    client.delete(f"{base}/hints/{hint['id']}")
    assert _finish(client, base)["state"] == "done"
    assert np.array_equal(_png(client.get(f"{base}/result.png").content), plain)

    # A new gray photo drops the hints (they were positions on the old one).
    client.post(f"{base}/hints", json={"x": 0, "y": 0, "colour": "#d02020"})
    _upload(client, base, gray_png, "target")
    assert client.get(f"{base}/hints").json() == {"hints": [], "can_undo": False}
