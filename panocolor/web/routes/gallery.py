"""Routes of the gallery of colour photos offered as references (``--gallery``)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from panocolor.web import schemas
from panocolor.web.context import GalleryId, Web, png_route
from panocolor.web.views import gallery_info

router = APIRouter()


@router.get("/api/gallery", response_model=schemas.GalleryInfo, tags=["gallery"])
def list_gallery(web: Web) -> schemas.GalleryInfo:
    """The gallery's photos (empty without ``--gallery``)."""
    photos = web.photos
    return schemas.GalleryInfo(
        items=[gallery_info(photos, i) for i in photos.items] if photos else []
    )


@png_route(router, "/api/gallery/{gallery_id}/preview.png", "gallery")
def gallery_preview(gallery_id: GalleryId, web: Web) -> FileResponse:
    """A small PNG of a gallery photo."""
    item = web.gallery_item(gallery_id)
    assert web.photos is not None
    return FileResponse(web.photos.preview(item), media_type="image/png")
