"""The FastAPI application: the page at ``/`` and the JSON API under ``/api``.

:func:`create_app` builds the server's parts (:class:`~panocolor.web.context.WebContext`)
and includes the routers of :mod:`panocolor.web.routes`; the routes hold no pipeline
logic: jobs run in :mod:`panocolor.web.jobs`, images are taken in by
:mod:`panocolor.web.images`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from panocolor import __version__
from panocolor.errors import PanocolorError
from panocolor.pipeline import Settings
from panocolor.web.context import WebContext
from panocolor.web.images import Gallery, TooLargeError, upload_limit_message
from panocolor.web.jobs import Colorizing
from panocolor.web.limits import Limits
from panocolor.web.routes import gallery as gallery_routes
from panocolor.web.routes import hints, jobs, pages, segments, sessions
from panocolor.web.store import SessionStore

WEB_SETTINGS = Settings(mode="faithful")
"""Default settings: ``faithful`` compositing, so a swap changes only its own segment (and
the rim its soft mask feathers into the neighbours)."""

_BODY_OVERHEAD = 1 << 20  # multipart headers and form fields around an upload


class _BodyLimit:
    """Refuse request bodies larger than ``max_bytes`` with 413, before or while reading.

    ``upload_bytes`` is the upload limit the message names (``max_bytes`` adds room
    for the multipart framing around the file).
    """

    def __init__(self, app: ASGIApp, max_bytes: int, upload_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.detail = upload_limit_message(upload_bytes, "the request")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_bytes:
            await JSONResponse({"detail": self.detail}, 413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:  # chunked bodies announce no length
                raise HTTPException(413, self.detail)
            return message

        await self.app(scope, counted, send)


async def _panocolor_error(_: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(error)}, 422)


async def _too_large(_: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(error)}, 413)


async def _invalid(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
        for e in error.errors()
    )
    return JSONResponse({"detail": f"invalid request: {problems}"}, 422)


def create_app(
    settings: Settings | None = None,
    *,
    gallery: Path | None = None,
    limits: Limits | None = None,
    warm_up: bool = True,
) -> FastAPI:
    """Build the web application.

    Parameters
    ----------
    settings : Settings, optional
        How to colorize; default :data:`WEB_SETTINGS` (``mode="faithful"``: with
        ``fast`` a swap may also shift the colours of segments sharing a reference).
    gallery : Path, optional
        Folder of colour photos offered as references.
    limits : Limits, optional
        Upload, pixel, session and worker limits.
    warm_up : bool, optional
        Load the models in the background at startup instead of in the first job.

    Returns
    -------
    FastAPI
        Serve it with uvicorn (``panocolor serve`` does); sessions' files are
        removed when it shuts down.
    """
    settings = settings or WEB_SETTINGS
    limits = limits or Limits()
    store = SessionStore(limits)
    work = Colorizing(settings, limits)
    photos = Gallery(gallery, store.root, limits.max_pixels) if gallery else None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        store.start_sweeper()
        if warm_up:
            work.warm_up()
        try:
            yield
        finally:
            work.close()
            store.close()

    app = FastAPI(
        title="panocolor",
        version=__version__,
        description="Colorize gray photos from colour references, segment by segment.",
        lifespan=lifespan,
        docs_url=None,  # served by the pages router from local files, so /docs works offline
        redoc_url=None,  # ReDoc fetches its logo from the web even with local files
        swagger_ui_oauth2_redirect_url=pages.OAUTH2_REDIRECT,
    )
    app.add_middleware(
        _BodyLimit,
        max_bytes=limits.max_upload_bytes + _BODY_OVERHEAD,
        upload_bytes=limits.max_upload_bytes,
    )
    app.state.web = WebContext(limits, store, work, photos)
    app.state.store, app.state.work = store, work
    app.add_exception_handler(PanocolorError, _panocolor_error)
    app.add_exception_handler(TooLargeError, _too_large)
    app.add_exception_handler(RequestValidationError, _invalid)
    for routes in (sessions, jobs, segments, hints, gallery_routes, pages):
        app.include_router(routes.router)
    pages.mount_static(app)
    return app
