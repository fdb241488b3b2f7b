"""Export files written page by page: a JSON array, or CSV with a header known only at the end.

Both are written to a hidden file beside the target and renamed onto it when complete, so a
failed export never leaves a half-written file where the last good one was. CSV needs the union
of every user's attributes for its header, which is known only after the last page: pages are
spooled as JSON lines to an anonymous temporary file as they arrive, then the CSV is written from
the spool in one streaming pass. Memory stays at about one page either way. The file is created
readable by its owner only, as it holds everyone's profile.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path
from typing import IO, Any

from shared.okta import OktaUser

NAMED = ("id", "status", "login", "email", "firstName", "lastName")


def user_row(user: OktaUser) -> dict[str, Any]:
    """A user as one flat row: the named columns first (None when absent), then the rest sorted."""
    row: dict[str, Any] = {"id": user.id, "status": user.status}
    row.update({name: user.profile.get(name) for name in NAMED[2:]})
    row.update({key: user.profile[key] for key in sorted(user.profile) if key not in row})
    return row


def columns(attributes: set[str]) -> list[str]:
    """The CSV columns for the attributes seen: the named ones first, then the others sorted."""
    return [*NAMED, *sorted(attributes - set(NAMED))]


def cell(value: Any) -> str:
    """A value as CSV text: empty for null, JSON for lists, objects and booleans."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


class ExportFile(ABC):
    """A file being exported: pages go to a hidden file, renamed onto the target by ``finish``."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.count = 0
        descriptor, staged = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
        self.staged = Path(staged)
        self.handle: IO[str] = os.fdopen(descriptor, "w", encoding="utf-8", newline="")

    @abstractmethod
    def write_page(self, rows: list[dict[str, Any]]) -> None:
        """Write one page of rows."""

    @abstractmethod
    def complete(self) -> None:
        """Write whatever ends the file (called once, before the rename)."""

    def finish(self) -> None:
        """Complete the file and move it onto the target."""
        self.complete()
        self.handle.close()
        os.replace(self.staged, self.target)

    def abort(self) -> None:
        """Drop the partial file; the target is left as it was."""
        self.handle.close()
        self.staged.unlink(missing_ok=True)


class JsonExport(ExportFile):
    """A JSON array, one object per line, written as pages arrive."""

    def write_page(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self.handle.write(("[\n" if self.count == 0 else ",\n") + json.dumps(row))
            self.count += 1
        self.handle.flush()

    def complete(self) -> None:
        self.handle.write("[]\n" if self.count == 0 else "\n]\n")


class CsvExport(ExportFile):
    """CSV with a header naming every attribute seen, written from a spool of the pages."""

    def __init__(self, target: Path) -> None:
        super().__init__(target)
        # Closed by complete() or abort(): it lives as long as the export.
        self.spool: IO[str] = tempfile.TemporaryFile(  # noqa: SIM115
            "w+", encoding="utf-8", dir=target.parent
        )
        self.attributes: set[str] = set()

    def write_page(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self.attributes.update(row)
            self.spool.write(json.dumps(row) + "\n")
            self.count += 1
        self.spool.flush()

    def complete(self) -> None:
        writer = csv.DictWriter(self.handle, fieldnames=columns(self.attributes))
        writer.writeheader()
        self.spool.seek(0)
        for line in self.spool:
            writer.writerow({key: cell(value) for key, value in json.loads(line).items()})
        self.spool.close()

    def abort(self) -> None:
        self.spool.close()
        super().abort()


def open_export(target: Path, file_format: str) -> ExportFile:
    """An export file of the format ("csv" or "json") for a target path."""
    return JsonExport(target) if file_format == "json" else CsvExport(target)
