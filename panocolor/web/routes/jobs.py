"""Routes of colorizing: start a job, poll it, fetch the result."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from panocolor.web import schemas
from panocolor.web.context import ERRORS, PNG, ImageId, SessionId, Web, image_of
from panocolor.web.views import job_info

router = APIRouter()


@router.post(
    "/api/sessions/{session_id}/colorize",
    status_code=202,
    response_model=schemas.JobInfo,
    responses=ERRORS,
    tags=["colorize"],
)
def colorize(
    session_id: SessionId, web: Web, body: schemas.ColorizeRequest | None = None
) -> schemas.JobInfo:
    """Start colorizing; poll the returned job until ``done`` or ``error``."""
    session = web.session(session_id)
    with session.lock:
        if session.target_id is None:
            raise HTTPException(409, "upload a gray photo (role=target) first")
        if not session.references and not session.hints:
            raise HTTPException(409, "upload a colour reference photo or add a colour hint first")
        reference = body.reference if body and body.reference else None
        if reference is None and session.references:
            reference = session.references[0].id
        if reference is not None and image_of(session, reference).role != "reference":
            raise HTTPException(422, "the main reference must be a reference image")
        if session.busy:
            raise HTTPException(409, "a job of this session is still running")
        job = web.work.submit(session, reference)
    return job_info(session, job.id)


@router.get(
    "/api/sessions/{session_id}/jobs/{job_id}",
    response_model=schemas.JobInfo,
    responses=ERRORS,
    tags=["colorize"],
)
def get_job(session_id: SessionId, job_id: ImageId, web: Web) -> schemas.JobInfo:
    """A job's state: queued, segmenting, colorizing, done or error (with a message)."""
    return job_info(web.session(session_id), job_id)


@router.get(
    "/api/sessions/{session_id}/result.png",
    response_class=FileResponse,
    responses={200: PNG, **ERRORS},
    tags=["colorize"],
)
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
