"""Sidebar first render and scrolling with 100,000 experiments, against a logbook of 100.

    python bench/sidebar_100k.py [--experiments 100000]

Starts JupyterLab on 127.0.0.1 over each logbook in turn and drives Debian's
Chromium with Playwright: the time from navigation to the experiments list
showing its first rows, then the time from setting the list's scroll position
to the rows there being drawn (fetched page by page from the server).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from logbook.store import Store  # noqa: E402
from tests.lab_server import browser_page, jupyter_lab, open_sidebar  # noqa: E402

FIRST_ROWS = """
() => new Promise(resolve => {
  const done = () => {
    const rows = document.querySelectorAll('#jp-logbook-sidebar .jp-Logbook-experiment');
    if (rows.length) { resolve(performance.now()); return true; }
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
  const viewport = document.querySelector('#jp-logbook-sidebar .jp-Logbook-viewport');
  const total = Math.round(parseFloat(document.querySelector('#jp-logbook-sidebar .jp-Logbook-spacer').style.height) / 24);
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


def fill(path: Path, count: int) -> None:
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


def measure(count: int, folder: Path) -> dict:
    root = folder / f"project-{count}"
    root.mkdir()
    (root / ".logbook").mkdir()
    fill(root / ".logbook" / "logbook.db", count)
    with jupyter_lab(root, {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}) as lab:
        with browser_page(folder) as page:
            page.goto(f"{lab.url}/lab?token={lab.token}")
            open_sidebar(page)
            first = page.evaluate(FIRST_ROWS)
            scrolls = [page.evaluate(SCROLL_TO, fraction) for fraction in (0.25, 0.5, 0.75, 0.999, 0.1, 0.6)]
            heading = page.locator(
                "#jp-logbook-sidebar .jp-Logbook-experiments .jp-Logbook-sectionTitle"
            ).text_content()
    return {"first_rows_ms": first, "scroll_ms": scrolls, "heading": heading}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experiments", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        small = measure(100, Path(folder))
        large = measure(args.experiments, Path(folder))
        print(f"Sidebar with {args.experiments:,} experiments vs 100 (JupyterLab + Chromium, headless)")
        print(f"  heading shown: {large['heading']!r}")
        print(
            f"  first rows drawn after page load   100: {small['first_rows_ms']:7.0f} ms   "
            f"{args.experiments:,}: {large['first_rows_ms']:7.0f} ms   ratio {large['first_rows_ms'] / small['first_rows_ms']:.2f}"
        )
        print(
            f"  scroll to a new position, median   100: {statistics.median(small['scroll_ms']):7.1f} ms   "
            f"{args.experiments:,}: {statistics.median(large['scroll_ms']):7.1f} ms   "
            f"(max {max(large['scroll_ms']):.1f} ms)"
        )
        print(json.dumps({"small": small, "large": large}), file=sys.stderr)


if __name__ == "__main__":
    main()
