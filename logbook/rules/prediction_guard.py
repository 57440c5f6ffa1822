"""A prediction only looks: the checks it runs under when judged, where a value's type shows.

The text of a prediction is checked when written (:func:`logbook.rules.predictions.parse_expression`);
what only the values can tell is checked as it is judged. Its compiled code
goes through small guards:

- each notebook name it reads is looked at once before it runs: a module,
  class, function or iterator is refused (an iterator would advance), and a
  name it calls must be a function you marked as a check;
- each attribute, item and method call goes through a guard that refuses a
  callable or an iterator used as a value, a method not allowed for the
  object's type (:mod:`logbook.rules.prediction_methods`), and a module other than
  the libraries;
- each operator and the library calls that make new values are bounded
  before they run (:mod:`logbook.rules.prediction_bounds`), since code running in
  C cannot be stopped by the time budget.

A refusal raises :class:`PredictionRefused`, before the refused step runs,
so the notebook is left as it was.
"""

from __future__ import annotations

import ast
import collections
import operator
import sys
import types
from typing import Any, Callable, Optional

from logbook.rules.prediction_bounds import (
    MAX_INT_BITS,
    PLAIN,
    SEQUENCES,
    PredictionRefused,
    bits,
    check_arrays,
    check_call,
    check_index,
    check_operation,
    refuse,
    too_many_bits,
)
from logbook.rules.prediction_methods import (
    LIBRARIES,
    allowed_method,
    is_check,
    library,
    type_name,
)

__all__ = ["Guard", "PredictionRefused", "bounded_builtins", "check_names", "check_value", "kind_of"]

#: The names the compiled code calls its guards by (unreachable from a prediction: they start with __).
NAME_ATTR, NAME_ITEM, NAME_CALL, NAME_OP, NAME_CMP, NAME_SLICE = (
    "__logbook_attr__",
    "__logbook_item__",
    "__logbook_call__",
    "__logbook_op__",
    "__logbook_cmp__",
    "__logbook_slice__",
)


# -- what a value is ----------------------------------------------------------

_KINDS: dict[type, str] = {}
_MODEL = "torch.nn.modules.module.Module"


def kind_of(value: Any) -> str:
    """``data``, ``model``, ``module``, ``class``, ``iterator`` or ``callable``, by the value's type (cached)."""
    kind = type(value)
    found = _KINDS.get(kind)
    if found is None:
        found = _KINDS[kind] = _classify(kind)
    return found


def _classify(kind: type) -> str:
    if issubclass(kind, type):
        return "class"
    if issubclass(kind, types.ModuleType):
        return "module"
    bases = kind.__mro__
    if any(type_name(base) == _MODEL for base in bases):
        return "model"  # an object to read and pass to your checks; calling it is not allowed
    if hasattr(kind, "__next__"):
        return "iterator"
    if any("__call__" in vars(base) for base in bases):
        return "callable"
    return "data"


#: What the message says a prediction reaches among modules.
REACHED = "the modules torch, numpy and math (through the functions listed for them)"


def _what(kind: str, value: Any) -> str:
    """``the module os``, ``a method (pop)``, ``an object (Result)``: what a value is, in a refusal."""
    name = getattr(value, "__name__", type(value).__name__)
    if kind == "module":
        return f"the module {name}"
    if kind == "class":
        return f"the class {getattr(value, '__qualname__', name)}"
    if kind == "iterator":
        return f"an iterator ({type(value).__name__})"
    if kind == "model":
        return f"a model ({type(value).__name__})"
    if kind == "callable":
        bound = getattr(value, "__self__", None)
        if isinstance(value, types.MethodType) or (
            bound is not None and not isinstance(bound, types.ModuleType)
        ):
            return f"a method ({name})"
        if isinstance(value, (types.FunctionType, types.BuiltinFunctionType)):
            return f"a function ({name})"
        return f"a callable object ({type(value).__name__})"
    return f"an object ({type(value).__name__})"


def _describe(kind: str, value: Any) -> str:
    what = _what(kind, value)
    if kind == "module":
        return f"{what}: a prediction reaches only {REACHED}"
    if kind == "iterator":
        return f"{what}: reading it would advance it; keep what it yields in a list and predict on that"
    if kind == "class":
        return f"{what}: a prediction reads values, not classes"
    return f"{what}, used as a value: a callable may only be called"


def check_value(text: str, value: Any, made: bool = False) -> Any:
    """``value`` itself, unless it is code (a function, method, class or module) or an iterator.

    ``made``: the value was made by the method that returned it (not read from
    the notebook), so an iterator is new and reading it changes nothing.
    """
    kind = _KINDS.get(type(value)) or kind_of(value)
    if kind == "data" or kind == "model" or (made and kind == "iterator"):
        return value
    raise refuse(text, _describe(kind, value))


def check_names(roles: dict[str, frozenset[str]], scope: dict[str, Any]) -> None:
    """Refuse a notebook name whose value a prediction may not reach in the way it uses it.

    ``roles`` says how the expression uses each name: ``call`` (it calls it),
    ``object`` (it reads an attribute or item of it, or calls its method) or
    ``value`` (anything else).
    """
    for name, used in roles.items():
        if name not in scope:
            continue
        value = scope[name]
        kind = kind_of(value)
        if "call" in used:
            if not is_check(value):
                raise refuse(
                    name,
                    f"{_what(kind, value)} not marked as a check: a prediction calls by name only the builtins "
                    f"it may use and the functions you mark with logbook.checks({name})",
                )
            if used != {"call"}:
                raise refuse(name, "a check may only be called, not read or passed")
        elif kind == "module":
            if used != {"object"} or not _reachable_module(value):
                raise refuse(name, _describe(kind, value))
        elif kind not in ("data", "model"):
            raise refuse(name, _describe(kind, value))


def _reachable_module(value: Any) -> bool:
    """A library module, or a package on the way to one (``torch.nn`` for ``torch.nn.functional``)."""
    if library(value) is not None:
        return True
    name = getattr(value, "__name__", "")
    return sys.modules.get(name) is value and any(lib.startswith(name + ".") for lib in LIBRARIES)


_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "Add": operator.add,
    "Sub": operator.sub,
    "Mult": operator.mul,
    "MatMult": operator.matmul,
    "Div": operator.truediv,
    "FloorDiv": operator.floordiv,
    "Mod": operator.mod,
    "Pow": operator.pow,
    "LShift": operator.lshift,
    "RShift": operator.rshift,
    "BitOr": operator.or_,
    "BitXor": operator.xor,
    "BitAnd": operator.and_,
}


# -- the compiled prediction's guards ----------------------------------------------------


def _compare(op: ast.cmpop) -> Callable[[Any, Any], Any]:
    return {
        ast.Eq: operator.eq,
        ast.NotEq: operator.ne,
        ast.Lt: operator.lt,
        ast.LtE: operator.le,
        ast.Gt: operator.gt,
        ast.GtE: operator.ge,
        ast.Is: operator.is_,
        ast.IsNot: operator.is_not,
        ast.In: lambda a, b: a in b,
        ast.NotIn: lambda a, b: a not in b,
    }[type(op)]


_ELEMENTWISE = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


class Guard:
    """Rewrites a prediction's (instrumented) tree so attributes, items, calls and operators go through guards.

    After :meth:`transform`, ``roles`` says how the expression uses each
    notebook name, and :meth:`helpers` gives the guard functions its code calls.
    """

    def __init__(
        self, source: str, builtins: frozenset[str], bounded: Optional[dict[str, Callable[..., Any]]] = None
    ):
        self.source = source
        self.builtins = builtins
        #: Builtins whose calls go to a bounded stand-in; the names still mean the builtins (``isinstance(x, dict)``).
        self.bounded = bounded or {}
        self.sites: list[tuple[Any, ...]] = []
        self.used: dict[str, set[str]] = collections.defaultdict(set)
        self._temps = 0

    @property
    def roles(self) -> dict[str, frozenset[str]]:
        return {name: frozenset(used) for name, used in self.used.items()}

    def transform(self, tree: ast.Expression) -> ast.Expression:
        tree.body = self._visit(tree.body, "value")
        return tree

    # -- building ---------------------------------------------------------

    def _text(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.source, node) or ast.unparse(node)
        return text if len(text) <= 80 else text[:79] + "…"

    def _site(self, *info: Any) -> ast.Constant:
        self.sites.append(info)
        return ast.Constant(len(self.sites) - 1)

    @staticmethod
    def _call(name: str, args: list[ast.expr], like: ast.AST, keywords: Optional[list] = None) -> ast.Call:
        return ast.copy_location(ast.Call(ast.Name(name, ast.Load()), args, keywords or []), like)

    def _visit(self, node: ast.expr, role: str) -> ast.expr:
        if isinstance(node, ast.Name):
            if node.id not in self.builtins and not node.id.startswith("__"):
                self.used[node.id].add(role)
            return node
        if isinstance(node, ast.Call):
            return self._visit_call(node, role)
        if isinstance(node, ast.Attribute):
            obj = self._visit(node.value, "object")
            return self._call(
                NAME_ATTR, [self._site(node.attr, self._text(node), role == "value"), obj], node
            )
        if isinstance(node, ast.Subscript):
            obj = self._visit(node.value, "object")
            key = self._visit_key(node.slice)
            return self._call(NAME_ITEM, [self._site(self._text(node), role == "value"), obj, key], node)
        if isinstance(node, ast.BinOp):
            left, right = self._visit(node.left, "value"), self._visit(node.right, "value")
            site = self._site(type(node.op).__name__, _OPS[type(node.op).__name__], self._text(node))
            return self._call(NAME_OP, [site, left, right], node)
        if isinstance(node, ast.Compare):
            return self._visit_compare(node)
        for field, value in ast.iter_fields(node):
            if isinstance(value, list):
                setattr(
                    node, field, [self._visit(v, "value") if isinstance(v, ast.expr) else v for v in value]
                )
            elif isinstance(value, ast.expr):
                setattr(node, field, self._visit(value, "value"))
        return node

    def _visit_key(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Slice):
            parts = [
                self._visit(p, "value") if p is not None else ast.Constant(None)
                for p in (node.lower, node.upper, node.step)
            ]
            return self._call(NAME_SLICE, parts, node)
        if isinstance(node, ast.Tuple):
            node.elts = [self._visit_key(element) for element in node.elts]
            return node
        return self._visit(node, "value")

    def _visit_call(self, node: ast.Call, role: str) -> ast.expr:
        func = node.func
        node.args = [self._visit(arg, "value") for arg in node.args]
        for keyword in node.keywords:
            keyword.value = self._visit(keyword.value, "value")
        if isinstance(func, ast.Name):
            if func.id in self.bounded:
                node.func = ast.copy_location(ast.Name(_bounded_name(func.id), ast.Load()), func)
            elif not func.id.startswith("__") and func.id not in self.builtins:
                self.used[func.id].add("call")
            return node  # a builtin (or its bounded stand-in), a check, or the recorder
        assert isinstance(func, ast.Attribute)  # a call of a computed function is refused when written
        obj = self._visit(func.value, "object")
        site = self._site(func.attr, self._text(node), role == "value")
        return self._call(NAME_CALL, [site, obj, *node.args], node, node.keywords)

    def _visit_compare(self, node: ast.Compare) -> ast.expr:
        left = self._visit(node.left, "value")
        rights = [self._visit(each, "value") for each in node.comparators]
        text = self._text(node)
        tests: list[ast.expr] = []
        for index, (op, right) in enumerate(zip(node.ops, rights)):
            if index < len(rights) - 1:  # a < b < c: b is evaluated once, as Python does
                name = f"__logbook_t{self._temps}__"
                self._temps += 1
                right_value: ast.expr = ast.NamedExpr(ast.Name(name, ast.Store()), right)
                following: ast.expr = ast.Name(name, ast.Load())
            else:
                right_value, following = right, right
            site = self._site(_compare(op), isinstance(op, _ELEMENTWISE), text)
            tests.append(self._call(NAME_CMP, [site, left, right_value], node))
            left = following
        return tests[0] if len(tests) == 1 else ast.copy_location(ast.BoolOp(ast.And(), tests), node)

    # -- running ----------------------------------------------------------

    def helpers(self) -> dict[str, Callable[..., Any]]:
        """The guard functions, bound to this expression's sites."""
        sites = self.sites

        def attr(site: int, obj: Any, /) -> Any:
            name, text, leaf = sites[site]
            if isinstance(obj, types.ModuleType) and not _reachable_module(obj):
                raise refuse(text, _describe("module", obj))
            value = getattr(obj, name)
            if isinstance(value, types.ModuleType) and not _reachable_module(value):
                raise refuse(text, _describe("module", value))
            return check_value(text, value) if leaf else value

        def item(site: int, obj: Any, key: Any, /) -> Any:
            text, leaf = sites[site]
            if isinstance(obj, collections.defaultdict) and key not in obj:
                raise refuse(text, f"{key!r} is not in this defaultdict, and reading it would add it")
            check_index(text, obj, key)
            value = obj[key]
            return check_value(text, value) if leaf else value

        def call(site: int, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
            name, text, leaf = sites[site]
            allowed, most = allowed_method(obj, name)
            if not allowed:
                raise refuse(text, _not_allowed(obj, name))
            if "out" in kwargs:
                raise refuse(text, "out= writes into an existing value")
            if most is not None and len(args) > most:
                raise refuse(
                    text,
                    f"{name}() takes at most {most} positional argument{'s' if most != 1 else ''} in a prediction "
                    "(the next one is where it would write its result)",
                )
            check_call(text, obj, name, args, kwargs)
            value = getattr(obj, name)(*args, **kwargs)
            # A method's result is new, but for get(), which hands back what the notebook holds.
            return check_value(text, value, made=name != "get") if leaf else value

        def op(site: int, a: Any, b: Any, /) -> Any:
            name, function, text = sites[site]
            if type(a) is not float or type(b) is not float:
                check_operation(text, name, a, b)
            return function(a, b)

        def cmp(site: int, a: Any, b: Any, /) -> Any:
            function, elementwise, text = sites[site]
            if elementwise and type(a) not in PLAIN and type(b) not in PLAIN:
                check_arrays(text, (a, b))
            return function(a, b)

        helpers: dict[str, Callable[..., Any]] = {
            NAME_ATTR: attr,
            NAME_ITEM: item,
            NAME_CALL: call,
            NAME_OP: op,
            NAME_CMP: cmp,
            NAME_SLICE: slice,
        }
        return helpers | {_bounded_name(name): function for name, function in self.bounded.items()}


def _bounded_name(builtin: str) -> str:
    return f"__logbook_{builtin}__"


def _not_allowed(obj: Any, name: str) -> str:
    module = library(obj)
    if module is not None:
        return f"{module}.{name}() is not one of the {module} functions a prediction may call"
    if isinstance(obj, types.ModuleType):
        return _describe("module", obj)
    if isinstance(obj, type):
        return f"{name}() of {_what('class', obj)}: a prediction calls methods of values, not of classes"
    kind = type(obj)
    shown = kind.__qualname__ if kind.__module__ == "builtins" else type_name(kind)
    return (
        f"{name}() is not a method a prediction may call on a {shown} (only methods that leave "
        "their object as it was; logbook.allow_methods() adds your own)"
    )


# -- bounded builtins ---------------------------------------------------------------


def bounded_builtins() -> dict[str, Callable[..., Any]]:
    """Stand-ins for the builtins whose arguments can make them run unstoppably long in C, each bounded.

    A prediction's calls of these builtins go to the stand-ins (:class:`Guard`);
    the names themselves stay the builtins, so ``isinstance(x, dict)`` holds.
    """

    def pow_(base: Any, exp: Any, mod: Any = None) -> Any:
        text = "pow(…)"
        if mod is None:
            check_operation(text, "Pow", base, exp)
            return pow(base, exp)
        if max(bits(base), bits(exp), bits(mod)) > MAX_INT_BITS:
            raise too_many_bits(text, max(bits(base), bits(exp), bits(mod)))
        return pow(base, exp, mod)

    def round_(number: Any, ndigits: Any = None) -> Any:
        if isinstance(number, int) and isinstance(ndigits, int) and -ndigits > MAX_INT_BITS * 0.30103:
            raise too_many_bits("round(…)", -ndigits / 0.30103)
        return round(number) if ndigits is None else round(number, ndigits)

    def sum_(iterable: Any, /, start: Any = 0) -> Any:
        if isinstance(start, SEQUENCES):
            raise refuse(
                "sum(…)", "a sum of sequences copies them again for every item (its time is not bounded)"
            )
        return sum(iterable, start)

    def divmod_(a: Any, b: Any) -> Any:
        check_operation("divmod(…)", "FloorDiv", a, b)
        return divmod(a, b)

    def dict_(*args: Any, **kwargs: Any) -> dict:
        if args and isinstance(args[0], (list, tuple)):
            for element in args[0]:
                if kind_of(element) == "iterator":
                    raise refuse("dict(…)", _describe("iterator", element))
        return dict(*args, **kwargs)

    return {"pow": pow_, "round": round_, "sum": sum_, "divmod": divmod_, "dict": dict_}
