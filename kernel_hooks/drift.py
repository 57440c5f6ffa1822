"""Unpredicted surprises: values a cell assigned that drifted from its earlier runs of the same code.

After each cell the recorder asks :class:`CellHistory` how the values the cell
assigned compare with the earlier runs of the same cell whose normalised
source is the same (:func:`source_key`). What counts as drift:

- a scalar that changed sign, or moved outside the spread of its earlier runs:
  with at least ``MIN_RUNS_FOR_SPREAD`` earlier runs, when it lies outside their
  range and its two-sided tail probability under a normal fitted to them is
  under ``TAIL_PROBABILITY`` (reported in bits, ``-log2 p``); with fewer, when it
  moved by more than the relative ``threshold`` (default ``DEFAULT_THRESHOLD``,
  the ``drift_threshold`` setting) from their mean;
- a tensor or array whose shape or dtype changed, that newly holds NaN or Inf,
  or whose statistics (``mean``, ``norm``, ``min``, ``max``) drifted as scalars
  do; a small one, whose summary lists its elements, is compared element by
  element instead (``scores[2]`` changed sign);
- a cell that newly raises, or no longer raises.

Names that read as timings or clock readings (``elapsed``, ``start``,
``t0``, ``train_time``, ``step_ms``: :data:`TIMING_NAME`) are never drift.

Each run is folded into running aggregates, so a comparison costs a few
operations per assigned value, whatever the number of earlier runs; a value
within the range of its earlier values is never drift and costs least. The
kernel compares (it shows the drift under the cell) and notes the run; the
writer thread folds it in, off the kernel's time.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import threading
import tokenize
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Optional

#: Relative change that flags a scalar with only one or two earlier runs (0.5: 50 %).
DEFAULT_THRESHOLD = 0.5
#: Earlier runs needed before a scalar's spread is fitted by a normal.
MIN_RUNS_FOR_SPREAD = 3
#: Two-sided tail probability under which a value outside the spread is drift.
TAIL_PROBABILITY = 0.01
#: Bits reported for a value that moved where its earlier runs never varied.
MAX_BITS = 64.0
#: Earlier runs kept per cell, and earlier values named in a surprise.
KEPT_RUNS = 50
#: Cells (with one code each) whose earlier runs a kernel keeps; the one seen longest ago goes first.
KEPT_BASELINES = 2000
#: Statistics of a tensor summary compared as scalars.
STATISTICS = ("mean", "norm", "min", "max")
#: Changes smaller than this, relative to the value, are rounding, not drift.
TOLERANCE = 1e-9
#: The name a cell's raising (or not) is reported under.
RAISES = "(error)"

#: Names that hold timings or clock readings, which vary from run to run by nature: never drift.
TIMING_NAME = re.compile(
    r"(start|end|stop|now|elapsed|duration|took|runtime|wall|cpu|timing|timings|seconds|secs|tic|toc|t\d*"
    r"|t_\w+|time_\w+|\w+_(time|times|elapsed|duration|seconds|secs|ms|took))",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")
_COMMENT = re.compile(r"#[^\n]*")


def normalized(source: str) -> str:
    """``source`` without comments, with each run of whitespace one space."""
    if "#" in source:
        lines = source.splitlines(keepends=True)
        try:
            comments = [
                t.start
                for t in tokenize.generate_tokens(io.StringIO(source).readline)
                if t.type == tokenize.COMMENT
            ]
            for row, column in reversed(comments):  # a comment runs to the end of its line
                lines[row - 1] = lines[row - 1][:column] + "\n"
            source = "".join(lines)
        except (tokenize.TokenError, SyntaxError, IndentationError):
            source = _COMMENT.sub("", source)  # not Python: drop comments by line
    return _SPACE.sub(" ", source).strip()


def source_key(source: str) -> str:
    """A short hash of ``source`` normalised: runs of the same code share it."""
    return hashlib.sha1(normalized(source).encode("utf-8", "replace")).hexdigest()[:16]


def cell_key(notebook: Optional[str], cell_id: Optional[str], source_hash: str) -> str:
    """The key all runs of one cell share: its notebook and cell id, or its notebook and code."""
    where = notebook or ""
    return f"{where}#{cell_id}" if cell_id else f"{where}@{source_hash}"


def _scalar(summary: Any) -> Optional[float]:
    """The number a summary holds, if it is one (not a bool, not NaN)."""
    if type(summary) is not dict:
        return None
    value = summary.get("value")
    if type(value) in (int, float) and summary.get("type") not in ("bool", "numpy.bool_"):
        return float(value) if math.isfinite(value) else None
    return None


def _number(value: Any) -> Optional[float]:
    return float(value) if type(value) in (int, float) and math.isfinite(value) else None


class Spread:
    """Running mean and variance (Welford) of one scalar's earlier values, with their range and signs."""

    __slots__ = ("n", "mean", "m2", "low", "high", "positive", "negative")

    def __init__(self) -> None:
        self.n, self.mean, self.m2 = 0, 0.0, 0.0
        self.low, self.high = math.inf, -math.inf
        self.positive = self.negative = 0

    def add(self, x: float) -> None:
        self.n += 1
        delta = x - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (x - self.mean)
        self.low, self.high = min(self.low, x), max(self.high, x)
        self.positive += x > 0
        self.negative += x < 0

    def drift(self, x: float, threshold: float) -> Optional[tuple[str, Optional[float]]]:
        """How ``x`` drifted from these values (a change and its bits), or None."""
        n = self.n
        if n == 0 or self.low <= x <= self.high:
            return None  # within the range of the earlier values: never drift
        close = abs(x - self.mean) <= TOLERANCE * max(1.0, abs(self.mean))
        if close:
            return None
        if (x > 0 and self.negative == n) or (x < 0 and self.positive == n):
            return "changed sign", self._bits(x) if n >= MIN_RUNS_FOR_SPREAD else None
        if n >= MIN_RUNS_FOR_SPREAD:
            if self.low - TOLERANCE * abs(self.low) <= x <= self.high + TOLERANCE * abs(self.high):
                return None
            bits = self._bits(x)
            if bits is not None and bits > -math.log2(TAIL_PROBABILITY):
                return "outside the spread of its earlier runs", bits
            return None
        change = abs(x - self.mean) / max(abs(self.mean), 1e-12)
        if change > threshold:
            return f"moved {change:.0%} from its earlier runs", None
        return None

    def _bits(self, x: float) -> Optional[float]:
        """``-log2`` of the two-sided tail probability of ``x`` under a normal fitted to the values."""
        std = math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else 0.0
        if std <= TOLERANCE * max(1.0, abs(self.mean)):
            return MAX_BITS
        tail = math.erfc(abs(x - self.mean) / (std * math.sqrt(2.0)))
        return MAX_BITS if tail <= 0 else min(MAX_BITS, -math.log2(tail))


@dataclass
class Drift:
    """One value that drifted: its name (and part: ``[2]``, ``.mean``), how, and what it was before."""

    name: str
    change: str
    value: Any
    earlier: list[tuple[Any, Any]]
    part: str = ""
    bits: Optional[float] = None
    hypotheses: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.name}{self.part}"

    def describe(self) -> str:
        return f"{self.label} {self.change}"


@dataclass
class Run:
    """One earlier run: what identifies it (an experiment id, or a handle whose id comes later), and its values."""

    ref: Any
    names: dict[str, Any]
    error: Optional[str]


def _parts(summary: Any) -> list[tuple[str, float]]:
    """The scalars a summary is compared by: itself, its statistics, or its elements."""
    x = _scalar(summary)
    if x is not None:
        return [("", x)]
    if type(summary) is not dict or "shape" not in summary:
        return []
    values = summary.get("values")
    if type(values) is list:  # a small array: its elements say all its statistics would
        return [(f"[{i}]", v) for i, item in enumerate(values) if (v := _number(item)) is not None]
    return [(f".{stat}", v) for stat in STATISTICS if (v := _number(summary.get(stat))) is not None]


class Baseline:
    """The earlier runs of one cell with one source: their aggregates, to compare a new run with.

    A run noted by the kernel waits in ``pending`` until the writer thread (or
    the next comparison, if it comes first) folds it into the aggregates.
    """

    def __init__(self) -> None:
        self.runs: deque[Run] = deque(maxlen=KEPT_RUNS)
        #: Per value, or value and part (``scores[2]``, ``acts.mean``): its spread so far.
        self.spreads: dict[str, Spread] = {}
        self.shapes: dict[str, tuple[Any, Any]] = {}
        self.nonfinite: dict[str, tuple[bool, bool]] = {}
        self.pending: list[Run] = []

    def fold(self) -> None:
        """Fold the pending runs into the aggregates (hold the history's lock)."""
        while self.pending:
            self.add(self.pending.pop(0))

    def add(self, run: Run) -> None:
        self.runs.append(run)
        spreads = self.spreads
        for name, summary in run.names.items():
            for part, x in _parts(summary):
                key = name + part if part else name
                spread = spreads.get(key)
                if spread is None:
                    spread = spreads[key] = Spread()
                spread.add(x)
            if type(summary) is dict and "shape" in summary:
                self.shapes[name] = (summary.get("shape"), summary.get("dtype"))
                nan, inf = _nonfinite(summary)
                had = self.nonfinite.get(name, (False, False))
                self.nonfinite[name] = (had[0] or nan, had[1] or inf)

    def compare(
        self, names: dict[str, Any], error: Optional[str], threshold: float, expected: frozenset[str]
    ) -> list[Drift]:
        if not self.runs:
            return []
        found: list[Drift] = []
        last = self.runs[-1]
        if RAISES not in expected and (error is None) != (last.error is None):
            change = f"newly raises {error}" if error else f"no longer raises {last.error}"
            found.append(Drift(RAISES, change, error, [(r.ref, r.error) for r in self.runs]))
        spreads = self.spreads
        for name, summary in names.items():
            if name in expected or type(summary) is not dict or TIMING_NAME.fullmatch(name):
                continue
            value = summary.get("value")
            if value.__class__ is float or value.__class__ is int:  # the common case, kept short
                spread = spreads.get(name)
                if spread is None or spread.low <= value <= spread.high:
                    continue
            if "shape" in summary and name in self.shapes and self._array(name, summary, found):
                continue  # its statistics and elements are not comparable across shapes
            for part, x in _parts(summary):
                spread = spreads.get(name + part if part else name)
                if spread is None:
                    continue
                drifted = spread.drift(x, threshold)
                if drifted is not None:
                    found.append(
                        Drift(name, drifted[0], x, self._earlier(name, part), part=part, bits=drifted[1])
                    )
        return found

    def _array(self, name: str, summary: dict, found: list[Drift]) -> bool:
        """Add the drift of an array's shape, dtype and non-finite values; True when its shape changed."""
        shape, dtype = self.shapes[name]

        def earlier(key: str) -> list[tuple[Any, Any]]:
            return [(r.ref, (r.names.get(name) or {}).get(key)) for r in self.runs if name in r.names]

        if summary.get("shape") != shape:
            found.append(
                Drift(
                    name,
                    f"changed shape from {shape} to {summary.get('shape')}",
                    summary.get("shape"),
                    earlier("shape"),
                    part=".shape",
                )
            )
        if summary.get("dtype") != dtype:
            found.append(
                Drift(
                    name,
                    f"changed dtype from {dtype} to {summary.get('dtype')}",
                    summary.get("dtype"),
                    earlier("dtype"),
                    part=".dtype",
                )
            )
        nan, inf = _nonfinite(summary)
        had_nan, had_inf = self.nonfinite.get(name, (False, False))
        if nan and not had_nan:
            found.append(
                Drift(
                    name,
                    f"newly contains NaN ({summary.get('nan', '?')})",
                    summary.get("nan"),
                    earlier("nan"),
                    part=".nan",
                )
            )
        if inf and not had_inf:
            found.append(Drift(name, "newly contains Inf", summary.get("max"), earlier("max"), part=".inf"))
        return summary.get("shape") != shape

    def _earlier(self, name: str, part: str) -> list[tuple[Any, Any]]:
        values = []
        for run in self.runs:
            for each, x in _parts(run.names.get(name)):
                if each == part:
                    values.append((run.ref, x))
        return values


def _nonfinite(summary: dict) -> tuple[bool, bool]:
    """Whether an array summary shows NaN, and whether it shows Inf."""
    nan = bool(summary.get("nan"))
    inf = any(type(summary.get(k)) is str and "inf" in summary.get(k) for k in STATISTICS)
    values = summary.get("values")
    if type(values) is list:
        nan = nan or any(v == "nan" for v in values)
        inf = inf or any(type(v) is str and "inf" in v for v in values)
    return nan, inf


class CellHistory:
    """The earlier runs of every cell this kernel knows, grouped by cell and source."""

    def __init__(self) -> None:
        self._baselines: dict[tuple[str, str], Baseline] = {}
        #: Names expected to vary, per cell key: never flagged there.
        self.expected: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def compare(
        self,
        cell: str,
        source: str,
        names: dict[str, Any],
        error: Optional[str],
        threshold: float = DEFAULT_THRESHOLD,
    ) -> list[Drift]:
        """The drift of this run of ``cell`` from its earlier runs with the same ``source`` key."""
        baseline = self._baselines.get((cell, source))
        if baseline is None:
            return []
        with self._lock:
            baseline.fold()
            return baseline.compare(names, error, threshold, self.expected.get(cell, frozenset()))

    def note(self, cell: str, source: str, run: Run) -> None:
        """(Kernel) Keep a run, compared already, to be folded in by :meth:`fold` off the kernel's time."""
        baseline = self._baselines.get((cell, source))
        if baseline is None:
            if len(self._baselines) >= KEPT_BASELINES:  # forget the cell and code seen longest ago
                with self._lock:
                    del self._baselines[next(iter(self._baselines))]
            baseline = self._baselines[(cell, source)] = Baseline()
        baseline.pending.append(run)

    def fold(self, cell: str, source: str) -> None:
        """(Writer) Fold the runs noted for this cell and source into its aggregates."""
        baseline = self._baselines.get((cell, source))
        if baseline is not None and baseline.pending:
            with self._lock:
                baseline.fold()

    def add(self, cell: str, source: str, run: Run) -> None:
        """Fold a run into its cell's history at once (an earlier run read from the logbook)."""
        self.note(cell, source, run)
        self.fold(cell, source)

    def __len__(self) -> int:
        return sum(len(b.runs) for b in self._baselines.values())
