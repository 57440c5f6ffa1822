"""The research dashboard: every chart of the logbook as a Vega-Lite spec, with the counts behind it.

>>> reply = dashboard(store)                       # doctest: +SKIP
>>> [chart.id for chart in reply.charts][:3]       # doctest: +SKIP
['credences', 'calibration', 'calibration-mode']

Each chart is one of :mod:`logbook.report.charts`' specs, built from the same data
the report draws it from: the builders here (``credences_chart``,
``slices_chart``, ``surprise_points``, ``mode_bins``…) are what the report
calls too, so the dashboard in JupyterLab and the exported report show one
definition. Each chart carries a ``key`` (a digest of its spec): a client that
already drew a chart with that key is sent the key alone (``have``) and draws
nothing again.

The dashboard reads the logbook through its own queries (never a whole
export), and :class:`DashboardCache` keeps what does not change between
calls: the experiments and surprises already read, the charts whose
inputs did not move.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Optional

from pydantic import BaseModel, Field

from logbook.models import CompetingSet, Hypothesis, Surprise
from logbook.report.charts import (
    MODE_COLOURS,
    POINTS_MAX,
    calibration_spec,
    coverage_spec,
    credences_spec,
    modes_spec,
    rolling_brier_spec,
    set_spec,
    slices_spec,
    surprises_spec,
)
from logbook.rules.calibration import (
    DIMENSIONS,
    MIN_JUDGED,
    RollingPoint,
    Slice,
    calibrate,
    calibration_slices,
    first_verdict_experiments,
    first_verdicts,
    getting_better,
    rolling_brier,
    too_few,
)
from logbook.rules.coverage import ModelCoverage, logbook_coverage
from logbook.words import NO_MODE

#: A surprise as the surprises chart reads it: id, time, kind, bits, flagged by hand, what it is about.
SurpriseRow = tuple[int, datetime, str, Optional[float], bool, str]

#: The Brier score's window for "are you getting better?".
WINDOW = 10
#: Bins a time axis is cut into at most (modes over time, surprises when there are many).
MAX_BINS = 60
#: Bin widths for time axes, finest first: (name, seconds).
UNITS = (("minute", 60), ("10 minutes", 600), ("hour", 3600), ("day", 86400), ("week", 7 * 86400))


class DashboardChart(BaseModel):
    """One chart of the dashboard: its Vega-Lite spec (None when the client has it: same ``key``) and its counts."""

    id: str = Field(description="Stable id: credences, calibration, calibration-mode, surprises, set-C1…")
    group: str = Field(description="beliefs, calibration, surprises, modes, coverage or sets.")
    title: str
    key: str = Field(description="Digest of the spec: the same key, the same chart.")
    spec: Optional[dict[str, Any]] = Field(
        default=None, description="Vega-Lite; None when the client sent its key."
    )
    note: str = Field(default="", description="The counts behind the chart, in words.")
    warning: Optional[str] = Field(
        default=None, description="Set when the counts are too small to mean much."
    )
    details: list[str] = Field(
        default_factory=list, description="One line per row (a slice), with its count."
    )


class Dashboard(BaseModel):
    """The dashboard's reply to ``GET /logbook/api/dashboard``."""

    charts: list[DashboardChart]
    counts: dict[str, int] = Field(description="hypotheses, experiments, surprises.")
    author: Optional[str] = Field(
        default=None, description="Whose logbook the charts are of: None for yours, else a teammate's name."
    )
    authors: list[str] = Field(
        default_factory=list, description="In a team project, every author (yours first); [] outside one."
    )


# -- builders shared with the report ------------------------------------------------


def spec_digest(spec: dict) -> str:
    """A short digest of ``spec``: what a client compares to know a chart is unchanged."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def credence_series(
    hypotheses: Iterable[Hypothesis],
) -> list[tuple[str, str, list[tuple[datetime, float, str]]]]:
    """(id, status, history) per hypothesis, for :func:`logbook.report.charts.credences_spec`."""
    return [
        (
            h.id,
            h.status.value,
            [(c.at, c.credence, c.reason) for c in h.history] or [(h.created_at, h.credence, "")],
        )
        for h in hypotheses
    ]


def credences_chart(hypotheses: list[Hypothesis]) -> Optional[dict]:
    """Credence over time of every hypothesis, the lines running to the last credence anyone stated or changed
    (so a cell that changes no credence leaves the chart as it was); None without hypotheses."""
    series = credence_series(hypotheses)
    moments = [at for _, _, history in series for at, _, _ in history]
    return credences_spec(series, max(moments)) if moments else None


def calibration_chart(hypotheses: list[Hypothesis]) -> Optional[dict]:
    """Stated credence against the fraction that came true, by band; None before any verdict."""
    result = calibrate(first_verdicts(p for h in hypotheses for p in h.predictions))
    if not result.judged:
        return None
    return calibration_spec([(b.mean_credence, b.frequency, b.count) for b in result.bands])


def slices_chart(
    hypotheses: list[Hypothesis], dimension: str, models: dict[int, str]
) -> tuple[Optional[dict], list[Slice]]:
    """Calibration by ``dimension`` as a chart (None before any verdict), and the slices behind it."""
    rows = calibration_slices(hypotheses, dimension, models)
    return (slices_spec(dimension, rows) if rows else None), rows


def rolling_chart(
    hypotheses: list[Hypothesis], window: int = WINDOW
) -> tuple[Optional[dict], list[RollingPoint]]:
    """The rolling Brier score as a chart (None before any verdict), and its points."""
    points = rolling_brier(hypotheses, window)
    return (rolling_brier_spec(points, window) if points else None), points


def set_chart(competing_set: CompetingSet, last: datetime) -> Optional[dict]:
    """A competing set's distribution over time; a set never changed runs to ``last`` (the logbook's last moment)."""
    history = [(c.at, {**c.credences}, c.reason) for c in competing_set.history]
    if not history:
        return None
    until = history[-1][0] if len(history) > 1 else last
    return set_spec(history, list(competing_set.credences), until, f"C{competing_set.id}")


def _epoch(moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def _unit(first: float, last: float) -> tuple[str, int]:
    """The finest bin width that cuts ``first``..``last`` into at most :data:`MAX_BINS` bins."""
    for name, size in UNITS:
        if (last - first) / size < MAX_BINS:
            return name, size
    return UNITS[-1]


def mode_minutes(rows: Iterable[tuple[datetime, Optional[str]]]) -> Counter:
    """Experiments per (minute since the epoch, mode) from (started at, mode) pairs; no mode is ``none``."""
    return Counter((int(_epoch(at) // 60), mode or NO_MODE) for at, mode in rows)


def mode_bins(minutes: Counter) -> tuple[list[dict], str]:
    """The stacked bars of :func:`logbook.report.charts.modes_spec` from :func:`mode_minutes`, and the bin's unit."""
    if not minutes:
        return [], UNITS[0][0]
    first = min(m for m, _ in minutes) * 60
    last = max(m for m, _ in minutes) * 60
    unit, size = _unit(first, last)
    return _bin_rows(rebin(minutes.items(), size), size, unit), unit


def rebin(
    minutes: Iterable[tuple[tuple[int, str], int]], size: int, bins: Optional[Counter] = None
) -> Counter:
    """``bins`` (or new ones) with the (minute, mode) counts of ``minutes`` added to their bins of ``size`` s."""
    bins = bins if bins is not None else Counter()
    for (minute, mode), n in minutes:
        bins[(int(minute * 60 // size) * size, mode)] += n
    return bins


def _bin_rows(bins: Counter, size: int, unit: str) -> list[dict]:
    order = {mode: i for i, mode in enumerate(MODE_COLOURS)}
    out = []
    for (start, mode), n in sorted(bins.items(), key=lambda item: (item[0][0], order.get(item[0][1], 9))):
        begin, end = _utc(start), _utc(start + size)
        out.append(
            {
                "at": begin.isoformat(),
                "end": end.isoformat(),
                "mode": mode,
                "order": order.get(mode, 9),
                "experiments": n,
                "label": f"{mode}: {n} experiment{'s' if n != 1 else ''}, {begin:%Y-%m-%d %H:%M} ({unit})",
            }
        )
    return out


def modes_chart(minutes: Counter) -> Optional[dict]:
    bins, unit = mode_bins(minutes)
    return modes_spec(bins, unit) if bins else None


def mode_totals(minutes: Counter) -> list[tuple[str, int]]:
    """(mode, experiments) per mode that has any, in the report's order."""
    counts: Counter = Counter()
    for (_, mode), n in minutes.items():
        counts[mode] += n
    return [(mode, counts[mode]) for mode in MODE_COLOURS if counts.get(mode)]


def surprise_kind(kind: str, manual: bool) -> str:
    return "flagged" if manual else ("drift" if kind == "drift" else "prediction")


def surprise_points(rows: list[SurpriseRow]) -> list[dict]:
    """The surprise timeline's points from (id, when, kind, bits, manual, what) rows, oldest first.

    A point per surprise up to :data:`logbook.report.charts.POINTS_MAX`; beyond, one
    per time bin and kind, at the bin's highest surprisal, sized by its count.
    A surprise without a stated probability (flagged by hand) sits at 0 bits.
    """
    if len(rows) <= POINTS_MAX:
        return [
            {
                "at": at.isoformat(),
                "bits": round(bits or 0.0, 3),
                "kind": surprise_kind(kind, manual),
                "n": 1,
                "label": f"S{sid} {what}: "
                + (f"{bits:.2f} bits" if bits is not None else "no stated probability")
                + f", {at:%Y-%m-%d %H:%M}",
            }
            for sid, at, kind, bits, manual, what in rows
        ]
    times = [_epoch(at) for _, at, *_ in rows]
    first, last = min(times), max(times)
    size = max(1.0, (last - first) / MAX_BINS)
    bins: dict[tuple[int, str], list[float]] = {}
    for seconds, (_, _, kind, bits, manual, _) in zip(times, rows):
        bins.setdefault((int((seconds - first) // size), surprise_kind(kind, manual)), []).append(bits or 0.0)
    out = []
    for (index, kind), in_bin in sorted(bins.items()):
        at = _utc(first + index * size)
        out.append(
            {
                "at": at.isoformat(),
                "bits": round(max(in_bin), 3),
                "kind": kind,
                "n": len(in_bin),
                "label": f"{len(in_bin)} {kind} surprise{'s' if len(in_bin) != 1 else ''} from {at:%Y-%m-%d %H:%M},"
                f" up to {max(in_bin):.2f} bits",
            }
        )
    return out


def surprises_chart(rows: list[SurpriseRow]) -> Optional[dict]:
    return surprises_spec(surprise_points(sorted(rows))) if rows else None


def surprise_row(s: Surprise) -> SurpriseRow:
    """A :class:`logbook.models.Surprise` as a row of :func:`surprise_points`."""
    return (
        s.id,
        s.created_at,
        s.kind,
        s.surprisal_bits,
        bool(s.manual),
        _what(s.prediction_id, s.hypothesis_id, s.kind, s.manual),
    )


def _what(prediction_id: Optional[str], hypothesis_id: Optional[str], kind: str, manual: bool) -> str:
    if prediction_id:
        return prediction_id
    if manual:
        return "flagged by hand"
    return "drift" if kind == "drift" else (hypothesis_id or "")


def last_moment(store: Any) -> Optional[datetime]:
    """The logbook's last moment, as the report reckons it: the newest experiment, hypothesis, credence
    change, surprise, note or brainstorm (None in an empty logbook)."""
    found = []
    for table, column in (
        ("experiments", "started_at"),
        ("hypotheses", "created_at"),
        ("credence_history", "at"),
        ("surprises", "created_at"),
        ("notes", "created_at"),
        ("brainstorms", "started_at"),
    ):
        value = store.db.execute(f"SELECT max({column}) FROM {table}").fetchone()[0]
        if value:
            moment = datetime.fromisoformat(value)
            found.append(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))
    return max(found, default=None)


def coverage_note(cov: ModelCoverage) -> str:
    total = cov.n_layers * cov.n_heads
    n = len(cov.experiments)
    unread = f" ({cov.unread_heads} cached but never read)" if cov.unread_heads else ""
    return f"{n} experiment{'s' if n != 1 else ''}; {cov.untouched_heads} of {total} attention heads never looked at{unread}."


# -- the dashboard -----------------------------------------------------------------


#: Event kinds (GLOB patterns) that move each of the dashboard's inputs: the credences (statements, credence
#: and status changes, sets) and every belief (those, and predictions written, judged and proposed updates).
MARKS = {
    "credences": ("hypothesis.*", "set.*"),
    "beliefs": ("hypothesis.*", "set.*", "prediction.*", "proposal.*"),
}


def _kinds(patterns: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"kind GLOB '{pattern}'" for pattern in patterns) + ")"


#: More hypotheses changed than this since the last call, and all of them are read again.
MAX_DELTA = 200


@dataclass
class DashboardCache:
    """What one server keeps between dashboard calls on one logbook: rows read once, charts per input version."""

    last_event: int = 0
    marks: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MARKS, 0))
    last_experiment: int = 0
    minutes: Counter = field(default_factory=Counter)
    #: The first and last minute in ``minutes``; the experiments per mode; the minutes' counts binned at
    #: ``bin_size`` seconds, and the (minute, mode) counts added since they were (so a new cell costs its own).
    first_minute: Optional[int] = None
    last_minute: Optional[int] = None
    per_mode: Counter = field(default_factory=Counter)
    bin_size: int = 0
    bins: Counter = field(default_factory=Counter)
    unbinned: list[tuple[tuple[int, str], int]] = field(default_factory=list)
    experiments: int = 0
    last_surprise: int = 0
    surprises: list[SurpriseRow] = field(default_factory=list)
    models_seen: int = 0
    models_checked: int = 0
    charts: dict[str, tuple[Any, list[DashboardChart]]] = field(default_factory=dict)
    genesis: Optional[str] = None
    #: The hypotheses as last read, by id (None: not read yet), and the ids changed since.
    hypotheses: Optional[dict[str, Hypothesis]] = None
    stale: set[str] = field(default_factory=set)

    def catch_up(self, store: Any) -> None:
        """Read only what was added since the last call: events, experiments, surprises."""
        genesis = store.db.execute("SELECT hash FROM events WHERE id = 1").fetchone()
        newest = store.db.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
        if (genesis[0] if genesis else None) != self.genesis or newest < self.last_event:
            self.__init__()  # type: ignore[misc]  # another logbook file, or an older copy of this one: start again
            self.genesis = genesis[0] if genesis else None
        if self.hypotheses is not None:
            for (subject,) in store.db.execute(
                f"SELECT DISTINCT subject FROM events WHERE id > ? AND {_kinds(MARKS['beliefs'])}",
                [self.last_event],
            ):
                if subject.startswith("H"):
                    self.stale.add(subject.split(".")[0])
                elif subject[1:].isdigit():  # a set made or changed: its members' credences and set
                    self.stale.update(
                        row[0]
                        for row in store.db.execute(
                            "SELECT id FROM hypotheses WHERE set_id = ?", [int(subject[1:])]
                        )
                    )
        for name, patterns in MARKS.items():  # the events' index on kind answers these at once
            newest = store.db.execute(
                f"SELECT max(id) FROM events WHERE id > ? AND {_kinds(patterns)}", [self.last_event]
            ).fetchone()[0]
            self.marks[name] = max(self.marks[name], newest or 0)
        self.last_event = store.db.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
        # Experiments per UTC minute and mode, counted by SQLite (a time written in UTC is cut to its minute,
        # any other is converted first), as mode_minutes counts them.
        for minute, mode, count, newest in store.db.execute(
            "SELECT CASE WHEN substr(started_at, -6) = '+00:00' THEN substr(started_at, 1, 16)"
            " ELSE strftime('%Y-%m-%dT%H:%M', started_at) END AS minute,"
            " coalesce(mode, 'none'), count(*), max(id) FROM experiments WHERE id > ? GROUP BY 1, 2",
            [self.last_experiment],
        ):
            at = datetime.fromisoformat(minute).replace(tzinfo=timezone.utc)
            key = (int(at.timestamp()) // 60, mode)
            self.minutes[key] += count
            self.unbinned.append((key, count))
            self.per_mode[mode] += count
            self.first_minute = key[0] if self.first_minute is None else min(self.first_minute, key[0])
            self.last_minute = key[0] if self.last_minute is None else max(self.last_minute, key[0])
            self.experiments += count
            self.last_experiment = max(self.last_experiment, newest)
        for sid, created, kind, bits, manual, pid, hid in store.db.execute(
            "SELECT id, created_at, kind, surprisal_bits, manual, prediction_id, hypothesis_id"
            " FROM surprises WHERE id > ? ORDER BY id",
            [self.last_surprise],
        ):
            at = datetime.fromisoformat(created)
            self.surprises.append((sid, at, kind, bits, bool(manual), _what(pid, hid, kind, bool(manual))))
            self.last_surprise = sid

    def current_hypotheses(self, store: Any) -> list[Hypothesis]:
        """Every hypothesis, in order: all read the first time, then only those changed since."""
        if self.hypotheses is None or len(self.stale) > MAX_DELTA:
            self.hypotheses = {h.id: h for h in store.hypotheses()}
        else:
            for hid in self.stale:
                self.hypotheses[hid] = store.hypothesis(hid)
        self.stale.clear()
        return sorted(self.hypotheses.values(), key=lambda h: int(h.id[1:]))

    def mode_bins(self) -> tuple[list[dict], str]:
        """:func:`mode_bins` of ``minutes``, binning only the minutes added since the last call (all of them
        again when the span grew into a wider bin)."""
        if not self.minutes or self.first_minute is None or self.last_minute is None:
            return [], UNITS[0][0]
        unit, size = _unit(self.first_minute * 60, self.last_minute * 60)
        if size != self.bin_size:
            self.bin_size, self.bins = size, rebin(self.minutes.items(), size)
        else:
            rebin(self.unbinned, size, self.bins)
        self.unbinned.clear()
        return _bin_rows(self.bins, size, unit), unit

    def charts_for(
        self, group: str, version: Any, build: Callable[[], list[DashboardChart]]
    ) -> list[DashboardChart]:
        """The charts of ``group``, built again only when ``version`` moved."""
        cached = self.charts.get(group)
        if cached is None or cached[0] != version:
            cached = (version, build())
            self.charts[group] = cached
        return cached[1]


def dashboard_chart(
    id: str,
    group: str,
    title: str,
    spec: Optional[dict],
    note: str = "",
    warning: Optional[str] = None,
    details: Optional[list[str]] = None,
) -> Optional[DashboardChart]:
    """A chart of the dashboard with its key, or None when there is nothing to chart (``spec`` is None)."""
    if spec is None:
        return None
    return DashboardChart(
        id=id,
        group=group,
        title=title,
        key=spec_digest(spec),
        spec=spec,
        note=note,
        warning=warning,
        details=details or [],
    )


def _credence_charts(hypotheses: list[Hypothesis]) -> list[DashboardChart]:
    chart = dashboard_chart(
        "credences",
        "beliefs",
        "Credence over time",
        credences_chart(hypotheses),
        note=f"{len(hypotheses):,} hypotheses, {sum(len(h.history) for h in hypotheses):,} credence changes"
        + ("; lines coloured by status" if len(hypotheses) > 12 else ""),
    )
    return [chart] if chart else []


def _set_charts(store: Any, last: datetime) -> list[DashboardChart]:
    charts = []
    for s in store.competing_sets():
        shown = ", ".join(f"{m} {c:.2f}" for m, c in s.credences.items())
        charts.append(
            dashboard_chart(
                f"set-C{s.id}",
                "sets",
                f"C{s.id}: {s.question}",
                set_chart(s, last),
                note=f"{shown}, something else {s.something_else:.2f}; {len(s.history)} change"
                + ("s" if len(s.history) != 1 else ""),
            )
        )
    return [c for c in charts if c]


def _calibration_charts(store: Any, hypotheses: list[Hypothesis]) -> list[DashboardChart]:
    result = calibrate(first_verdicts(p for h in hypotheses for p in h.predictions))
    brier = (
        f", Brier {result.brier:.3f} (0 is perfect, 0.25 is always saying 0.5)"
        if result.brier is not None
        else ""
    )
    charts = [
        dashboard_chart(
            "calibration",
            "calibration",
            "Calibration",
            calibration_chart(hypotheses),
            note=f"{result.judged} judged prediction{'s' if result.judged != 1 else ''}{brier}; each by its first verdict",
            warning=too_few(result.judged),
        )
    ]
    models = store.experiment_models(first_verdict_experiments(hypotheses))
    for dimension in DIMENSIONS:
        spec, rows = slices_chart(hypotheses, dimension, models)
        small = [s for s in rows if s.warning]
        charts.append(
            dashboard_chart(
                f"calibration-{dimension}",
                "calibration",
                f"Calibration by {dimension}",
                spec,
                note=f"{len(rows)} {dimension} value{'s' if len(rows) != 1 else ''}"
                + (f", the {20} most judged shown" if len(rows) > 20 else ""),
                warning=(
                    f"{len(small)} of {len(rows)} with fewer than {MIN_JUDGED} judged: faded, too few to mean anything"
                )
                if small
                else None,
                details=[
                    f"{s.key}: {s.judged} judged, {s.came_true} came true, mean credence {s.mean_credence:.2f},"
                    f" Brier {s.brier:.3f}" + (f" ({s.warning})" if s.warning else "")
                    for s in rows
                ],
            )
        )
    spec, points = rolling_chart(hypotheses)
    summary = getting_better(points, WINDOW)
    charts.append(
        dashboard_chart(
            "calibration-time",
            "calibration",
            "Are you getting better?",
            spec,
            note=f"Brier over the last {WINDOW} judged, as each verdict came; {len(points)} judged"
            + ("" if len(points) < 2 * WINDOW else f": {summary}"),
            warning=summary if len(points) < 2 * WINDOW else None,
        )
    )
    return [c for c in charts if c]


def _surprise_charts(cache: DashboardCache) -> list[DashboardChart]:
    rows = cache.surprises
    kinds = Counter(surprise_kind(kind, manual) for _, _, kind, _, manual, _ in rows)
    binned = len(rows) > POINTS_MAX
    return [
        c
        for c in [
            dashboard_chart(
                "surprises",
                "surprises",
                "Surprises over time",
                surprises_chart(rows),
                note=f"{len(rows):,} surprises: "
                + ", ".join(f"{kinds[k]:,} {k}" for k in ("prediction", "drift", "flagged") if kinds[k])
                + (
                    "; binned by time, each point as high as its most surprising, sized by its count"
                    if binned
                    else ""
                ),
            )
        ]
        if c
    ]


def _mode_charts(cache: DashboardCache) -> list[DashboardChart]:
    totals = [(mode, cache.per_mode[mode]) for mode in MODE_COLOURS if cache.per_mode.get(mode)]
    total = sum(n for _, n in totals) or 1
    shares = ", ".join(f"{mode} {n:,} ({100 * n / total:.0f}%)" for mode, n in totals)
    bins, unit = cache.mode_bins()
    charts = [
        dashboard_chart(
            "modes",
            "modes",
            "Mode balance over time",
            modes_spec(bins, unit) if bins else None,
            note=f"{cache.experiments:,} experiments, one bar per {unit}: {shares}",
        ),
    ]
    return [c for c in charts if c]


def _coverage_charts(store: Any) -> list[DashboardChart]:
    return [
        c
        for i, cov in enumerate(logbook_coverage(store.db))
        if cov.n_heads
        and (
            c := dashboard_chart(
                f"coverage-{i + 1}",
                "coverage",
                f"Coverage: {cov.model}",
                coverage_spec(cov),
                note=coverage_note(cov),
            )
        )
    ]


def _models_seen(store: Any, cache: DashboardCache) -> int:
    """How many experiments ran a TransformerLens model (counted again only past the last one seen)."""
    start = cache.models_checked
    cache.models_seen += store.db.execute(
        "SELECT count(*) FROM experiments WHERE id > ? AND id <= ? AND torch LIKE '%\"n_layers\"%'",
        [start, cache.last_experiment],
    ).fetchone()[0]
    cache.models_checked = cache.last_experiment
    return cache.models_seen


def dashboard(store: Any, have: Iterable[str] = (), cache: Optional[DashboardCache] = None) -> Dashboard:
    """Every chart of the logbook in ``store``, in the dashboard's order; the specs of charts whose key is in
    ``have`` are left out (the client has them). ``cache`` (kept by the caller between calls) makes a call
    after a small change cost about what changed."""
    cache = cache if cache is not None else DashboardCache()
    with store.snapshot():
        cache.catch_up(store)
        last = last_moment(store) or datetime.now(timezone.utc)
        marks = cache.marks
        read: list[list[Hypothesis]] = []

        # Read once per call, and only when a chart of them is built again.
        def hypotheses() -> list[Hypothesis]:
            if not read:
                read.append(cache.current_hypotheses(store))
            return read[0]

        charts = [
            *cache.charts_for("credences", marks["credences"], lambda: _credence_charts(hypotheses())),
            *cache.charts_for(
                "calibration", marks["beliefs"], lambda: _calibration_charts(store, hypotheses())
            ),
            *cache.charts_for("surprises", cache.last_surprise, lambda: _surprise_charts(cache)),
            *cache.charts_for("modes", cache.last_experiment, lambda: _mode_charts(cache)),
            *cache.charts_for("coverage", _models_seen(store, cache), lambda: _coverage_charts(store)),
            # A set never changed runs to the logbook's last moment: cheap to build again (few sets).
            *cache.charts_for("sets", (marks["credences"], last), lambda: _set_charts(store, last)),
        ]
        counts = {
            "hypotheses": store.count("hypotheses"),
            "experiments": cache.experiments,
            "surprises": len(cache.surprises),
        }
    wanted = set(have)
    return Dashboard(
        charts=[c.model_copy(update={"spec": None}) if c.key in wanted else c for c in charts], counts=counts
    )
