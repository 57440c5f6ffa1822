"""What a search looks for, and where it was found: the words of a query and the line that holds them.

A query is plain words: quotes, ``AND``, ``NEAR``, ``*`` and the rest of
FTS5's syntax are read as the words and punctuation they are, never as
operators, so no query can fail to parse.

>>> fts_query('induction "head" AND')
'"induction"* "head"* "and"*'
>>> find_line([("source", "x = 1\\ny = induction_score(x)")], search_words("induction"))
Match(field='source', line=2, text='y = induction_score(x)', marks=((4, 13),))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from logbook.errors import LogbookError
from logbook.text import clean_text

#: A query holds at most this many words (a pasted sentence fits; a pasted file does not).
MAX_WORDS = 32
MAX_QUERY_CHARS = 2000
#: Words shorter than this match whole words only: as prefixes ("a*") they would match most of a logbook.
SHORTEST_PREFIX = 3
#: A matching line longer than this is cut to a window around its first match.
MATCH_WIDTH = 120
#: Characters kept before the first match when a line is cut.
LEAD = 40

_TOKEN = re.compile(r"[^\W_]+")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
#: Endings tried off a word that matched only through stemming ("runs" found "running").
_ENDINGS = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s")


@dataclass(frozen=True)
class Word:
    """One word of a query: its tokens as the index splits them (``logit_diff``: logit, diff)."""

    tokens: tuple[str, ...]

    @property
    def prefix(self) -> bool:
        """Whether its last token matches as a prefix (``induc`` finds ``induction``)."""
        return len(self.tokens[-1]) >= SHORTEST_PREFIX

    def fts(self) -> str:
        return '"' + " ".join(self.tokens) + '"' + ("*" if self.prefix else "")

    def pattern(self, stem: bool = False) -> Optional[re.Pattern]:
        """A regular expression for the word in text; ``stem``: its last token without its ending."""
        tokens = list(self.tokens)
        if stem:
            last = tokens[-1]
            ending = next((e for e in _ENDINGS if last.endswith(e) and len(last) - len(e) >= 3), None)
            if ending is None:
                return None
            tokens[-1] = last[: -len(ending)]
        body = r"[\W_]+".join(re.escape(t) for t in tokens)
        tail = r"[^\W_]*" if self.prefix or stem else r"(?![^\W_])"
        return re.compile(r"(?<![^\W_])" + body + tail, re.IGNORECASE)


def search_words(text: str) -> list[Word]:
    """The words of a query, each split into tokens as the index splits text; raises when there is none.

    Punctuation and FTS5 operators are plain characters here: ``"x" AND (y*``
    is the words ``x``, ``and`` and ``y``.
    """
    text = clean_text(text)
    if len(text) > MAX_QUERY_CHARS:
        raise LogbookError(
            f"the search is too long ({len(text):,} characters): search for at most {MAX_QUERY_CHARS:,}"
        )
    words: list[Word] = []
    for piece in text.split():
        tokens = tuple(t.lower() for t in _TOKEN.findall(piece))
        if tokens and Word(tokens) not in words:
            words.append(Word(tokens))
    if not words:
        if text.strip():
            raise LogbookError(
                f"nothing to search for in {text.strip()[:40]!r}: a search matches words and numbers, not punctuation"
            )
        raise LogbookError("nothing to search for: type a word")
    if len(words) > MAX_WORDS:
        raise LogbookError(f"the search has {len(words)} words: search for at most {MAX_WORDS}")
    return words


def fts_query(text: str) -> str:
    """User text as an FTS5 query: each word a quoted phrase (a prefix when long enough), all required."""
    return " ".join(word.fts() for word in search_words(text))


def plain(text: Optional[str]) -> str:
    """Text as a reader sees it: terminal colour codes removed."""
    return _ANSI.sub("", text or "")


@dataclass(frozen=True)
class Match:
    """Where a search matched: the field, the line's number in it (from 1), the line cut to the
    match with its context, and the marked spans of that text as (start, end) pairs."""

    field: str
    line: int
    text: str
    marks: tuple[tuple[int, int], ...]


def match_dict(match: Match) -> dict:
    """A match as JSON sends it: ``{"field", "line", "text", "marks": [[start, end], ...]}``."""
    return {
        "field": match.field,
        "line": match.line,
        "text": match.text,
        "marks": [list(m) for m in match.marks],
    }


def find_line(fields: Iterable[tuple[str, Optional[str]]], words: list[Word]) -> Optional[Match]:
    """The first line of ``fields`` ((name, text) pairs, in order) holding the most search ``words``.

    A line with every word wins at once. A word found only through stemming
    is looked for without its ending; ``None`` when no line holds any word.
    """
    texts = [(name, plain(text)) for name, text in fields if text]
    for stem in (False, True):
        patterns = [p for p in (w.pattern(stem) for w in words) if p is not None]
        if not patterns:
            continue
        best: Optional[tuple[int, str, int, str, list[tuple[int, int]]]] = None
        for name, text in texts:
            for number, line in enumerate(text.splitlines(), start=1):
                spans = [m.span() for p in patterns for m in p.finditer(line)]
                found = sum(1 for p in patterns if p.search(line))
                if found and (best is None or found > best[0]):
                    best = (found, name, number, line, spans)
                    if found == len(patterns):
                        return _cut(*best[1:])
        if best is not None:
            return _cut(*best[1:])
    return None


def first_line(field: str, text: Optional[str]) -> Match:
    """A field's first non-blank line, unmarked: what a result shows when no word is visible in it."""
    lines = plain(text).splitlines()
    number = next((i for i, line in enumerate(lines, start=1) if line.strip()), 1)
    line = lines[number - 1] if lines else ""
    return _cut(field, number, line, [])


def _cut(field: str, number: int, line: str, spans: list[tuple[int, int]]) -> Match:
    """The line stripped, cut to ``MATCH_WIDTH`` characters around its first match, with spans moved to match."""
    indent = len(line) - len(line.lstrip())
    text = line.strip()
    spans = sorted((s - indent, e - indent) for s, e in spans if e - indent > 0 and s - indent < len(text))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        start, end = max(0, start), min(len(text), end)
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    if len(text) > MATCH_WIDTH:
        left = max(0, min((merged[0][0] if merged else 0) - LEAD, len(text) - MATCH_WIDTH))
        right = left + MATCH_WIDTH
        shift = 1 if left else 0
        kept = [(max(s, left), min(e, right)) for s, e in merged if e > left and s < right]
        merged = [(s - left + shift, e - left + shift) for s, e in kept]
        text = ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")
    return Match(field, number, text, tuple(merged))
