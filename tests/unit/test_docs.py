"""The README and docs/: the README stays short and its links work, and the docs build without a warning."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"


def python_cells(page: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)


def test_readme_keeps_the_two_set_up_commands():
    text = README.read_text()
    assert (
        "make lab    # install, then start JupyterLab with Logbook on http://127.0.0.1:8888, opening the demo"
        in text
    )
    assert "make test   # install, then run every test" in text


def test_readme_tour_is_the_tour_that_docs_tour_md_runs():
    # tests/kernel/test_doc_examples.py runs docs/tour.md's cells; the README shows the same ones.
    assert python_cells(README) == python_cells(DOCS / "tour.md")


def test_readme_is_a_pitch_and_a_tour_not_the_reference():
    assert len(README.read_text().splitlines()) <= 300


def test_every_relative_link_and_image_in_the_readme_exists():
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README.read_text())
    local = [t for t in targets if not re.match(r"[a-z]+:", t)]
    assert "docs/images/surprise-under-the-cell.png" in local
    assert [t for t in local if not (ROOT / t).exists()] == []


def test_the_docs_build_without_a_warning_and_hold_every_page(tmp_path):
    """What `make docs` runs, in a process of its own; nothing is fetched from the network."""
    pytest.importorskip("sphinx")
    out = tmp_path / "html"
    build = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS), str(out)]
    done = subprocess.run(build, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert {p.stem for p in DOCS.glob("*.md")} <= {p.stem for p in out.glob("*.html")}
    assert (out / "_images" / "surprise-under-the-cell.png").exists()
