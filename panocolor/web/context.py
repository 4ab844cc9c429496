"""What every route needs: the server's parts, lookups that answer 404/409/422, path
types, and PNG answers.

:func:`create_app <panocolor.web.app.create_app>` keeps one :class:`WebContext` in
``app.state.web``; routes receive it through the :data:`Web` dependency.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response

from panocolor.web import schemas
from panocolor.web.images import GALLERY_ID_PATTERN, Gallery, GalleryItem, png_bytes
from panocolor.web.jobs import Colorizing
from panocolor.web.limits import Limits
from panocolor.web.store import ID_PATTERN, ImageRecord, Session, SessionStore

SessionId = Annotated[str, PathParam(pattern=ID_PATTERN, description="From POST /api/sessions.")]
ImageId = Annotated[str, PathParam(pattern=ID_PATTERN)]
GalleryId = Annotated[str, PathParam(pattern=GALLERY_ID_PATTERN)]
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": schemas.ErrorInfo} for code in (404, 409, 413, 422)
}
"""The error answers documented for the routes of a session."""
PNG: dict[str, Any] = {"content": {"image/png": {}}, "description": "PNG image"}


def api_route(
    route: Callable[..., Any],
    path: str,
    tag: str,
    model: Any = None,
    status_code: int | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``route`` (``router.get``, ``router.post``...) of a route answering ``model`` as
    JSON (or nothing without one), or one of the :data:`ERRORS`."""
    options: dict[str, Any] = {"responses": ERRORS, "tags": [tag]}
    if model is not None:
        options["response_model"] = model
    if status_code is not None:
        options["status_code"] = status_code
    return route(path, **options)


def png_route(
    router: APIRouter, path: str, tag: str, response_class: type[Response] = FileResponse
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``@router.get`` of a route answering a PNG (or one of the :data:`ERRORS`)."""
    return router.get(
        path, response_class=response_class, responses={200: PNG, **ERRORS}, tags=[tag]
    )


def png_response(pixels: np.ndarray) -> Response:
    """``pixels`` (see :func:`~panocolor.web.images.png_bytes`) answered as a PNG."""
    return Response(png_bytes(pixels), media_type="image/png")


@dataclass(frozen=True)
class WebContext:
    """The parts of one server: its limits, sessions, job runner and gallery."""

    limits: Limits
    store: SessionStore
    work: Colorizing
    photos: Gallery | None = None

    def session(self, session_id: str) -> Session:
        """The session, or 404."""
        try:
            return self.store.get(session_id)
        except KeyError:
            raise HTTPException(404, "no such session (it may have expired)") from None

    def segmented(self, session_id: str) -> Session:
        """The session, or 404; 409 while its gray photo has no segments yet."""
        session = self.session(session_id)
        if session.segmentation is None:
            detail = self.work.notice or "no segments yet: colorize the photo first"
            raise HTTPException(409, detail)
        return session

    def gallery_item(self, gallery_id: str) -> GalleryItem:
        """A photo of the gallery, or 404 (also when the server has no gallery)."""
        photos = self.photos
        if photos is None or gallery_id not in photos.items:
            raise HTTPException(404, "no such gallery photo")
        return photos.items[gallery_id]

    def add_image(self, session: Session, load: Callable[[], ImageRecord]) -> ImageRecord:
        """Add the image ``load`` makes, or 409 when the session is full."""
        with session.lock:
            if len(session.images) >= self.limits.max_images:
                raise HTTPException(409, f"a session holds at most {self.limits.max_images} images")
        image = load()
        session.add(image)
        return image


def image_of(session: Session, image_id: str) -> ImageRecord:
    """An image of the session, or 404."""
    if image_id not in session.images:
        raise HTTPException(404, "no such image in this session")
    return session.images[image_id]


def reference_of(session: Session, image_id: str, detail: str) -> ImageRecord:
    """A reference image of the session, or 404; 422 (``detail``) for the gray photo."""
    image = image_of(session, image_id)
    if image.role != "reference":
        raise HTTPException(422, detail)
    return image


def target_of(session: Session) -> ImageRecord:
    """The session's gray photo, or 409 before one is uploaded."""
    if session.target_id is None:
        raise HTTPException(409, "upload a gray photo (role=target) first")
    return session.images[session.target_id]


def check_idle(session: Session) -> None:
    """409 while a job of the session runs (call with the session's lock held)."""
    if session.busy:
        raise HTTPException(409, "a job of this session is still running")


async def web_context(request: Request) -> WebContext:
    """The app's :class:`WebContext` (async: no thread is taken to look it up)."""
    return request.app.state.web


Web = Annotated[WebContext, Depends(web_context)]
