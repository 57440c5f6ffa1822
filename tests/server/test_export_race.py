"""Exports race a process that swaps a project folder for a link to an outside folder: nothing lands outside."""

import subprocess
import sys

import pytest

from logbook.errors import LogbookError
from logbook.report.export_target import ExportRefused, check_target, write_export
from logbook.report.exporting import export_logbook, render
from logbook.report.figure_export import write_figures
from tests.support.seed import png

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")

#: Swaps FOLDER for a link to OUTSIDE and back until STOP exists, 20,000 swaps or 30 s, whichever is first;
#: prints how many swaps it made.
SWAPPER = r"""
import itertools, os, sys, time

folder, outside, stop = sys.argv[1:4]
aside = folder + "-aside"
kept = itertools.count()
deadline = time.monotonic() + 30
print("ready", flush=True)
swaps = 0
try:
    while swaps < 20_000 and time.monotonic() < deadline and not os.path.exists(stop):
        swaps += 1
        try:
            os.rename(folder, aside)
        except OSError:
            continue
        try:
            os.symlink(outside, folder)
            for _ in range(3):  # hold the link about as long as the folder
                os.stat(folder)
            os.unlink(folder)
        except OSError:
            pass
        while os.path.lexists(aside):
            try:
                os.rename(aside, folder)
            except OSError:  # an export made a new folder there meanwhile: keep it, under another name
                try:
                    os.rename(folder, f"{folder}-made-{next(kept)}")
                except OSError:
                    pass
        for _ in range(3):
            os.stat(folder)
finally:
    print(swaps, flush=True)
"""


def snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_folder_swapped_for_a_link_never_lets_an_export_out(store, logbook_db, tmp_path):
    project = logbook_db.parent.parent
    store.add_hypothesis("layer 1 copies tokens", 0.6)
    image = png()
    with store.transaction():
        shown = store.insert_experiment(
            {
                "source": "plt.imshow(x)",
                "started_at": "2026-01-01T00:00:00+00:00",
                "duration_ms": 1.0,
                "ok": 1,
            },
            [{"mime": "image/png", "data": image, "size": len(image), "truncated": False}],
        )
    store.pin(shown, caption="a figure, so the Markdown report writes a figures folder")
    reports = project / "reports"
    reports.mkdir()
    export_logbook(store, "reports/log.json", "json")  # an earlier export: the next one replaces it
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "log.json").write_text(render(store, "json"))  # the user's own export, elsewhere
    (outside / "notes.md").write_text("# mine\n")
    before = snapshot(outside)
    stop = tmp_path / "stop"

    swapper = subprocess.Popen(
        [sys.executable, "-c", SWAPPER, str(reports), str(outside), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    json_text, md_text = render(store, "json"), render(store, "md")

    def whole():  # the whole export, figures and all
        export_logbook(store, "reports/log.md", "md")

    def markdown():
        write_export(check_target("reports/log.md", "md", project), md_text)

    def figure():
        write_figures(check_target("reports/log.md", "md", project), {"figure.png": image})

    def plain():
        write_export(check_target("reports/log.json", "json", project), json_text)

    outcomes = {"written": 0, "refused": 0, "failed": 0}
    try:
        assert swapper.stdout.readline() == "ready\n"
        for round in range(2500):
            for write in [whole] * (round % 100 == 0) + [markdown, figure] * (round % 10 == 0) + [plain]:
                try:
                    write()
                    outcomes["written"] += 1
                except ExportRefused:
                    outcomes["refused"] += 1  # a link or a changed file seen on the way
                except LogbookError:
                    outcomes["failed"] += 1  # the folder was moved aside mid-write
    finally:
        stop.touch()
        swaps = int(swapper.communicate(timeout=60)[0])
    assert swapper.returncode == 0 and swaps > 0
    assert snapshot(outside) == before, "an export was written outside the project"
    assert outcomes["written"] > 0 and outcomes["refused"] > 0, outcomes  # the race was run
    landed = [p.relative_to(project).as_posix() for p in project.rglob("log.json")]
    assert landed and all(p.startswith("reports") for p in landed)
