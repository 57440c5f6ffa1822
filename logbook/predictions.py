"""Prediction expressions: checking them when written, judging them after a cell."""

from __future__ import annotations

import ast
import builtins
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

from .errors import LogbookError

#: Credences are clamped into this range before computing surprisal, so that
#: a prediction held with credence 1.0 that fails costs a finite ~10 bits.
PROBABILITY_FLOOR = 0.001

_BUILTIN_NAMES = frozenset(dir(builtins))


class PredictionSyntaxError(ValueError):
    """A prediction that is not a single valid Python expression."""


def expression_or_text(expression: Optional[str], text: Optional[str]) -> tuple[str, str]:
    """A prediction's words and kind: ``(expression, "expression")`` or ``(text, "text")``.

    A prediction is one or the other; giving both or neither is refused.
    """
    if (expression is None) == (text is None):
        raise LogbookError("give either an expression or a text, not both")
    return (expression, "expression") if text is None else (text, "text")


def parse_expression(expression: str) -> list[str]:
    """Check ``expression`` and return the user names it reads, in order.

    Raises :class:`PredictionSyntaxError` with the reason when the text is not
    one Python expression (statements, assignments and syntax errors alike).
    """
    text = expression.strip()
    if not text:
        raise PredictionSyntaxError("the prediction is empty")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        where = f" (column {error.offset})" if error.offset else ""
        raise PredictionSyntaxError(f"not a Python expression: {error.msg}{where}: {text[:200]!r}") from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise PredictionSyntaxError(f"not a Python expression: {error}") from None
    bound = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.comprehension)
        for target in ast.walk(node.target)
        if isinstance(target, ast.Name)
    }
    bound |= {
        arg.arg
        for node in ast.walk(tree)
        if isinstance(node, ast.Lambda)
        for arg in (*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs)
    }
    reads = sorted(
        (node for node in ast.walk(tree) if isinstance(node, ast.Name)),
        key=lambda node: (node.lineno, node.col_offset),
    )
    names: list[str] = []
    for node in reads:
        if node.id not in bound and node.id not in _BUILTIN_NAMES and node.id not in names:
            names.append(node.id)
    return names


def surprisal_bits(credence: float, held: bool) -> float:
    """Bits of surprise at an outcome: -log2 of the probability it was given."""
    p = min(max(credence, PROBABILITY_FLOOR), 1.0 - PROBABILITY_FLOOR)
    probability = p if held else 1.0 - p
    return round(-math.log2(probability), 6)


@dataclass(frozen=True)
class Judgement:
    """The outcome of evaluating one prediction against a namespace."""

    held: bool | None
    error: str | None = None

    @property
    def missing(self) -> bool:
        return self.held is None and self.error is None


@lru_cache(maxsize=1024)
def _compiled(expression: str):
    return compile(expression.strip(), "<prediction>", "eval")


def judge(expression: str, names: list[str], namespace: dict[str, Any]) -> Judgement:
    """Evaluate ``expression`` in ``namespace``.

    The expression runs with ``namespace`` as its globals, as the user's own
    code would. Returns ``held=None`` without an error when a name it needs does not exist
    yet, and ``error`` when evaluating it (or taking its truth) raises.
    """
    if any(name not in namespace for name in names):
        return Judgement(held=None)
    try:
        value = eval(_compiled(expression), namespace)  # noqa: S307 - the user's own code
        return Judgement(held=bool(value))
    except Exception as error:  # noqa: BLE001 - user expressions may raise anything
        return Judgement(held=None, error=f"{type(error).__name__}: {error}")
