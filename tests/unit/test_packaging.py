"""What README (and docs/tour.md) promise about installing: the wheel brings JupyterLab, and the hooks need no %load_ext there."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
TOUR = (ROOT / "docs" / "tour.md").read_text()


def dependencies() -> set[str]:
    """The names in pyproject's ``[project] dependencies`` (read as text: tomllib needs Python 3.11)."""
    block = re.search(r"^dependencies = \[(.*?)^\]", (ROOT / "pyproject.toml").read_text(), flags=re.S | re.M)
    requirements = re.findall(r'"([^"]+)"', block.group(1))
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def test_the_wheel_brings_jupyterlab_so_pip_install_then_jupyter_lab_works():
    assert {"jupyterlab", "jupyter-server"} <= dependencies()
    for page in (README, TOUR):
        assert "pip install\njupyterlab_logbook-*.whl`, then `jupyter lab`" in page or re.search(
            r"pip install\s+jupyterlab_logbook-\*\.whl`[^.]*then `jupyter lab`", page
        )
    # The install-to-first-screen benchmark installs the wheel alone and checks `jupyter lab` came with it.
    bench = (ROOT / "bench" / "install_first_screen.py").read_text()
    assert 'fresh_install(folder / "logbook", str(wheel))' in bench and "jupyter-lab" in bench


def test_readme_and_the_tour_say_when_load_ext_is_needed():
    for notebook in (README[README.index("## In a notebook") :], TOUR[TOUR.index("## A five-minute tour") :]):
        assert "%load_ext kernel_hooks" in notebook
        assert re.search(r"[Ss]tarted by JupyterLab[^.]*already", notebook)
        assert "second time" in notebook and "silent" in notebook
