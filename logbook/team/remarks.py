"""Comments, challenges and follow-ups on a teammate's record: written in your logbook, shown in theirs."""

from __future__ import annotations

import re

from logbook.errors import LogbookError
from logbook.models import Remark
from logbook.store.core import Store
from logbook.team.view import teammate_record

#: A teammate's record as a team writes it: ``H3·bob``, or ``H3@bob`` where ``·`` is hard to type.
_REFERENCE = re.compile(r"^\s*([HhSs]\d+)\s*[·@]\s*(\S.*?)\s*$")


def parse_reference(text: str) -> tuple[str, str]:
    """``"H3·bob"`` → ``("bob", "H3")``: whose record, and which.

    >>> parse_reference("H3·bob"), parse_reference("s2@ana.lee")
    (('bob', 'H3'), ('ana.lee', 'S2'))
    """
    match = _REFERENCE.match(text)
    if not match:
        raise LogbookError(f"{text!r} names no teammate's record: write it as H3·bob (or H3@bob)")
    return match.group(2), match.group(1).upper()


def write_remark(
    store: Store,
    kind: str,
    author: str,
    record_id: str,
    text: str = "",
    expression: str = "",
    credence: float = 0.9,
) -> Remark:
    """Write a ``comment`` (``text``), a ``challenge`` (``expression`` at ``credence``) or a ``follow-up``
    (``text``: your hypothesis) on ``author``'s ``record_id``, after reading that it exists."""
    about = teammate_record(store.path, author, record_id)
    if kind == "comment":
        return store.comment(author, record_id, text)
    if kind == "follow-up":
        if not text.strip():
            raise LogbookError("a follow-up is a hypothesis of yours: state it")
        return store.follow_up_teammate(author, record_id, text)
    if kind == "challenge":
        if not expression.strip():
            raise LogbookError("a challenge is a prediction of yours: write its expression, e.g. score < 0.2")
        return store.challenge(author, record_id, about, expression, credence)
    raise LogbookError(f"unknown remark {kind!r}; choose comment, challenge or follow-up")
