"""What an export may write: new files and earlier exports inside the project, nothing else, all at once."""

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

import logbook
from logbook.cli.main import main
from logbook.report.export_target import (
    SNIFF_BYTES,
    ExportRefused,
    check_target,
    default_root,
    exported_format,
    write_export,
)
from logbook.report.exporting import export_logbook, render
from logbook.report.figure_export import write_figures
from logbook.report.selection import Selection

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses symbolic links and resource limits")


@pytest.fixture
def project(store, logbook_db):
    """A project folder (the working folder) with a logbook holding one hypothesis, a notebook and git."""
    store.add_hypothesis("layer 1 copies tokens", 0.6)
    root = logbook_db.parent.parent
    (root / "research.ipynb").write_text('{"cells": [], "nbformat": 4}')
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]\n")
    (root / "notes").mkdir()
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_each_format_carries_a_marker_found_in_its_first_kilobytes(store, tmp_path):
    json_text, md_text, html_text = (render(store, fmt) for fmt in ("json", "md", "html"))
    assert json.loads(json_text)["format"] == "logbook" and json_text.startswith('{\n  "format": "logbook"')
    assert md_text.splitlines()[0] == "<!-- jupyterlab-logbook export -->"
    assert '<meta name="generator" content="jupyterlab-logbook">' in html_text[:SNIFF_BYTES]
    for fmt, text in (("json", json_text), ("md", md_text), ("html", html_text)):
        (tmp_path / f"log.{fmt}").write_text(text)
        assert exported_format(tmp_path / f"log.{fmt}") == fmt
    (tmp_path / "other.json").write_text('{"accuracy": 0.9, "format": "logbook"}')
    assert exported_format(tmp_path / "other.json") is None


def test_a_new_file_and_an_earlier_export_may_be_written(project, store):
    for fmt, name in (("json", "log.json"), ("md", "notes/log.markdown"), ("html", "new/folder/log.htm")):
        assert export_logbook(store, name, fmt) == project / name
        store.add_hypothesis(f"stated after the {fmt} export")
        export_logbook(store, name, fmt)
        assert f"stated after the {fmt} export" in (project / name).read_text()


def test_the_logbook_git_and_hidden_folders_are_never_written(project, store, logbook_db):
    before = snapshot(project)
    for path, says in [
        (".logbook/logbook.db", "inside the hidden folder .logbook"),
        ("notes/../.logbook/logbook.db-wal", "inside the hidden folder .logbook"),
        (".logbook/log.json", "inside the hidden folder .logbook"),
        (".git/config", "inside the hidden folder .git"),
        ("notes/.cache/log.json", "inside the hidden folder .cache"),
        (".log.json", "it is hidden"),
    ]:
        with pytest.raises(ExportRefused, match=says):
            export_logbook(store, path, "json")
    assert snapshot(project) == before


def test_a_notebook_or_any_other_file_is_never_overwritten(project, store):
    (project / "README.md").write_text("# My project\n")
    (project / "results.json").write_text('{"accuracy": 0.9}')
    (project / "empty.html").write_text("")
    before = snapshot(project)
    for path, fmt in [
        ("research.ipynb", "json"),
        ("README.md", "md"),
        ("results.json", "json"),
        ("empty.html", "html"),
    ]:
        with pytest.raises(ExportRefused, match=f"will not overwrite {path}: it is not a Logbook export"):
            export_logbook(store, path, fmt)
    assert snapshot(project) == before


def test_an_export_has_its_format_s_extension(project, store):
    export_logbook(store, "log.md", "md")
    before = snapshot(project)
    for path, fmt, says in [
        ("log.txt", "md", r"a md export must be named \*.md or \*.markdown, not log.txt"),
        ("log.md", "json", r"a json export must be named \*.json, not log.md"),
        ("log", "html", r"a html export must be named \*.html or \*.htm"),
    ]:
        with pytest.raises(ExportRefused, match=says):
            export_logbook(store, path, fmt)
    (project / "renamed.md").write_bytes((project / "log.md").read_bytes())
    (project / "html-named.md").write_text(render(store, "html"))
    with pytest.raises(ExportRefused, match="it is a Logbook html export, not md"):
        export_logbook(store, "html-named.md", "md")
    assert export_logbook(store, "renamed.md", "markdown") == project / "renamed.md"
    assert snapshot(project).keys() == before.keys() | {"renamed.md", "html-named.md"}


def test_symbolic_links_are_never_followed(project, store, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    export_logbook(store, "old.json", "json")
    os.symlink(project / "research.ipynb", project / "notebook.json")
    os.symlink(project / "old.json", project / "to-an-export.json")
    os.symlink(project / "missing.json", project / "dangling.json")
    os.symlink(outside, project / "elsewhere")
    os.symlink(project / "notes", project / "notes-link")
    before = snapshot(project)
    for path, link in [
        ("notebook.json", "notebook.json"),
        ("to-an-export.json", "to-an-export.json"),
        ("dangling.json", "dangling.json"),
        ("elsewhere/log.json", "elsewhere"),
        ("notes-link/deeper/log.json", "notes-link"),
    ]:
        with pytest.raises(ExportRefused, match=f"will not write through the symbolic link {link}"):
            export_logbook(store, path, "json")
    assert snapshot(project) == before and list(outside.iterdir()) == []
    assert not (project / "missing.json").exists()


def test_exports_stay_inside_the_project(project, store, tmp_path):
    for path in ("../outside.json", str(tmp_path / "outside.json"), "notes/../../outside.json"):
        with pytest.raises(ExportRefused, match="must stay inside the project folder"):
            export_logbook(store, path, "json")
    with pytest.raises(ExportRefused, match="contains a NUL character"):
        export_logbook(store, "log\x00.json", "json")
    with pytest.raises(ExportRefused, match="notes is a folder"):
        export_logbook(store, "notes", "json")
    assert not (tmp_path / "outside.json").exists()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert export_logbook(store, elsewhere / "log.json", "json", root=elsewhere).exists()


def test_the_project_is_the_folder_holding_dot_logbook_else_the_working_folder(tmp_path, monkeypatch):
    assert default_root(tmp_path / "p" / ".logbook" / "logbook.db") == tmp_path / "p"
    monkeypatch.chdir(tmp_path)
    assert default_root(tmp_path / "data" / "named-directly.db") == tmp_path


def test_the_python_api_and_the_cli_obey_the_same_rule(project, store, logbook_db, capsys):
    store.checkpoint()  # as an idle kernel leaves it: the file alone holds every record
    before = snapshot(project)
    with pytest.raises(logbook.LogbookError, match="hidden folder .logbook"):
        logbook.export(".logbook/logbook.db", format="json")
    with pytest.raises(logbook.LogbookError, match="will not overwrite research.ipynb"):
        logbook.export("research.ipynb", format="json")
    assert main(["export", "--format", "json", "-o", ".logbook/logbook.db"]) == 2
    assert main(["export", "--format", "md", "-o", str(project.parent / "outside.md")]) == 2
    errors = capsys.readouterr().err
    assert "logbook: will not write .logbook/logbook.db" in errors and "inside the project folder" in errors
    assert snapshot(project) == before
    assert main(["export", "--format", "md", "-o", "research-log.md"]) == 0
    assert main(["export", "--format", "md", "-o", "research-log.md"]) == 0


def test_since_without_a_time_zone_is_local_time(project, store):
    logbook.export("all.json", since=datetime(2020, 1, 1))
    logbook.export("none.json", since=datetime(2999, 1, 1))
    assert [h["id"] for h in json.loads((project / "all.json").read_text())["hypotheses"]] == ["H1"]
    assert json.loads((project / "none.json").read_text())["hypotheses"] == []
    local = render(store, "md", Selection(since=datetime(2020, 1, 1, 9, 30)))
    aware = render(store, "md", Selection(since=datetime(2020, 1, 1, 9, 30).astimezone()))
    assert local.split("Exported")[1].split("\n", 1)[1] == aware.split("Exported")[1].split("\n", 1)[1]


WRITE_WITH_A_FULL_DISK = """
import resource, signal, sys
from logbook.report.exporting import export_logbook
from logbook.store import Store

store = Store(sys.argv[1])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))
try:
    export_logbook(store, sys.argv[2], "json")
except Exception as error:
    print(type(error).__name__, error)
"""


def test_a_failed_export_leaves_the_earlier_one_whole(project, store, logbook_db):
    export_logbook(store, "log.json", "json")
    earlier = (project / "log.json").read_bytes()
    store.add_hypothesis("x" * 200_000)  # the next export is larger than the file size limit
    failed = subprocess.run(
        [sys.executable, "-c", WRITE_WITH_A_FULL_DISK, str(logbook_db), "log.json"],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=60,
    )
    assert failed.stdout.startswith("LogbookError could not write log.json: File too large"), failed
    assert (project / "log.json").read_bytes() == earlier
    assert sorted(p.name for p in project.iterdir() if p.is_file()) == ["log.json", "research.ipynb"]


def test_check_target_names_the_file_relative_to_the_project(project):
    target = check_target(project / "notes" / "log.md", "md", project)
    assert (target.shown, target.replaces) == ("notes/log.md", False)


def test_a_folder_swapped_for_a_link_after_the_check_is_refused_when_written(project, store, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    export_logbook(store, "notes/log.json", "json")
    (outside / "log.json").write_text(render(store, "json"))  # an export of the user's, elsewhere
    before = snapshot(outside)
    replacing = check_target("notes/log.json", "json", project)
    new = check_target("notes/deeper/log.md", "md", project)
    assert (replacing.replaces, new.replaces) == (True, False)
    (project / "notes").rename(project / "notes-moved")
    os.symlink(outside, project / "notes")
    for target, text in ((replacing, render(store, "json")), (new, render(store, "md"))):
        with pytest.raises(ExportRefused, match="will not write through the symbolic link notes"):
            write_export(target, text)
    with pytest.raises(ExportRefused, match="will not write through the symbolic link notes"):
        write_figures(new, {"figure.png": b"\x89PNG"})
    assert snapshot(outside) == before
