"""The REST API under <base_url>/logbook/api/, through a real Jupyter server (pytest-jupyter)."""

import json

import pytest
from tornado.httpclient import HTTPClientError

from logbook.store import Store

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config(jp_server_config):
    return {"ServerApp": {"jpserver_extensions": {"logbook.server": True}}}


@pytest.fixture
def logbook_file(tmp_path, monkeypatch):
    path = tmp_path / "server-logbook.db"
    monkeypatch.setenv("LOGBOOK_DB", str(path))
    return path


@pytest.fixture
def api(logbook_file, jp_fetch):
    """Call the API: api("GET", "hypotheses") -> (status, parsed JSON)."""

    async def call(method, path, body=None, **params):
        kwargs = {"method": method, "params": params} if params else {"method": method}
        if body is not None:
            kwargs["body"] = body if isinstance(body, str) else json.dumps(body)
        elif method in ("POST", "PATCH"):
            kwargs["body"] = "{}"
        try:
            response = await jp_fetch("logbook", "api", *path.split("/"), **kwargs)
        except HTTPClientError as error:
            return error.code, json.loads(error.response.body or b"{}")
        text = response.body.decode()
        try:
            return response.code, json.loads(text)
        except ValueError:
            return response.code, text

    return call


async def test_status_reports_the_logbook(api, logbook_file):
    status, body = await api("GET", "status")
    assert status == 200 and body["path"] == str(logbook_file) and body["hypotheses"] == 0


async def test_hypotheses_credence_and_status(api):
    status, created = await api(
        "POST", "hypotheses", {"statement": "L1 has induction heads", "credence": 0.7}
    )
    assert status == 201 and created["id"] == "H1"
    status, updated = await api("PATCH", "hypotheses/H1", {"credence": 0.3, "reason": "ablation"})
    assert status == 200 and [c["credence"] for c in updated["history"]] == [0.7, 0.3]
    status, refuted = await api("PATCH", "hypotheses/H1", {"status": "refuted", "reason": "patching"})
    assert refuted["status"] == "refuted"
    status, listed = await api("GET", "hypotheses")
    assert [h["id"] for h in listed] == ["H1"]
    assert (await api("GET", "hypotheses/H9"))[0] == 404


async def test_predictions_are_checked_added_and_edited(api):
    await api("POST", "hypotheses", {"statement": "x", "credence": 0.5})
    assert (await api("POST", "predictions/check", {"expression": "loss < 0.1"}))[1] == {
        "ok": True,
        "names": ["loss"],
    }
    check = (await api("POST", "predictions/check", {"expression": "loss <"}))[1]
    assert check["ok"] is False and "not a Python expression" in check["error"]
    status, created = await api(
        "POST", "hypotheses/H1/predictions", {"expression": "loss < 0.1", "credence": 0.8}
    )
    assert status == 201 and created["id"] == "H1.P1"
    status, edited = await api("PATCH", "predictions/H1.P1", {"expression": "loss < 0.2", "credence": 0.6})
    assert (edited["expression"], edited["credence"], edited["names"]) == ("loss < 0.2", 0.6, ["loss"])
    status, refused = await api("POST", "hypotheses/H1/predictions", {"expression": "import os"})
    assert status == 400 and "not a Python expression" in refused["message"]


async def test_brainstorm_timer_lives_on_the_server(api):
    status, started = await api("POST", "brainstorms", {"planned_seconds": 60, "target": 4})
    assert status == 201
    assert (await api("POST", "brainstorms", {"planned_seconds": 60}))[0] == 400
    await api("POST", "hypotheses", {"statement": "a", "brainstorm_id": started["id"]})
    current = (await api("GET", "brainstorms/current"))[1]
    assert current["brainstorm"]["hypothesis_ids"] == ["H1"] and current["server_time"]
    paused = (await api("POST", f"brainstorms/{started['id']}", {"action": "pause"}))[1]
    assert paused["paused_at"] is not None
    resumed = (await api("POST", f"brainstorms/{started['id']}", {"action": "resume"}))[1]
    assert resumed["paused_at"] is None and resumed["paused_seconds"] >= 0
    finished = (await api("POST", f"brainstorms/{started['id']}", {"action": "finish"}))[1]
    assert finished["finished_at"] is not None
    assert (await api("GET", "brainstorms/current"))[1]["brainstorm"] is None


async def test_experiments_are_paged_and_searchable(api, logbook_file):
    with Store(logbook_file) as store, store.transaction():
        for i in range(250):
            store.insert_experiment(
                {
                    "source": f"probe_{i} = run(layer={i % 2})",
                    "started_at": "2026-01-01T00:00:00+00:00",
                    "duration_ms": 1.0,
                    "ok": 1,
                    "notebook": "analysis.ipynb",
                    "cell_id": f"cell-{i}",
                },
                [],
            )
    page = (await api("GET", "experiments", limit="100", offset="200"))[1]
    assert page["total"] == 250 and len(page["experiments"]) == 50 and page["experiments"][0]["id"] == 50
    found = (await api("GET", "experiments", q="probe_42"))[1]
    assert [e["id"] for e in found["experiments"]] == [43]
    one = (await api("GET", "experiments/43"))[1]
    assert one["cell_id"] == "cell-42"
    assert (await api("GET", "experiments", limit="abc"))[0] == 400
    assert (await api("GET", "experiments", limit="100000"))[0] == 400


async def test_surprises_notes_and_modes(api, logbook_file):
    with Store(logbook_file) as store:
        store.add_manual_surprise("odd")
    surprises = (await api("GET", "surprises"))[1]
    assert surprises[0]["status"] == "unread"
    assert (await api("PATCH", "surprises/1", {"status": "explained"}))[1]["status"] == "explained"
    assert (await api("PATCH", "surprises/1", {"status": "gone"}))[0] == 400
    assert (await api("POST", "notes", {"text": "look at L0"}))[0] == 201
    assert [n["text"] for n in (await api("GET", "notes"))[1]] == ["look at L0"]
    assert (await api("POST", "mode", {"mode": "red-team"}))[0] == 201
    mode = (await api("GET", "mode"))[1]
    assert mode["mode"] == "red-team" and any(b["mode"] == "red-team" for b in mode["balance"])
    status, refused = await api("POST", "mode", {"mode": "yolo"})
    assert status == 400 and "mode" in refused["message"]


async def test_exports_download_and_write_inside_the_project(api, jp_root_dir, jp_fetch):
    await api("POST", "hypotheses", {"statement": "<script>alert(1)</script>"})
    status, html = await api("GET", "export", format="html")
    assert status == 200 and "<script>alert" not in html and "&lt;script&gt;" in html
    download = await jp_fetch("logbook", "api", "export", params={"format": "md"})
    assert download.headers["Content-Type"].startswith("text/markdown")
    assert "attachment" in download.headers["Content-Disposition"]
    status, written = await api("POST", "export", {"path": "logs/log.md", "format": "md"})
    assert status == 201 and (jp_root_dir / "logs" / "log.md").read_text().startswith("# Research log")
    for escape in ("../outside.md", "/etc/passwd", "logs/../../x.md"):
        status, refused = await api("POST", "export", {"path": escape, "format": "md"})
        assert status == 400 and "inside the project" in refused["message"]
    assert (await api("GET", "export", format="pdf"))[0] == 400


async def test_bad_input_gets_400_with_a_message(api):
    cases = [
        ("POST", "hypotheses", "not json"),
        ("POST", "hypotheses", "[1, 2]"),
        ("POST", "hypotheses", {"statement": ""}),
        ("POST", "hypotheses", {"statement": "x", "credence": 2}),
        ("POST", "hypotheses", {"statement": "x", "extra": 1}),
        ("PATCH", "hypotheses/H1", {"credence": "high"}),
        ("POST", "brainstorms", {"planned_seconds": -5}),
    ]
    await api("POST", "hypotheses", {"statement": "exists"})
    for method, path, body in cases:
        status, reply = await api(method, path, body)
        assert status == 400, (path, body, reply)
        assert reply["message"], (path, body)


async def test_the_change_feed_answers_when_the_logbook_changes(api, logbook_file):
    revision = (await api("GET", "changes", since="-1", timeout="0"))[1]["revision"]
    assert (await api("GET", "changes", since=str(revision), timeout="0.2"))[1]["revision"] == revision
    await api("POST", "hypotheses", {"statement": "new"})
    assert (await api("GET", "changes", since=str(revision), timeout="5"))[1]["revision"] > revision


async def test_every_route_refuses_requests_without_a_token(logbook_file, jp_fetch):
    routes = [
        "status",
        "changes",
        "hypotheses",
        "hypotheses/H1",
        "brainstorms",
        "brainstorms/current",
        "experiments",
        "experiments/1",
        "surprises",
        "notes",
        "mode",
        "export",
    ]
    for route in routes:
        with pytest.raises(HTTPClientError) as refused:
            await jp_fetch("logbook", "api", *route.split("/"), headers={"Authorization": ""})
        assert refused.value.code == 403, route


async def test_outputs_are_served_inert(api, logbook_file, jp_fetch):
    html = b"<script>alert(1)</script>"
    png = b"\x89PNG\r\n\x1a\n fake"
    with Store(logbook_file) as store, store.transaction():
        store.insert_experiment(
            {"source": "show()", "started_at": "2026-01-01T00:00:00+00:00", "duration_ms": 1.0, "ok": 1},
            [
                {"mime": "text/html", "data": html, "size": len(html), "truncated": False},
                {"mime": "image/png", "data": png, "size": len(png), "truncated": False},
            ],
        )
    outputs = (await api("GET", "experiments/1"))[1]["outputs"]
    page = await jp_fetch("logbook", "api", "outputs", outputs[0]["sha256"], params={"mime": "text/html"})
    assert page.body == html and page.headers["Content-Type"].startswith("text/plain")
    assert "sandbox" in page.headers["Content-Security-Policy"]
    image = await jp_fetch("logbook", "api", "outputs", outputs[1]["sha256"], params={"mime": "image/png"})
    assert image.body == png and image.headers["Content-Type"] == "image/png"
    assert (await api("GET", "outputs/" + "0" * 64))[0] == 404
    assert (await api("GET", "brainstorms"))[1] == []


async def test_a_prediction_in_words_gets_a_verdict(api):
    await api("POST", "hypotheses", {"statement": "x"})
    await api("POST", "hypotheses/H1/predictions", {"text": "the pattern is a stripe", "credence": 0.7})
    status, surprise = await api("POST", "predictions/H1.P1/verdict", {"held": False})
    assert (
        status == 201
        and surprise["prediction"] == "the pattern is a stripe"
        and surprise["surprisal_bits"] > 1.7
    )
    assert (await api("POST", "predictions/H1.P1/verdict", {"held": "maybe"}))[0] == 400


async def test_editing_a_failed_prediction_returns_a_new_version_and_keeps_the_old(api, logbook_file):
    await api("POST", "hypotheses", {"statement": "x"})
    await api("POST", "hypotheses/H1/predictions", {"text": "the pattern is a stripe", "credence": 0.7})
    await api("POST", "predictions/H1.P1/verdict", {"held": False})
    status, edited = await api("PATCH", "predictions/H1.P1", {"expression": "a faint stripe"})
    assert status == 200 and (edited["id"], edited["revises"], edited["state"]) == (
        "H1.P2",
        "H1.P1",
        "pending",
    )
    (hypothesis,) = (await api("GET", "hypotheses"))[1]
    old, new = hypothesis["predictions"]
    assert (old["expression"], old["state"], old["first_verdict"]) == (
        "the pattern is a stripe",
        "failed",
        "failed",
    )
    assert old["superseded_by"] == "H1.P2" and [v["record"] for v in old["verdicts"]] == ["surprises/1"]
    assert new["created_at"] > old["verdicts"][0]["at"]
    status, refused = await api("PATCH", "predictions/H1.P1", {"credence": 0.2})
    assert status == 400 and "edit H1.P2 instead" in refused["message"]
