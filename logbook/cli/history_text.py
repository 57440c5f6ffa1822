"""A cell's history as plain text, for ``logbook history``: each run, then what changed from the one before."""

from __future__ import annotations

from typing import Any

from logbook.models import CellHistory, HistoryStep, Output

#: Characters a summary takes in the changed-values table.
VALUE_WIDTH = 48


def summary_text(summary: Any) -> str:
    """One short line for a value's summary: ``0.42``, ``float32 [4, 16] mean 0.1 (nan 2)``, ``-``."""
    if summary is None:
        return "-"
    if not isinstance(summary, dict):
        return str(summary)
    if "value" in summary and "shape" not in summary:
        return repr(summary["value"]) if isinstance(summary["value"], str) else str(summary["value"])
    if "shape" in summary:
        parts = [str(summary.get("dtype", "")), str(summary["shape"])]
        if "values" in summary:
            parts.append("[" + ", ".join(_number(v) for v in summary["values"]) + "]")
        else:
            parts += [
                f"{stat} {_number(summary[stat])}" for stat in ("mean", "min", "max") if stat in summary
            ]
        if summary.get("nan"):
            parts.append(f"(nan {summary['nan']})")
        return " ".join(parts)
    return str(summary.get("repr") or summary.get("type") or summary)


def _number(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _clip(text: str, width: int = VALUE_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _output(output: Output | None) -> str:
    return "-" if output is None else f"{output.mime} {output.sha256[:12]} ({output.size} bytes)"


def history_text(history: CellHistory) -> str:
    """The whole history, oldest run first."""
    where = history.notebook or "no notebook"
    lines = [f"Cell {history.cell_id or '(no cell id)'} in {where}: {len(history.runs)} runs"]
    if history.expected:
        lines.append(f"Expected to vary here: {', '.join(history.expected)}")
    lines.append("")
    for run in history.runs:
        outcome = "ok " if run.ok else f"raised {run.error_name or 'an error'}"
        count = f"[{run.execution_count}]" if run.execution_count is not None else "[ ]"
        drift = f"  {run.drift} drift" if run.drift else ""
        lines.append(
            f"  experiment {run.experiment_id:>5} {count:>6} {run.started_at:%Y-%m-%d %H:%M:%S}  {outcome}{drift}"
        )
    for step in history.steps:
        lines += ["", *step_lines(step)]
    return "\n".join(lines) + "\n"


def step_lines(step: HistoryStep) -> list[str]:
    """What changed from experiment ``step.previous_id`` to ``step.experiment_id``."""
    lines = [f"== experiment {step.previous_id} -> {step.experiment_id}"]
    if step.source_diff:
        lines += ["Source:", *step.source_diff.splitlines()]
    else:
        lines.append("Source: unchanged" + ("" if step.same_source else " (whitespace or comments only)"))
    if step.values:
        width = max(len(v.name) for v in step.values)
        lines.append("Values that changed (old -> new):")
        for value in step.values:
            old, new = _clip(summary_text(value.old)), _clip(summary_text(value.new))
            lines.append(f"  {value.name:<{width}}  {old} -> {new}")
    if step.outputs:
        lines.append("Outputs that changed:")
        for change in step.outputs:
            lines.append(f"  #{change.position}: {_output(change.old)} -> {_output(change.new)}")
    if step.flipped:
        lines.append("Verdicts that flipped:")
        for flip in step.flipped:
            lines.append(f"  {flip.prediction_id} {flip.expression or ''}: {flip.old} -> {flip.new}")
    if not (step.values or step.outputs or step.flipped):
        lines.append("No value, output or verdict changed.")
    return lines
