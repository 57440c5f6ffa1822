"""Unpredicted surprises: values a cell assigned that moved from its earlier runs of the same code.

After each cell the recorder asks :class:`CellHistory` how the values the cell
assigned compare with the earlier runs of the same cell whose normalised
source is the same (:func:`source_key`). Each value is compared by its parts
(:func:`_parts`): a number itself; a small array element by element, named as
the user would index it (``scores[1, 3]``); a larger one by its statistics
(``acts.mean``, ``.norm``, ``.min``, ``.max``). A part moved when:

- it changed sign;
- with at least ``MIN_RUNS_FOR_SPREAD`` earlier runs, it lies outside their
  range and its two-sided tail probability under a normal fitted to them is
  under ``TAIL_PROBABILITY`` (reported in bits, ``-log2 p``); where the earlier
  runs never varied, any move is drift, reported as log2(n + 2) bits (the rule
  of succession);
- with fewer, it moved by more than the relative ``threshold`` (default
  ``DEFAULT_THRESHOLD``, the ``drift_threshold`` setting), measured against
  its scale (an element against the largest element of its array);

and never when the move is within its noise floor: the dtype's rounding
(``NOISE_STEPS`` machine epsilons of its scale, more for sums) and, for an
element, ``ELEMENT_NOISE`` of its array's largest element. An array whose
shape or dtype changed, or that newly holds NaN or Inf, moved too, and so
did a cell that newly raises, or no longer raises. A run the researcher
stopped (:data:`INTERRUPTED`) is no result: it is neither compared nor kept.

A part marked expected (:data:`Expected`) has an envelope, the size of change
marked normal: moves within ``ENVELOPE_FACTOR`` times it are quiet, larger
ones are judged as any other.

Names that read as timings or clock readings (``elapsed``, ``start``,
``t0``, ``train_time``, ``step_ms``: :data:`TIMING_NAME`) are never drift.

Each run is folded into running aggregates, so a comparison costs a few
operations per assigned value, whatever the number of earlier runs; a value
within the range of its earlier values is never drift and costs least. The
kernel compares (it shows the drift under the cell, one card per run) and
notes the run; the writer thread folds it in, off the kernel's time.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import math
import re
import threading
import tokenize
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from functools import lru_cache
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
#: Changes smaller than this are rounding, not drift, whatever the value's scale.
TOLERANCE = 1e-12
#: The relative rounding step of each floating dtype (its machine epsilon); integers have none.
RESOLUTION = (
    ("bfloat16", 2.0**-7),
    ("float16", 2.0**-10),
    ("half", 2.0**-10),
    ("float32", 2.0**-23),
    ("float", 2.0**-52),
)
INTEGER = re.compile(r"\b(u?int\d*|int|long|bool)\b")
#: Rounding steps a computed value may wobble by (reordered sums, another kernel): noise, not drift.
NOISE_STEPS = 16
#: The same for a mean or a norm, which sum many elements.
SUM_NOISE_STEPS = 1024
#: An element of an array moving by less than this share of the array's largest element is noise.
ELEMENT_NOISE = 0.01
#: A value marked expected stays quiet while it moves less than this many times the change marked.
ENVELOPE_FACTOR = 10
#: The name a cell's raising (or not) is reported under.
RAISES = "(error)"
#: The error of a cell the researcher interrupted (or whose kernel was restarted under it).
INTERRUPTED = "KeyboardInterrupt"

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
    if (type(value) is int or type(value) is float) and summary.get("type") not in ("bool", "numpy.bool_"):
        return float(value) if math.isfinite(value) else None
    return None


def _number(value: Any) -> Optional[float]:
    return float(value) if type(value) in (int, float) and math.isfinite(value) else None


def resolution(dtype: Any) -> float:
    """The relative rounding step of a dtype's numbers: changes near it are float noise, never drift."""
    text = str(dtype or "")
    for name, step in RESOLUTION:
        if name in text:
            return step
    return 0.0 if INTEGER.search(text) else RESOLUTION[-1][1]


def index_label(flat: int, shape: Any) -> str:
    """The element at ``flat`` in C order, as the user would index it: ``[1, 3]`` for 7 in a 2 by 4 array."""
    dims = tuple(int(n) for n in shape) if type(shape) is list and shape else (flat + 1,)
    labels = _index_labels(dims)
    return labels[flat] if flat < len(labels) else f"[{flat}]"


@lru_cache(maxsize=256)
def _index_labels(dims: tuple[int, ...]) -> tuple[str, ...]:
    """Every element's label of an array of shape ``dims``, in C order (computed once per shape)."""
    return tuple(
        "[" + ", ".join(str(i) for i in at) + "]" for at in itertools.product(*(range(n) for n in dims))
    )


@dataclass(frozen=True)
class Part:
    """One scalar a value is compared by: the value itself, an element, or a statistic.

    A change is measured against the earlier mean or ``scale``, whichever is
    larger (``scale`` is the largest element of an array, 0 for a number);
    ``floor`` is the smallest change that is not noise.
    """

    label: str
    x: float
    scale: float
    floor: float


def _parts(summary: Any) -> list[Part]:
    """The scalars a summary is compared by: itself, its elements (a small array), or its statistics."""
    x = _scalar(summary)
    if x is not None:
        kind = str(summary.get("type"))
        step = 0.0 if INTEGER.search(kind) else resolution(kind if "float" in kind else "float64")
        return [Part("", x, 0.0, max(NOISE_STEPS * step * abs(x), 0.5 if step == 0.0 else TOLERANCE))]
    if type(summary) is not dict:
        return []
    items = summary.get("items")
    if type(items) is dict:  # a small dict: its numbers and small tensors, by key
        return [
            Part(f"[{key}]{part.label}", part.x, part.scale, part.floor)
            for key, item in items.items()
            for part in _parts(item)
        ]
    if "shape" not in summary:
        return []
    if INTEGER.search(str(summary.get("dtype") or "")):
        return []  # token ids, indices, counts: data the user chose, compared by shape and dtype only
    step = resolution(summary.get("dtype"))
    bound = [abs(v) for v in (_number(summary.get("min")), _number(summary.get("max"))) if v is not None]
    values = summary.get("values")
    if type(values) is list:  # a small array: its elements say all its statistics would
        numbers = [(i, _number(item)) for i, item in enumerate(values)]
        scale = max((abs(v) for _, v in numbers if v is not None), default=0.0)
        floor = max(ELEMENT_NOISE * scale, NOISE_STEPS * step * scale, TOLERANCE)
        shape = summary.get("shape")
        return [Part(index_label(i, shape), v, scale, floor) for i, v in numbers if v is not None]
    scale = max(bound, default=0.0)
    parts = []
    for stat in STATISTICS:
        v = _number(summary.get(stat))
        if v is None:
            continue
        own = abs(v) if stat == "norm" else scale
        steps = SUM_NOISE_STEPS if stat in ("mean", "norm") else NOISE_STEPS
        parts.append(Part(f".{stat}", v, own, max(steps * step * own, TOLERANCE)))
    return parts


class Spread:
    """Running mean and variance (Welford) of one scalar's earlier values, with their range."""

    __slots__ = ("n", "mean", "m2", "low", "high")

    def __init__(self) -> None:
        self.n, self.mean, self.m2 = 0, 0.0, 0.0
        self.low, self.high = math.inf, -math.inf

    def add(self, x: float) -> None:
        self.n += 1
        delta = x - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (x - self.mean)
        self.low, self.high = min(self.low, x), max(self.high, x)

    @property
    def std(self) -> float:
        return math.sqrt(max(self.m2, 0.0) / (self.n - 1)) if self.n > 1 else 0.0

    def drift(self, part: Part, threshold: float) -> Optional[tuple[str, Optional[float], float]]:
        """How ``part`` drifted from these values: the change, its bits, and its size in units of scale."""
        n, x, floor = self.n, part.x, part.floor
        if n == 0 or self.low <= x <= self.high:
            return None  # within the range of the earlier values: never drift
        if (self.low - x if x < self.low else x - self.high) <= floor:
            return None  # beyond them by no more than noise
        size = abs(x - self.mean) / max(part.scale, abs(self.mean), floor)
        if (x < -floor and self.low > floor) or (x > floor and self.high < -floor):
            return "changed sign", self._bits(x, floor), math.inf
        if n < MIN_RUNS_FOR_SPREAD:
            if size > threshold:
                return f"moved {size:.0%} from its earlier runs", None, size
            return None
        bits = self._bits(x, floor)
        if self.std <= floor:
            return f"moved from {_shown(self.mean)}, the same in its {n} earlier runs", bits, size
        if bits is not None and bits > -math.log2(TAIL_PROBABILITY):
            return "outside the spread of its earlier runs", bits, size
        return None

    def _bits(self, x: float, floor: float) -> Optional[float]:
        """How surprising ``x`` is, in bits: the tail of what the earlier runs predict, or the rule of succession.

        With ``n`` earlier runs of mean ``m`` and spread ``s``, the next run is
        predicted by a Student t with ``n - 1`` degrees of freedom around ``m``
        with scale ``s * sqrt(1 + 1/n)``: heavier-tailed than a normal while
        the runs are few, so a value far out after 4 runs reads as a few tens
        of bits at most, not as certainty. Where the earlier runs never varied
        beyond noise, the chance that the next one differs is taken as
        1 / (n + 2) (Laplace's rule of succession): log2(n + 2) bits.
        """
        n = self.n
        if n < MIN_RUNS_FOR_SPREAD:
            return None
        std = self.std
        if std <= floor:
            return round(math.log2(n + 2), 6)
        t = abs(x - self.mean) / (std * math.sqrt(1.0 + 1.0 / n))
        tail = student_t_tail(t, n - 1)
        return MAX_BITS if tail <= 0 else min(MAX_BITS, -math.log2(tail))


def student_t_tail(t: float, dof: float) -> float:
    """The two-sided tail probability P(|T| >= t) of a Student t with ``dof`` degrees of freedom."""
    if t <= 0:
        return 1.0
    return _incomplete_beta(dof / 2.0, 0.5, dof / (dof + t * t))


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b), by its continued fraction (Lentz's method)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x > (a + 1.0) / (a + b + 2.0):  # the fraction converges fast on the other side: use the symmetry
        return 1.0 - _incomplete_beta(b, a, 1.0 - x)
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1.0) < 1e-14:
            break
    return math.exp(log_front) * result / a


def _shown(x: float) -> str:
    return format(x, ".4g")


@dataclass
class Drift:
    """One value that moved: its name (and part: ``[1, 3]``, ``.mean``), how, and what it was before."""

    name: str
    change: str
    value: Any
    earlier: list[tuple[Any, Any]]
    part: str = ""
    bits: Optional[float] = None
    hypotheses: list[str] = field(default_factory=list)
    #: How far it moved, in units of its scale (infinite for a change of kind: sign, shape, NaN, raising).
    size: float = math.inf

    @property
    def label(self) -> str:
        return f"{self.name}{self.part}"

    def describe(self) -> str:
        return f"{self.label} {self.change}"


def ranked(found: list[Drift]) -> list[Drift]:
    """The moves of one run, most surprising first: by bits, then by how far they moved."""
    return sorted(found, key=lambda d: (-(d.bits or 0.0), -d.size))


def summary_line(found: list[Drift], shown: int = 3) -> str:
    """One line for a run's drift: the first moves, and how many more."""
    head = "; ".join(d.describe() for d in found[:shown])
    more = len(found) - shown
    return head + (f"; and {more} more" if more > 0 else "")


@dataclass
class Run:
    """One earlier run: what identifies it (an experiment id, or a handle whose id comes later), and its values."""

    ref: Any
    names: dict[str, Any]
    error: Optional[str]


#: What is expected to vary in one cell: per label (``x``, ``scores[1, 3]``), the size of change
#: marked normal there, or None for a label (or, from older logbooks, a whole name) never flagged.
Expected = dict[str, Optional[float]]


class Baseline:
    """The earlier runs of one cell with one source: their aggregates, to compare a new run with.

    A run noted by the kernel waits in ``pending`` until the writer thread (or
    the next comparison, if it comes first) folds it into the aggregates.
    """

    def __init__(self) -> None:
        self.runs: deque[Run] = deque(maxlen=KEPT_RUNS)
        #: Per value, or value and part (``scores[1, 3]``, ``acts.mean``): its spread so far.
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
            for part in _parts(summary):
                key = name + part.label
                spread = spreads.get(key)
                if spread is None:
                    spread = spreads[key] = Spread()
                spread.add(part.x)
            if type(summary) is dict and "shape" in summary:
                self.shapes[name] = (summary.get("shape"), summary.get("dtype"))
                nan, inf = _nonfinite(summary)
                had = self.nonfinite.get(name, (False, False))
                self.nonfinite[name] = (had[0] or nan, had[1] or inf)

    def compare(
        self, names: dict[str, Any], error: Optional[str], threshold: float, expected: Expected
    ) -> list[Drift]:
        """What moved in this run, most surprising first."""
        if not self.runs:
            return []
        found: list[Drift] = []
        last = self.runs[-1]
        if (error is None) != (last.error is None) and not (RAISES in expected and expected[RAISES] is None):
            change = f"newly raises {error}" if error else f"no longer raises {last.error}"
            found.append(Drift(RAISES, change, error, [(r.ref, r.error) for r in self.runs]))
        spreads = self.spreads
        earlier_of: Optional[tuple[str, dict[str, list[tuple[Any, Any]]]]] = None
        for name, summary in names.items():
            if type(summary) is not dict or TIMING_NAME.fullmatch(name) or name.startswith("_"):
                continue  # timings vary by nature; _ and _names are throwaway
            if name in expected and expected[name] is None:
                continue  # a whole name expected to vary (marked by an older Logbook)
            value = summary.get("value")
            if value.__class__ is float or value.__class__ is int:  # the common case, kept short
                spread = spreads.get(name)
                if spread is None or spread.low <= value <= spread.high:
                    continue
            if "shape" in summary and name in self.shapes and self._array(name, summary, found, expected):
                continue  # its statistics and elements are not comparable across shapes
            for part in _parts(summary):
                key = name + part.label
                spread = spreads.get(key)
                if spread is None:
                    continue
                if key in expected:
                    envelope = expected[key]
                    if envelope is None or abs(part.x - spread.mean) <= ENVELOPE_FACTOR * envelope:
                        continue  # inside what was marked normal here
                drifted = spread.drift(part, threshold)
                if drifted is not None:
                    change, bits, size = drifted
                    if key in expected:
                        change += f", over {ENVELOPE_FACTOR}× the change marked expected (±{_shown(expected[key] or 0)})"
                    if earlier_of is None or earlier_of[0] != name:
                        earlier_of = (name, self._earlier(name))
                    earlier = earlier_of[1].get(part.label, [])
                    found.append(Drift(name, change, part.x, earlier, part=part.label, bits=bits, size=size))
        return ranked(found)

    def _array(self, name: str, summary: dict, found: list[Drift], expected: Expected) -> bool:
        """Add the drift of an array's shape, dtype and non-finite values; True when its shape changed."""
        shape, dtype = self.shapes[name]

        def earlier(key: str) -> list[tuple[Any, Any]]:
            return [(r.ref, (r.names.get(name) or {}).get(key)) for r in self.runs if name in r.names]

        def add(part: str, change: str, value: Any, key: str) -> None:
            if name + part not in expected:
                found.append(Drift(name, change, value, earlier(key), part=part))

        if summary.get("shape") != shape:
            add(
                ".shape",
                f"changed shape from {shape} to {summary.get('shape')}",
                summary.get("shape"),
                "shape",
            )
        if summary.get("dtype") != dtype:
            add(
                ".dtype",
                f"changed dtype from {dtype} to {summary.get('dtype')}",
                summary.get("dtype"),
                "dtype",
            )
        nan, inf = _nonfinite(summary)
        had_nan, had_inf = self.nonfinite.get(name, (False, False))
        if nan and not had_nan:
            add(".nan", f"newly contains NaN ({summary.get('nan', '?')})", summary.get("nan"), "nan")
        if inf and not had_inf:
            add(".inf", "newly contains Inf", summary.get("max"), "max")
        return summary.get("shape") != shape

    def _earlier(self, name: str) -> dict[str, list[tuple[Any, Any]]]:
        """Per part of ``name``, its value in each earlier run that had it."""
        values: dict[str, list[tuple[Any, Any]]] = {}
        for run in self.runs:
            for part in _parts(run.names.get(name)):
                values.setdefault(part.label, []).append((run.ref, part.x))
        return values


def _nonfinite(summary: dict) -> tuple[bool, bool]:
    """Whether an array summary shows NaN, and whether it shows Inf."""
    nan = bool(summary.get("nan"))
    inf = any(type(shown := summary.get(k)) is str and "inf" in shown for k in STATISTICS)
    values = summary.get("values")
    if type(values) is list:
        nan = nan or any(v == "nan" for v in values)
        inf = inf or any(type(v) is str and "inf" in v for v in values)
    return nan, inf


class CellHistory:
    """The earlier runs of every cell this kernel knows, grouped by cell and source."""

    def __init__(self) -> None:
        # Ordered by first run: the oldest goes first in O(1) (a dict's first key is found by skipping
        # every key deleted before it, which grows with each cell once the history is full).
        self._baselines: OrderedDict[tuple[str, str], Baseline] = OrderedDict()
        #: What is expected to vary, per cell key: within its envelope, never flagged there.
        self.expected: dict[str, Expected] = {}
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
            return baseline.compare(names, error, threshold, self.expected.get(cell, {}))

    def note(self, cell: str, source: str, run: Run) -> None:
        """(Kernel) Keep a run, compared already, to be folded in by :meth:`fold` off the kernel's time."""
        baseline = self._baselines.get((cell, source))
        if baseline is None:
            if len(self._baselines) >= KEPT_BASELINES:  # forget the cell and code seen longest ago
                with self._lock:
                    self._baselines.popitem(last=False)
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
