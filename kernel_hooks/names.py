"""Which global names a cell's code assigns, read from its syntax tree."""

from __future__ import annotations

import ast
from functools import lru_cache
from typing import Any, Callable, Iterator

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _targets(node: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]


@lru_cache(maxsize=4096)
def assigned_names(code: str) -> tuple[str, ...]:
    """Global names bound by ``code``, in order; empty if it does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return ()
    return names_in(tree, code)


def names_in(tree: ast.Module, code: str) -> tuple[str, ...]:
    """Global names bound by ``tree``, parsed from ``code`` (whose text says whether a walrus may bind any)."""
    names: list[str] = []

    def add(name: str) -> None:
        if name not in names:
            names.append(name)

    if ":=" in code:
        _visit(tree, add)  # a walrus can bind a name anywhere in an expression: every node is looked at
    else:
        _statements(tree.body, add)
    return tuple(names)


def _visit(node: ast.AST, add: Callable[[str], None]) -> None:
    """The global names every node under ``node`` binds, walrus targets included (a module function: no cycle per cell)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            add(child.name)
            continue
        if isinstance(child, ast.Lambda):
            continue
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            for alias in child.names:
                if alias.name != "*":
                    add(alias.asname or alias.name.split(".")[0])
            continue
        if isinstance(child, ast.Global):
            continue
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
            add(child.id)
        elif isinstance(child, ast.comprehension):
            # Comprehension variables are local, but walrus targets inside escape.
            for inner in ast.walk(child):
                if isinstance(inner, ast.NamedExpr):
                    for name in _targets(inner.target):
                        add(name)
            continue
        _visit(child, add)


def _statements(body: list[ast.stmt], add: Callable[[str], None]) -> None:
    """The names ``body`` binds, looking only at statements and their targets.

    Without ``:=``, an expression binds nothing (a comprehension's variables
    are its own), so the expressions of a long cell need not be visited: the
    same names, in the same order, as a visit of every node.
    """
    for statement in body:
        kind = type(statement)
        if kind is ast.Assign:
            for target in statement.targets:  # type: ignore[attr-defined]
                _target(target, add)
        elif kind in _DEFINITIONS:
            add(statement.name)  # type: ignore[attr-defined]
        elif kind is ast.Import or kind is ast.ImportFrom:
            for alias in statement.names:  # type: ignore[attr-defined]
                if alias.name != "*":
                    add(alias.asname or alias.name.split(".")[0])
        elif kind is ast.Expr or kind is ast.Global or kind is ast.Nonlocal or kind is ast.Pass:
            continue
        elif kind is ast.AugAssign or kind is ast.AnnAssign:
            _target(statement.target, add)  # type: ignore[attr-defined]
        elif kind is ast.For or kind is ast.AsyncFor:
            _target(statement.target, add)  # type: ignore[attr-defined]
            _statements(statement.body, add)  # type: ignore[attr-defined]
            _statements(statement.orelse, add)  # type: ignore[attr-defined]
        elif kind is ast.With or kind is ast.AsyncWith:
            for item in statement.items:  # type: ignore[attr-defined]
                if item.optional_vars is not None:
                    _target(item.optional_vars, add)
            _statements(statement.body, add)  # type: ignore[attr-defined]
        else:  # if, while, try, match, type aliases...: every statement list and target inside
            for value in _fields(statement):
                if isinstance(value, ast.stmt):
                    _statements([value], add)
                elif isinstance(value, (ast.ExceptHandler, ast.match_case)):
                    _statements(value.body, add)
                elif isinstance(value, ast.Name) and isinstance(value.ctx, ast.Store):
                    add(value.id)


def _fields(statement: ast.stmt) -> Iterator[Any]:
    for _, value in ast.iter_fields(statement):
        if isinstance(value, list):
            yield from value
        else:
            yield value


def _target(target: ast.expr, add: Callable[[str], None]) -> None:
    """The names an assignment's target binds (``a``, ``a, (b, *c)``; none for ``a.b`` or ``a[i]``)."""
    kind = type(target)
    if kind is ast.Name:
        if type(target.ctx) is ast.Store:  # type: ignore[attr-defined]
            add(target.id)  # type: ignore[attr-defined]
    elif kind is ast.Tuple or kind is ast.List:
        for element in target.elts:  # type: ignore[attr-defined]
            _target(element, add)
    elif kind is ast.Starred:
        _target(target.value, add)  # type: ignore[attr-defined]


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
