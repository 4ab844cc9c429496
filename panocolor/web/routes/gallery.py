"""Routes of the gallery of colour photos offered as references (``--gallery``)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from panocolor.web import schemas
from panocolor.web.context import ERRORS, PNG, GalleryId, Web
from panocolor.web.views import gallery_info

router = APIRouter()


@router.get("/api/gallery", response_model=schemas.GalleryInfo, tags=["gallery"])
def list_gallery(web: Web) -> schemas.GalleryInfo:
    """The gallery's photos (empty without ``--gallery``)."""
    photos = web.photos
    return schemas.GalleryInfo(
        items=[gallery_info(photos, i) for i in photos.items] if photos else []
    )


@router.get(
    "/api/gallery/{gallery_id}/preview.png",
    response_class=FileResponse,
    responses={200: PNG, **ERRORS},
    tags=["gallery"],
)
def gallery_preview(gallery_id: GalleryId, web: Web) -> FileResponse:
    """A small PNG of a gallery photo."""
    photos = web.photos
    if photos is None or gallery_id not in photos.items:
        raise HTTPException(404, "no such gallery photo")
    return FileResponse(photos.preview(photos.items[gallery_id]), media_type="image/png")
