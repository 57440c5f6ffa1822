"""First render of an HTML report in a new process: its charts drawn, cached, or drawn for one new cell.

    python bench/report_render.py [--experiments 10000] [--runs 3]

The logbook of ``bench/export_size.py`` (10,000 experiments, 20 hypotheses;
about 30 charts) is exported by a new Python process each time, as
``logbook export`` does, in these cases:

- Markdown (no charts): the baseline;
- HTML with an empty chart cache (the logbook's first HTML export), charts
  drawn in this process on a thread (how reports were drawn before: vl-convert
  holds the lock while it draws) and by the renderer process;
- HTML with the cache the previous export left, nothing changed;
- HTML after one new cell (the charts it changes are drawn again).

Each figure is the export alone (the process's imports apart, about 0.6 s,
the same in every case), and the whole process's wall time beside it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child(folder: Path, fmt: str, in_process: bool) -> None:
    """Export the logbook in ``folder`` as ``fmt`` and print how long it took (JSON)."""
    from logbook.report import chart_renderer
    from logbook.report.exporting import render
    from logbook.store.core import Store

    if in_process:  # charts drawn here, on the background thread, as before the renderer process

        class Here(chart_renderer.Renderer):
            def _ensure(self):
                raise chart_renderer.RendererGone("drawn in process for the comparison")

        chart_renderer._shared = Here()
    with Store(folder / ".logbook" / "logbook.db") as store:
        start = time.perf_counter()
        text = render(store, fmt)
        took = time.perf_counter() - start
    print(
        json.dumps(
            {"export_s": took, "bytes": len(text.encode()), "renderers": chart_renderer.shared().starts}
        )
    )


def run_child(folder: Path, fmt: str, in_process: bool = False) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(folder), fmt]
    if in_process:
        command.append("--in-process")
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=HERE.parent)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return result


def add_cell(folder: Path) -> None:
    from logbook.store.core import Store

    with Store(folder / ".logbook" / "logbook.db") as store:
        store.insert_experiment(
            {
                "source": "score_0 = run_probe(model, layer=0, head=0)",
                "started_at": datetime.now(timezone.utc).isoformat(),
                "duration_ms": 3.0,
                "ok": 1,
                "mode": "explore",
            },
            [],
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experiments", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("FOLDER", "FORMAT"))
    parser.add_argument("--in-process", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1], args.in_process)
        return
    sys.path.insert(0, str(HERE))
    from export_size import fill

    from logbook.store.core import Store

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        with Store(folder / ".logbook" / "logbook.db") as store:
            fill(store, args.experiments)
        cache = folder / ".logbook" / "cache"

        def cold(in_process: bool = False) -> dict:
            shutil.rmtree(cache, ignore_errors=True)
            return run_child(folder, "html", in_process)

        cases = [
            ("Markdown, no charts (baseline)", lambda: run_child(folder, "md")),
            ("HTML, empty cache, drawn in process", lambda: cold(in_process=True)),
            ("HTML, empty cache, renderer process", cold),
            ("HTML, cached, nothing changed", lambda: run_child(folder, "html")),
            ("HTML, one new cell", lambda: (add_cell(folder), run_child(folder, "html"))[1]),
        ]
        print(
            f"HTML report of {args.experiments} experiments, first render in a new process ({args.runs} runs)"
        )
        baseline = None
        for label, case in cases:
            results = [case() for _ in range(args.runs)]
            export = statistics.median(r["export_s"] for r in results)
            baseline = baseline or export
            runs = " ".join(f"{r['export_s']:.2f}" for r in results)
            process = " ".join(f"{r['process_s']:.2f}" for r in results)
            print(
                f"  {label:38} {export:5.2f} s (runs {runs}; ratio {export / baseline:4.2f}; "
                f"whole process {process} s; renderer processes {results[-1]['renderers']})"
            )


if __name__ == "__main__":
    main()
