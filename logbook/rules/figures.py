"""Figures: the image and rich HTML outputs of experiments, grouped by the display that made them.

A cell's display outputs are kept one MIME type per row, in the order of
:data:`RECORDED_MIMES`; a display's rows follow that order, so a row whose type
does not come later than the row before starts the next display. A display
holding an image, SVG, HTML or a Plotly figure is a figure; a pin names it by
the position of its first figure row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from logbook.models import Experiment, Output

#: The MIME types kept of each display output, in this order (a figure's static image after its HTML).
PLOTLY_MIME = "application/vnd.plotly.v1+json"
RECORDED_MIMES = ("text/plain", "text/html", PLOTLY_MIME, "image/svg+xml", "image/png", "image/jpeg")
#: The types that make a display a figure; images are its static form.
FIGURE_MIMES = frozenset(RECORDED_MIMES[1:])
STATIC_MIMES = ("image/png", "image/svg+xml", "image/jpeg")
#: How a logbook record shows itself in a notebook: HTML, but not a figure.
RECORD_HTML = b'<span class="jp-Logbook-record">'
#: How the HTML of a CircuitsVis view begins, in every form CircuitsVis writes and the form the kernel keeps.
CIRCUITSVIS_START = b'<div id="circuits-vis-'


@dataclass
class Figure:
    """One figure of an experiment: the outputs (by position) of the display that drew it."""

    experiment_id: int
    position: int
    outputs: list[tuple[int, Output]]
    #: The positions of every output of its display, its plain text included.
    span: tuple[int, ...] = ()

    def output(self, *mimes: str) -> Output | None:
        """The first of this figure's outputs of one of ``mimes``, in the order given."""
        for mime in mimes:
            for _, output in self.outputs:
                if output.mime == mime:
                    return output
        return None


def displays(outputs: list[Output]) -> list[list[tuple[int, Output]]]:
    """``outputs`` split into the displays that made them, each as (position, output) pairs."""
    order = {mime: index for index, mime in enumerate(RECORDED_MIMES)}
    groups: list[list[tuple[int, Output]]] = []
    last = len(RECORDED_MIMES)
    for position, output in enumerate(outputs):
        rank = order.get(output.mime, len(RECORDED_MIMES))
        if rank <= last or rank == len(RECORDED_MIMES):
            groups.append([])
        groups[-1].append((position, output))
        last = rank
    return groups


def _is_figure(output: Output, store: Any) -> bool:
    if output.mime not in FIGURE_MIMES:
        return False
    if output.mime != "text/html" or store is None or output.size > 4096:
        return True
    try:
        return not store.blob(output.sha256).startswith(RECORD_HTML)
    except Exception:  # a text not kept is still a figure, shown as missing
        return True


def figures_of(experiment: Experiment, store: Any = None) -> list[Figure]:
    """The figures an experiment displayed, in order; with ``store``, a logbook record's HTML is not one."""
    found = []
    for group in displays(experiment.outputs):
        kept = [(position, output) for position, output in group if _is_figure(output, store)]
        if kept:
            found.append(Figure(experiment.id, kept[0][0], kept, tuple(p for p, _ in group)))
    return found


def figure_at(experiment: Experiment, position: int | None, store: Any = None) -> Figure | None:
    """The figure holding output ``position`` (the last figure when None); None if there is none."""
    found = figures_of(experiment, store)
    if position is None:
        return found[-1] if found else None
    return next((f for f in found if position in f.span), None)
