"""The REST API under <base_url>/logbook/api/, through a real Jupyter server (pytest-jupyter)."""

import json
import os
import sys

import pytest
from jupyter_server.auth.identity import IdentityProvider, User
from tornado.httpclient import HTTPClientError

from logbook.store.core import Store
from tests.server.route_examples import calls

pytest_plugins = ["pytest_jupyter.jupyter_server"]


class NamedTokenUser(IdentityProvider):
    """Token authentication as usual; whoever holds the token is Ada."""

    def generate_anonymous_user(self, handler):
        return User(username="ada", name="Ada Lovelace")


@pytest.fixture
def jp_server_config(jp_server_config):
    return {
        "ServerApp": {
            "jpserver_extensions": {"logbook.server": True},
            "identity_provider_class": NamedTokenUser,
        }
    }


@pytest.fixture
def logbook_file(jp_root_dir, monkeypatch):
    """The logbook where a project keeps it: ``.logbook/logbook.db`` in the folder the server serves."""
    path = jp_root_dir / ".logbook" / "logbook.db"
    path.parent.mkdir()
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


async def test_an_experiments_coverage_map_covers_the_models_it_ran(api, logbook_file):
    model = {"class": "HookedTransformer", "n_layers": 1, "n_heads": 2, "identity": {"name": "tiny"}}
    hooks = [{"hook_point": "blocks.0.attn.hook_z", "function": "ablate", "effect": "replaced", "heads": [1]}]
    with Store(logbook_file) as store, store.transaction():
        for torch in ({"models": [model], "hooks": hooks}, {}):
            row = {"source": "run()", "started_at": "2026-01-01T00:00:00+00:00", "duration_ms": 1.0, "ok": 1}
            store.insert_experiment({**row, "torch": json.dumps(torch)}, [])
    status, maps = await api("GET", "experiments/1/coverage")
    assert status == 200 and [m["model"] for m in maps] == ["tiny"]
    assert maps[0]["heads"] == [[{}, {"ablated": 1}]] and maps[0]["here"] == ["L0H1"]
    assert (await api("GET", "experiments/2/coverage")) == (200, [])
    assert (await api("GET", "experiments/9/coverage"))[0] == 404


async def test_surprises_notes_and_modes(api, logbook_file):
    with Store(logbook_file) as store:
        store.add_manual_surprise("odd")
    surprises = (await api("GET", "surprises"))[1]
    assert (surprises[0]["status"], surprises[0]["read"]) == ("open", False)
    assert (await api("GET", "status"))[1]["unread_surprises"] == 1
    assert (await api("PATCH", "surprises/1", {"read": True}))[1]["read"] is True
    assert (await api("GET", "status"))[1]["unread_surprises"] == 0
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
    status, written = await api("POST", "export", {"path": "logs/log.md", "format": "md", "title": "Heads"})
    exported = (jp_root_dir / "logs" / "log.md").read_text()
    assert status == 201 and exported.splitlines()[2] == "# Heads"
    assert written == {"path": "logs/log.md", "bytes": len(exported.encode())}
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


DEEP = "[" * 100_000 + "]" * 100_000
TOO_BIG = str(2**63)


@pytest.mark.parametrize(
    "method, path, body, params, says",
    [
        ("POST", "hypotheses", DEEP, {}, "nested too deeply"),
        ("POST", "notes", '{"text": ' + DEEP + "}", {}, "nested too deeply"),
        ("POST", f"brainstorms/{TOO_BIG}", {"action": "pause"}, {}, "brainstorm id must be between"),
        ("GET", f"experiments/{TOO_BIG}", None, {}, "experiment id must be between"),
        ("GET", f"experiments/{'9' * 5000}", None, {}, "experiment id must be a whole number"),
        ("PATCH", f"surprises/{2**64}", {"status": "read"}, {}, "surprise id must be between"),
        ("POST", "hypotheses", {"statement": "x", "brainstorm_id": 2**63}, {}, "brainstorm_id"),
        ("POST", "notes", {"text": "x", "experiment_id": 2**64}, {}, "experiment_id"),
        ("GET", "changes", None, {"timeout": "abc"}, "timeout must be a number"),
        ("GET", "changes", None, {"timeout": "nan"}, "timeout must be between"),
        ("GET", "changes", None, {"timeout": "-1"}, "timeout must be between"),
        ("GET", "hypotheses", None, {"status": "bogus"}, "status must be one of active"),
        ("GET", "experiments", None, {"limit": "1e3"}, "limit must be a whole number"),
        ("GET", "experiments", None, {"offset": "-1"}, "offset must be between"),
        ("GET", "experiments", None, {"offset": TOO_BIG}, "offset must be between"),
        ("POST", "export", {"path": "log\x00.md", "format": "md"}, {}, "NUL"),
        ("POST", "export", {"path": "log.md", "format": "md", "since": "yesterday"}, {}, "since"),
        ("POST", "hypotheses/H1/predictions", {"expression": "x > 1", "text": "x"}, {}, "either"),
        ("POST", "hypotheses/H1/predictions", {}, {}, "either"),
    ],
    ids=lambda value: (value if len(value) < 60 else value[:12] + "...") if isinstance(value, str) else None,
)
async def test_malformed_requests_get_400_with_a_message(api, method, path, body, params, says):
    await api("POST", "hypotheses", {"statement": "exists"})
    status, reply = await api(method, path, body, **params)
    assert status == 400 and says in reply["message"], (status, reply)


async def test_ids_that_could_exist_but_do_not_get_404(api):
    for method, path, body in [
        ("GET", f"experiments/{2**63 - 1}", None),
        ("PATCH", "surprises/0", {"read": True}),
        ("POST", "brainstorms/7", {"action": "finish"}),
        ("POST", "notes", {"text": "about H9", "hypothesis_id": "H9"}),
        ("POST", "notes", {"text": "about experiment 5", "experiment_id": 5}),
    ]:
        status, reply = await api(method, path, body)
        assert status == 404 and reply["message"], (path, reply)
    assert (await api("GET", "notes"))[1] == []


async def test_export_since_without_a_time_zone_is_local_time(api, jp_root_dir):
    await api("POST", "hypotheses", {"statement": "stated today"})
    for since, kept in (("2020-01-01T00:00", ["H1"]), ("2999-01-01T00:00", [])):
        body = {"path": f"since-{since[:4]}.json", "format": "json", "since": since}
        assert (await api("POST", "export", body))[0] == 201
        exported = json.loads((jp_root_dir / body["path"]).read_text())
        assert [h["id"] for h in exported["hypotheses"]] == kept


async def test_export_never_overwrites_the_logbook_git_a_notebook_or_other_files(
    api, jp_root_dir, logbook_file
):
    await api("POST", "hypotheses", {"statement": "worth keeping"})
    (jp_root_dir / ".git").mkdir()
    (jp_root_dir / ".git" / "config").write_text("[core]\n\tbare = false\n")
    (jp_root_dir / "notes").mkdir()
    (jp_root_dir / "research.ipynb").write_text('{"cells": [], "nbformat": 4}')
    (jp_root_dir / "README.md").write_text("# My project\n")
    (jp_root_dir / "results.json").write_text('{"accuracy": 0.9}')
    kept = [
        logbook_file,
        logbook_file.with_name("logbook.db-wal"),
        jp_root_dir / ".git" / "config",
        jp_root_dir / "research.ipynb",
        jp_root_dir / "README.md",
        jp_root_dir / "results.json",
    ]
    before = {path: path.read_bytes() for path in kept if path.exists()}
    assert logbook_file in before and len(before) == len(kept)
    refusals = [
        (".logbook/logbook.db", "json", "inside the hidden folder .logbook"),
        ("notes/../.logbook/logbook.db-wal", "json", "inside the hidden folder .logbook"),
        (
            ".logbook/research-log.html",
            "html",
            "inside the hidden folder .logbook",
        ),  # sidebar folder ".logbook"
        (".git/config", "json", "inside the hidden folder .git"),
        ("notes/.drafts/log.md", "md", "inside the hidden folder .drafts"),
        (".log.md", "md", "it is hidden"),
        ("research.ipynb", "json", "will not overwrite research.ipynb: it is not a Logbook export"),
        ("README.md", "md", "will not overwrite README.md: it is not a Logbook export"),
        ("results.json", "json", "will not overwrite results.json: it is not a Logbook export"),
        ("log.txt", "md", "a md export must be named *.md or *.markdown"),
        ("log.html", "json", "a json export must be named *.json"),
        ("notes", "md", "notes is a folder"),
    ]
    for path, fmt, says in refusals:
        status, refused = await api("POST", "export", {"path": path, "format": fmt})
        assert status == 400 and says in refused["message"], (path, refused)
    assert {path: path.read_bytes() for path in kept} == before
    assert not (jp_root_dir / "notes" / ".drafts").exists() and not (jp_root_dir / "log.txt").exists()
    assert (await api("GET", "hypotheses"))[1][0]["statement"] == "worth keeping"


async def test_export_rewrites_its_own_earlier_export(api, jp_root_dir):
    await api("POST", "hypotheses", {"statement": "first"})
    for fmt, name in (("json", "log.json"), ("md", "log.md"), ("html", "exports/log.html")):
        assert (await api("POST", "export", {"path": name, "format": fmt}))[0] == 201
        await api("POST", "hypotheses", {"statement": f"after the {fmt} export"})
        assert (await api("POST", "export", {"path": name, "format": fmt}))[0] == 409  # not unless asked
        status, written = await api("POST", "export", {"path": name, "format": fmt, "replace": True})
        assert status == 201 and f"after the {fmt} export" in (jp_root_dir / name).read_text()
    assert list(jp_root_dir.rglob("*.tmp")) == []  # no temporary file left behind


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
async def test_export_never_writes_through_a_symbolic_link(api, jp_root_dir, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (jp_root_dir / "research.ipynb").write_text('{"cells": []}')
    assert (await api("POST", "export", {"path": "old.json", "format": "json"}))[0] == 201
    os.symlink(jp_root_dir / "research.ipynb", jp_root_dir / "link.json")
    os.symlink(jp_root_dir / "old.json", jp_root_dir / "to-an-export.json")
    os.symlink(outside, jp_root_dir / "elsewhere")
    os.symlink(jp_root_dir / "missing.json", jp_root_dir / "dangling.json")
    for path in ("link.json", "to-an-export.json", "elsewhere/log.json", "dangling.json"):
        status, refused = await api("POST", "export", {"path": path, "format": "json"})
        assert status == 400 and "symbolic link" in refused["message"], (path, refused)
    assert (jp_root_dir / "research.ipynb").read_text() == '{"cells": []}'
    assert list(outside.iterdir()) == [] and not (jp_root_dir / "missing.json").exists()


async def test_the_change_feed_answers_when_the_logbook_changes(api, logbook_file):
    revision = (await api("GET", "changes", since="-1", timeout="0"))[1]["revision"]
    assert (await api("GET", "changes", since=str(revision), timeout="0.2"))[1]["revision"] == revision
    await api("POST", "hypotheses", {"statement": "new"})
    assert (await api("GET", "changes", since=str(revision), timeout="5"))[1]["revision"] > revision


@pytest.mark.parametrize("call", calls(), ids=str)
async def test_every_route_refuses_requests_without_a_token(logbook_file, jp_fetch, call):
    """Every method of every route in the server's route table, a route added later included."""
    body = "{}" if call.method in ("POST", "PATCH") else None
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch(
            "logbook",
            "api",
            *call.path.split("/"),
            method=call.method,
            body=body,
            headers={"Authorization": ""},
            allow_nonstandard_methods=True,
        )
    assert refused.value.code == 403, call


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


async def a_failed_prediction(logbook_file, credence=0.7):
    with Store(logbook_file) as store:
        h = store.add_hypothesis("layer 1 copies", credence)
        p = store.add_prediction(h.id, "copy_score > 0.5", 0.8)
        with store.transaction():
            store.add_judgement(
                held=False, prediction=p, observed={}, surprisal_bits=2.32, experiment_id=None
            )


async def test_surprises_are_listed_by_status(api, logbook_file):
    await a_failed_prediction(logbook_file)
    with Store(logbook_file) as store:
        store.add_manual_surprise("odd")
        store.resolve_surprise(2, "explained", explanation="a logging bug")
    for status, ids in [
        ("open", [1]),
        ("explained", [2]),
        ("acted_on", []),
        ("resolved", [2]),
        ("all", [1, 2]),
    ]:
        assert [s["id"] for s in (await api("GET", "surprises", status=status))[1]] == ids, status
    assert [s["id"] for s in (await api("GET", "surprises"))[1]] == [1, 2]
    status, refused = await api("GET", "surprises", status="unread")
    assert status == 400 and "unknown surprise status 'unread'" in refused["message"]


async def test_refuting_from_a_surprise_needs_a_reason_and_records_who(api, logbook_file):
    await a_failed_prediction(logbook_file)
    status, refused = await api("PATCH", "surprises/1", {"action": "refuted"})
    assert status == 400 and "needs a reason" in refused["message"]
    status, closed = await api(
        "PATCH", "surprises/1", {"action": "refuted", "reason": "position, not content"}
    )
    assert status == 200
    assert {k: closed[k] for k in ("status", "resolution", "explanation", "read", "resolved_by")} == {
        "status": "acted_on",
        "resolution": "refuted",
        "explanation": "position, not content",
        "read": True,
        "resolved_by": "Ada Lovelace",
    }
    assert closed["resolved_at"] is not None
    hypothesis = (await api("GET", "hypotheses/H1"))[1]
    assert hypothesis["status"] == "refuted"
    assert hypothesis["history"][-1] == {
        **hypothesis["history"][-1],
        "credence": 0.0,
        "reason": "position, not content",
    }
    status, again = await api("PATCH", "surprises/1", {"action": "explained"})
    assert status == 400 and "already resolved" in again["message"]


async def test_updating_credence_from_a_surprise(api, logbook_file):
    await a_failed_prediction(logbook_file)
    status, refused = await api("PATCH", "surprises/1", {"action": "credence_updated", "reason": "weaker"})
    assert status == 400 and "new credence" in refused["message"]
    status, closed = await api(
        "PATCH",
        "surprises/1",
        {"action": "credence_updated", "credence": 0.4, "reason": "weaker than I thought"},
    )
    assert (status, closed["status"], closed["resolution"]) == (200, "acted_on", "credence_updated")
    hypothesis = (await api("GET", "hypotheses/H1"))[1]
    assert (hypothesis["status"], hypothesis["credence"]) == ("active", 0.4)


async def test_a_status_change_with_a_credence_records_that_credence_once(api):
    await api("POST", "hypotheses", {"statement": "x", "credence": 0.7})
    changed = (
        await api("PATCH", "hypotheses/H1", {"status": "refuted", "credence": 0.1, "reason": "ablation"})
    )[1]
    assert [(c["credence"], c["reason"]) for c in changed["history"]] == [(0.7, "stated"), (0.1, "ablation")]


async def test_refuting_closes_the_open_surprises_and_a_second_refutation_is_refused(api, logbook_file):
    await a_failed_prediction(logbook_file)
    status, refuted = await api("PATCH", "hypotheses/H1", {"status": "refuted", "reason": "patching"})
    assert status == 200 and refuted["status"] == "refuted"
    (surprise,) = (await api("GET", "surprises", status="acted_on"))[1]
    assert (surprise["status"], surprise["resolution"], surprise["explanation"]) == (
        "acted_on",
        "refuted",
        "patching",
    )
    status, again = await api(
        "PATCH", "hypotheses/H1", {"status": "refuted", "credence": 0, "reason": "patching"}
    )
    assert status == 409 and again["message"] == "H1 is already refuted; nothing changed"
    history = (await api("GET", "hypotheses/H1"))[1]["history"]
    assert [(c["credence"], c["reason"]) for c in history] == [(0.7, "stated"), (0.0, "patching")]


async def test_a_surprise_change_body_is_checked(api, logbook_file):
    await a_failed_prediction(logbook_file)
    for body in (
        {},
        {"status": "explained"},
        {"action": "forgotten"},
        {"action": "credence_updated", "credence": 2},
    ):
        status, reply = await api("PATCH", "surprises/1", body)
        assert status == 400 and reply["message"], body
    assert (await api("PATCH", "surprises/9", {"read": True}))[0] == 404


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
