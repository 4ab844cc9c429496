"""The API's answers built from a session's records: ids, names and URLs for the page."""

from __future__ import annotations

from fastapi import HTTPException

from panocolor.web import schemas
from panocolor.web.context import WebContext
from panocolor.web.images import Gallery
from panocolor.web.store import ImageRecord, Session


def session_url(session: Session) -> str:
    return f"/api/sessions/{session.id}"


def image_info(session: Session, image: ImageRecord) -> schemas.ImageInfo:
    return schemas.ImageInfo(
        id=image.id,
        role=image.role,
        name=image.name,
        width=image.width,
        height=image.height,
        bit_depth=image.bit_depth,
        warnings=list(image.warnings),
        preview_url=f"{session_url(session)}/images/{image.id}/preview.png",
    )


def gallery_info(photos: Gallery, item_id: str) -> schemas.GalleryItemInfo:
    item = photos.items[item_id]
    return schemas.GalleryItemInfo(
        id=item.id, name=item.name, preview_url=f"/api/gallery/{item.id}/preview.png"
    )


def job_info(session: Session, job_id: str) -> schemas.JobInfo:
    """A job of the session, or 404."""
    if job_id not in session.jobs:
        raise HTTPException(404, "no such job in this session")
    job = session.jobs[job_id]
    return schemas.JobInfo(
        job_id=job.id,
        state=job.state,
        error=job.error,
        timings=dict(job.timings),
        url=f"{session_url(session)}/jobs/{job.id}",
    )


def segment_info(web: WebContext, session: Session, segment_id: int) -> schemas.SegmentInfo:
    """A segment of a segmented session: its class, where its colour comes from, and the
    gallery photos showing its class (call with the session's lock held)."""
    photos = web.photos
    segmentation = session.labelled()
    assert segmentation is not None and session.segmentation is not None
    segment = segmentation.get(segment_id)
    reference = reason = name = None
    if segment_id in session.segment_refs:
        reference, reason = session.segment_refs[segment_id], "segment"
    elif session.plan is not None and session.plan.choice(segment_id).reason != "segment":
        choice = session.plan.choice(segment_id)  # else: automatic after the next run
        reason = choice.reason
        reference = session.sources.get(choice.image_key)
        gallery_path = choice.image_key.value if choice.image_key.kind == "gallery" else None
        item = photos.find(gallery_path) if photos and gallery_path and reference is None else None
        name = item.name if item else None
    if reference in session.images:
        name = session.images[reference].name
    suggestions = []
    index = web.work.colorizer.gallery if web.work.colorizer else None
    if photos is not None and index is not None and segment.class_id:
        shown = {e.path.resolve() for e in index.entries if segment.label in e.labels}
        suggestions = [
            gallery_info(photos, i.id) for i in photos.items.values() if i.path.resolve() in shown
        ]
    return schemas.SegmentInfo(
        id=segment.id,
        label=segment.label,
        detected_label=session.segmentation.get(segment_id).label,
        is_thing=segment.is_thing,
        area=segment.area / segmentation.ids.size,
        reference=reference,
        reference_name=name,
        reason=reason,
        suggestions=suggestions,
    )
