"""Python object reprs in cell outputs, made readable for a report.

A cell whose last value is an object shows its repr: ``<Figure size 640x480
with 1 Axes>`` says nothing the figure beside it does not, and
``Hypothesis(id='H1', statement='...', credence=0.7)`` reads better as a
table of its fields.
"""

from __future__ import annotations

import ast
import re
from typing import Optional

_OPAQUE = re.compile(r"^<[^<>\n]+>$")
_ENUM = re.compile(r"<(\w+)\.(\w+): ([^<>]+)>")
_CALL = re.compile(r"^[A-Za-z_][\w.]*\(")
_MAX_FIELDS = 40


def is_opaque(text: str) -> bool:
    """Whether ``text`` is a bare ``<object ...>`` repr: a type and an address, nothing to read."""
    return bool(_OPAQUE.match(text.strip()))


def fields(text: str) -> Optional[tuple[str, list[tuple[str, str]]]]:
    """``Name(a=1, b='x')`` as ``("Name", [("a", "1"), ("b", "x")])``; None when ``text`` is not such a repr.

    >>> fields("Hypothesis(id='H1', credence=0.7)")
    ('Hypothesis', [('id', 'H1'), ('credence', '0.7')])
    """
    text = text.strip()
    if "\n" in text or not _CALL.match(text) or len(text) > 20_000:
        return None
    try:
        call = ast.parse(_ENUM.sub(r"\3", text), mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None
    if not isinstance(call, ast.Call) or call.args or not call.keywords or len(call.keywords) > _MAX_FIELDS:
        return None
    name = ast.unparse(call.func)
    out = []
    for keyword in call.keywords:
        if keyword.arg is None:
            return None
        out.append((keyword.arg, _value(keyword.value)))
    return name, out


def _value(node: ast.expr) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value)
    if isinstance(node, ast.Call) and ast.unparse(node.func) in ("datetime.datetime", "datetime"):
        try:
            from datetime import datetime

            args = [ast.literal_eval(a) for a in node.args[:6]]
            return f"{datetime(*args):%Y-%m-%d %H:%M:%S}"
        except (ValueError, TypeError):
            pass
    return ast.unparse(node)
