"""The export route as the sidebar's export dialog uses it: title, time range, hypotheses, no silent overwrite."""

import json
from datetime import date, timedelta

import pytest

from logbook.report.export_target import ExportExists, check_target, write_export
from tests.server.test_routes import api, jp_server_config, logbook_file  # noqa: F401  (fixtures)

pytest_plugins = ["pytest_jupyter.jupyter_server"]


async def three_hypotheses(api):  # noqa: F811
    for statement in ("heads copy", "layer 1 induces", "position, not content"):
        assert (await api("POST", "hypotheses", {"statement": statement}))[0] == 201


async def test_title_time_range_and_hypotheses_reach_the_export(api, jp_root_dir):  # noqa: F811
    await three_hypotheses(api)
    body = {"path": "some.json", "format": "json", "hypotheses": ["H1", "h3"]}
    assert (await api("POST", "export", body))[0] == 201
    exported = json.loads((jp_root_dir / "some.json").read_text())
    assert [h["id"] for h in exported["hypotheses"]] == ["H1", "H3"]

    status, written = await api(
        "POST", "export", {"path": "titled.md", "format": "md", "title": "Heads, day 2"}
    )
    assert status == 201 and written["path"] == "titled.md"
    assert "# Heads, day 2" in (jp_root_dir / "titled.md").read_text().splitlines()
    assert (
        await api("POST", "export", {"path": "titled.html", "format": "html", "title": "Heads <b>2</b>"})
    )[0] == 201
    html = (jp_root_dir / "titled.html").read_text()
    assert "<title>Heads &lt;b&gt;2&lt;/b&gt;" in html and "<b>2</b>" not in html

    # Dates as the dialog sends them (local, no time zone); a bare "until" date takes in that whole day.
    today, tomorrow = date.today().isoformat(), (date.today() + timedelta(days=1)).isoformat()
    for name, since, until, kept in (
        ("today.json", today, today, ["H1", "H2", "H3"]),
        ("until-today.json", None, today, ["H1", "H2", "H3"]),
        ("from-tomorrow.json", tomorrow, None, []),
    ):
        body = {"path": name, "format": "json", "since": since, "until": until}
        assert (await api("POST", "export", body))[0] == 201, name
        assert [h["id"] for h in json.loads((jp_root_dir / name).read_text())["hypotheses"]] == kept, name
    # GET takes the same range and hypotheses.
    status, text = await api("GET", "export", format="json", since=tomorrow)
    assert status == 200 and text["hypotheses"] == []


@pytest.mark.parametrize(
    "body, says",
    [
        ({"since": "2026-12-02", "until": "2026-12-01"}, "is after until"),
        ({"since": "last tuesday"}, "since"),
        ({"until": "2026-13-01"}, "until"),
        ({"hypotheses": []}, "hypotheses"),
        ({"hypotheses": ["H9"]}, "no hypothesis H9"),
        ({"replace": "maybe"}, "replace"),
    ],
)
async def test_a_bad_selection_is_refused_with_a_message(api, jp_root_dir, body, says):  # noqa: F811
    await three_hypotheses(api)
    status, reply = await api("POST", "export", {"path": "bad.json", "format": "json", **body})
    assert status in (400, 404) and says in reply["message"], reply
    assert not (jp_root_dir / "bad.json").exists()


async def test_an_earlier_export_is_replaced_only_when_asked(api, jp_root_dir):  # noqa: F811
    await three_hypotheses(api)
    assert (await api("POST", "export", {"path": "out/log.html", "format": "html"}))[0] == 201
    before = (jp_root_dir / "out" / "log.html").read_bytes()
    await api("POST", "hypotheses", {"statement": "stated after the first export"})

    status, refused = await api("POST", "export", {"path": "out/log.html", "format": "html"})
    assert status == 409
    assert refused["message"] == (
        "out/log.html already exists (an earlier Logbook html export): pass replace to overwrite it"
    )
    assert (jp_root_dir / "out" / "log.html").read_bytes() == before
    status, refused = await api(
        "POST", "export", {"path": "out/log.html", "format": "html", "replace": False}
    )
    assert status == 409

    status, written = await api("POST", "export", {"path": "out/log.html", "format": "html", "replace": True})
    assert status == 201 and written["path"] == "out/log.html"
    assert "stated after the first export" in (jp_root_dir / "out" / "log.html").read_text()
    assert list(jp_root_dir.rglob("*.tmp")) == []


async def test_replace_never_overwrites_a_file_an_export_did_not_write(api, jp_root_dir):  # noqa: F811
    (jp_root_dir / "notes.md").write_text("# mine\n")
    status, refused = await api("POST", "export", {"path": "notes.md", "format": "md", "replace": True})
    assert status == 400 and "not a Logbook export" in refused["message"]
    assert (await api("POST", "export", {"path": "notes.md", "format": "md"}))[0] == 400
    assert (jp_root_dir / "notes.md").read_text() == "# mine\n"


def test_a_file_that_appears_after_the_check_is_never_overwritten(tmp_path):
    """The check and the write are apart in time: a file made between them is left whole (a 409 at the server)."""
    target = check_target(tmp_path / "log.md", "md", tmp_path, replace=False)
    (tmp_path / "log.md").write_text("written meanwhile by someone else\n")
    with pytest.raises(ExportExists, match="it appeared while the export was written"):
        write_export(target, "<!-- jupyterlab-logbook export -->\n\n# Log\n")
    assert (tmp_path / "log.md").read_text() == "written meanwhile by someone else\n"
    assert [p.name for p in tmp_path.iterdir()] == ["log.md"]
