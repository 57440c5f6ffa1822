"""Prediction expressions: checking them when written, judging them after a cell."""

from __future__ import annotations

import ast
import builtins
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

from logbook.errors import LogbookError, PredictionSyntaxError
from logbook.rules.prediction_bounds import PredictionRefused, format_spec_problem
from logbook.rules.prediction_guard import Guard, bounded_builtins, check_names
from logbook.rules.prediction_steps import (
    RECORDER,
    Compiled,
    Step,
    instrument,
)

#: Credences are clamped into this range before computing surprisal, so that
#: a prediction held with credence 1.0 that fails costs a finite ~10 bits.
PROBABILITY_FLOOR = 0.001

#: The builtins a prediction may call or read; everything else is refused when written and absent when run.
ALLOWED_BUILTINS = frozenset(
    """abs all any ascii bin bool callable chr complex dict divmod enumerate float frozenset hash hex
    int isinstance issubclass len list max min oct ord pow range repr reversed round set slice sorted
    str sum tuple zip""".split()
)
#: Methods known to change their object (on every type that has them): refused as soon as they are
#: written, called or not. Which methods a prediction may call is decided by an allow-list per type
#: when it is judged (:mod:`logbook.rules.prediction_methods`); this list only refuses the obvious early.
MUTATING_METHODS = frozenset(
    """append extend insert pop remove clear update add discard setdefault popitem reverse write
    writelines fill put popleft appendleft extendleft rotate difference_update intersection_update
    symmetric_difference_update resize itemset setflags send throw close train eval apply backward
    zero_grad load_state_dict register_hook register_forward_hook register_forward_pre_hook
    register_full_backward_hook register_full_backward_pre_hook register_backward_hook register_buffer
    register_parameter register_module add_module add_hook add_perma_hook reset_hooks
    remove_all_hook_fns remove_batch_dim compute_head_results toggle_autodiff""".split()
)
#: Builtins that take a ``key=`` function: a prediction hands no callable over.
_KEYED = frozenset({"min", "max", "sorted"})
#: Builtins whose second argument may be a builtin type (``isinstance(x, float)``).
_CLASSINFO = frozenset({"isinstance", "issubclass"})
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
    ast.Starred: "unpacking with * (name each argument)",
}
_BUILTIN_NAMES = frozenset(dir(builtins))
_LOOPS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _refuse(reason: str, text: str) -> PredictionSyntaxError:
    return PredictionSyntaxError(f"not allowed in a prediction: {reason}: {text[:200]!r}")


def method_refusal(name: str) -> Optional[str]:
    """Why a method named ``name`` is refused in every prediction, whatever its object, or None."""
    if name in MUTATING_METHODS or (name.endswith("_") and not name.endswith("__")):
        return f".{name}() changes its object in place; a prediction only looks"
    if name in FORMATTING_METHODS:
        return f".{name}() (its template can reach any attribute); use an f-string"
    if name.startswith("__"):
        return f"the name {name} (names starting with __ reach Python's internals)"
    return None


def _check_call(node: ast.Call, text: str) -> None:
    func = node.func
    if isinstance(func, ast.Name):
        if func.id in _BUILTIN_NAMES and func.id not in ALLOWED_BUILTINS:
            raise _refuse(
                f"the builtin {func.id}() (a prediction may call only {', '.join(sorted(ALLOWED_BUILTINS))})",
                text,
            )
        if func.id in _KEYED and any(keyword.arg == "key" for keyword in node.keywords):
            raise _refuse(
                f"key= in {func.id}(): a callable passed as a value (a prediction calls functions, "
                "it never hands one over); reduce a named value instead",
                text,
            )
    elif not isinstance(func, ast.Attribute):
        raise _refuse("a call of a computed function; call a name or a method", text)
    for keyword in node.keywords:
        if keyword.arg is None:
            raise _refuse("unpacking with ** (name each argument)", text)
        if keyword.arg == "out":
            raise _refuse("out= writes into an existing value", text)


def _check_values(nodes: list[ast.AST], text: str) -> None:
    """Builtins are called (or name a type for isinstance), never passed; methods that change things never appear."""
    called = {id(node.func) for node in nodes if isinstance(node, ast.Call)}
    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CLASSINFO:
            for arg in node.args[1:2]:
                called.add(id(arg))
                called.update(id(element) for element in getattr(arg, "elts", ()))
    for node in nodes:
        if isinstance(node, ast.Name) and node.id in ALLOWED_BUILTINS and id(node) not in called:
            raise _refuse(
                f"the builtin {node.id} used as a value: a callable may only be called "
                "(a builtin type may name the class in isinstance())",
                text,
            )
        if isinstance(node, ast.Attribute):
            reason = method_refusal(node.attr)
            if reason is not None and id(node) not in called:
                reason = f".{node.attr}, a method that changes its object, used as a value; a prediction only looks"
            if reason is not None:
                raise _refuse(reason, text)
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            parts = getattr(node.format_spec, "values", [])
            if any(not isinstance(part, ast.Constant) for part in parts):
                raise _refuse("a format spec computed from values (write it out)", text)
            problem = format_spec_problem("".join(str(part.value) for part in parts))
            if problem:
                raise _refuse(problem, text)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            if isinstance(node.left, ast.Constant) and isinstance(node.left.value, (str, bytes)):
                raise _refuse("printf-style % formatting; use an f-string", text)


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
        if isinstance(node, ast.Dict) and None in node.keys:
            raise _refuse("unpacking with ** (name each key)", text)
    _check_values(nodes, text)


def expression_or_text(expression: Optional[str], text: Optional[str]) -> tuple[str, str]:
    """A prediction's words and kind: ``(expression, "expression")`` or ``(text, "text")``.

    A prediction is one or the other; giving both or neither is refused.
    """
    if expression is not None and text is None:
        return expression, "expression"
    if text is not None and expression is None:
        return text, "text"
    raise LogbookError("give either an expression or a text, not both")


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


#: The builtins a prediction runs with: the allowed ones and ``__import__``, which library code
#: (torch, numpy) looks up in the calling frame's builtins when it imports lazily. An expression
#: cannot name it: names starting with ``__`` are refused when written.
SAFE_BUILTINS = {name: getattr(builtins, name) for name in ALLOWED_BUILTINS} | {
    "__import__": builtins.__import__
}
#: What a prediction's calls of the builtins that could run unstoppably long go to: bounded stand-ins.
BOUNDED_BUILTINS = bounded_builtins() | {"range": _bounded_range}


@dataclass(frozen=True)
class _Guarded:
    """A prediction compiled to run under its guards: the code, its steps, and how it uses each name."""

    compiled: Compiled
    roles: dict[str, frozenset[str]]
    helpers: dict[str, Any]


@lru_cache(maxsize=1024)
def _compiled(expression: str) -> _Guarded | PredictionSyntaxError:
    """The guarded, instrumented code of an allowed expression, or why it is refused."""
    try:
        names = parse_expression(expression)
        guard = Guard(expression.strip(), ALLOWED_BUILTINS, BOUNDED_BUILTINS)
        compiled = instrument(expression.strip(), tuple(names), transform=guard.transform)
        return _Guarded(compiled, guard.roles, guard.helpers())
    except PredictionSyntaxError as error:
        return error
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return PredictionSyntaxError(f"not a Python expression: {error}")


def judge(expression: str, names: list[str], namespace: dict[str, Any]) -> Judgement:
    """Evaluate ``expression`` against the values ``namespace`` holds for its names.

    The expression is checked again (a logbook may hold one written before the
    rules) and runs with globals of its own: the notebook names it reads
    (``names``, and any others the expression reads) and the allowed builtins,
    so it can neither see nor rebind anything else. What only the values can
    tell is checked as it runs (:mod:`logbook.rules.prediction_guard`): a name that
    is a module, class, function or iterator, a method not allowed for its
    object's type, a callable passed as a value, or a result too big to make
    is refused (``PredictionRefused: ...``) before that step runs, so the
    notebook is left as it was. Returns ``held=None`` without an error when a
    name it needs does not exist yet, and ``error`` when it is refused or
    evaluating it (or taking its truth) raises. The judgement carries the
    values of the expression's parts, as pytest shows a failing assert
    (:mod:`logbook.rules.prediction_steps`).
    """
    guarded = _compiled(expression)
    if isinstance(guarded, PredictionSyntaxError):
        return Judgement(held=None, error=f"PredictionSyntaxError: {guarded}")
    compiled = guarded.compiled
    needed = (*names, *compiled.reads)
    if any(name not in namespace for name in needed):
        return Judgement(held=None)
    scope = {name: namespace[name] for name in needed}
    try:
        check_names(guarded.roles, scope)
    except PredictionRefused as error:
        return Judgement(held=None, error=f"PredictionRefused: {error}")
    scope.update(guarded.helpers)
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
