"""Routes of the gray photo's segments: list, draw, pick by point, swap a reference."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, HTTPException, Query
from fastapi import Path as PathParam
from fastapi.responses import Response

from panocolor.segment.draw import overlay
from panocolor.web import schemas
from panocolor.web.context import (
    SessionId,
    Web,
    api_route,
    png_response,
    png_route,
    reference_of,
)
from panocolor.web.views import segment_info, session_url

router = APIRouter()


@api_route(router.get, "/api/sessions/{session_id}/segments", "segments", schemas.SegmentsInfo)
def segments(session_id: SessionId, web: Web) -> schemas.SegmentsInfo:
    """The gray photo's segments and where each takes its colour from."""
    session = web.segmented(session_id)
    with session.lock:
        labelled = session.labelled()
        assert labelled is not None
        return schemas.SegmentsInfo(
            width=labelled.shape[1],
            height=labelled.shape[0],
            segments=[segment_info(web, session, s.id) for s in labelled.segments],
            overlay_url=f"{session_url(session)}/segments/overlay.png",
            note=web.work.notice,
        )


@png_route(router, "/api/sessions/{session_id}/segments/overlay.png", "segments", Response)
def segments_overlay(session_id: SessionId, web: Web) -> Response:
    """The segments drawn over the gray photo, with class names."""
    session = web.segmented(session_id)
    with session.lock:
        labelled, lightness = session.labelled(), session.segment_lightness
    assert labelled is not None
    return png_response(overlay(lightness, labelled))


@png_route(router, "/api/sessions/{session_id}/segments/ids.png", "segments", Response)
def segments_ids(session_id: SessionId, web: Web) -> Response:
    """The segment map as a 16-bit gray PNG: each pixel's value is its segment id."""
    session = web.segmented(session_id)
    assert session.segmentation is not None
    return png_response(session.segmentation.ids.astype(np.uint16))


@api_route(router.get, "/api/sessions/{session_id}/segments/at", "segments", schemas.SegmentInfo)
def segment_at(
    session_id: SessionId,
    x: Annotated[float, Query(ge=0, le=1, description="Fraction of the width.")],
    y: Annotated[float, Query(ge=0, le=1, description="Fraction of the height.")],
    web: Web,
) -> schemas.SegmentInfo:
    """The segment under a point of the photo (what a click on the overlay selects)."""
    session = web.segmented(session_id)
    with session.lock:
        assert session.segmentation is not None
        height, width = session.segmentation.shape
        row, col = min(int(y * height), height - 1), min(int(x * width), width - 1)
        return segment_info(web, session, int(session.segmentation.ids[row, col]))


@api_route(
    router.put, "/api/sessions/{session_id}/segments/{segment_id}", "segments", schemas.SegmentInfo
)
def update_segment(
    session_id: SessionId,
    segment_id: Annotated[int, PathParam(ge=1)],
    body: schemas.SegmentUpdate,
    web: Web,
) -> schemas.SegmentInfo:
    """Swap a segment's reference image and/or rename its class; then colorize again."""
    session = web.segmented(session_id)
    with session.lock:
        assert session.segmentation is not None
        if segment_id not in {s.id for s in session.segmentation.segments}:
            raise HTTPException(404, f"no segment {segment_id}")
        if "reference" in body.model_fields_set:
            if body.reference is None:
                session.segment_refs.pop(segment_id, None)
            else:
                detail = "a segment's colour must come from a reference image"
                reference_of(session, body.reference, detail)
                session.segment_refs[segment_id] = body.reference
        if body.label is not None:
            session.labels[segment_id] = body.label.strip()
        return segment_info(web, session, segment_id)
