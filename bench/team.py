"""A team project in JupyterLab and Chromium: 5 authors × 20,000 experiments against one author with 100,000.

    python bench/team.py [--authors 5] [--experiments 20000] [--changes 20]

Builds two projects, each author's file filled as ``bench/sidebar_100k.py`` fills one (experiments, 100
hypotheses with predictions and credence changes, 400 judged surprises and 50 open ones):

- ``team``: ``--authors`` files of ``--experiments`` each in ``.logbook/authors/``, one of them this process's;
- ``solo``: one logbook of ``--authors × --experiments`` experiments, as one author keeps it.

Then, in each:

1. the sidebar's first rows after page load (surprise inbox, hypotheses and experiments drawn; in the team
   project the Team section's authors too), three loads each;
2. ``GET team`` (every author's state and records, read from each file) and ``GET search?q=`` (your
   logbook, and in the team project each teammate's too): median and p95 of 20 requests each;
   ``GET dashboard`` (yours, with the Team chart in the team project) and a teammate's
   (``?author=a2``), 10 each; and ``logbook search --team`` (every author's file) against one author's
   search of as many cells, in the library;
3. team only: a teammate's cell ends (an experiment and a flagged surprise written to their file by another
   process) → that surprise drawn in the Team section, ``--changes`` times: median and p95.

Goal (the issue): a teammate's surprise in your sidebar < 1 s after their cell ends.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sidebar_100k import FIRST_ROWS, SETTINGS, fill_beliefs, fill_experiments  # noqa: E402

from logbook.store.core import Store  # noqa: E402
from logbook.team.authors import author_file_name, current_author  # noqa: E402
from logbook.team.view import team_search  # noqa: E402
from tests.support.lab_server import browser_page, jupyter_lab, open_sidebar  # noqa: E402

TEAMMATE_CELL = """
import os, sys, time
sys.path.insert(0, {root!r})
os.environ["LOGNAME"] = os.environ["USER"] = "a2"
from logbook.store.core import Store
with Store({path!r}) as store:
    with store.transaction():
        store.insert_experiment({{"source": "x = {n}", "started_at": "2026-12-03T10:00:00+00:00",
                                  "duration_ms": 1.0, "ok": 1, "notebook": "probe.ipynb"}}, [])
    store.add_manual_surprise("teammate change {n}")
print(time.time())
"""


#: Open surprises flagged in each author's file.
OPEN_SURPRISES = 50


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fill_author(path: Path, experiments: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fill_beliefs(path, 100, 400)
    fill_experiments(path, experiments)
    with Store(path) as store:  # open surprises, as the inbox and the Team section show them
        for n in range(OPEN_SURPRISES):
            store.add_manual_surprise(f"flagged by hand, number {n}")


def timed_get(lab, path: str, n: int = 20) -> dict:
    times = []
    for _ in range(n):
        request = urllib.request.Request(f"{lab.url}/{path}", headers={"Authorization": f"token {lab.token}"})
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as reply:
            reply.read()
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": statistics.median(times), "p95_ms": percentile(times, 0.95)}


def library_search(team_file: Path, solo: Path, text: str = "probe", n: int = 20) -> dict:
    """``logbook search --team`` across every author against one author's search of the same number of cells."""
    team_times, solo_times = [], []
    with Store(solo, guest=True) as store:
        for _ in range(n):
            start = time.perf_counter()
            store.search(text, limit=10)
            solo_times.append((time.perf_counter() - start) * 1000)
    for _ in range(n):
        start = time.perf_counter()
        team_search(team_file, text, limit=10)
        team_times.append((time.perf_counter() - start) * 1000)
    return {
        "team_median_ms": statistics.median(team_times),
        "team_p95_ms": percentile(team_times, 0.95),
        "solo_median_ms": statistics.median(solo_times),
        "solo_p95_ms": percentile(solo_times, 0.95),
    }


def first_rows(lab, folder: Path, team: bool, loads: int = 3) -> list[float]:
    wanted = [
        "#jp-logbook-surprises .jp-Logbook-surprise",
        "#jp-logbook-hypotheses [data-hypothesis]",
        "#jp-logbook-experiments .jp-Logbook-experiment",
    ] + (["#jp-logbook-team .jp-Logbook-teamAuthor"] if team else [])
    found = []
    for _ in range(loads):
        with browser_page(folder) as page:
            page.goto(f"{lab.url}/lab?token={lab.token}")
            open_sidebar(page)
            found.append(max(page.evaluate(FIRST_ROWS, selector) for selector in wanted))
    return found


def teammate_latency(lab, folder: Path, teammate: Path, changes: int) -> list[float]:
    latencies = []
    with browser_page(folder) as page:
        page.goto(f"{lab.url}/lab?token={lab.token}")
        open_sidebar(page)
        page.locator("#jp-logbook-team .jp-Logbook-teamAuthor").first.wait_for()
        for n in range(changes):
            code = TEAMMATE_CELL.format(root=str(ROOT), path=str(teammate), n=n)
            ended = float(
                subprocess.run(
                    [sys.executable, "-c", code], capture_output=True, text=True, check=True
                ).stdout
            )
            row = page.locator("#jp-logbook-team .jp-Logbook-teamRow", has_text=f"teammate change {n}")
            row.wait_for()
            latencies.append((time.time() - ended) * 1000)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--authors", type=int, default=5)
    parser.add_argument("--experiments", type=int, default=20000)
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="logbook-team-bench-") as tmp:
        folder = Path(tmp)
        team = folder / "team"
        authors = team / ".logbook" / "authors"
        me = author_file_name(current_author())
        names = [me] + [f"a{i}.db" for i in range(2, args.authors + 1)]
        started = time.perf_counter()
        for name in names:
            fill_author(authors / name, args.experiments)
        solo = folder / "solo" / ".logbook" / "logbook.db"
        fill_author(solo, args.experiments * args.authors)
        print(
            f"built in {time.perf_counter() - started:.0f} s: {len(names)} × {args.experiments} and 1 × "
            f"{args.experiments * args.authors} experiments"
        )
        searched = library_search(authors / me, solo)
        print(
            f"search every author ({len(names)} × {args.experiments}): median {searched['team_median_ms']:.1f} ms, "
            f"p95 {searched['team_p95_ms']:.1f} ms; one author ({args.experiments * len(names)}): median "
            f"{searched['solo_median_ms']:.1f} ms, p95 {searched['solo_p95_ms']:.1f} ms; ratio "
            f"{searched['team_median_ms'] / searched['solo_median_ms']:.2f}"
        )
        results = {}
        for name, root, is_team in (("team", team, True), ("solo", solo.parent.parent, False)):
            with jupyter_lab(root, SETTINGS) as lab:
                rows = first_rows(lab, folder, is_team)
                team_get = timed_get(lab, "logbook/api/team")
                search = timed_get(lab, "logbook/api/search?q=probe&limit=10")
                dashboard = timed_get(lab, "logbook/api/dashboard", n=10)
                teammate = timed_get(lab, "logbook/api/dashboard?author=a2", n=10) if is_team else None
                latency = teammate_latency(lab, folder, authors / "a2.db", args.changes) if is_team else []
            results[name] = {
                "first_rows_ms": rows,
                "team": team_get,
                "search": search,
                "dashboard": dashboard,
                "teammate_dashboard": teammate,
                "latency": latency,
            }
        for name, r in results.items():
            rows = ", ".join(f"{v:.0f}" for v in r["first_rows_ms"])
            print(
                f"{name}: sidebar first rows {rows} ms (median {statistics.median(r['first_rows_ms']):.0f})"
            )
            print(f"  GET team   median {r['team']['median_ms']:.1f} ms, p95 {r['team']['p95_ms']:.1f} ms")
            print(
                f"  GET search median {r['search']['median_ms']:.1f} ms, p95 {r['search']['p95_ms']:.1f} ms"
            )
            print(
                f"  GET dashboard (yours{' + Team chart' if name == 'team' else ''}) median "
                f"{r['dashboard']['median_ms']:.1f} ms, p95 {r['dashboard']['p95_ms']:.1f} ms"
            )
            if r["teammate_dashboard"]:
                t = r["teammate_dashboard"]
                print(f"  GET dashboard?author=a2 median {t['median_ms']:.1f} ms, p95 {t['p95_ms']:.1f} ms")
        latency = results["team"]["latency"]
        print(
            f"teammate's cell end → their surprise in the Team section: median {statistics.median(latency):.0f} ms, "
            f"p95 {percentile(latency, 0.95):.0f} ms, max {max(latency):.0f} ms over {len(latency)} (goal < 1000 ms)"
        )
        solo_rows = statistics.median(results["solo"]["first_rows_ms"])
        print(
            f"ratio: team first rows / solo first rows = {statistics.median(results['team']['first_rows_ms']) / solo_rows:.2f}"
        )


if __name__ == "__main__":
    main()
