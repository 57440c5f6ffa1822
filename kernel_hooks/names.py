"""Which global names a cell's code assigns, read from its syntax tree."""

from __future__ import annotations

import ast
from functools import lru_cache

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
    names: list[str] = []

    def add(name: str) -> None:
        if name not in names:
            names.append(name)

    def visit(node: ast.AST) -> None:
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
            visit(child)

    visit(tree)
    return tuple(names)
