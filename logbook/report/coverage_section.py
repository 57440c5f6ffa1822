"""The report's coverage section: for each model, which heads and hook points the experiments looked at."""

from __future__ import annotations

from typing import Any

from logbook.report.charts import coverage_spec
from logbook.rules.coverage import LETTERS, LOOKED, ModelCoverage, coverage_maps


def _cell_text(counts: dict[str, int]) -> str:
    """``rh`` for read and hooked; ``c`` for a cell only cached (available, never looked at); ``·`` untouched."""
    seen = "".join(LETTERS[kind] for kind in LOOKED if counts.get(kind))
    return seen or ("c" if counts.get("cached") else "·")


def _short(fingerprint: str) -> str:
    return fingerprint.split(":", 1)[-1][:8]


def weights_line(cov: ModelCoverage) -> str:
    """The weight fingerprints a map's model had, in one sentence (empty when none was recorded)."""
    seen = cov.fingerprints
    if not seen:
        return ""
    if len(seen) == 1:
        return f"Weights `{_short(seen[0].fingerprint)}` throughout."
    spans = []
    for weights in seen:
        span = (
            f"experiment {weights.first_experiment}"
            if weights.first_experiment == weights.last_experiment
            else f"experiments {weights.first_experiment}–{weights.last_experiment}"
        )
        when = f", from {weights.first_seen:%Y-%m-%d %H:%M}" if weights.first_seen else ""
        spans.append(f"`{_short(weights.fingerprint)}` ({span}{when})")
    return f"{len(seen)} sets of weights under one map (retrained or reloaded): " + ", ".join(spans) + "."


def coverage_section(experiments: list[Any], lines: list[str], chart: Any = None) -> None:
    """The body of the report's "Where you have not looked" section, from the experiments in range;
    ``chart(spec, alt)`` gives the lines of each model's heads grid (the HTML report draws it)."""
    maps = coverage_maps((e.id, e.torch, e.started_at) for e in experiments if e.torch)
    if not maps:
        lines += ["No TransformerLens model ran in this range.", ""]
        return
    lines += [
        "Per model: r read from a cache, h hooked, a ablated, p patched; "
        "c cached but never read; · never touched. Only r, h, a and p count as looked at.",
        "",
    ]
    for cov in maps:
        total = cov.n_layers * cov.n_heads
        unread = f" ({cov.unread_heads} of them cached but never read)" if cov.unread_heads else ""
        weights = weights_line(cov)
        lines += [
            f"### {cov.model}",
            "",
            f"{len(cov.experiments)} experiment{'s' if len(cov.experiments) != 1 else ''}; "
            f"{cov.untouched_heads} of {total} attention heads never looked at{unread}.",
            "",
            *([weights, ""] if weights else []),
        ]
        if chart is not None and cov.n_heads:
            lines += chart(coverage_spec(cov), f"attention heads looked at in {cov.model}")
        if cov.n_heads:
            lines.append("| layer | " + " | ".join(f"H{h}" for h in range(cov.n_heads)) + " |")
            lines.append("|---" * (cov.n_heads + 1) + "|")
            for layer, row in enumerate(cov.heads):
                lines.append(f"| L{layer} | " + " | ".join(_cell_text(c) for c in row) + " |")
            lines.append("")
        layered = [p for p in cov.points if p.layered]
        if layered:
            lines.append("| hook point | " + " | ".join(f"L{i}" for i in range(cov.n_layers)) + " |")
            lines.append("|---" * (cov.n_layers + 1) + "|")
            for p in layered:
                lines.append(f"| `{p.name}` | " + " | ".join(_cell_text(c) for c in p.layers) + " |")
            lines.append("")
        other = [p for p in cov.points if not p.layered]
        if other:
            lines += [", ".join(f"`{p.name}` {_cell_text(p.layers[0])}" for p in other), ""]
