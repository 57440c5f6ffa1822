"""Stable anchors for the records of a report, and Markdown links to them.

A record's anchor is its id in lower case, dots as dashes: ``H1`` is ``h1``,
prediction ``H1.P2`` is ``h1-p2``, surprise ``S3`` is ``s3``, experiment
``E4`` is ``e4`` and brainstorm ``B2`` is ``b2``. The same ids work in the
Markdown and the HTML report, so a link written by any section resolves in both.

>>> link("H1.P2")
'[H1.P2](#h1-p2)'
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^a-z0-9-]+")


def anchor(record_id: str) -> str:
    """The anchor (HTML id) of ``record_id``: ``"H1.P2"`` gives ``"h1-p2"``."""
    return _UNSAFE.sub("-", str(record_id).strip().lower()).strip("-")


def target(record_id: str) -> str:
    """The raw HTML that marks where ``record_id`` is: put it before the record's heading text."""
    return f'<a id="{anchor(record_id)}"></a>'


def link(record_id: str, text: str | None = None) -> str:
    """A Markdown link to ``record_id``, shown as ``text`` (already Markdown; default: the id)."""
    return f"[{text if text is not None else record_id}](#{anchor(record_id)})"


def experiment_id(number: int) -> str:
    """The id a report gives experiment ``number``: ``E4``."""
    return f"E{number}"


def surprise_id(number: int) -> str:
    return f"S{number}"


def brainstorm_id(number: int) -> str:
    return f"B{number}"
