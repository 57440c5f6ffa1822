"""``logbook verify`` for a team: every author's chain and seal, and whose record fails."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from logbook.audit.verify import Verification, verify_logbook
from logbook.team.members import STATE_WORDS, Member, open_read_only, team_members


@dataclass(frozen=True)
class AuthorCheck:
    """One author's file and what checking it found (``None`` when the file could not be read)."""

    member: Member
    verification: Optional[Verification]

    @property
    def ok(self) -> bool:
        return self.verification is not None and self.verification.ok

    def line(self) -> str:
        who = f"{self.member.author} (you)" if self.member.mine else self.member.author
        if self.verification is None:
            return f"{who}: {STATE_WORDS[self.member.state]} ({self.member.problem})"
        return f"{who}: {self.verification.summary()}"


def verify_member(member: Member) -> AuthorCheck:
    """Check one author's chain, seals and records; a teammate's file is opened read-only."""
    if member.state != "ok":
        return AuthorCheck(member, None)
    if member.mine:
        from logbook.store.core import Store

        with Store(member.path) as store:
            return AuthorCheck(member, verify_logbook(store))
    with open_read_only(member.path) as store:
        result = verify_logbook(store)
    result.untrusted = []  # a teammate's predictions are theirs to sign; only yours are reviewed here
    return AuthorCheck(member, result)


def verify_team(logbook: Path, authors: Optional[list[str]] = None) -> list[AuthorCheck]:
    """Every author's check in the team project of ``logbook`` (only ``authors`` when given)."""
    members = [m for m in team_members(logbook) if authors is None or m.author in authors]
    return [verify_member(member) for member in members]
