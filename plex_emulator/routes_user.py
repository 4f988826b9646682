"""Per-account actions on items: ``/:/rate``, ``/:/scrobble``, ``/:/unscrobble``."""

from __future__ import annotations

from plex_emulator.context import EmulatorContext
from plex_emulator.errors import bad_request, not_found
from plex_emulator.http import Request, Response, empty
from plex_emulator.state_edits import parse_rating
from plex_emulator.xmlrender import LIBRARY_ID


def _key(req: Request) -> int:
    if req.param("identifier") != LIBRARY_ID:
        raise not_found("unknown identifier")
    key = req.param("key")
    if not key:
        raise bad_request("key is required")
    try:
        return int(key)
    except ValueError:
        raise not_found(f"no item {key!r}") from None


def rate(ctx: EmulatorContext, req: Request) -> Response:
    """``PUT /:/rate?key=&identifier=&rating=[&ratedAt=]``; ``rating=-1`` clears."""
    key = _key(req)
    rating_text = req.param("rating")
    if rating_text is None or rating_text == "":
        raise bad_request("rating is required")
    rating = parse_rating(rating_text)
    rated_at = req.int_param("ratedAt")
    with ctx.state.lock:
        item = ctx.state.items.get(key)
        if item is None or not req.user.sees(item.section_id):
            raise not_found(f"no item {key}")
    ctx.state.rate(req.user, key, rating, rated_at)
    return empty()


def scrobble(ctx: EmulatorContext, req: Request) -> Response:
    key = _key(req)
    with ctx.state.lock:
        item = ctx.state.items.get(key)
        if item is None or not req.user.sees(item.section_id):
            raise not_found(f"no item {key}")
    ctx.state.scrobble(req.user, key, played=req.match[0] == "scrobble")
    return empty()
