"""The code's areas stay visible: no module imports itself round a cycle, and each area imports
only the areas beneath it (models and words < rules < store < audit, team, report < cli, server)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("logbook", "kernel_hooks")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "labextension" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules ``name`` imports, at any depth (a function-level import counts)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                # ``from package import submodule`` imports the submodule, not the package's names.
                target = f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module
                if target in known and target != name:
                    found.add(target)
    return found


GRAPH = {name: imports(name, path, modules()) for name, path in modules().items()}


def cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in GRAPH[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in GRAPH:
        if node not in index:
            visit(node)
    return groups


def test_no_module_imports_itself_round_a_cycle():
    assert cycles() == []


#: Each area, and the areas it must never import.
FORBIDDEN = {
    "logbook.rules": (
        "logbook.store",
        "logbook.audit",
        "logbook.report",
        "logbook.server",
        "logbook.cli",
        "logbook.api",
    ),
    "logbook.store": ("logbook.audit", "logbook.report", "logbook.server", "logbook.cli", "logbook.api"),
    "logbook.audit": ("logbook.report", "logbook.server", "logbook.cli", "logbook.api"),
    "logbook.team": ("logbook.report", "logbook.server", "logbook.cli", "logbook.api"),
    "logbook.report": ("logbook.server", "logbook.cli", "logbook.api"),
    "logbook.server": ("logbook.cli", "logbook.api"),
    "kernel_hooks": ("logbook.server", "logbook.cli"),
}


@pytest.mark.parametrize("area", sorted(FORBIDDEN))
def test_an_area_imports_only_the_areas_beneath_it(area):
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if module == area or module.startswith(area + ".")
        for target in targets
        if any(target == banned or target.startswith(banned + ".") for banned in FORBIDDEN[area])
    )
    assert wrong == []


def test_a_function_level_import_counts(tmp_path):
    module = tmp_path / "later.py"
    module.write_text("def later():\n    from logbook.store.core import Store\n    return Store\n")
    assert imports("logbook.rules.later", module, modules()) == {"logbook.store.core"}
