"""The sidebar under load, in JupyterLab and Debian's Chromium (headless, driven by Playwright).

    python bench/sidebar_100k.py [--experiments 100000] [--hypotheses 1000] [--surprises 20000] [--cells 20]

Four measurements, each against a fresh logbook:

1. Experiments: first rows drawn after page load, and scrolling, with 100,000
   experiments against 100 (rows are fetched page by page).
2. A real kernel runs a cell whose result contradicts a prediction, ``--cells``
   times: the time from the cell's end (its prompt number) to its surprise and
   its experiment both being in the sidebar, and the requests each change made
   (one per section that changed).
3. A logbook with 1,000 hypotheses and 20,000 surprises takes a change the way
   a kernel makes one (an experiment and a judged prediction, written through
   its own connection): bytes fetched and time until the sidebar shows it,
   against what the previous sidebar fetched per change (five endpoints, twice).
4. First rows (the surprise inbox, hypotheses and experiments drawn) with that
   logbook, against a logbook with 10 hypotheses and 10 surprises.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from logbook.store.core import Store  # noqa: E402
from tests.support.lab_server import browser_page, jupyter_lab, open_sidebar  # noqa: E402

SETTINGS = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}

FIRST_ROWS = """
(selector) => new Promise(resolve => {
  const done = () => {
    if (document.querySelector(selector)) { resolve(performance.now()); return true; }
    return false;
  };
  if (!done()) {
    new MutationObserver((_, observer) => { if (done()) observer.disconnect(); })
      .observe(document.body, { subtree: true, childList: true });
  }
})
"""

SCROLL_TO = """
async (fraction) => {
  const viewport = document.querySelector('#jp-logbook-experiments .jp-Logbook-viewport');
  const total = Number(viewport.dataset.total);
  const index = Math.min(total - 1, Math.floor(total * fraction));
  const wanted = `#${total - index}`;
  const start = performance.now();
  viewport.scrollTop = index * 24;
  return await new Promise(resolve => {
    const check = () => {
      const found = [...viewport.querySelectorAll('.jp-Logbook-expId')].some(n => n.textContent === wanted);
      if (found) { resolve(performance.now() - start); } else { requestAnimationFrame(check); }
    };
    check();
  });
}
"""

WATCH_CELLS = """
() => {
  window.__lb = { prompts: [], surprises: [], experiments: [], last: null };
  const total = list => Number(document.querySelector(`#jp-logbook-${list} .jp-Logbook-viewport`)?.dataset.total ?? 0);
  const seen = { surprises: -1, experiments: -1 };
  const look = () => {
    const prompt = document.querySelector('.jp-Notebook .jp-Cell .jp-InputPrompt')?.textContent?.trim();
    if (prompt && /\\[\\d+\\]/.test(prompt) && prompt !== window.__lb.last) {
      window.__lb.last = prompt;
      window.__lb.prompts.push(performance.now());
    }
    for (const list of ['surprises', 'experiments']) {
      const n = total(list);
      if (n !== seen[list]) { seen[list] = n; window.__lb[list].push([n, performance.now()]); }
    }
  };
  new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  look();
}
"""


def section_of(path: str) -> str:
    return path.split("?")[0]


#: Logs every call the page makes through fetch: url, method, when it was sent and answered, response bytes.
INSTRUMENT = """
window.__lbCalls = [];
const plainFetch = window.fetch.bind(window);
window.fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input.url;
  const method = (init && init.method) || (typeof input === 'string' ? 'GET' : input.method);
  const entry = { url, method, start: performance.now(), responded: null, bytes: null };
  window.__lbCalls.push(entry);
  const response = await plainFetch(input, init);
  entry.responded = performance.now();
  response.clone().arrayBuffer().then(body => (entry.bytes = body.byteLength));
  return response;
};
"""

#: The sidebar's GETs since call ``mark``, once it has fetched what changed and asked the feed again
#: (it asks only when done); null before that.
SETTLED = """
(mark) => {
  const calls = window.__lbCalls.slice(mark).filter(c => c.method === 'GET' && c.url.includes('/logbook/api/'));
  const feed = c => c.url.includes('/logbook/api/feed?');
  const gets = calls.filter(c => !feed(c));
  const lastFeed = calls.filter(feed).pop();
  const done = c => c.responded !== null && c.responded < lastFeed.start && c.bytes !== null;
  if (!gets.length || !lastFeed || !gets.every(done)) return null;
  return gets.map(c => [c.url.split('/logbook/api/')[1].replace(/[?&]\\d{10,}$/, ''), c.bytes]);
}
"""


def settled_gets(page, mark: int, timeout: float = 10) -> list[tuple[str, int]]:
    """The (path, bytes) of the sidebar's GETs for the change after call ``mark``."""
    deadline = time.perf_counter() + timeout
    while (found := page.evaluate(SETTLED, mark)) is None:
        if time.perf_counter() > deadline:
            raise TimeoutError("the sidebar never settled")
        page.wait_for_timeout(10)
    return [tuple(item) for item in found]


def call_count(page) -> int:
    return page.evaluate("window.__lbCalls.length")


def new_project(folder: Path, name: str) -> Path:
    root = folder / name
    (root / ".logbook").mkdir(parents=True)
    return root


def fill_experiments(path: Path, count: int) -> None:
    with Store(path) as store, store.transaction():
        for i in range(count):
            store.insert_experiment(
                {
                    "source": f"score_{i % 97} = probe(model, layer={i % 2}, head={i % 4})",
                    "started_at": "2026-11-25T10:00:00+00:00",
                    "duration_ms": 3.0,
                    "ok": int(i % 13 != 0),
                    "notebook": "analysis.ipynb",
                },
                [],
            )


def fill_beliefs(path: Path, hypotheses: int, surprises: int) -> None:
    """``hypotheses`` with two predictions each and a credence history; ``surprises`` judged against them."""
    with Store(path) as store:
        for n in range(hypotheses):
            h = store.add_hypothesis(
                f"Head {n % 12} of layer {n % 2} does something specific number {n}", 0.5
            )
            store.add_prediction(h.id, f"score_{n} > 0.{n % 9 + 1}", 0.8)
            store.add_prediction(h.id, f"Ablating head {n % 12} changes the loss", 0.6, kind="text")
            store.update_credence(h.id, 0.4, "a first look")
        with store.transaction():  # written as rows, as a long-lived logbook holds them
            for n in range(surprises):
                hid = f"H{n % hypotheses + 1}"
                store.db.execute(
                    "INSERT INTO surprises (hypothesis_id, prediction_id, prediction, observed, credence,"
                    " surprisal_bits, created_at, manual, note, status) VALUES (?, ?, ?, ?, 0.8, ?, ?, 0, '', ?)",
                    [
                        hid,
                        f"{hid}.P1",
                        f"score_{n % hypotheses} > 0.5",
                        json.dumps({f"score_{n % hypotheses}": {"type": "float", "value": 0.1}}),
                        2.32 - (n % 100) / 100,
                        "2026-11-25T10:00:00+00:00",
                        "unread" if n % 3 else "read",
                    ],
                )
    fill_experiments(path, 50)


def kernel_cell(path: Path) -> None:
    """What a kernel writes for a cell whose result contradicts H1.P1: the experiment, then the judgement."""
    with Store(path) as store, store.transaction():
        experiment = store.insert_experiment(
            {
                "source": "score_0 = 0.1",
                "started_at": "2026-11-25T11:00:00+00:00",
                "duration_ms": 2.0,
                "ok": 1,
            },
            [],
        )
        store.add_judgement(
            held=False,
            prediction=store.prediction("H1.P1"),
            observed={"score_0": {"type": "float", "value": 0.1}},
            surprisal_bits=2.32,
            experiment_id=experiment,
        )


def measure_experiments(count: int, folder: Path) -> dict:
    root = new_project(folder, f"experiments-{count}")
    fill_experiments(root / ".logbook" / "logbook.db", count)
    with jupyter_lab(root, SETTINGS) as lab, browser_page(folder) as page:
        page.goto(f"{lab.url}/lab?token={lab.token}")
        open_sidebar(page)
        first = page.evaluate(FIRST_ROWS, "#jp-logbook-experiments .jp-Logbook-experiment")
        scrolls = [page.evaluate(SCROLL_TO, fraction) for fraction in (0.25, 0.5, 0.75, 0.999, 0.1, 0.6)]
        heading = page.locator('[data-logbook-section="experiments"]').text_content()
    return {"first_rows_ms": first, "scroll_ms": scrolls, "heading": heading}


def measure_cells(cells: int, folder: Path) -> dict:
    root = new_project(folder, "cells")
    with Store(root / ".logbook" / "logbook.db") as store:
        store.add_hypothesis("x stays above ten", 0.8)
        store.add_prediction("H1", "x > 10", 0.8)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("x = 1")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / "cells.ipynb")
    with jupyter_lab(root, SETTINGS) as lab, browser_page(folder) as page:
        page.add_init_script(INSTRUMENT)
        page.goto(f"{lab.url}/lab/tree/cells.ipynb?token={lab.token}")
        open_sidebar(page)
        page.get_by_text("Python 3 (ipykernel) | Idle").first.wait_for(timeout=120_000)
        page.evaluate(WATCH_CELLS)
        latencies, per_change = [], []
        for run in range(cells):
            page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first.click()
            mark = call_count(page)
            page.keyboard.press("Control+Enter")
            page.wait_for_function(
                f"window.__lb.prompts.length > {run} && window.__lb.surprises.some(s => s[0] >= {run + 1})"
                f" && window.__lb.experiments.some(s => s[0] >= {run + 1})",
                timeout=60_000,
            )
            times = page.evaluate(
                f"""() => [window.__lb.prompts[{run}],
                  window.__lb.surprises.find(s => s[0] >= {run + 1})[1],
                  window.__lb.experiments.find(s => s[0] >= {run + 1})[1]]"""
            )
            latencies.append(max(0.0, max(times[1], times[2]) - times[0]))
            per_change.append(Counter(section_of(p) for p, _ in settled_gets(page, mark)))
    return {"latency_ms": latencies, "requests": [dict(c) for c in per_change]}


def fetch_bytes(lab, path: str) -> int:
    request = urllib.request.Request(
        f"{lab.url}/logbook/api/{path}", headers={"Authorization": f"token {lab.token}"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return len(response.read())


def measure_big(hypotheses: int, surprises: int, folder: Path, changes: int = 5, loads: int = 4) -> dict:
    results = {}
    for label, counts in (("small", (10, 10)), ("big", (hypotheses, surprises))):
        root = new_project(folder, f"beliefs-{label}")
        db = root / ".logbook" / "logbook.db"
        fill_beliefs(db, *counts)
        with jupyter_lab(root, SETTINGS) as lab, browser_page(folder) as page:
            page.add_init_script(INSTRUMENT)
            firsts, everything = [], []
            for _ in range(loads):
                page.goto(f"{lab.url}/lab?token={lab.token}")
                open_sidebar(page)
                firsts.append(page.evaluate(FIRST_ROWS, "#jp-logbook-surprises [data-surprise]"))
                page.locator(f'[data-hypothesis="H{counts[0]}"]').wait_for()
                page.locator("#jp-logbook-experiments .jp-Logbook-experiment").first.wait_for()
                everything.append(page.evaluate("performance.now()"))
            result = {
                "first_rows_ms": statistics.median(firsts),
                "all_sections_ms": statistics.median(everything),
            }
            if label == "big":
                per_change = []
                for n in range(changes):
                    total = "Number(document.querySelector('#jp-logbook-surprises .jp-Logbook-viewport').dataset.total)"
                    before = page.evaluate(total)
                    mark = call_count(page)
                    started = time.perf_counter()
                    kernel_cell(db)
                    page.wait_for_function(
                        f"{total} > {before} && document.querySelector('#jp-logbook-experiments .jp-Logbook-expId')"
                        f"?.textContent === '#{51 + n}'"
                    )
                    shown = (time.perf_counter() - started) * 1000
                    fetched = settled_gets(page, mark)
                    per_change.append(
                        {"ms": shown, "bytes": sum(b for _, b in fetched), "fetched": [p for p, _ in fetched]}
                    )
                result["changes"] = per_change
                old = ["status", "hypotheses", "surprises", "brainstorms/current", "mode"]
                started = time.perf_counter()
                old_bytes = 2 * sum(fetch_bytes(lab, path) for path in old)
                old_ms = 2 * (time.perf_counter() - started) * 1000
                result["previous_sidebar"] = {"bytes": old_bytes, "fetch_ms": old_ms}
            results[label] = result
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experiments", type=int, default=100_000)
    parser.add_argument("--hypotheses", type=int, default=1000)
    parser.add_argument("--surprises", type=int, default=20_000)
    parser.add_argument("--cells", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        small = measure_experiments(100, folder)
        large = measure_experiments(args.experiments, folder)
        cells = measure_cells(args.cells, folder)
        beliefs = measure_big(args.hypotheses, args.surprises, folder)
    n = f"{args.experiments:,}"
    print("Sidebar under load (JupyterLab + Chromium, headless)")
    print(f"  experiments heading shown: {large['heading']!r}")
    print(
        f"  experiments, first rows after page load   100: {small['first_rows_ms']:7.0f} ms   "
        f"{n}: {large['first_rows_ms']:7.0f} ms   ratio {large['first_rows_ms'] / small['first_rows_ms']:.2f}"
    )
    print(
        f"  experiments, scroll to a new position     100: {statistics.median(small['scroll_ms']):7.1f} ms   "
        f"{n}: {statistics.median(large['scroll_ms']):7.1f} ms   (max {max(large['scroll_ms']):.1f} ms)"
    )
    print(
        f"  cell end -> its surprise and experiment in the sidebar, {args.cells} cells: median "
        f"{statistics.median(cells['latency_ms']):.0f} ms, max {max(cells['latency_ms']):.0f} ms"
    )
    requests = Counter(json.dumps(r, sort_keys=True) for r in cells["requests"])
    for shape, times in requests.most_common():
        print(f"  requests per cell (besides the feed), {times} of {args.cells} cells: {shape}")
    big, few = beliefs["big"], beliefs["small"]
    changes = big["changes"]
    print(
        f"  with {args.hypotheses:,} hypotheses and {args.surprises:,} surprises, per change (a kernel's cell):"
    )
    print(
        f"    fetched {statistics.median(c['bytes'] for c in changes) / 1000:.1f} kB in "
        f"{statistics.median(len(c['fetched']) for c in changes):.0f} requests, shown after "
        f"{statistics.median(c['ms'] for c in changes):.0f} ms (median of {len(changes)}): {changes[-1]['fetched']}"
    )
    print(
        f"    the previous sidebar fetched {big['previous_sidebar']['bytes'] / 1e6:.1f} MB per change "
        f"({big['previous_sidebar']['fetch_ms']:.0f} ms of server time)"
    )
    ratio = big["first_rows_ms"] / few["first_rows_ms"]
    print(
        f"  first surprise rows after page load   10/10: {few['first_rows_ms']:6.0f} ms   "
        f"{args.hypotheses:,}/{args.surprises:,}: {big['first_rows_ms']:6.0f} ms   ratio {ratio:.2f}"
    )
    print(
        f"  every section drawn                   10/10: {few['all_sections_ms']:6.0f} ms   "
        f"{args.hypotheses:,}/{args.surprises:,}: {big['all_sections_ms']:6.0f} ms   "
        f"ratio {big['all_sections_ms'] / few['all_sections_ms']:.2f}"
    )
    print(json.dumps({"experiments": [small, large], "cells": cells, "beliefs": beliefs}), file=sys.stderr)


if __name__ == "__main__":
    main()
