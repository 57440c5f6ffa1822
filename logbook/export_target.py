"""Where an export may be written, and writing it there without ever destroying another file.

An export writes only a new file, or a file an earlier export wrote (each
format starts with a marker, checked in the first few KB); with the format's
own extension; inside the project folder, never in a hidden folder such as
``.logbook`` or ``.git`` and never through a symbolic link. The file is
written to a temporary file beside it and moved into place, so a failed
export leaves nothing half-written.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import LogbookError
from .paths import FOLDER

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
#: Errors of file systems that cannot make hard links; a new file is then moved into place.
_NO_HARD_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP}


class ExportRefused(LogbookError):
    """An export path the export rule forbids; the message says why."""


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
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    try:
        head = os.read(fd, SNIFF_BYTES).decode("utf-8", "replace")
    finally:
        os.close(fd)
    if _JSON_MARKER.match(head):
        return "json"
    if head.startswith(MARKDOWN_MARKER):
        return "md"
    if HTML_MARKER in head:
        return "html"
    return None


def check_target(path: str | os.PathLike, format: str, root: str | os.PathLike) -> ExportTarget:
    """The place an export in ``format`` may be written at ``path``, or :class:`ExportRefused` saying why.

    A relative ``path`` is taken from the working folder; it must lie inside ``root``.
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
        _check_folders(real_root, relative)
        earlier = _earlier_export(target, shown)
    except OSError as error:
        raise ExportRefused(f"cannot check {shown}: {error.strerror or error}") from None
    if target.suffix.lower() not in EXTENSIONS[format]:
        raise ExportRefused(
            f"a {format} export must be named *{' or *'.join(EXTENSIONS[format])}, not {shown}"
        )
    if earlier not in (None, format):
        raise ExportRefused(f"will not overwrite {shown}: it is a Logbook {earlier} export, not {format}")
    return ExportTarget(real_root, target, format, replaces=earlier is not None)


def write_export(target: ExportTarget, text: str) -> Path:
    """Write ``text`` to ``target`` all at once: a temporary file beside it, moved into place."""
    data = text.encode("utf-8")
    folder = target.path.parent
    temp = folder / f".{target.path.name}.{secrets.token_hex(4)}.tmp"
    try:
        _make_folders(target.root, folder.relative_to(target.root))
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666)
        with open(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if target.replaces:
            if not _still_export(target):
                raise ExportRefused(
                    f"will not overwrite {target.shown}: it changed while the export was written"
                )
            os.replace(temp, target.path)
        else:
            _place_new(temp, target)
    except ExportRefused:
        raise
    except OSError as error:
        raise LogbookError(f"could not write {target.shown}: {error.strerror or error}") from None
    finally:
        try:
            os.unlink(temp)
        except OSError:
            pass
    return target.path


def _inside(path: Path, root: Path) -> Path | None:
    try:
        return path.relative_to(root)
    except ValueError:
        return None


def _check_folders(root: Path, relative: Path) -> None:
    """Each existing folder on the way is a real folder, not a symbolic link."""
    here = root
    for part in relative.parts[:-1]:
        here = here / part
        try:
            mode = os.lstat(here).st_mode
        except FileNotFoundError:
            return
        if stat.S_ISLNK(mode):
            raise ExportRefused(
                f"will not write through the symbolic link {here.relative_to(root).as_posix()}"
            )
        if not stat.S_ISDIR(mode):
            raise ExportRefused(f"{here.relative_to(root).as_posix()} is a file, not a folder")


def _earlier_export(target: Path, shown: str) -> str | None:
    """The format of the earlier export at ``target``, None when it is new; any other file is refused."""
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(mode):
        raise ExportRefused(f"will not write through the symbolic link {shown}")
    if stat.S_ISDIR(mode):
        raise ExportRefused(f"{shown} is a folder; give a file name")
    earlier = exported_format(target) if stat.S_ISREG(mode) else None
    if earlier is None:
        raise ExportRefused(f"will not overwrite {shown}: it is not a Logbook export")
    return earlier


def _still_export(target: ExportTarget) -> bool:
    try:
        return stat.S_ISREG(os.lstat(target.path).st_mode) and exported_format(target.path) == target.format
    except FileNotFoundError:
        return False


def _make_folders(root: Path, relative: Path) -> None:
    here = root
    for part in relative.parts:
        here = here / part
        try:
            os.mkdir(here)
        except FileExistsError:
            pass
        if not stat.S_ISDIR(os.lstat(here).st_mode):
            raise ExportRefused(f"{here.relative_to(root).as_posix()} is not a folder")


def _place_new(temp: Path, target: ExportTarget) -> None:
    """Link the written file under its name, which fails rather than replace a file made meanwhile."""
    try:
        os.link(temp, target.path)
    except FileExistsError:
        raise ExportRefused(
            f"will not overwrite {target.shown}: it appeared while the export was written"
        ) from None
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise
        if os.path.lexists(target.path):
            raise ExportRefused(
                f"will not overwrite {target.shown}: it appeared while the export was written"
            ) from None
        os.replace(temp, target.path)
