"""Each teammate's record verified in the background, so the team view can say whose record does not verify.

A server verifies a teammate's file (its chain, seals and records, as ``logbook verify`` does) when the
file has changed since its last check, at most once per :data:`CHECK_SECONDS` for each author, off any
request. The team view then shows each teammate's last verdict; a verdict that changes moves the change
feed's ``team`` version, so the sidebar shows it without being asked.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from logbook.audit.verify import verify_logbook
from logbook.errors import LogbookError
from logbook.paths import team_folder
from logbook.team.authors import author_of
from logbook.team.members import author_files, open_read_only

#: A teammate's file is verified again at most this often (seconds), however often it changes.
CHECK_SECONDS = 30.0


@dataclass(frozen=True)
class Checked:
    """The last verdict on one teammate's file: whether it verified, why not, and the file it was about."""

    ok: bool
    problem: str
    signature: str
    at: float


def file_signature(path: Path) -> str:
    """What changes whenever ``path`` or its WAL is written: each one's size and time."""
    parts = []
    for side in (path, Path(f"{path}-wal")):
        try:
            found = os.stat(side)
        except OSError:
            parts.append("-")
            continue
        parts.append(f"{found.st_size}:{found.st_mtime_ns}")
    return "|".join(parts)


@dataclass
class TeamChecks:
    """Every teammate's last verdict, by author, kept by one server; ``generation`` moves when one changes."""

    interval: float = CHECK_SECONDS
    results: dict[str, Checked] = field(default_factory=dict)
    generation: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def verdict(self, author: str) -> Optional[Checked]:
        return self.results.get(author)

    def run(self, logbook: Path) -> bool:
        """Verify each teammate of ``logbook``'s team whose file changed and is due; True when a verdict changed."""
        folder = team_folder(logbook)
        if folder is None:
            return False
        own = Path(logbook).resolve()
        changed = False
        with self._lock:  # one round at a time
            for path in author_files(folder):
                if path.resolve() == own:
                    continue
                author, signature = author_of(path), file_signature(path)
                last = self.results.get(author)
                if last is not None and (
                    last.signature == signature or time.monotonic() - last.at < self.interval
                ):
                    continue
                found = _verify(path, signature)
                if found is None:
                    continue  # not readable: the view shows the file's state instead
                self.results[author] = found
                if last is None or (last.ok, last.problem) != (found.ok, found.problem):
                    self.generation += 1
                    changed = True
        return changed


def _verify(path: Path, signature: str) -> Optional[Checked]:
    try:
        with open_read_only(path, check_integrity=False) as store:
            result = verify_logbook(store)
    except (LogbookError, OSError):
        return None
    return Checked(result.ok, "" if result.ok else result.summary(), signature, time.monotonic())
