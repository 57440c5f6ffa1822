"""The values that decided a verdict, as pytest shows a failing assert.

A prediction is compiled with its parts instrumented: each operand of a
comparison, each operand of ``and``/``or``/``not``, and each comparison
itself hands its value to a recorder as it is evaluated, in one evaluation
(short-circuits and chained comparisons behave exactly as written). After
judging, the parts read as steps::

    head_scores.max() → 0.3
    0.3 > 0.5 → False

Values are kept as they came and turned into short text only after the
expression has run: a number to four significant digits, a one-element
tensor or array as its number, a small one as its elements, a larger one as
its dtype and shape.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Any, Callable, Optional

#: The name the instrumented code calls to record a part (unreachable from a prediction: it starts with __).
RECORDER = "__logbook_part__"
#: Elements of a tensor or array shown one by one; larger ones show their dtype and shape.
MAX_ELEMENTS = 8
#: Characters of a value's text kept in a step.
MAX_TEXT = 80


@dataclass(frozen=True)
class Step:
    """One part of a prediction and the value it had when judged: ``head_scores.max() → 0.3``."""

    text: str
    value: str

    def as_dict(self) -> dict[str, str]:
        return {"text": self.text, "value": self.value}


#: How a comparison shows one side: a recorded part (its index), a constant (its text), or a nested test (None).
Ref = int | str | None


@dataclass(frozen=True)
class _Part:
    """An instrumented node: an operand (shown as its source) or a comparison (shown with its values in)."""

    text: str
    compare: Optional[tuple[Ref, list[str], list[Ref]]] = None  # (left side, operators, right sides)


_OPERATORS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}


def _is_test(node: ast.expr) -> bool:
    """A comparison or boolean, which records itself."""
    return isinstance(node, (ast.Compare, ast.BoolOp)) or (
        isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)
    )


class _Instrument(ast.NodeTransformer):
    def __init__(self, text: str):
        self.text = text
        self.parts: list[_Part] = []

    def _source(self, node: ast.expr) -> str:
        return ast.get_source_segment(self.text, node) or ast.unparse(node)

    def _wrap(self, node: ast.expr, part: _Part) -> ast.expr:
        self.parts.append(part)
        call = ast.Call(ast.Name(RECORDER, ast.Load()), [ast.Constant(len(self.parts) - 1), node], [])
        return ast.copy_location(call, node)

    def _operand(self, node: ast.expr) -> tuple[ast.expr, Ref]:
        """``node`` transformed and, unless it is a constant or a test of its own, recorded under its text."""
        if isinstance(node, ast.Constant):
            return node, self._source(node)
        text = self._source(node)
        transformed = self.visit(node)
        if _is_test(node):
            return transformed, None
        return self._wrap(transformed, _Part(text)), len(self.parts) - 1

    def visit_Compare(self, node: ast.Compare) -> ast.expr:
        text = self._source(node)
        node.left, left = self._operand(node.left)
        rights = [self._operand(each) for each in node.comparators]
        node.comparators = [transformed for transformed, _ in rights]
        operators = [_OPERATORS.get(type(op), "?") for op in node.ops]
        return self._wrap(node, _Part(text, (left, operators, [ref for _, ref in rights])))

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.expr:
        node.values = [self._operand(value)[0] for value in node.values]
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        if isinstance(node.op, ast.Not):
            node.operand = self._operand(node.operand)[0]
            return node
        self.generic_visit(node)  # transforms the children in place
        return node


@dataclass
class Compiled:
    """A prediction's instrumented code, the notebook names it reads, and how to read its parts."""

    code: Any
    reads: tuple[str, ...]
    text: str
    parts: list[_Part]
    #: Whether the expression is one comparison, so its last step already shows the whole.
    whole_is_compare: bool

    def recorder(self, seen: list[tuple[int, Any]]) -> Callable[[int, Any], Any]:
        """The function the instrumented code calls with each part's value: it notes it and passes it on."""
        note = seen.append

        def part(index: int, value: Any) -> Any:
            note((index, value))
            return value

        return part

    def steps(
        self, seen: list[tuple[int, Any]], result: Any = None, raised: bool = False
    ) -> tuple[Step, ...]:
        """The parts evaluated, in order, each once, with each comparison shown with its values in."""
        shown: dict[int, str] = {}
        steps: list[Step] = []
        for index, value in seen:
            part = self.parts[index]
            if part.compare is None:
                shown[index] = value_text = short(value)
                if value_text != part.text and all(step.text != part.text for step in steps):
                    steps.append(Step(part.text, value_text))
                continue
            left, operators, rights = part.compare
            pieces = [_side(left, shown)]
            for operator, right in zip(operators, rights):
                pieces += [operator, _side(right, shown)]
            steps.append(Step(" ".join(pieces), short(value)))
        if not raised and not self.whole_is_compare:
            steps.append(Step(self.text, short(bool(result))))
        return tuple(steps)


def _side(ref: Ref, shown: dict[int, str]) -> str:
    if isinstance(ref, str):
        return ref
    if ref is None:
        return "(…)"  # a nested test, shown as a step of its own
    return shown.get(ref, "…")  # not reached: a chained comparison stopped before it


def instrument(
    text: str,
    reads: tuple[str, ...],
    transform: Optional[Callable[[ast.Expression], ast.Expression]] = None,
) -> Compiled:
    """Compile ``text`` (an already checked prediction) with its parts recorded as they are evaluated.

    ``transform`` rewrites the instrumented tree before it is compiled (the guards of
    :mod:`logbook.rules.prediction_guard`); it keeps the parts' positions in ``text``.
    """
    tree = ast.parse(text, mode="eval")
    transformer = _Instrument(text)
    whole_is_compare = isinstance(tree.body, ast.Compare)
    tree.body = transformer.visit(tree.body)
    if transform is not None:
        tree = transform(tree)
    ast.fix_missing_locations(tree)
    code = compile(tree, "<prediction>", "eval")
    return Compiled(code, reads, text, transformer.parts, whole_is_compare)


def short(value: Any) -> str:
    """A value as a step shows it: numbers to four significant digits, tensors by their elements or shape."""
    try:
        text = _short(value)
    except Exception:  # noqa: BLE001 - a value that cannot be shown still judged; say what it is
        text = f"<{type(value).__name__}>"
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _number(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        text = format(value, ".4g")
        return text if any(c in text for c in ".e") else text + ".0"  # a float keeps its decimal
    if isinstance(value, complex):
        return format(value, ".4g")
    return repr(value)


def _short(value: Any) -> str:
    if value is None or isinstance(value, (bool, int, float, complex)):
        return _number(value)
    if isinstance(value, str):
        return repr(value)
    kind = type(value)
    module = kind.__module__ or ""
    if module.startswith(("torch", "numpy")) and hasattr(value, "shape") and hasattr(value, "tolist"):
        shape = tuple(value.shape)
        size = math.prod(shape)
        if size == 1:
            item = value.reshape(-1)[0].item() if shape else value.item()
            return _number(item)
        if size <= MAX_ELEMENTS and getattr(getattr(value, "device", None), "type", "cpu") != "meta":
            return _nested(value.tolist())
        dtype = str(getattr(value, "dtype", "")).replace("torch.", "")
        return f"{dtype} [{', '.join(str(n) for n in shape)}]"
    if module == "numpy" or (module.startswith("numpy") and hasattr(value, "item")):
        return _number(value.item())
    if kind in (list, tuple, set, frozenset, dict):
        return repr(value) if len(value) <= MAX_ELEMENTS else f"{kind.__name__} of {len(value)}"
    return f"<{kind.__name__}>"


def _nested(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_nested(each) for each in value) + "]"
    return _number(value)
