"""Export: download every Okta user as CSV or JSON (what `hopsync export` writes)."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from producers.ops.export import export_users
from producers.webconsole.current import current
from producers.webconsole.guard import account_of
from producers.webconsole.render import page
from producers.webconsole.routing import get
from producers.webconsole.state import STATE
from shared.errors import HopsyncError

CHUNK = 64 * 1024
TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


async def choose(request: web.Request) -> web.Response:
    """The export page: a link per format, and who exported lately."""
    trail = request.app[STATE].audit.about("export")
    return page(request, "export.html", trail=trail, error="")


async def download(request: web.Request) -> web.StreamResponse:
    """Export every Okta user to a private temporary file, then send it."""
    state = request.app[STATE]
    file_format = request.match_info["format"]
    folder = Path(tempfile.mkdtemp(prefix="hopsync-export-"))
    try:
        target = folder / f"okta-users.{file_format}"
        try:
            count = await export_users(current(state).loaded, target, file_format)
        except (HopsyncError, OSError) as error:
            return page(request, "export.html", status=502, trail=[], error=str(error))
        state.audit.record(
            account_of(request).name, f"exported {count} Okta users as {file_format}", ["export"]
        )
        return await _send(request, target, file_format)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _send(request: web.Request, path: Path, file_format: str) -> web.StreamResponse:
    day = datetime.now(UTC).strftime("%Y%m%d")
    response = web.StreamResponse(
        headers={
            "Content-Type": TYPES[file_format],
            "Content-Disposition": f'attachment; filename="okta-users-{day}.{file_format}"',
        }
    )
    await response.prepare(request)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            await response.write(chunk)
    await response.write_eof()
    return response


ROUTES = [
    get("/export", choose),
    get("/export/okta-users.{format:csv|json}", download),
]
