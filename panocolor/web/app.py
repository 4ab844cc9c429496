"""The FastAPI application: the page at ``/`` and the JSON API under ``/api``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Annotated

import numpy as np
from fastapi import FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from panocolor import __version__
from panocolor.api import Settings
from panocolor.errors import PanocolorError
from panocolor.segment.draw import overlay
from panocolor.web import schemas
from panocolor.web.images import (
    GALLERY_ID_PATTERN,
    Gallery,
    TooLargeError,
    load_image,
    png_bytes,
    save_upload,
    upload_limit_message,
)
from panocolor.web.jobs import Colorizing
from panocolor.web.store import (
    ID_PATTERN,
    ImageRecord,
    Limits,
    Role,
    Session,
    SessionStore,
    StoreFullError,
    display_name,
)

STATIC = Path(__file__).with_name("static")
DOCS_ASSETS = Path(str(files("fastapi_offline") / "static"))
"""Swagger UI files shipped by the fastapi-offline package: /docs needs no CDN."""
WEB_SETTINGS = Settings(mode="faithful")
"""Default settings: ``faithful`` compositing, so a swap changes only its own segment."""

SessionId = Annotated[str, PathParam(pattern=ID_PATTERN, description="From POST /api/sessions.")]
ImageId = Annotated[str, PathParam(pattern=ID_PATTERN)]
GalleryId = Annotated[str, PathParam(pattern=GALLERY_ID_PATTERN)]
_ERRORS = {code: {"model": schemas.ErrorInfo} for code in (404, 409, 413, 422)}
_PNG = {"content": {"image/png": {}}, "description": "PNG image"}
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
        docs_url=None,  # served below from local files, so /docs works offline
        redoc_url=None,  # ReDoc fetches its logo from the web even with local files
    )
    app.add_middleware(
        _BodyLimit,
        max_bytes=limits.max_upload_bytes + _BODY_OVERHEAD,
        upload_bytes=limits.max_upload_bytes,
    )
    app.state.store, app.state.work = store, work

    @app.exception_handler(PanocolorError)
    async def _panocolor_error(_: Request, error: PanocolorError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, 422)

    @app.exception_handler(TooLargeError)
    async def _too_large(_: Request, error: TooLargeError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, 413)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
            for e in error.errors()
        )
        return JSONResponse({"detail": f"invalid request: {problems}"}, 422)

    def session_of(session_id: str) -> Session:
        try:
            return store.get(session_id)
        except KeyError:
            raise HTTPException(404, "no such session (it may have expired)") from None

    def image_of(session: Session, image_id: str) -> ImageRecord:
        if image_id not in session.images:
            raise HTTPException(404, "no such image in this session")
        return session.images[image_id]

    def base(session: Session) -> str:
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
            preview_url=f"{base(session)}/images/{image.id}/preview.png",
        )

    def gallery_info(item_id: str) -> schemas.GalleryItemInfo:
        assert photos is not None
        item = photos.items[item_id]
        return schemas.GalleryItemInfo(
            id=item.id, name=item.name, preview_url=f"/api/gallery/{item.id}/preview.png"
        )

    def add_image(session: Session, load: Callable[[], ImageRecord]) -> schemas.ImageInfo:
        with session.lock:
            if len(session.images) >= limits.max_images:
                raise HTTPException(409, f"a session holds at most {limits.max_images} images")
        image = load()
        session.add(image)
        return image_info(session, image)

    def segment_info(session: Session, segment_id: int) -> schemas.SegmentInfo:
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
            item = photos.find(choice.image_key) if photos and reference is None else None
            name = item.name if item else None
        if reference in session.images:
            name = session.images[reference].name
        suggestions = []
        index = work.colorizer.gallery if work.colorizer else None
        if photos is not None and index is not None and segment.class_id:
            shown = {e.path.resolve() for e in index.entries if segment.label in e.labels}
            suggestions = [
                gallery_info(i.id) for i in photos.items.values() if i.path.resolve() in shown
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

    def job_info(session: Session, job_id: str) -> schemas.JobInfo:
        if job_id not in session.jobs:
            raise HTTPException(404, "no such job in this session")
        job = session.jobs[job_id]
        return schemas.JobInfo(
            job_id=job.id,
            state=job.state,
            error=job.error,
            timings=dict(job.timings),
            url=f"{base(session)}/jobs/{job.id}",
        )

    def segmented(session: Session) -> Session:
        if session.segmentation is None:
            detail = work.notice or "no segments yet: colorize the photo first"
            raise HTTPException(409, detail)
        return session

    # ----- sessions and images -------------------------------------------------------

    @app.post(
        "/api/sessions",
        status_code=201,
        response_model=schemas.SessionCreated,
        responses={503: {"model": schemas.ErrorInfo}},
        tags=["sessions"],
    )
    def create_session() -> schemas.SessionCreated:
        """Start a session: a private temporary area for one user's photos."""
        try:
            session = store.create()
        except StoreFullError as error:
            raise HTTPException(503, str(error)) from None
        return schemas.SessionCreated(session_id=session.id, ttl_s=limits.session_ttl_s)

    @app.get(
        "/api/sessions/{session_id}",
        response_model=schemas.SessionInfo,
        responses=_ERRORS,
        tags=["sessions"],
    )
    def get_session(session_id: SessionId) -> schemas.SessionInfo:
        """The session's images and whether a result is ready."""
        session = session_of(session_id)
        with session.lock:
            return schemas.SessionInfo(
                session_id=session.id,
                images=[image_info(session, i) for i in session.images.values()],
                target=session.target_id,
                has_result=session.result is not None,
                result_url=f"{base(session)}/result.png",
                download_url=f"{base(session)}/result.png?download=true",
            )

    @app.delete("/api/sessions/{session_id}", status_code=204, responses=_ERRORS, tags=["sessions"])
    def delete_session(session_id: SessionId) -> Response:
        """End a session now and remove its files."""
        try:
            store.delete(session_id)
        except KeyError:
            raise HTTPException(404, "no such session (it may have expired)") from None
        return Response(status_code=204)

    @app.post(
        "/api/sessions/{session_id}/images",
        status_code=201,
        response_model=schemas.ImageInfo,
        responses=_ERRORS,
        tags=["images"],
    )
    def upload_image(
        session_id: SessionId,
        file: Annotated[UploadFile, File(description="JPEG, PNG, TIFF or WebP.")],
        role: Annotated[Role, Form(description="target: the gray photo.")] = "reference",
    ) -> schemas.ImageInfo:
        """Upload the gray photo (``role=target``, replaces any earlier one) or a reference."""
        session = session_of(session_id)
        name = display_name(file.filename)

        def load() -> ImageRecord:
            path = session.new_path(".upload")
            save_upload(file.file, path, limits.max_upload_bytes)
            try:
                return load_image(path, role, name, session.folder, limits.max_pixels)
            except BaseException:
                path.unlink(missing_ok=True)
                raise

        return add_image(session, load)

    @app.delete(
        "/api/sessions/{session_id}/images/{image_id}",
        status_code=204,
        responses=_ERRORS,
        tags=["images"],
    )
    def delete_image(session_id: SessionId, image_id: ImageId) -> Response:
        """Remove an image and its files; segments coloured from it go back to automatic."""
        session = session_of(session_id)
        with session.lock:
            image_of(session, image_id)
            if session.busy:
                raise HTTPException(409, "a job of this session is still running")
            session.remove(image_id)
        return Response(status_code=204)

    @app.post(
        "/api/sessions/{session_id}/images/gallery",
        status_code=201,
        response_model=schemas.ImageInfo,
        responses=_ERRORS,
        tags=["images"],
    )
    def add_gallery_image(session_id: SessionId, body: schemas.AddFromGallery) -> schemas.ImageInfo:
        """Add a gallery photo to the session (as a reference, by default)."""
        session = session_of(session_id)
        if photos is None or body.gallery_id not in photos.items:
            raise HTTPException(404, "no such gallery photo")
        item = photos.items[body.gallery_id]
        return add_image(session, lambda: photos.record(item, body.role, session.folder))

    @app.get(
        "/api/sessions/{session_id}/images/{image_id}/preview.png",
        response_class=FileResponse,
        responses={200: _PNG, **_ERRORS},
        tags=["images"],
    )
    def image_preview(session_id: SessionId, image_id: ImageId) -> FileResponse:
        """A small PNG of an image (the gray photo shows as gray)."""
        image = image_of(session_of(session_id), image_id)
        return FileResponse(image.preview, media_type="image/png")

    # ----- colorizing ------------------------------------------------------------------

    @app.post(
        "/api/sessions/{session_id}/colorize",
        status_code=202,
        response_model=schemas.JobInfo,
        responses=_ERRORS,
        tags=["colorize"],
    )
    def colorize(
        session_id: SessionId, body: schemas.ColorizeRequest | None = None
    ) -> schemas.JobInfo:
        """Start colorizing; poll the returned job until ``done`` or ``error``."""
        session = session_of(session_id)
        with session.lock:
            if session.target_id is None:
                raise HTTPException(409, "upload a gray photo (role=target) first")
            if not session.references:
                raise HTTPException(409, "upload a colour reference photo first")
            reference = body.reference if body and body.reference else session.references[0].id
            if image_of(session, reference).role != "reference":
                raise HTTPException(422, "the main reference must be a reference image")
            if session.busy:
                raise HTTPException(409, "a job of this session is still running")
            job = work.submit(session, reference)
        return job_info(session, job.id)

    @app.get(
        "/api/sessions/{session_id}/jobs/{job_id}",
        response_model=schemas.JobInfo,
        responses=_ERRORS,
        tags=["colorize"],
    )
    def get_job(session_id: SessionId, job_id: ImageId) -> schemas.JobInfo:
        """A job's state: queued, segmenting, colorizing, done or error (with a message)."""
        return job_info(session_of(session_id), job_id)

    @app.get(
        "/api/sessions/{session_id}/result.png",
        response_class=FileResponse,
        responses={200: _PNG, **_ERRORS},
        tags=["colorize"],
    )
    def result(session_id: SessionId, download: bool = False) -> FileResponse:
        """The latest result at full resolution and bit depth (``download=true``: as a file)."""
        session = session_of(session_id)
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

    # ----- segments ---------------------------------------------------------------------

    @app.get(
        "/api/sessions/{session_id}/segments",
        response_model=schemas.SegmentsInfo,
        responses=_ERRORS,
        tags=["segments"],
    )
    def segments(session_id: SessionId) -> schemas.SegmentsInfo:
        """The gray photo's segments and where each takes its colour from."""
        session = segmented(session_of(session_id))
        with session.lock:
            labelled = session.labelled()
            assert labelled is not None
            return schemas.SegmentsInfo(
                width=labelled.shape[1],
                height=labelled.shape[0],
                segments=[segment_info(session, s.id) for s in labelled.segments],
                overlay_url=f"{base(session)}/segments/overlay.png",
                note=work.notice,
            )

    @app.get(
        "/api/sessions/{session_id}/segments/overlay.png",
        response_class=Response,
        responses={200: _PNG, **_ERRORS},
        tags=["segments"],
    )
    def segments_overlay(session_id: SessionId) -> Response:
        """The segments drawn over the gray photo, with class names."""
        session = segmented(session_of(session_id))
        with session.lock:
            labelled, lightness = session.labelled(), session.segment_lightness
        assert labelled is not None
        return Response(png_bytes(overlay(lightness, labelled)), media_type="image/png")

    @app.get(
        "/api/sessions/{session_id}/segments/ids.png",
        response_class=Response,
        responses={200: _PNG, **_ERRORS},
        tags=["segments"],
    )
    def segments_ids(session_id: SessionId) -> Response:
        """The segment map as a 16-bit gray PNG: each pixel's value is its segment id."""
        session = segmented(session_of(session_id))
        assert session.segmentation is not None
        ids = session.segmentation.ids.astype(np.uint16)
        return Response(png_bytes(ids), media_type="image/png")

    @app.get(
        "/api/sessions/{session_id}/segments/at",
        response_model=schemas.SegmentInfo,
        responses=_ERRORS,
        tags=["segments"],
    )
    def segment_at(
        session_id: SessionId,
        x: Annotated[float, Query(ge=0, le=1, description="Fraction of the width.")],
        y: Annotated[float, Query(ge=0, le=1, description="Fraction of the height.")],
    ) -> schemas.SegmentInfo:
        """The segment under a point of the photo (what a click on the overlay selects)."""
        session = segmented(session_of(session_id))
        with session.lock:
            assert session.segmentation is not None
            height, width = session.segmentation.shape
            row, col = min(int(y * height), height - 1), min(int(x * width), width - 1)
            return segment_info(session, int(session.segmentation.ids[row, col]))

    @app.put(
        "/api/sessions/{session_id}/segments/{segment_id}",
        response_model=schemas.SegmentInfo,
        responses=_ERRORS,
        tags=["segments"],
    )
    def update_segment(
        session_id: SessionId,
        segment_id: Annotated[int, PathParam(ge=1)],
        body: schemas.SegmentUpdate,
    ) -> schemas.SegmentInfo:
        """Swap a segment's reference image and/or rename its class; then colorize again."""
        session = segmented(session_of(session_id))
        with session.lock:
            assert session.segmentation is not None
            if segment_id not in {s.id for s in session.segmentation.segments}:
                raise HTTPException(404, f"no segment {segment_id}")
            if "reference" in body.model_fields_set:
                if body.reference is None:
                    session.segment_refs.pop(segment_id, None)
                elif image_of(session, body.reference).role != "reference":
                    raise HTTPException(422, "a segment's colour must come from a reference image")
                else:
                    session.segment_refs[segment_id] = body.reference
            if body.label is not None:
                session.labels[segment_id] = body.label.strip()
            return segment_info(session, segment_id)

    # ----- gallery and page ------------------------------------------------------------

    @app.get("/api/gallery", response_model=schemas.GalleryInfo, tags=["gallery"])
    def list_gallery() -> schemas.GalleryInfo:
        """The gallery's photos (empty without ``--gallery``)."""
        return schemas.GalleryInfo(
            items=[gallery_info(i) for i in (photos.items if photos else {})]
        )

    @app.get(
        "/api/gallery/{gallery_id}/preview.png",
        response_class=FileResponse,
        responses={200: _PNG, **_ERRORS},
        tags=["gallery"],
    )
    def gallery_preview(gallery_id: GalleryId) -> FileResponse:
        """A small PNG of a gallery photo."""
        if photos is None or gallery_id not in photos.items:
            raise HTTPException(404, "no such gallery photo")
        return FileResponse(photos.preview(photos.items[gallery_id]), media_type="image/png")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.ico", media_type="image/vnd.microsoft.icon")

    # ----- API docs from local files (no CDN) ----------------------------------------

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url="/static/docs/swagger-ui-bundle.js",
            swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/favicon.ico",
            oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
            swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from the web
        )

    @app.get(app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect", include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    app.mount("/static/docs", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
