"""Bodies of the JSON HTTP API (documented at ``/docs`` and ``/openapi.json``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from panocolor.web.images import GALLERY_ID_PATTERN
from panocolor.web.store import ID_PATTERN, JobState, Role

_LABEL_CHAR = r"[^\x00-\x1f\x7f<>/\\]"
LABEL_PATTERN = rf"^{_LABEL_CHAR}*[^\s\x00-\x1f\x7f<>/\\]{_LABEL_CHAR}*$"
"""Class names: printable, at least one non-space character, no ``< > / \\``."""


class ErrorInfo(BaseModel):
    """Every 4xx/5xx answer: one readable line."""

    detail: str = Field(examples=["cannot read scan.jpg: the file is truncated"])


class SessionCreated(BaseModel):
    session_id: str
    ttl_s: float = Field(description="Idle seconds after which the session and its files go.")


class ImageInfo(BaseModel):
    id: str
    role: Role
    name: str = Field(description="Display name from the uploaded filename (not a path).")
    width: int
    height: int
    bit_depth: int
    warnings: list[str] = []
    preview_url: str


class SessionInfo(BaseModel):
    session_id: str
    images: list[ImageInfo]
    target: str | None = Field(description="Image id of the gray photo.")
    has_result: bool
    result_url: str
    download_url: str


class GalleryItemInfo(BaseModel):
    id: str
    name: str
    preview_url: str


class GalleryInfo(BaseModel):
    items: list[GalleryItemInfo]


class AddFromGallery(BaseModel):
    """Copy a gallery photo into the session as an image."""

    model_config = ConfigDict(extra="forbid")
    gallery_id: str = Field(pattern=GALLERY_ID_PATTERN)
    role: Role = "reference"


class ColorizeRequest(BaseModel):
    """Start a colorization job."""

    model_config = ConfigDict(extra="forbid")
    reference: str | None = Field(
        None,
        pattern=ID_PATTERN,
        description="Image id of the main reference; default: the first one uploaded.",
    )


COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"


class HintBody(BaseModel):
    """A point hint: the colour of the photo at pixel (x, y) of the full-size gray photo.

    Only the colour's hue and saturation are used; the photo keeps its lightness.
    """

    model_config = ConfigDict(extra="forbid")
    x: int = Field(ge=0, description="Column, 0 at the left.")
    y: int = Field(ge=0, description="Row, 0 at the top.")
    colour: str = Field(pattern=COLOUR_PATTERN, examples=["#1f3a93"])


class HintUpdate(BaseModel):
    """Move a hint, change its colour, or both."""

    model_config = ConfigDict(extra="forbid")
    x: int | None = Field(None, ge=0)
    y: int | None = Field(None, ge=0)
    colour: str | None = Field(None, pattern=COLOUR_PATTERN)


class HintInfo(BaseModel):
    id: str
    x: int
    y: int
    colour: str


class HintsInfo(BaseModel):
    hints: list[HintInfo]
    can_undo: bool


class JobInfo(BaseModel):
    job_id: str
    state: JobState
    error: str | None = None
    timings: dict[str, float] = {}
    url: str


class SegmentInfo(BaseModel):
    id: int
    label: str = Field(description="Class name used for colorizing (the user's, if renamed).")
    detected_label: str
    is_thing: bool
    area: float = Field(description="Fraction of the photo.")
    reference: str | None = Field(description="Session image id of its colour source, if any.")
    reference_name: str | None = None
    reason: str | None = Field(
        None, description="Why that source: segment, class, same-class, gallery, ... ."
    )
    suggestions: list[GalleryItemInfo] = Field(
        [], description="Gallery photos showing the same class."
    )


class SegmentsInfo(BaseModel):
    width: int = Field(description="Size of the segment map (may be smaller than the photo).")
    height: int
    segments: list[SegmentInfo]
    overlay_url: str
    note: str | None = None


class SegmentUpdate(BaseModel):
    """Change one segment: its reference image, its class name, or both.

    ``reference: null`` returns the segment to the automatic choice.
    """

    model_config = ConfigDict(extra="forbid")
    reference: str | None = Field(None, pattern=ID_PATTERN)
    label: str | None = Field(None, min_length=1, max_length=64, pattern=LABEL_PATTERN)
