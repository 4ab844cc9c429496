"""COCO panoptic PNG + JSON: decoding, void filling, round trips, the backend."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from panocolor.errors import PanocolorError
from panocolor.segment import build_segmenter, read_coco, to_coco
from panocolor.segment.panoptic_file import decode_ids, encode_ids, from_coco


def write_pair(folder, ids: np.ndarray, infos, name="pan.png", wrap=True):
    png = folder / name
    Image.fromarray(encode_ids(ids)).save(png)
    document = {"annotations": [{"file_name": name, "segments_info": infos}]} if wrap else infos
    png.with_suffix(".json").write_text(json.dumps(document))
    return png


def test_encode_decode_round_trip() -> None:
    ids = np.array([[0, 1, 255], [256, 65536, 5931152]], np.int32)
    assert (decode_ids(encode_ids(ids)) == ids).all()


@settings(max_examples=50, deadline=None)
@given(arrays(np.int32, (9, 11), elements=st.sampled_from([0, 7, 300, 70000, 12])))
def test_void_and_unlisted_pixels_are_covered(ids) -> None:
    infos = [
        {"id": 7, "category_id": 1},  # person (thing)
        {"id": 300, "category_id": 187},  # sky (stuff)
        {"id": 70000, "category_id": 17},  # cat
    ]  # 12 is not listed: void like 0
    seg = from_coco(ids, infos)
    assert seg.ids.min() >= 1 and sum(s.area for s in seg.segments) == ids.size
    listed = np.isin(ids, [7, 300, 70000])
    if listed.any():
        names = {7: "person", 300: "sky-other-merged", 70000: "cat"}
        for old, label in names.items():
            for s in seg.by_label(label):
                assert (seg.ids[ids == old] == s.id).all()
    else:
        assert [s.label for s in seg.segments] == ["unknown-1"]


def test_file_backend_reads_all_json_layouts(tmp_path) -> None:
    ids = np.zeros((20, 30), np.int32)
    ids[:, :15] = 5
    ids[:, 15:] = 9
    ids[8:12, 13:17] = 0  # void on the border
    infos = [{"id": 5, "category_id": 18, "score": 0.7}, {"id": 9, "category_id": 193}]
    png = write_pair(tmp_path, ids, infos)
    seg = build_segmenter("panoptic-file", png=png)(np.zeros((20, 30), np.float32))
    assert [(s.label, s.is_thing, s.score) for s in seg.segments] == [
        ("dog", True, 0.7),
        ("grass-merged", False, None),
    ]
    assert seg.segments[0].area + seg.segments[1].area == 600
    assert seg.ids[10, 10] == 1 and seg.ids[10, 20] == 2
    bare = write_pair(tmp_path, ids, infos, name="bare.png", wrap=False)
    assert read_coco(bare).segments == seg.segments
    doubled = build_segmenter("panoptic-file", png=png)(np.zeros((40, 60), np.float32))
    assert doubled.shape == (40, 60)
    with pytest.raises(PanocolorError, match="30x20"):
        build_segmenter("panoptic-file", png=png)(np.zeros((20, 20), np.float32))


def test_missing_files_are_clear_errors(tmp_path) -> None:
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(tmp_path / "lonely.png")
    with pytest.raises(PanocolorError, match="no JSON found"):
        read_coco(tmp_path / "lonely.png")
    (tmp_path / "lonely.json").write_text('{"annotations": []}')
    with pytest.raises(PanocolorError, match="no annotation"):
        read_coco(tmp_path / "lonely.png")


def test_to_coco_round_trip_keeps_unknown_regions(tmp_path) -> None:
    ids = np.ones((10, 12), np.int32)
    ids[:, 6:] = 2
    ids[0:3, 0:3] = 3
    seg = from_coco(
        ids,
        [
            {"id": 1, "category_id": 0},
            {"id": 2, "category_id": 1, "score": 0.5},
            {"id": 3, "category_id": 187},
        ],
    )
    pixels, document = to_coco(seg, "x.png")
    Image.fromarray(pixels).save(tmp_path / "x.png")
    (tmp_path / "x.json").write_text(json.dumps(document))
    back = read_coco(tmp_path / "x.png")
    assert back.segments == seg.segments and (back.ids == seg.ids).all()
    assert document["annotations"][0]["segments_info"][1]["bbox"] == [6, 0, 6, 10]
    assert {c["name"] for c in document["categories"]} == {"unknown", "person", "sky-other-merged"}


def test_true_coco_segments(shared_data) -> None:
    folder = shared_data / "coco" / "panoptic_val2017"
    png = sorted(folder.glob("*.png"))[0]
    document = json.loads((shared_data / "coco" / "panoptic_val2017.json").read_text())
    [annotation] = [a for a in document["annotations"] if a["file_name"] == png.name]
    seg = read_coco(png)  # JSON found by the COCO folder layout
    assert seg.ids.min() >= 1
    true_ids = decode_ids(np.asarray(Image.open(png).convert("RGB")))
    for info, s in zip(annotation["segments_info"], seg.segments, strict=True):
        assert s.class_id == info["category_id"]
        assert (seg.ids[true_ids == info["id"]] == s.id).all()
