"""Prediction expressions: checking them when written, judging them after a cell."""

from __future__ import annotations

import ast
import builtins
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

from .errors import LogbookError
from .prediction_steps import RECORDER, Compiled, Step, instrument

#: Credences are clamped into this range before computing surprisal, so that
#: a prediction held with credence 1.0 that fails costs a finite ~10 bits.
PROBABILITY_FLOOR = 0.001

#: The builtins a prediction may call or read; everything else is refused when written and absent when run.
ALLOWED_BUILTINS = frozenset(
    """abs all any ascii bin bool callable chr complex dict divmod enumerate float frozenset hash hex
    int isinstance issubclass len list max min oct ord pow range repr reversed round set slice sorted
    str sum tuple zip""".split()
)
#: Methods that change their object in place; a prediction only looks.
MUTATING_METHODS = frozenset(
    """append extend insert pop remove clear update add discard setdefault popitem sort reverse write
    writelines""".split()
)
#: ``str.format`` reaches attributes by name inside its template ("{0.__class__}").
FORMATTING_METHODS = frozenset({"format", "format_map"})
#: ``range(...)`` in a prediction spans at most this many numbers.
MAX_RANGE = 1_000_000

_CONSTRUCTS = {
    ast.NamedExpr: "an assignment expression (:=): a prediction reads names, it does not bind them",
    ast.Lambda: "a lambda: a prediction is one expression, not a function",
    ast.Await: "await: a prediction is judged at once, it does not wait",
    ast.Yield: "yield: a prediction is one expression, not a generator",
    ast.YieldFrom: "yield from: a prediction is one expression, not a generator",
}
_BUILTIN_NAMES = frozenset(dir(builtins))
_LOOPS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class PredictionSyntaxError(ValueError):
    """A prediction that is not a single valid Python expression, or one a prediction may not be."""


def _refuse(reason: str, text: str) -> PredictionSyntaxError:
    return PredictionSyntaxError(f"not allowed in a prediction: {reason}: {text[:200]!r}")


def _check_call(node: ast.Call, text: str) -> None:
    func = node.func
    if isinstance(func, ast.Name):
        if func.id in _BUILTIN_NAMES and func.id not in ALLOWED_BUILTINS:
            raise _refuse(
                f"the builtin {func.id}() (a prediction may call only {', '.join(sorted(ALLOWED_BUILTINS))})",
                text,
            )
    elif isinstance(func, ast.Attribute):
        if func.attr in MUTATING_METHODS or (func.attr.endswith("_") and not func.attr.endswith("__")):
            raise _refuse(f".{func.attr}() changes its object in place; a prediction only looks", text)
        if func.attr in FORMATTING_METHODS:
            raise _refuse(f".{func.attr}() (its template can reach any attribute); use an f-string", text)
    else:
        raise _refuse("a call of a computed function; call a name or a method", text)


def _check(tree: ast.AST, text: str) -> None:
    """Refuse, with the reason, anything that makes an expression more than a look at the notebook."""
    nodes = list(ast.walk(tree))
    for node in nodes:
        if type(node) in _CONSTRUCTS:
            raise _refuse(_CONSTRUCTS[type(node)], text)
        if isinstance(node, _LOOPS):
            raise _refuse(
                "a comprehension or generator expression (it loops, without bound over an iterator); "
                "reduce a named value instead: (scores > 0).all(), min(scores) > 0, all(flags)",
                text,
            )
    for node in nodes:
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
        if name.startswith("__"):
            raise _refuse(f"the name {name} (names starting with __ reach Python's internals)", text)
    for node in nodes:
        if isinstance(node, ast.Call):
            _check_call(node, text)


def expression_or_text(expression: Optional[str], text: Optional[str]) -> tuple[str, str]:
    """A prediction's words and kind: ``(expression, "expression")`` or ``(text, "text")``.

    A prediction is one or the other; giving both or neither is refused.
    """
    if (expression is None) == (text is None):
        raise LogbookError("give either an expression or a text, not both")
    return (expression, "expression") if text is None else (text, "text")


def parse_expression(expression: str) -> list[str]:
    """Check ``expression`` and return the notebook names it reads, in order.

    Raises :class:`PredictionSyntaxError` with the reason when the text is not
    one Python expression (statements, assignments and syntax errors alike),
    or is one a prediction may not be: see "What a prediction may contain" in
    README. Builtins a prediction may use (:data:`ALLOWED_BUILTINS`) are not
    notebook names.
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
    _check(tree, text)
    reads = sorted(
        (node for node in ast.walk(tree) if isinstance(node, ast.Name)),
        key=lambda node: (node.lineno, node.col_offset),
    )
    names: list[str] = []
    for node in reads:
        if node.id not in ALLOWED_BUILTINS and node.id not in names:
            names.append(node.id)
    if not names:
        raise _refuse("it reads no notebook name, so no cell could ever change its outcome", text)
    return names


def surprisal_bits(credence: float, held: bool) -> float:
    """Bits of surprise at an outcome: -log2 of the probability it was given."""
    p = min(max(credence, PROBABILITY_FLOOR), 1.0 - PROBABILITY_FLOOR)
    probability = p if held else 1.0 - p
    return round(-math.log2(probability), 6)


@dataclass(frozen=True)
class Judgement:
    """The outcome of evaluating one prediction against a namespace, with the values that decided it."""

    held: bool | None
    error: str | None = None
    steps: tuple[Step, ...] = ()

    @property
    def missing(self) -> bool:
        return self.held is None and self.error is None


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise ValueError(f"range() in a prediction spans at most {MAX_RANGE:,} numbers, not {len(numbers):,}")
    return numbers


#: The builtins a prediction runs with: the allowed ones, ``range`` bounded, and ``__import__``,
#: which library code (torch, numpy) looks up in the calling frame's builtins when it imports lazily.
#: An expression cannot name it: names starting with ``__`` are refused when written.
SAFE_BUILTINS = {name: getattr(builtins, name) for name in ALLOWED_BUILTINS} | {
    "range": _bounded_range,
    "__import__": builtins.__import__,
}


@lru_cache(maxsize=1024)
def _compiled(expression: str) -> Compiled | PredictionSyntaxError:
    """The instrumented code of an allowed expression and the names it reads, or why it is refused."""
    try:
        names = parse_expression(expression)
        return instrument(expression.strip(), tuple(names))
    except PredictionSyntaxError as error:
        return error
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return PredictionSyntaxError(f"not a Python expression: {error}")


def judge(expression: str, names: list[str], namespace: dict[str, Any]) -> Judgement:
    """Evaluate ``expression`` against the values ``namespace`` holds for its names.

    The expression is checked again (a logbook may hold one written before the
    rules) and runs with globals of its own: the notebook names it reads
    (``names``, and any others the expression reads) and the allowed builtins,
    so it can neither see nor rebind anything else. Returns ``held=None``
    without an error when a name it needs does not exist yet, and ``error``
    when it is refused or evaluating it (or taking its truth) raises. The
    judgement carries the values of the expression's parts, as pytest shows a
    failing assert (:mod:`logbook.prediction_steps`).
    """
    compiled = _compiled(expression)
    if isinstance(compiled, PredictionSyntaxError):
        return Judgement(held=None, error=f"PredictionSyntaxError: {compiled}")
    needed = (*names, *compiled.reads)
    if any(name not in namespace for name in needed):
        return Judgement(held=None)
    scope = {name: namespace[name] for name in needed}
    scope["__builtins__"] = SAFE_BUILTINS
    seen: list[tuple[int, Any]] = []
    scope[RECORDER] = compiled.recorder(seen)
    try:
        value = eval(compiled.code, scope)  # noqa: S307 - a checked expression, in a scope of its own
        held = bool(value)
    except Exception as error:  # noqa: BLE001 - user expressions may raise anything
        return Judgement(
            held=None, error=f"{type(error).__name__}: {error}", steps=compiled.steps(seen, raised=True)
        )
    return Judgement(held=held, steps=compiled.steps(seen, value))
