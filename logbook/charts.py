"""Charts for reports: Vega-Lite specs as plain dicts, rendered to static SVG by vl-convert.

The specs are data and can be tested as such; :class:`Charts` renders them
on one background thread while the report is written, and keeps each SVG in
a cache keyed by its spec, so re-exporting an unchanged logbook renders
nothing. Colours of text and axes are ``currentColor``: an SVG placed inline
in the page takes the page's colour, light or dark.
"""

from __future__ import annotations

import hashlib
import json
import re
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Optional

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
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
    states = list(history)
    if states:
        states.append((max(until, states[-1][0]), states[-1][1], ""))
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


class Charts:
    """The charts of one report, rendered on a background thread; SVGs cached in ``cache`` (a folder) if given.

    ``add`` returns a reference (``chart:N``) to write into the Markdown in place of
    an image source; ``svg`` gives the rendering, waiting for it if needed.
    """

    def __init__(self, cache: Optional[Path] = None) -> None:
        self.cache = cache
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="logbook-charts")
        self._charts: list[Future | str] = []

    def warm(self) -> None:
        """Start the renderer now (its first chart costs a second), while the logbook is being read."""
        self._pool.submit(render_svg, balance_spec([("explore", 1, "")]))

    def add(self, spec: dict) -> str:
        key = spec_key(spec)
        cached = self._read(key)
        self._charts.append(cached if cached is not None else self._pool.submit(self._render, spec, key))
        return f"chart:{len(self._charts) - 1}"

    def svg(self, reference: str) -> str:
        index = int(reference.removeprefix("chart:"))
        chart = self._charts[index]
        svg = chart if isinstance(chart, str) else chart.result()
        return finish_svg(svg, prefix=f"c{index}-") if "id=" in svg else svg

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def __enter__(self) -> "Charts":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _read(self, key: str) -> Optional[str]:
        if self.cache is None:
            return None
        try:
            return (self.cache / f"{key}.svg").read_text("utf-8")
        except OSError:
            return None

    def _render(self, spec: dict, key: str) -> str:
        svg = render_svg(spec)
        if self.cache is not None:
            try:
                self.cache.mkdir(parents=True, exist_ok=True)
                temporary = self.cache / f"{key}.tmp"
                temporary.write_text(svg, "utf-8")
                temporary.replace(self.cache / f"{key}.svg")
            except OSError:
                pass  # a cache that cannot be written only costs time
        return svg
