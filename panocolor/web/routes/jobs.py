"""Routes of colorizing: start a job, poll it, fetch the result."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from panocolor.web import schemas
from panocolor.web.context import (
    ImageId,
    SessionId,
    Web,
    api_route,
    check_idle,
    png_route,
    reference_of,
    target_of,
)
from panocolor.web.views import job_info

router = APIRouter()


@api_route(router.post, "/api/sessions/{session_id}/colorize", "colorize", schemas.JobInfo, 202)
def colorize(
    session_id: SessionId, web: Web, body: schemas.ColorizeRequest | None = None
) -> schemas.JobInfo:
    """Start colorizing; poll the returned job until ``done`` or ``error``."""
    session = web.session(session_id)
    with session.lock:
        target_of(session)
        if not session.references and not session.hints:
            raise HTTPException(409, "upload a colour reference photo or add a colour hint first")
        reference = body.reference if body and body.reference else None
        if reference is None and session.references:
            reference = session.references[0].id
        if reference is not None:
            reference_of(session, reference, "the main reference must be a reference image")
        check_idle(session)
        job = web.work.submit(session, reference)
    return job_info(session, job.id)


@api_route(router.get, "/api/sessions/{session_id}/jobs/{job_id}", "colorize", schemas.JobInfo)
def get_job(session_id: SessionId, job_id: ImageId, web: Web) -> schemas.JobInfo:
    """A job's state: queued, segmenting, colorizing, done or error (with a message)."""
    return job_info(web.session(session_id), job_id)


@png_route(router, "/api/sessions/{session_id}/result.png", "colorize")
def result(session_id: SessionId, web: Web, download: bool = False) -> FileResponse:
    """The latest result at full resolution and bit depth (``download=true``: as a file)."""
    session = web.session(session_id)
    if session.result is None:
        raise HTTPException(409, "no result yet: colorize first")
    target = session.images[session.target_id or ""]
    name = f"{Path(target.name).stem or 'photo'}-colour.png"
    return FileResponse(
        session.result,
        media_type="image/png",
        filename=name if download else None,
        headers={"Cache-Control": "no-store"},
    )
