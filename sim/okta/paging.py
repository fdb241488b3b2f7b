"""Page a list the way Okta does: ``limit`` and an opaque ``after`` cursor, Link headers out."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import TypeVar

from aiohttp import web

from sim.okta.cursors import decode_cursor, encode_cursor
from sim.okta.schema import validation_failed

T = TypeVar("T")


def page_limit(request: web.Request, default: int, maximum: int) -> int:
    """The page size asked for, capped at ``maximum``; 400 E0000001 when not a number."""
    text = request.query.get("limit")
    if text is None:
        return min(default, maximum)
    try:
        asked = int(text)
    except ValueError:
        raise validation_failed("limit", [f"limit: {text!r} is not a number"]) from None
    return min(asked, maximum) if asked > 0 else min(default, maximum)


def paginate(
    request: web.Request,
    items_after: Callable[[int | None], Iterable[T]],
    seq: Callable[[T], int],
    limit: int,
) -> tuple[list[T], list[str]]:
    """The page after the request's cursor, and its Link header values.

    ``items_after(n)`` yields the listing's items after sequence number ``n`` (all for None), in
    order; only one item past the page is drawn, to know whether a next page exists.
    """
    cursor = request.query.get("after")
    after = decode_cursor(cursor) if cursor else None
    drawn = list(itertools.islice(items_after(after), limit + 1))
    page = drawn[:limit]
    links = [f'<{request.url}>; rel="self"']
    if len(drawn) > limit:
        next_url = request.url.update_query(after=encode_cursor(seq(page[-1])), limit=str(limit))
        links.append(f'<{next_url}>; rel="next"')
    return page, links
