"""Routes of sessions and their images: create, inspect, upload, add from the gallery."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi.responses import FileResponse, Response

from panocolor.web import schemas
from panocolor.web.context import (
    ImageId,
    SessionId,
    Web,
    api_route,
    check_idle,
    image_of,
    png_route,
)
from panocolor.web.images import load_image, save_upload
from panocolor.web.store import ImageRecord, Role, StoreFullError, display_name
from panocolor.web.views import image_info, session_url

router = APIRouter()


@router.post(
    "/api/sessions",
    status_code=201,
    response_model=schemas.SessionCreated,
    responses={503: {"model": schemas.ErrorInfo}},
    tags=["sessions"],
)
def create_session(web: Web) -> schemas.SessionCreated:
    """Start a session: a private temporary area for one user's photos."""
    try:
        session = web.store.create()
    except StoreFullError as error:
        raise HTTPException(503, str(error)) from None
    return schemas.SessionCreated(session_id=session.id, ttl_s=web.limits.session_ttl_s)


@api_route(router.get, "/api/sessions/{session_id}", "sessions", schemas.SessionInfo)
def get_session(session_id: SessionId, web: Web) -> schemas.SessionInfo:
    """The session's images and whether a result is ready."""
    session = web.session(session_id)
    with session.lock:
        return schemas.SessionInfo(
            session_id=session.id,
            images=[image_info(session, i) for i in session.images.values()],
            target=session.target_id,
            has_result=session.result is not None,
            result_url=f"{session_url(session)}/result.png",
            download_url=f"{session_url(session)}/result.png?download=true",
        )


@api_route(router.delete, "/api/sessions/{session_id}", "sessions", status_code=204)
def delete_session(session_id: SessionId, web: Web) -> Response:
    """End a session now and remove its files."""
    try:
        web.store.delete(session_id)
    except KeyError:
        raise HTTPException(404, "no such session (it may have expired)") from None
    return Response(status_code=204)


@api_route(router.post, "/api/sessions/{session_id}/images", "images", schemas.ImageInfo, 201)
def upload_image(
    session_id: SessionId,
    file: Annotated[UploadFile, File(description="JPEG, PNG, TIFF or WebP.")],
    web: Web,
    role: Annotated[Role, Form(description="target: the gray photo.")] = "reference",
) -> schemas.ImageInfo:
    """Upload the gray photo (``role=target``, replaces any earlier one) or a reference."""
    session = web.session(session_id)
    name = display_name(file.filename)
    limits = web.limits

    def load() -> ImageRecord:
        path = session.new_path(".upload")
        save_upload(file.file, path, limits.max_upload_bytes)
        try:
            return load_image(path, role, name, session.folder, limits.max_pixels)
        except BaseException:
            path.unlink(missing_ok=True)
            raise

    return image_info(session, web.add_image(session, load))


@api_route(router.delete, "/api/sessions/{session_id}/images/{image_id}", "images", status_code=204)
def delete_image(session_id: SessionId, image_id: ImageId, web: Web) -> Response:
    """Remove an image and its files; segments coloured from it go back to automatic."""
    session = web.session(session_id)
    with session.lock:
        image_of(session, image_id)
        check_idle(session)
        session.remove(image_id)
    return Response(status_code=204)


@api_route(
    router.post, "/api/sessions/{session_id}/images/gallery", "images", schemas.ImageInfo, 201
)
def add_gallery_image(
    session_id: SessionId, body: schemas.AddFromGallery, web: Web
) -> schemas.ImageInfo:
    """Add a gallery photo to the session (as a reference, by default)."""
    session = web.session(session_id)
    item = web.gallery_item(body.gallery_id)
    photos = web.photos
    assert photos is not None
    image = web.add_image(session, lambda: photos.record(item, body.role, session.folder))
    return image_info(session, image)


@png_route(router, "/api/sessions/{session_id}/images/{image_id}/preview.png", "images")
def image_preview(session_id: SessionId, image_id: ImageId, web: Web) -> FileResponse:
    """A small PNG of an image (the gray photo shows as gray)."""
    image = image_of(web.session(session_id), image_id)
    return FileResponse(image.preview, media_type="image/png")
