"""Routes of colour hints: list, add, move or recolour, remove, undo.

A hint is a pixel of the full-size gray photo and a colour; the next colorization
uses the session's hints (the page colorizes again after every change).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Response
from fastapi import Path as PathParam

from panocolor.hints import Hint, parse_colour
from panocolor.web import schemas
from panocolor.web.context import SessionId, Web, api_route, target_of
from panocolor.web.store import Session

router = APIRouter()
HintId = Annotated[str, PathParam(pattern=r"^h[0-9]{1,9}$", description="From GET .../hints.")]


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def hints_info(session: Session) -> schemas.HintsInfo:
    return schemas.HintsInfo(
        hints=[
            schemas.HintInfo(id=hint_id, x=hint.x, y=hint.y, colour=_hex(hint.rgb))
            for hint_id, hint in session.hints.items.items()
        ],
        can_undo=session.hints.can_undo,
    )


def _inside_target(session: Session, hint: Hint) -> Hint:
    """``hint``, or 409 without a gray photo, 422 (HintError) outside it."""
    target = target_of(session)
    hint.check_inside((target.height, target.width))
    return hint


@api_route(router.get, "/api/sessions/{session_id}/hints", "hints", schemas.HintsInfo)
def list_hints(session_id: SessionId, web: Web) -> schemas.HintsInfo:
    """The session's colour hints, in the order they were given."""
    session = web.session(session_id)
    with session.lock:
        return hints_info(session)


@api_route(router.post, "/api/sessions/{session_id}/hints", "hints", schemas.HintsInfo, 201)
def add_hint(session_id: SessionId, body: schemas.HintBody, web: Web) -> schemas.HintsInfo:
    """Add a hint: pixel (x, y) of the gray photo has this colour (hue and saturation)."""
    session = web.session(session_id)
    with session.lock:
        hint = _inside_target(session, Hint(body.x, body.y, parse_colour(body.colour)))
        try:
            session.hints.add(hint)
        except OverflowError as error:
            raise HTTPException(409, str(error)) from None
        return hints_info(session)


@api_route(router.put, "/api/sessions/{session_id}/hints/{hint_id}", "hints", schemas.HintsInfo)
def update_hint(
    session_id: SessionId, hint_id: HintId, body: schemas.HintUpdate, web: Web
) -> schemas.HintsInfo:
    """Move a hint or change its colour."""
    session = web.session(session_id)
    with session.lock:
        old = _hint(session, hint_id)
        colour = parse_colour(body.colour) if body.colour is not None else old.rgb
        x = body.x if body.x is not None else old.x
        moved = Hint(x, body.y if body.y is not None else old.y, colour)
        _inside_target(session, moved)
        session.hints.update(hint_id, x=moved.x, y=moved.y, rgb=moved.rgb)
        return hints_info(session)


@api_route(router.delete, "/api/sessions/{session_id}/hints/{hint_id}", "hints", status_code=204)
def delete_hint(session_id: SessionId, hint_id: HintId, web: Web) -> Response:
    """Remove a hint."""
    session = web.session(session_id)
    with session.lock:
        _hint(session, hint_id)
        session.hints.remove(hint_id)
    return Response(status_code=204)


@api_route(router.post, "/api/sessions/{session_id}/hints/undo", "hints", schemas.HintsInfo)
def undo_hints(session_id: SessionId, web: Web) -> schemas.HintsInfo:
    """Undo the last change to the hints (409 when there is nothing to undo)."""
    session = web.session(session_id)
    with session.lock:
        if not session.hints.undo():
            raise HTTPException(409, "nothing to undo")
        return hints_info(session)


def _hint(session: Session, hint_id: str) -> Hint:
    """Hint ``hint_id`` of the session, or 404."""
    if hint_id not in session.hints.items:
        raise HTTPException(404, "no such hint in this session")
    return session.hints.items[hint_id]
