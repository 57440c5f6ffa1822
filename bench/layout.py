"""Figures of the code's layout: files per folder, import levels, cycles, the largest modules.

    python bench/layout.py [CHECKOUT]

CHECKOUT is a folder holding the project (default: this one); to compare with
an earlier revision, check it out beside: ``git worktree add /tmp/before REV``.
An import counts wherever it is written (a function-level import too); import
levels are the longest chain of modules importing one another, a cycle
counting as one level.
"""

from __future__ import annotations

import ast
import collections
import sys
from functools import lru_cache
from pathlib import Path

PACKAGES = ("logbook", "kernel_hooks")


def python_modules(root: Path) -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            if "labextension" in path.parts:
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names if alias.name in modules}
            elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
                base = package[: len(package) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:
                    target = f"{module}.{alias.name}" if f"{module}.{alias.name}" in modules else module
                    if target in modules and target != name:
                        targets.add(target)
        graph[name] = targets
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while group[-1:] != [node]:
                group.append(stack.pop())
            groups.append(group)

    sys.setrecursionlimit(10_000)
    for node in graph:
        if node not in index:
            visit(node)
    return groups


def main(root: Path) -> None:
    modules = python_modules(root)
    graph = import_graph(modules)
    groups = strongly_connected(graph)
    group_of = {module: i for i, group in enumerate(groups) for module in group}
    above = collections.defaultdict(set)
    for module, targets in graph.items():
        above[group_of[module]] |= {group_of[t] for t in targets if group_of[t] != group_of[module]}

    @lru_cache(maxsize=None)
    def levels(group: int) -> int:
        return 1 + max((levels(g) for g in above[group]), default=0)

    def per_folder(paths: list[Path]) -> dict[str, int]:
        return dict(sorted(collections.Counter(str(p.parent.relative_to(root)) for p in paths).items()))

    largest = sorted(modules.values(), key=lambda p: -len(p.read_text().splitlines()))[:6]
    print(
        f"Python modules: {len(modules)}; import levels: {max(map(levels, range(len(groups))))}; "
        f"cycles: {sum(len(g) > 1 for g in groups)}"
    )
    print("Python files per folder:", per_folder(list(modules.values())))
    print(
        "largest modules:",
        ", ".join(f"{p.relative_to(root)} {len(p.read_text().splitlines())}" for p in largest),
    )
    print("TypeScript files per folder:", per_folder(list((root / "extension").rglob("*.ts"))))
    print("test files per folder:", per_folder(list((root / "tests").rglob("*.py"))))
    print("README lines:", len((root / "README.md").read_text().splitlines()))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1])
