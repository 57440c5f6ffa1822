"""Charts for reports and the dashboard: Vega-Lite specs as plain dicts, one definition each.

The report renders them to static SVG with vl-convert; the dashboard in
JupyterLab draws the very same specs with vega-embed (``logbook.report.dashboard``
builds them from the logbook). The specs are data and can be tested as such; :class:`Charts` has them
drawn by a renderer process of its own (:mod:`logbook.report.chart_renderer`) while
the report is written, and keeps each SVG in a cache keyed by its spec, so
re-exporting an unchanged logbook draws nothing, in any process. Colours of text and axes are ``currentColor``: an SVG placed inline
in the page takes the page's colour, light or dark.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from logbook.report.chart_renderer import Renderer
    from logbook.rules.coverage import ModelCoverage

#: Vega-Lite 6, as vl-convert and the dashboard's bundled vega-lite both draw it.
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
HELD, FAILED, LINE = "#2e8b57", "#d62728", "#4c78a8"
#: Bump when the SVG post-processing changes, so cached charts are made again.
RENDER_VERSION = 1

_CONFIG = {
    "background": None,
    "view": {"stroke": None},
    "font": "system-ui, -apple-system, Segoe UI, sans-serif",
    "axis": {
        "labelColor": "currentColor",
        "titleColor": "currentColor",
        "domainColor": "currentColor",
        "tickColor": "currentColor",
        "gridColor": "#8884",
        "labelFontSize": 11,
        "titleFontSize": 11,
        "titleFontWeight": "normal",
    },
    "text": {"color": "currentColor"},
    "title": {"color": "currentColor"},
    "legend": {"labelColor": "currentColor", "titleColor": "currentColor"},
}


def _spec(body: dict, description: str) -> dict:
    return {"$schema": SCHEMA, "description": description, "config": _CONFIG, **body}


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _time_format(history: list, verdicts: list, until: datetime) -> str:
    """Time labels as fine as the span needs: seconds for minutes, hours for a day, dates beyond."""
    moments = [at for at, *_ in history] + [at for at, *_ in verdicts] + [until]
    span = (max(moments) - min(moments)).total_seconds()
    if span < 600:
        return "%H:%M:%S"
    if span < 86400:
        return "%H:%M"
    if span < 3 * 86400:
        return "%b %d %H:%M"
    return "%Y-%m-%d"


def credence_spec(
    history: list[tuple[datetime, float, str]],
    verdicts: list[tuple[datetime, bool, str]],
    until: datetime,
    label: str,
) -> dict:
    """Credence over time: a step line to ``until``, one point per change (its reason on hover), verdicts as rules.

    ``history`` holds (when, credence, reason); ``verdicts`` (when, held, what),
    each drawn as a green (held) or red (failed) rule across the chart.
    """
    steps = [{"at": _iso(at), "credence": c} for at, c, _ in history]
    if history:
        steps.append({"at": _iso(max(until, history[-1][0])), "credence": history[-1][1]})
    points = [
        {
            "at": _iso(at),
            "credence": c,
            "label": f"{c:.2f} on {at:%Y-%m-%d %H:%M}" + (f": {why}" if why else ""),
        }
        for at, c, why in history
    ]
    rules = [
        {
            "at": _iso(at),
            "verdict": "held" if held else "failed",
            "label": f"{what} {'held' if held else 'failed'}",
        }
        for at, held, what in verdicts
    ]
    x = {
        "field": "at",
        "type": "temporal",
        "title": "UTC",
        "scale": {"type": "utc"},
        "axis": {
            "format": _time_format(history, verdicts, until),
            "tickCount": 5,
            "labelOverlap": "greedy",
            "grid": False,
        },
    }
    y = {
        "field": "credence",
        "type": "quantitative",
        "scale": {"domain": [0, 1]},
        "axis": {"values": [0, 0.25, 0.5, 0.75, 1], "format": ".2~f", "grid": True, "title": "credence"},
    }
    layers: list[dict] = []
    if rules:
        layers.append(
            {
                "data": {"values": rules},
                "mark": {"type": "rule", "strokeWidth": 1.5, "opacity": 0.7},
                "encoding": {
                    "x": x,
                    "color": {
                        "field": "verdict",
                        "type": "nominal",
                        "scale": {"domain": ["held", "failed"], "range": [HELD, FAILED]},
                        "legend": {"orient": "top", "title": None, "direction": "horizontal"},
                    },
                    "description": {"field": "label"},
                },
            }
        )
    layers += [
        {
            "data": {"values": steps},
            "mark": {
                "type": "line",
                "interpolate": "step-after",
                "color": LINE,
                "strokeWidth": 2,
                "aria": False,
            },
            "encoding": {"x": x, "y": y},
        },
        {
            "data": {"values": points},
            "mark": {"type": "point", "filled": True, "size": 50, "color": LINE},
            "encoding": {
                "x": x,
                "y": y,
                "description": {"field": "label"},
            },
        },
    ]
    body = {
        "width": 520,
        "height": 140,
        "layer": layers,
    }
    return _spec(body, f"credence of {label} over time")


def calibration_spec(bands: list[tuple[float, float, int]]) -> dict:
    """Stated credence (x) against how often the predictions came true (y), a point per band sized by its n."""
    points = [
        {
            "stated": round(stated, 3),
            "observed": round(observed, 3),
            "n": count,
            "label": f"n={count}",
            "about": f"stated {stated:.2f}, came true {observed:.2f}, n={count}",
        }
        for stated, observed, count in bands
    ]
    axis = {"values": [0, 0.25, 0.5, 0.75, 1], "format": ".2~f", "grid": True}
    x = {
        "field": "stated",
        "type": "quantitative",
        "scale": {"domain": [0, 1]},
        "axis": {**axis, "title": "stated credence"},
    }
    y = {
        "field": "observed",
        "type": "quantitative",
        "scale": {"domain": [0, 1]},
        "axis": {**axis, "title": "fraction that came true"},
    }
    body = {
        "width": 240,
        "height": 240,
        "layer": [
            {
                "data": {"values": [{"stated": 0, "observed": 0}, {"stated": 1, "observed": 1}]},
                "mark": {"type": "line", "strokeDash": [4, 3], "color": "#888"},
                "encoding": {"x": x, "y": y},
            },
            {
                "data": {"values": points},
                "mark": {"type": "circle", "color": LINE, "opacity": 0.75},
                "encoding": {
                    "x": x,
                    "y": y,
                    "size": {
                        "field": "n",
                        "type": "quantitative",
                        "scale": {"range": [40, 400]},
                        "legend": None,
                    },
                    "description": {"field": "about"},
                },
            },
            {
                "data": {"values": points},
                "mark": {"type": "text", "dx": 14, "align": "left", "fontSize": 10, "color": "currentColor"},
                "encoding": {"x": x, "y": y, "text": {"field": "label"}},
            },
        ],
    }
    return _spec(body, "calibration: stated credence against the fraction of predictions that came true")


def balance_spec(rows: list[tuple[str, int, str]]) -> dict:
    """Experiments per research mode as horizontal bars, each labelled with its count and run time."""
    values = [{"mode": mode, "experiments": n, "label": f"{n} ({took})"} for mode, n, took in rows]
    y = {"field": "mode", "type": "nominal", "sort": None, "title": None}
    x = {
        "field": "experiments",
        "type": "quantitative",
        "title": "experiments",
        "axis": {"grid": True, "tickMinStep": 1, "format": "d"},
    }
    body = {
        "width": 320,
        "height": {"step": 22},
        "padding": {"left": 5, "top": 5, "bottom": 5, "right": 90},
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "bar", "color": LINE},
                "encoding": {"x": x, "y": y, "description": {"field": "label"}},
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 10, "color": "currentColor"},
                "encoding": {"x": x, "y": y, "text": {"field": "label"}},
            },
        ],
    }
    return _spec(body, "experiments per research mode")


def set_spec(
    history: list[tuple[datetime, dict[str, float], str]], members: list[str], until: datetime, label: str
) -> dict:
    """A competing set's distribution over time: a stacked area per member and *something else*, summing to 1.

    ``history`` holds (when, credences by member with ``else`` for something
    else, reason); each state holds until the next, the last until ``until``.
    The reasons are in the report's table (Markdown) and the members' histories.
    """
    names = [*members, "else"]
    shown = {m: ("something else" if m == "else" else m) for m in names}
    # One state per moment (the last one made then): two at one moment would stack to 2.
    states = list({at: (at, credences, why) for at, credences, why in history}.values())
    if states and until > states[-1][0]:
        states.append((until, states[-1][1], ""))
    values = [
        {
            "at": _iso(at),
            "member": shown[m],
            "order": i,
            "credence": credences.get(m, 0.0),
        }
        for at, credences, _ in states
        for i, m in enumerate(names)
    ]
    x = {
        "field": "at",
        "type": "temporal",
        "title": "UTC",
        "scale": {"type": "utc"},
        "axis": {
            "format": _time_format([(at, 0.0, "") for at, _, _ in history], [], until),
            "tickCount": 5,
            "labelOverlap": "greedy",
            "grid": False,
        },
    }
    body = {
        "width": 520,
        "height": 160,
        "data": {"values": values},
        "mark": {"type": "area", "interpolate": "step-after", "opacity": 0.85},
        "encoding": {
            "x": x,
            "y": {
                "field": "credence",
                "type": "quantitative",
                "stack": "zero",
                "scale": {"domain": [0, 1]},
                "axis": {
                    "values": [0, 0.25, 0.5, 0.75, 1],
                    "format": ".2~f",
                    "grid": True,
                    "title": "credence",
                },
            },
            "color": {
                "field": "member",
                "type": "nominal",
                "sort": [shown[m] for m in names],
                "scale": {"domain": [shown[m] for m in names], "scheme": "tableau10"},
                "legend": {"orient": "right", "title": None},
            },
            "order": {"field": "order", "type": "quantitative"},
            # one area per member: a label per point would cut each area into slivers
            "description": {"field": "member"},
        },
    }
    return _spec(body, f"the distribution of {label} over time")


#: Up to this many hypotheses, each has its colour and a legend entry; beyond, lines are coloured by status.
LEGEND_MAX = 12
#: Beyond this many points, a chart draws lines (or binned points) only: its SVG stays light.
POINTS_MAX = 1000
#: The rolling Brier score keeps every n-th point beyond this many (and the last): the line keeps its shape.
ROLLING_MAX = 250
STATUS_COLOURS = {"active": LINE, "supported": HELD, "refuted": FAILED, "abandoned": "#888888"}
MODE_COLOURS = {"confirm": LINE, "red-team": FAILED, "explore": "#e8a33d", "none": "#888888"}
SURPRISE_COLOURS = {"prediction": FAILED, "drift": "#e8a33d", "flagged": "#9467bd"}


def _temporal(format_: str) -> dict:
    return {
        "field": "at",
        "type": "temporal",
        "title": "UTC",
        "scale": {"type": "utc"},
        "axis": {"format": format_, "tickCount": 5, "labelOverlap": "greedy", "grid": False},
    }


_UNIT_AXIS = {"values": [0, 0.25, 0.5, 0.75, 1], "format": ".2~f", "grid": True}


def credences_spec(series: list[tuple[str, str, list[tuple[datetime, float, str]]]], until: datetime) -> dict:
    """Credence over time of every hypothesis: a step line each, to ``until``.

    ``series`` holds (id, status, history), history as (when, credence, reason).
    Up to :data:`LEGEND_MAX` hypotheses each has its colour in a legend; beyond
    that the lines are coloured by status, and a line's hover text names it.
    """
    by_hypothesis = len(series) <= LEGEND_MAX
    steps, points = [], []
    for hid, status, history in series:
        for at, credence, why in history:
            steps.append({"at": _iso(at), "credence": credence, "hypothesis": hid, "status": status})
            points.append(
                {
                    "at": _iso(at),
                    "credence": credence,
                    "hypothesis": hid,
                    "status": status,
                    "label": f"{hid} {credence:.2f} on {at:%Y-%m-%d %H:%M}" + (f": {why}" if why else ""),
                }
            )
        if history:
            last = history[-1]
            steps.append(
                {"at": _iso(max(until, last[0])), "credence": last[1], "hypothesis": hid, "status": status}
            )
    every = [(at, c, "") for _, _, history in series for at, c, _ in history]
    x = _temporal(_time_format(every or [(until, 0.0, "")], [], until))
    y = {
        "field": "credence",
        "type": "quantitative",
        "scale": {"domain": [0, 1]},
        "axis": {**_UNIT_AXIS, "title": "credence"},
    }
    if by_hypothesis:
        color = {
            "field": "hypothesis",
            "type": "nominal",
            "sort": [hid for hid, _, _ in series],
            "scale": {"scheme": "tableau10" if len(series) <= 10 else "tableau20"},
            "legend": {"orient": "right", "title": None},
        }
    else:
        color = {
            "field": "status",
            "type": "nominal",
            "scale": {"domain": list(STATUS_COLOURS), "range": list(STATUS_COLOURS.values())},
            "legend": {"orient": "top", "title": None, "direction": "horizontal"},
        }
    layers: list[dict] = [
        {
            "data": {"values": steps},
            "mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 1.5, "opacity": 0.8},
            "encoding": {
                "x": x,
                "y": y,
                "color": color,
                "detail": {"field": "hypothesis", "type": "nominal"},
                "description": {"field": "hypothesis"},
            },
        }
    ]
    if len(points) <= POINTS_MAX:
        layers.append(
            {
                "data": {"values": points},
                "mark": {"type": "point", "filled": True, "size": 30},
                "encoding": {"x": x, "y": y, "color": color, "description": {"field": "label"}},
            }
        )
    body = {"width": 520, "height": 200, "layer": layers}
    return _spec(body, f"credence over time of {len(series)} hypotheses")


def slices_spec(dimension: str, slices: list, shown: int = 20) -> dict:
    """Calibration per value of ``dimension``: what was stated (mean credence, ○) against what came true (●).

    One row per slice (:class:`logbook.rules.calibration.Slice`), most judged first,
    the first ``shown`` of them; each labelled with its count and Brier score,
    and faded with "too few" when its count is too small to mean anything.
    """
    values = [
        {
            "key": s.key,
            "stated": round(s.mean_credence, 3),
            "observed": round(s.came_true / s.judged, 3) if s.judged else 0.0,
            "n": s.judged,
            "enough": s.warning is None,
            "label": f"n={s.judged} · Brier {s.brier:.2f}" + ("" if s.warning is None else " · too few"),
            "about": f"{s.key}: stated {s.mean_credence:.2f} on average, {s.came_true} of {s.judged} came true"
            + (f" ({s.warning})" if s.warning else ""),
        }
        for s in slices[:shown]
    ]
    y = {"field": "key", "type": "nominal", "sort": None, "title": None, "axis": {"labelLimit": 140}}
    x = {
        "field": "stated",
        "type": "quantitative",
        "scale": {"domain": [0, 1]},
        "axis": {**_UNIT_AXIS, "title": "○ mean credence stated, ● fraction that came true"},
    }
    observed = {**x, "field": "observed"}
    faded = {"condition": {"test": "datum.enough", "value": 1}, "value": 0.4}
    body = {
        "width": 300,
        "height": {"step": 22},
        "padding": {"left": 5, "top": 5, "bottom": 5, "right": 150},
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "rule", "color": LINE, "strokeWidth": 2},
                "encoding": {"y": y, "x": x, "x2": {"field": "observed"}, "opacity": faded},
            },
            {
                "mark": {"type": "point", "color": LINE, "size": 60, "strokeWidth": 2},
                "encoding": {"y": y, "x": x, "opacity": faded, "description": {"field": "about"}},
            },
            {
                "mark": {"type": "circle", "color": LINE, "size": 70},
                "encoding": {"y": y, "x": observed, "opacity": faded, "description": {"field": "about"}},
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 8, "fontSize": 10, "color": "currentColor"},
                "encoding": {"y": y, "x": {"datum": 1, "type": "quantitative"}, "text": {"field": "label"}},
            },
        ],
    }
    return _spec(body, f"calibration by {dimension}")


def rolling_brier_spec(points: list, window: int) -> dict:
    """The Brier score over the last ``window`` first verdicts, as each came (:func:`logbook.rules.calibration.rolling_brier`).

    A dashed rule marks 0.25 (always saying 0.5); points before the window is full are faded.
    """
    step = max(1, -(-len(points) // ROLLING_MAX))
    kept = points[step - 1 :: step] if step > 1 else list(points)
    if points and (not kept or kept[-1] is not points[-1]):
        kept.append(points[-1])
    values = [
        {
            "judged": p.index,
            "brier": round(p.brier, 4),
            "n": p.judged,
            "full": p.judged >= window,
            "about": f"Brier {p.brier:.3f} over the last {p.judged} judged, as of the {p.index}th ({p.at:%Y-%m-%d %H:%M})",
        }
        for p in kept
    ]
    x = {
        "field": "judged",
        "type": "quantitative",
        "title": "predictions judged",
        "axis": {"tickMinStep": 1, "format": "d"},
    }
    y = {
        "field": "brier",
        "type": "quantitative",
        "scale": {"domain": [0, 1]},
        "axis": {**_UNIT_AXIS, "title": f"Brier, last {window} (lower is better)"},
    }
    body = {
        "width": 520,
        "height": 160,
        "layer": [
            {
                "data": {"values": [{"brier": 0.25, "label": "always saying 0.5"}]},
                "layer": [
                    {
                        "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#888"},
                        "encoding": {"y": {"field": "brier", "type": "quantitative"}},
                    },
                    {
                        "mark": {
                            "type": "text",
                            "align": "right",
                            "baseline": "bottom",
                            "x": "width",
                            "dy": -2,
                            "fontSize": 10,
                            "color": "currentColor",
                        },
                        "encoding": {
                            "y": {"field": "brier", "type": "quantitative"},
                            "text": {"field": "label"},
                        },
                    },
                ],
            },
            {
                "data": {"values": values},
                "layer": [
                    {"mark": {"type": "line", "color": LINE, "strokeWidth": 2}, "encoding": {"x": x, "y": y}},
                    {
                        "mark": {"type": "point", "filled": True, "color": LINE, "size": 30},
                        "encoding": {
                            "x": x,
                            "y": y,
                            "opacity": {"condition": {"test": "datum.full", "value": 1}, "value": 0.35},
                            "description": {"field": "about"},
                        },
                    },
                ],
            },
        ],
    }
    return _spec(body, f"Brier score over the last {window} judged predictions, rolling")


#: Pixels kept inside a surprise timeline's axes beyond its first and last point (its largest circle's radius).
TIMELINE_PADDING = 10


def _surprise_timeline(points: list[dict], mark: dict, color: dict, extra: dict) -> dict:
    """A timeline of surprises: a point at each one's time (``at``) and surprisal (``bits``), with ``label``."""
    moments = [(datetime.fromisoformat(p["at"]), 0.0, "") for p in points]
    x = _temporal(_time_format(moments, [], max(m[0] for m in moments)) if moments else "%Y-%m-%d")
    # Room inside the axes for the largest point, so none sits half outside them at the ends.
    x = {**x, "scale": {**x.get("scale", {}), "padding": TIMELINE_PADDING}}
    y = {
        "field": "bits",
        "type": "quantitative",
        "title": "surprisal (bits)",
        "scale": {"padding": TIMELINE_PADDING},
        "axis": {"grid": True, "format": ".1~f"},
    }
    legend = {"orient": "top", "title": None, "direction": "horizontal"}
    return {
        "width": 520,
        "height": 160,
        "data": {"values": points},
        "mark": mark,
        "encoding": {
            "x": x,
            "y": y,
            "color": {**color, "legend": legend},
            **extra,
            "description": {"field": "label"},
        },
    }


def surprises_spec(points: list[dict]) -> dict:
    """The surprise timeline: a point per surprise (or per bin of them), at its time and surprisal in bits.

    ``points`` come from :func:`logbook.report.dashboard.surprise_points`: ``at``,
    ``bits``, ``kind`` (prediction, drift, flagged), ``n`` and ``label``.
    """
    kinds = {"domain": list(SURPRISE_COLOURS), "range": list(SURPRISE_COLOURS.values())}
    size = {
        "field": "n",
        "type": "quantitative",
        "scale": {"range": [30, 300], "zero": False},
        "legend": None,
    }
    body = _surprise_timeline(
        points,
        {"type": "circle", "opacity": 0.7},
        {"field": "kind", "type": "nominal", "scale": kinds},
        {"size": size},
    )
    return _spec(body, "surprises over time, by surprisal")


def team_surprises_spec(points: list[dict]) -> dict:
    """Every author's open surprises over time: a point per surprise at its surprisal, coloured by author.

    ``points`` have ``at``, ``bits`` (0 for one flagged by hand), ``author`` and ``label``.
    """
    body = _surprise_timeline(
        points, {"type": "circle", "opacity": 0.75, "size": 60}, {"field": "author", "type": "nominal"}, {}
    )
    return _spec(body, "every author's open surprises over time, by surprisal")


def modes_spec(bins: list[dict], unit: str) -> dict:
    """Experiments per research mode over time: stacked bars, one per ``unit`` (minute, hour, day, week).

    ``bins`` come from :func:`logbook.report.dashboard.mode_bins`: ``at``, ``end``, ``mode``, ``experiments``.
    """
    moments = [(datetime.fromisoformat(b["at"]), 0.0, "") for b in bins]
    until = max((datetime.fromisoformat(b["end"]) for b in bins), default=None)
    x = _temporal(_time_format(moments or [(until, 0.0, "")], [], until) if until else "%Y-%m-%d")
    body = {
        "width": 520,
        "height": 140,
        "data": {"values": bins},
        "mark": {"type": "bar"},
        "encoding": {
            "x": x,
            "x2": {"field": "end"},
            "y": {
                "field": "experiments",
                "type": "quantitative",
                "stack": "zero",
                "title": f"experiments per {unit}",
                "axis": {"grid": True, "tickMinStep": 1, "format": "d"},
            },
            "color": {
                "field": "mode",
                "type": "nominal",
                "scale": {"domain": list(MODE_COLOURS), "range": list(MODE_COLOURS.values())},
                "legend": {"orient": "top", "title": None, "direction": "horizontal"},
            },
            "order": {"field": "order", "type": "quantitative"},
            "description": {"field": "label"},
        },
    }
    return _spec(body, "experiments per research mode over time")


COVERAGE_STATES = {"looked at": HELD, "cached, never read": "#e8a33d", "never touched": "#8884"}


def coverage_spec(cov: ModelCoverage) -> dict:
    """Where the notebook has looked in one model (:class:`logbook.rules.coverage.ModelCoverage`): a layer × head grid."""
    from logbook.rules.coverage import KINDS, looked

    values = []
    for layer, row in enumerate(cov.heads):
        for head, counts in enumerate(row):
            state = (
                "looked at"
                if looked(counts)
                else ("cached, never read" if counts.get("cached") else "never touched")
            )
            seen = ", ".join(f"{kind} {counts[kind]}" for kind in KINDS if counts.get(kind))
            values.append(
                {
                    "layer": layer,
                    "head": head,
                    "state": state,
                    "label": f"L{layer}H{head}: {seen or 'never touched'}",
                }
            )
    body = {
        "width": {"step": 14},
        "height": {"step": 14},
        # The legend is wider than a small grid, and a browser's font wider than the one it was measured with.
        "padding": {"left": 5, "top": 5, "bottom": 5, "right": 40},
        "data": {"values": values},
        "mark": {"type": "rect", "stroke": "#8886", "strokeWidth": 0.5},
        "encoding": {
            "x": {"field": "head", "type": "ordinal", "title": "head", "axis": {"labelAngle": 0}},
            "y": {"field": "layer", "type": "ordinal", "title": "layer"},
            "color": {
                "field": "state",
                "type": "nominal",
                "scale": {"domain": list(COVERAGE_STATES), "range": list(COVERAGE_STATES.values())},
                "legend": {"orient": "top", "title": None, "direction": "horizontal"},
            },
            "description": {"field": "label"},
        },
    }
    return _spec(body, f"attention heads looked at in {cov.model}")


_LABELLED = re.compile(r'<(path|line|rect)((?:(?!/>)[^>])*?role="graphics-symbol"(?:(?!/>)[^>])*)/>')
_ARIA = re.compile(r'aria-label="([^"]*)"')
_IDS = re.compile(r'(id="|url\(#|href="#)([^")]+)')


def finish_svg(svg: str, prefix: str = "") -> str:
    """Vega's SVG made for a page: every labelled mark gets a ``<title>`` (its hover text), ids get ``prefix``."""

    def titled(match: re.Match) -> str:
        tag, attributes = match.group(1), match.group(2)
        label = _ARIA.search(attributes)
        if not label:
            return match.group(0)
        return f"<{tag}{attributes}><title>{label.group(1)}</title></{tag}>"

    svg = _LABELLED.sub(titled, svg)
    if prefix:
        svg = _IDS.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", svg)
    return svg


def spec_key(spec: dict) -> str:
    """A digest naming ``spec``'s rendering: the same spec, renderer and post-processing give the same key."""
    import vl_convert

    text = json.dumps(spec, sort_keys=True, default=str)
    version = getattr(vl_convert, "__version__", "")
    return hashlib.sha256(f"{RENDER_VERSION}\n{version}\n{text}".encode()).hexdigest()


def available() -> bool:
    """Whether charts can be drawn here: vl-convert ships a wheel for the common platforms, not all."""
    try:
        import vl_convert  # noqa: F401
    except ImportError:
        return False
    return True


def render_svg(spec: dict) -> str:
    """``spec`` (Vega-Lite) as a static SVG document, with hover titles."""
    import vl_convert

    return finish_svg(vl_convert.vegalite_to_svg(spec))


#: A cached chart no export has used for this many days is removed.
CACHE_DAYS = 30


class Charts:
    """The charts of one report, drawn by the shared renderer process; SVGs cached in ``cache`` (a folder) if given.

    ``add`` returns a reference (``chart:N``) to write into the Markdown in place of
    an image source; ``svg`` gives the rendering, waiting for it if needed. A chart
    found in the cache is never drawn again, by this process or another; where the
    renderer process cannot run, charts are drawn here, on one background thread.
    """

    def __init__(self, cache: Optional[Path] = None, renderer: Optional[Renderer] = None) -> None:
        from logbook.report.chart_renderer import shared

        self.cache = cache
        self.renderer = renderer if renderer is not None else shared()
        self._pool: Optional[ThreadPoolExecutor] = None
        self._charts: list[Future | str] = []
        self._specs: list[Optional[dict]] = []

    def warm(self) -> None:
        """Start the renderer process now (its runtime takes a while), while the logbook is being read."""
        from logbook.report.chart_renderer import RendererGone

        try:
            self.renderer.start()
        except RendererGone:  # charts will be drawn here: start the runtime on the background thread
            self._here().submit(render_svg, balance_spec([("explore", 1, "")]))

    def add(self, spec: dict) -> str:
        key = spec_key(spec)
        cached = self._read(key)
        self._specs.append(None if cached is not None else spec)
        self._charts.append(cached if cached is not None else self._render(spec, key))
        return f"chart:{len(self._charts) - 1}"

    def svg(self, reference: str) -> str:
        from logbook.report.chart_renderer import RendererGone

        index = int(reference.removeprefix("chart:"))
        chart = self._charts[index]
        try:
            svg = chart if isinstance(chart, str) else chart.result()
        except RendererGone:
            spec = self._specs[index]
            assert spec is not None  # a chart found in the cache is its text, which raises nothing
            svg = self._keep(render_svg(spec), spec_key(spec))
        return finish_svg(svg, prefix=f"c{index}-") if "id=" in svg else svg

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        self._prune()

    def __enter__(self) -> "Charts":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _here(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="logbook-charts")
        return self._pool

    def _read(self, key: str) -> Optional[str]:
        if self.cache is None:
            return None
        path = self.cache / f"{key}.svg"
        try:
            svg = path.read_text("utf-8")
        except OSError:
            return None
        try:
            os.utime(path)  # used now: kept for CACHE_DAYS more
        except OSError:
            pass  # a cache this process may not write is read all the same
        return svg

    def _prune(self) -> None:
        """Remove the cached charts no export has used for :data:`CACHE_DAYS` (each new cell makes a few)."""
        if self.cache is None:
            return
        before = time.time() - CACHE_DAYS * 86_400
        try:
            entries = list(os.scandir(self.cache))
        except OSError:
            return
        for entry in entries:
            try:
                if (
                    entry.name.endswith((".svg", ".tmp"))
                    and entry.stat(follow_symlinks=False).st_mtime < before
                ):
                    os.unlink(entry.path)
            except OSError:
                continue

    def _render(self, spec: dict, key: str) -> Future:
        from logbook.report.chart_renderer import RendererGone

        try:
            drawn = self.renderer.render(spec)
        except RendererGone:
            return self._here().submit(lambda: self._keep(render_svg(spec), key))
        kept: Future = Future()

        def done(future: Future) -> None:
            error = future.exception()
            if error is not None:
                kept.set_exception(error)
            else:
                kept.set_result(self._keep(finish_svg(future.result()), key))

        drawn.add_done_callback(done)
        return kept

    def _keep(self, svg: str, key: str) -> str:
        if self.cache is not None:
            try:
                self.cache.mkdir(parents=True, exist_ok=True)
                temporary = self.cache / f"{key}.{os.getpid()}.tmp"
                temporary.write_text(svg, "utf-8")
                temporary.replace(self.cache / f"{key}.svg")
            except OSError:
                pass  # a cache that cannot be written only costs time
        return svg
