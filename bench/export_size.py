"""Export time and file size for a logbook of 10,000 experiments.

    python bench/export_size.py [--experiments 10000]

A synthetic logbook (20 hypotheses with predictions, every 50th experiment
judged, a PNG and text output on each judged one) is exported as JSON,
Markdown and HTML. The baseline is reading the whole logbook into the models
(``Store.export()``), which every format starts from. HTML is timed twice:
the first export renders its charts (a credence chart per hypothesis,
calibration, modes); the second finds them in the chart cache beside the
logbook, as every later export of a logbook whose charts have not changed.
With a CircuitsVis and a Plotly figure pinned, the HTML report's size is set
beside the size it would have with the drawing scripts as plain text, and
three Markdown reports written into one folder beside one copy of the
scripts per report. (``bench/report_render.py`` times the first render of
an HTML report in a new process.)
"""

from __future__ import annotations

import argparse
import base64
import json
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from logbook.report.exporting import export_logbook, render
from logbook.report.figure_scripts import bundle, packed_bundle
from logbook.report.figure_sections import SHARED_FOLDER
from logbook.store.core import Store

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def fill(store: Store, experiments: int) -> None:
    predictions = []
    for i in range(20):
        h = store.add_hypothesis(
            f"hypothesis {i}: head {i % 4} in layer {i % 2} does something", 0.5 + i / 50
        )
        predictions.append(store.add_prediction(h.id, f"score_{i} > 0.5", 0.6 + (i % 4) / 10))
    start = datetime.now(timezone.utc)
    with store.transaction():
        for n in range(experiments):
            judged = n % 50 == 0
            outputs = []
            if judged:
                text = f"score = {n / experiments:.3f}".encode()
                outputs = [
                    {"mime": "text/plain", "data": text, "size": len(text), "truncated": False},
                    {
                        "mime": "image/png",
                        "data": PNG + n.to_bytes(4, "big"),
                        "size": len(PNG) + 4,
                        "truncated": False,
                    },
                ]
            eid = store.insert_experiment(
                {
                    "source": f"score_{n % 20} = run_probe(model, layer={n % 2}, head={n % 4})\nprint(score_{n % 20})",
                    "started_at": (start + timedelta(seconds=n)).isoformat(),
                    "duration_ms": 12.5,
                    "ok": 1,
                    "stdout": f"{n / experiments:.3f}\n",
                    "names": json.dumps({f"score_{n % 20}": {"type": "float", "value": n / experiments}}),
                    "mode": ("confirm", "red-team", "explore")[n % 3],
                },
                outputs,
            )
            if judged:
                p = predictions[(n // 50) % 20]
                store.add_judgement(
                    held=n % 100 == 0, prediction=p, observed={}, surprisal_bits=1.0, experiment_id=eid
                )


def add_figures(store: Store) -> bool:
    """Pin a CircuitsVis view and a Plotly chart (as a notebook records them); False without the packages."""
    try:
        import circuitsvis
        import plotly.graph_objects as go
    except ImportError:
        return False
    from kernel_hooks.outputs import encode_output

    pattern = [[[1.0 / (k + 1) if j <= k else 0.0 for j in range(12)] for k in range(12)] for _ in range(4)]
    view = circuitsvis.attention.attention_heads(tokens=[f"t{i}" for i in range(12)], attention=pattern)
    chart = go.Figure(go.Bar(x=[f"L1H{h}" for h in range(8)], y=[h / 8 for h in range(8)]))
    bundles = [
        {"text/plain": "<RenderedHTML>", "text/html": view.local_src},
        {"text/plain": "Figure()", "application/vnd.plotly.v1+json": chart.to_plotly_json()},
    ]
    for shown in bundles:
        outputs = encode_output(shown)
        with store.transaction():
            eid = store.insert_experiment(
                {
                    "source": "show()",
                    "started_at": datetime.now(timezone.utc).isoformat(),
                    "duration_ms": 1.0,
                    "ok": 1,
                },
                outputs,
            )
        store.pin(eid, caption="a figure")
    return True


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experiments", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / ".logbook" / "logbook.db") as store:
        fill(store, args.experiments)
        _, baseline = timed(store.export)
        print(
            f"Export of {args.experiments} experiments ({store.count('surprises')} surprises, "
            f"{store.count('evidence')} pieces of evidence)"
        )
        print(f"  {'read the logbook (baseline)':22}  {baseline:6.2f} s")
        runs = [
            ("json", "json"),
            ("md", "md"),
            ("html", "html (charts rendered)"),
            ("html", "html (charts cached)"),
        ]
        for fmt, label in runs:
            text, took = timed(lambda fmt=fmt: render(store, fmt))
            print(
                f"  {label:22}  {took:6.2f} s  ratio {took / baseline:5.2f}   {len(text.encode()) / 1e6:7.2f} MB"
            )
        before = len(render(store, "html").encode())
        if add_figures(store):
            text, took = timed(lambda: render(store, "html"))
            size = len(text.encode())
            raw = sum(len(bundle(kind).encode()) for kind in ("plotly", "circuitsvis"))
            packed = sum(len(packed_bundle(kind)) for kind in ("plotly", "circuitsvis"))
            print(
                f"  html with a CircuitsVis and a Plotly figure  {took:6.2f} s   {size / 1e6:7.2f} MB"
                f"  (+{(size - before) / 1e6:.2f} MB: the two bundles, deflated in base64, and the figures;"
                f" {(size - packed + raw) / 1e6:.2f} MB with the bundles as plain text, ratio {size / (size - packed + raw):.2f})"
            )
            markdown_reports(store, Path(folder))
        else:
            print("  html with figures: skipped (install circuitsvis and plotly)")


def markdown_reports(store: Store, root: Path, reports: int = 3) -> None:
    """Three Markdown reports in one folder: the scripts their figure pages need, once for all of them."""
    for n in range(reports):
        export_logbook(store, root / f"report-{n}.md", "md", root=root)
    shared = sum(path.stat().st_size for path in (root / SHARED_FOLDER).iterdir())
    own = [
        sum(path.stat().st_size for path in (root / f"report-{n}-figures").iterdir()) for n in range(reports)
    ]
    print(
        f"  {reports} Markdown reports with those figures: {(shared + sum(own)) / 1e6:.2f} MB of figure files"
        f" ({SHARED_FOLDER}/ {shared / 1e6:.2f} MB once; each report's own folder"
        f" {' '.join(f'{size / 1e6:.3f}' for size in own)} MB); a copy of the scripts per report:"
        f" {(shared * reports + sum(own)) / 1e6:.2f} MB, ratio {(shared + sum(own)) / (shared * reports + sum(own)):.2f}"
    )


if __name__ == "__main__":
    main()
