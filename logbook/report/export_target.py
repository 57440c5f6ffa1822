"""Where an export may be written, and writing it there without ever destroying another file.

An export writes only a new file, or a file an earlier export wrote (each
format starts with a marker, checked in the first few KB); with the format's
own extension; inside the project folder, never in a hidden folder such as
``.logbook`` or ``.git`` and never through a symbolic link. The file is
written to a temporary file beside it and moved into place, so a failed
export leaves nothing half-written.

Nothing is written by path. The folders are opened one at a time from the
project folder down, each relative to the one above and refusing a symbolic
link (``O_DIRECTORY | O_NOFOLLOW``), and every create, link, rename and
removal is made relative to the open folder (``dir_fd``). A folder swapped
for a link to somewhere else while an export runs is refused, or written
around: the export still lands in the folder it opened, inside the project.
(Where the system has no ``dir_fd``, Windows, the same steps go by path.)
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional, Sequence, overload

from logbook.errors import AlreadyExists, LogbookError
from logbook.paths import FOLDER

#: The first line of a Markdown export.
MARKDOWN_MARKER = "<!-- jupyterlab-logbook export -->"
#: In the ``<head>`` of an HTML export, within its first KB.
HTML_MARKER = '<meta name="generator" content="jupyterlab-logbook">'
#: A JSON export opens with its top-level ``"format": "logbook"`` key.
_JSON_MARKER = re.compile(r'\A\s*\{\s*"format"\s*:\s*"logbook"')
#: How much of an existing file is read to tell whether an export wrote it.
SNIFF_BYTES = 4096

EXTENSIONS = {"json": (".json",), "md": (".md", ".markdown"), "html": (".html", ".htm")}
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _CLOEXEC
#: Whether every step can be taken relative to an open folder (not on Windows).
BY_FOLDER = {os.open, os.stat, os.mkdir, os.unlink, os.rename, os.link} <= os.supports_dir_fd and bool(
    _NOFOLLOW
)
#: Errors of file systems that cannot make hard links; a new file is then moved into place.
_NO_HARD_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP}


class ExportRefused(LogbookError):
    """An export path the export rule forbids; the message says why."""


class ExportExists(ExportRefused, AlreadyExists):
    """An export asked not to replace what is at its path, and something is there (a 409 from the server)."""


@dataclass(frozen=True)
class ExportTarget:
    """A checked place to write an export: ``path`` under ``root``; ``replaces`` an earlier export or not."""

    root: Path
    path: Path
    format: str
    replaces: bool

    @property
    def shown(self) -> str:
        """The path as the user sees it: relative to the project folder."""
        return self.path.relative_to(self.root).as_posix()


def default_root(logbook_file: Path) -> Path:
    """The project folder of a logbook: the folder holding ``.logbook/``, else the working folder."""
    logbook_file = Path(logbook_file).absolute()
    if logbook_file.parent.name == FOLDER:
        return logbook_file.parent.parent
    return Path.cwd()


def exported_format(path: Path) -> str | None:
    """The format of the Logbook export at ``path``, or None if an export did not write it.

    Reads only the file's first few KB.
    """
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
    try:
        return _sniff(os.read(fd, SNIFF_BYTES))
    finally:
        os.close(fd)


def _sniff(data: bytes) -> str | None:
    head = data.decode("utf-8", "replace")
    if _JSON_MARKER.match(head):
        return "json"
    if head.startswith(MARKDOWN_MARKER):
        return "md"
    if HTML_MARKER in head:
        return "html"
    return None


class Folder:
    """A folder inside the project, opened without following a link; every name is taken relative to it.

    Made by :func:`open_folder`; close it (or use ``with``). ``shown`` is its
    path relative to the project folder, for messages.
    """

    def __init__(self, fd: Optional[int], path: Path, shown: str):
        self.fd, self.path, self.shown = fd, path, shown

    def __enter__(self) -> "Folder":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def _at(self, name: str) -> str | Path:
        return name if BY_FOLDER else self.path / name

    def name(self, name: str) -> str:
        """``name`` in this folder as the user sees it, relative to the project folder."""
        return f"{self.shown}/{name}" if self.shown else name

    def lstat(self, name: str) -> Optional[os.stat_result]:
        """``name``'s own status (a link is not followed), or None when there is none."""
        try:
            return os.stat(self._at(name), dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def read(self, name: str, size: int = -1) -> bytes:
        """The first ``size`` bytes of the file ``name`` (all of it by default); a link is refused."""
        fd = os.open(self._at(name), os.O_RDONLY | _NOFOLLOW | _CLOEXEC, dir_fd=self.fd)
        with open(fd, "rb") as file:
            return file.read(size)

    def write_temp(self, name: str, data: bytes, sync: bool = False) -> str:
        """Write ``data`` to a new hidden temporary file beside ``name``; returns its name."""
        temp = f".{name}.{secrets.token_hex(4)}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
        fd = os.open(self._at(temp), flags, 0o666, dir_fd=self.fd)
        try:
            with open(fd, "wb") as file:
                file.write(data)
                file.flush()
                if sync:
                    os.fsync(file.fileno())
        except BaseException:
            self.remove(temp)
            raise
        return temp

    def replace(self, source: str, name: str) -> None:
        """Move ``source`` over ``name`` in this folder (what was at ``name``, even a link, is replaced, not followed)."""
        os.replace(self._at(source), self._at(name), src_dir_fd=self.fd, dst_dir_fd=self.fd)

    def place_new(self, source: str, name: str) -> None:
        """Link ``source`` as ``name``, which fails rather than replace a file made meanwhile."""
        try:
            os.link(
                self._at(source),
                self._at(name),
                src_dir_fd=self.fd,
                dst_dir_fd=self.fd,
                follow_symlinks=False if os.link in os.supports_follow_symlinks else True,
            )
        except FileExistsError:
            raise ExportExists(
                f"will not overwrite {self.name(name)}: it appeared while the export was written"
            ) from None
        except OSError as error:
            if error.errno not in _NO_HARD_LINKS:
                raise
            if self.lstat(name) is not None:
                raise ExportExists(
                    f"will not overwrite {self.name(name)}: it appeared while the export was written"
                ) from None
            self.replace(source, name)

    def remove(self, name: str) -> None:
        """Remove the file ``name`` if it is there."""
        try:
            os.unlink(self._at(name), dir_fd=self.fd)
        except OSError:
            pass

    def child(self, name: str, create: bool) -> Optional["Folder"]:
        """The folder ``name`` in this one, opened without following a link; made if missing and ``create``.

        None when it is missing and not ``create``. A link or a file there is refused.
        """
        shown = self.name(name)
        for _ in range(3):
            try:
                if BY_FOLDER:
                    return Folder(os.open(name, _FOLDER_FLAGS, dir_fd=self.fd), self.path / name, shown)
                mode = self.lstat(name)
                if mode is None:
                    raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), name)
                _refuse_non_folder(mode, shown)
                return Folder(None, self.path / name, shown)
            except FileNotFoundError:
                if not create:
                    return None
                try:
                    os.mkdir(self._at(name), dir_fd=self.fd)
                except FileExistsError:
                    pass  # made meanwhile: open what is there now, and refuse it if it is a link
            except OSError as error:
                if error.errno not in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                    raise
                mode = self.lstat(name)
                if mode is not None:
                    _refuse_non_folder(mode, shown)  # else it was a link or a file a moment ago: look again
        raise ExportRefused(f"cannot open the folder {shown}: it keeps changing")


def _refuse_non_folder(status: os.stat_result, shown: str) -> None:
    if stat.S_ISLNK(status.st_mode):
        raise ExportRefused(f"will not write through the symbolic link {shown}")
    if not stat.S_ISDIR(status.st_mode):
        raise ExportRefused(f"{shown} is a file, not a folder")


@overload
def open_folder(root: Path, parts: Sequence[str], create: Literal[True]) -> Folder: ...
@overload
def open_folder(root: Path, parts: Sequence[str], create: bool = False) -> Optional[Folder]: ...
def open_folder(root: Path, parts: Sequence[str], create: bool = False) -> Optional[Folder]:
    """The folder ``root/parts...``, opened component by component from ``root`` without following a link.

    Missing folders are made when ``create``; otherwise None is returned when
    one is missing. A symbolic link or a file on the way is refused with
    :class:`ExportRefused`.
    """
    root = Path(root)
    fd = os.open(root, _FOLDER_FLAGS) if BY_FOLDER else None
    folder = Folder(fd, root, "")
    try:
        for part in parts:
            inner = folder.child(part, create)
            folder.close()
            if inner is None:
                return None
            folder = inner
        return folder
    except BaseException:
        folder.close()
        raise


def check_target(
    path: str | os.PathLike, format: str, root: str | os.PathLike, replace: bool = True
) -> ExportTarget:
    """The place an export in ``format`` may be written at ``path``, or :class:`ExportRefused` saying why.

    A relative ``path`` is taken from the working folder; it must lie inside ``root``.
    An earlier export of the same format there is replaced only with ``replace``
    (else :class:`ExportExists`); any other file never is.
    """
    text = os.fspath(path)
    if "\x00" in text:
        raise ExportRefused("the export path contains a NUL character")
    real_root = Path(root).resolve()
    wanted = Path(os.path.normpath(os.path.abspath(text)))
    relative = _inside(wanted, real_root) or _inside(wanted, Path(os.path.normpath(os.path.abspath(root))))
    if relative is None:
        raise ExportRefused(f"the export path must stay inside the project folder {real_root}: {text!r}")
    if not relative.parts:
        raise ExportRefused(f"{text!r} is the project folder; give a file name")
    shown = relative.as_posix()
    hidden = next((part for part in relative.parts if part.startswith(".")), None)
    if hidden is not None:
        where = "is hidden" if hidden == relative.name else f"is inside the hidden folder {hidden}"
        raise ExportRefused(
            f"will not write {shown}: it {where} (exports never go into .logbook, .git or other hidden folders)"
        )
    target = real_root / relative
    try:
        folder = open_folder(real_root, relative.parts[:-1])
        try:
            earlier = None if folder is None else _earlier_export(folder, relative.name)
        finally:
            if folder is not None:
                folder.close()
    except OSError as error:
        raise ExportRefused(f"cannot check {shown}: {error.strerror or error}") from None
    if target.suffix.lower() not in EXTENSIONS[format]:
        raise ExportRefused(
            f"a {format} export must be named *{' or *'.join(EXTENSIONS[format])}, not {shown}"
        )
    if earlier not in (None, format):
        raise ExportRefused(f"will not overwrite {shown}: it is a Logbook {earlier} export, not {format}")
    if earlier is not None and not replace:
        raise ExportExists(
            f"{shown} already exists (an earlier Logbook {format} export): pass replace to overwrite it"
        )
    return ExportTarget(real_root, target, format, replaces=earlier is not None)


def write_export(target: ExportTarget, text: str) -> Path:
    """Write ``text`` to ``target`` all at once: a temporary file beside it, moved into place.

    Its folder is opened from the project folder down without following a
    link, and every step is taken relative to it (see the module's docstring).
    """
    name = target.path.name
    temp = None
    try:
        with open_folder(
            target.root, target.path.parent.relative_to(target.root).parts, create=True
        ) as folder:
            try:
                temp = folder.write_temp(name, text.encode("utf-8"), sync=True)
                if target.replaces:
                    if not _still_export(folder, name, target.format):
                        raise ExportRefused(
                            f"will not overwrite {target.shown}: it changed while the export was written"
                        )
                    folder.replace(temp, name)
                else:
                    folder.place_new(temp, name)
            finally:
                if temp is not None:
                    folder.remove(temp)
    except ExportRefused:
        raise
    except OSError as error:
        raise LogbookError(f"could not write {target.shown}: {error.strerror or error}") from None
    return target.path


def _inside(path: Path, root: Path) -> Path | None:
    try:
        return path.relative_to(root)
    except ValueError:
        return None


def _earlier_export(folder: Folder, name: str) -> str | None:
    """The format of the earlier export ``name`` in ``folder``, None when it is new; any other file is refused."""
    shown = folder.name(name)
    status = folder.lstat(name)
    if status is None:
        return None
    if stat.S_ISLNK(status.st_mode):
        raise ExportRefused(f"will not write through the symbolic link {shown}")
    if stat.S_ISDIR(status.st_mode):
        raise ExportRefused(f"{shown} is a folder; give a file name")
    earlier = _sniff(folder.read(name, SNIFF_BYTES)) if stat.S_ISREG(status.st_mode) else None
    if earlier is None:
        raise ExportRefused(f"will not overwrite {shown}: it is not a Logbook export")
    return earlier


def _still_export(folder: Folder, name: str, format: str) -> bool:
    status = folder.lstat(name)
    return (
        status is not None
        and stat.S_ISREG(status.st_mode)
        and _sniff(folder.read(name, SNIFF_BYTES)) == format
    )
