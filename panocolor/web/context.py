"""What every route needs: the server's parts, lookups that answer 404/409, path types.

:func:`create_app <panocolor.web.app.create_app>` keeps one :class:`WebContext` in
``app.state.web``; routes receive it through the :data:`Web` dependency.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi import Path as PathParam

from panocolor.web import schemas
from panocolor.web.images import GALLERY_ID_PATTERN, Gallery
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


async def web_context(request: Request) -> WebContext:
    """The app's :class:`WebContext` (async: no thread is taken to look it up)."""
    return request.app.state.web


Web = Annotated[WebContext, Depends(web_context)]
