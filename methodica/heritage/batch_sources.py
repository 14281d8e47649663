"""Where a batch's files come from: a zip archive or a folder on the server.

Archives are untrusted: the entry count, the declared sizes and the compression
ratio are checked before any member is read; members are streamed to a spooled
temporary file one at a time (never the whole zip in memory) and read no further
than they declared; names that climb out (``../``, absolute, backslashes) and
symbolic links make the whole batch invalid. A folder must lie inside
``METHODICA_HERITAGE_IMPORT_ROOT``.
"""

from __future__ import annotations

import os
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from methodica.core.errors import DomainError
from methodica.heritage import inspection
from methodica.heritage.models import (
    IngestBatch,
)

MAX_ENTRIES = 20_000
MAX_RATIO = 100  # a scan compresses a little; a bomb compresses thousands of times
RATIO_FLOOR = 1024 * 1024  # small members may compress well (text, blank pages)
SPOOL_BYTES = 8 * 1024 * 1024


def max_batch_bytes() -> int:
    return settings.METHODICA_HERITAGE_MAX_BATCH_BYTES


def max_unpacked_bytes() -> int:
    return settings.METHODICA_HERITAGE_MAX_BATCH_UNPACKED


def import_root() -> Path | None:
    root = settings.METHODICA_HERITAGE_IMPORT_ROOT
    return Path(root).resolve() if root else None


# --- sources: a zip or a folder, read one member at a time


def unsafe_name(name: str) -> bool:
    """A member name that could land outside the batch: never read it."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return True
    path = PurePosixPath(name)
    return ".." in path.parts or (len(name) > 1 and name[1] == ":")


class Source:
    """The files of a batch, by their path inside it ("scans/p1.tif")."""

    def check(self) -> list[str]:
        """The problems that make the whole batch invalid."""
        raise NotImplementedError

    def names(self) -> dict[str, int]:
        raise NotImplementedError

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        raise NotImplementedError
        yield  # pragma: no cover

    def close(self) -> None:
        pass


class ZipSource(Source):
    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        try:
            self.archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError):
            stream.close()
            raise DomainError(_("The file is not a readable zip archive.")) from None
        self.entries = {
            entry.filename: entry
            for entry in self.archive.infolist()
            if not entry.is_dir()
        }

    def check(self) -> list[str]:
        """The archive-wide problems: bombs and unsafe names (nothing read yet)."""
        entries = self.archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise DomainError(
                _("The archive has %(count)s entries, more than the %(limit)s allowed.")
                % {"count": len(entries), "limit": MAX_ENTRIES}
            )
        total = sum(entry.file_size for entry in entries)
        if total > max_unpacked_bytes():
            raise DomainError(
                _(
                    "The archive unpacks to %(size)s bytes, more than the %(limit)s "
                    "allowed; it was refused."
                )
                % {"size": total, "limit": max_unpacked_bytes()}
            )
        problems = []
        for entry in entries:
            if entry.file_size > RATIO_FLOOR and (
                entry.file_size > MAX_RATIO * max(entry.compress_size, 1)
            ):
                raise DomainError(
                    _(
                        "“%(name)s” in the archive is compressed %(ratio)s times: the "
                        "archive looks like a zip bomb and was refused."
                    )
                    % {
                        "name": entry.filename,
                        "ratio": entry.file_size // max(entry.compress_size, 1),
                    }
                )
            if unsafe_name(entry.filename):
                problems.append(
                    _(
                        "The archive holds an unsafe name “%(name)s” (a path that "
                        "leaves the archive); nothing in it is read."
                    )
                    % {"name": entry.filename}
                )
            elif stat.S_ISLNK(entry.external_attr >> 16):
                problems.append(
                    _(
                        "The archive holds a symbolic link “%(name)s”; links are "
                        "refused."
                    )
                    % {"name": entry.filename}
                )
        return problems

    def names(self) -> dict[str, int]:
        return {name: entry.file_size for name, entry in self.entries.items()}

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            self._copy(name, spool)
            spool.seek(0)
            yield spool  # type: ignore[misc]

    def _copy(self, name: str, spool: IO[bytes]) -> None:
        entry = self.entries[name]
        try:
            with self.archive.open(entry) as member:
                # Never more than declared: a member that lies about its size
                # is refused, however much more it would inflate to.
                remaining = entry.file_size + 1
                while remaining > 0 and (
                    chunk := member.read(min(inspection.CHUNK, remaining))
                ):
                    spool.write(chunk)
                    remaining -= len(chunk)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
            raise DomainError(
                _("“%(name)s” cannot be read from the archive (%(error)s).")
                % {"name": name, "error": error}
            ) from None
        if remaining <= 0:
            raise DomainError(
                _("“%(name)s” is larger than the archive says.") % {"name": name}
            )

    def close(self) -> None:
        self.archive.close()
        self.stream.close()


class FolderSource(Source):
    def __init__(self, folder: str, district_code: str) -> None:
        self.root = resolve_folder(folder, district_code)
        self.links: list[str] = []
        self.files: dict[str, int] = {}
        for current, dirs, files in os.walk(self.root, followlinks=False):
            for name in [*dirs, *files]:
                path = Path(current) / name
                relative = path.relative_to(self.root).as_posix()
                if path.is_symlink():
                    self.links.append(relative)
                elif name in files:
                    self.files[relative] = path.stat().st_size

    def check(self) -> list[str]:
        return [
            _("The folder holds a symbolic link “%(name)s”; links are refused.")
            % {"name": name}
            for name in sorted(self.links)
        ]

    def names(self) -> dict[str, int]:
        return dict(self.files)

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        if name not in self.files:
            raise DomainError(_("“%(name)s” is not in the folder.") % {"name": name})
        # O_NOFOLLOW: a file swapped for a link after the folder was walked is
        # refused, not followed out of the import folder.
        path = self.root / name
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as error:
            raise DomainError(
                _("“%(name)s” could not be read from the folder.") % {"name": name}
            ) from error
        if not path.resolve().is_relative_to(self.root):
            os.close(descriptor)
            raise DomainError(_("“%(name)s” is not in the folder.") % {"name": name})
        with os.fdopen(descriptor, "rb") as handle:
            yield handle


def resolve_folder(folder: str, district_code: str) -> Path:
    """The folder, which must lie inside the district's own folder of
    METHODICA_HERITAGE_IMPORT_ROOT (``<root>/<district code>/``): a district's
    cataloguer never reaches another district's staged material."""
    base = import_root()
    if base is None:
        raise DomainError(
            _("Importing from a folder on the server is not enabled."), field="folder"
        )
    root = (base / district_code).resolve()
    path = (root / folder).resolve()
    if not path.is_relative_to(root) or not path.is_dir():
        raise DomainError(
            _("“%(folder)s” is not a folder inside the import folder.")
            % {"folder": folder},
            field="folder",
        )
    return path


def open_source(batch: IngestBatch) -> ZipSource | FolderSource:
    if batch.folder:
        return FolderSource(batch.folder, batch.district.code)
    return ZipSource(batch.archive.storage.open(batch.archive.name, "rb"))
