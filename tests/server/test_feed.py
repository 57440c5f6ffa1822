"""The sidebar's change feed: one change moves only its section's version; pages and deltas."""

import asyncio

from logbook.store.core import Store
from tests.server import test_routes as test_server

pytest_plugins = ["pytest_jupyter.jupyter_server"]

jp_server_config = test_server.jp_server_config
logbook_file = test_server.logbook_file
api = test_server.api


async def feed_after(api, since):
    """The feed's answer once the revision has moved past ``since`` (kernel writes are noticed by polling)."""
    for _ in range(50):
        status, body = await api("GET", "feed", since=since, timeout=2)
        assert status == 200
        if body["revision"] != since:
            return body
    raise AssertionError("the feed never moved")


def changed(before, after):
    return {name for name in after["sections"] if after["sections"][name] != before["sections"][name]}


def experiment(store, source="x = 1", **fields):
    with store.transaction():
        return store.insert_experiment(
            {
                "source": source,
                "started_at": "2026-11-25T10:00:00+00:00",
                "duration_ms": 1.0,
                "ok": 1,
                **fields,
            },
            [],
        )


def judge(store, prediction_id, held, experiment_id):
    prediction = store.prediction(prediction_id)
    with store.transaction():
        return store.add_judgement(
            held=held,
            prediction=prediction,
            observed={"x": {"type": "int", "value": 1}},
            surprisal_bits=1.5,
            experiment_id=experiment_id,
        )


async def test_each_change_moves_only_the_sections_it_touches(api, logbook_file):
    start = await feed_after(api, -1)
    assert set(start["sections"]) == {
        "mode",
        "brainstorm",
        "hypotheses",
        "surprises",
        "experiments",
        "beliefs",
        "team",
    }
    assert start["server_time"]

    await api("POST", "hypotheses", {"statement": "L1 copies", "credence": 0.5})
    after_hypothesis = await feed_after(api, start["revision"])
    assert changed(start, after_hypothesis) == {"hypotheses"}

    await api("POST", "mode", {"mode": "explore"})
    after_mode = await feed_after(api, after_hypothesis["revision"])
    assert changed(after_hypothesis, after_mode) == {"mode"}

    await api("POST", "brainstorms", {"planned_seconds": 60, "target": 2})
    after_start = await feed_after(api, after_mode["revision"])
    assert changed(after_mode, after_start) == {"brainstorm"}
    await api("POST", "hypotheses", {"statement": "L0 attends back", "brainstorm_id": 1})
    after_typed = await feed_after(api, after_start["revision"])
    assert changed(after_start, after_typed) == {"hypotheses", "brainstorm"}

    with Store(logbook_file) as store:  # a kernel's write, through its own connection
        experiment(store)
    after_cell = await feed_after(api, after_typed["revision"])
    assert changed(after_typed, after_cell) == {"experiments", "mode"}

    await api("POST", "hypotheses/H1/predictions", {"text": "it copies", "credence": 0.8})
    await api("POST", "predictions/H1.P1/verdict", {"held": False})
    after_verdict = await feed_after(api, after_cell["revision"])
    assert changed(after_cell, after_verdict) == {"hypotheses", "surprises"}

    await api("PATCH", "surprises/1", {"action": "explained", "explanation": "measured on layer 0"})
    after_explained = await feed_after(api, after_verdict["revision"])
    assert changed(after_verdict, after_explained) == {"surprises"}


async def test_the_feed_waits_for_a_change(api):
    start = await feed_after(api, -1)
    waiting = asyncio.ensure_future(api("GET", "feed", since=start["revision"], timeout=10))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    await api("POST", "mode", {"mode": "confirm"})
    status, body = await asyncio.wait_for(waiting, 5)
    assert status == 200 and body["revision"] > start["revision"]


async def test_hypotheses_come_as_a_delta_of_what_changed(api):
    for n in range(5):
        await api("POST", "hypotheses", {"statement": f"hypothesis {n}"})
    status, everything = await api("GET", "feed/hypotheses")
    assert status == 200 and everything["full"] and len(everything["hypotheses"]) == 5
    await api("PATCH", "hypotheses/H3", {"credence": 0.9, "reason": "ablation"})
    await api("POST", "hypotheses/H5/predictions", {"expression": "x > 1"})
    status, delta = await api("GET", "feed/hypotheses", since=everything["version"])
    assert not delta["full"] and [h["id"] for h in delta["hypotheses"]] == ["H3", "H5"]
    assert delta["hypotheses"][0]["credence"] == 0.9
    assert delta["hypotheses"][1]["predictions"][0]["expression"] == "x > 1"
    status, nothing = await api("GET", "feed/hypotheses", since=delta["version"])
    assert nothing == {"version": delta["version"], "full": False, "hypotheses": []}
    status, unknown = await api("GET", "feed/hypotheses", since="garbage")
    assert unknown["full"] and len(unknown["hypotheses"]) == 5


async def test_surprises_come_a_page_at_a_time_under_a_filter(api, logbook_file):
    with Store(logbook_file) as store:
        for n in range(7):
            store.add_manual_surprise(f"odd result {n}")
        store.resolve_surprise(2, "explained", explanation="a seed effect", by="ada")
        store.mark_surprise_read(3)
    status, page = await api("GET", "feed/surprises", status="open", limit=4, offset=0)
    assert status == 200 and page["total"] == 6 and page["unread"] == 5
    # unread first, the newest first among equals; S3 was read
    assert [s["id"] for s in page["surprises"]] == [7, 6, 5, 4]
    status, rest = await api("GET", "feed/surprises", status="open", limit=4, offset=4)
    assert [s["id"] for s in rest["surprises"]] == [1, 3]
    status, resolved = await api("GET", "feed/surprises", status="resolved")
    assert resolved["total"] == 1 and [s["id"] for s in resolved["surprises"]] == [2]
    status, everything = await api("GET", "feed/surprises", status="all", limit=3, offset=5)
    assert everything["total"] == 7 and [s["id"] for s in everything["surprises"]] == [3, 2]
    status, error = await api("GET", "feed/surprises", status="maybe")
    assert status == 400 and all(word in error["message"] for word in ("open", "resolved", "all"))


async def test_an_experiment_lists_the_predictions_judged_in_it(api, logbook_file):
    await api("POST", "hypotheses", {"statement": "L1 copies"})
    await api("POST", "hypotheses/H1/predictions", {"expression": "x > 1", "credence": 0.75})
    await api("POST", "hypotheses/H1/predictions", {"expression": "x < 5", "credence": 0.6})
    with Store(logbook_file) as store:
        first, second = experiment(store), experiment(store, "x = 7")
        judge(store, "H1.P1", False, first)
        judge(store, "H1.P2", True, first)
        judge(store, "H1.P1", True, second)
    status, body = await api("GET", f"experiments/{first}/judgements")
    assert status == 200
    assert [(j["prediction_id"], j["verdict"]) for j in body["judgements"]] == [
        ("H1.P1", "failed"),
        ("H1.P2", "held"),
    ]
    assert (
        body["judgements"][0]["surprisal_bits"] == 1.5 and body["judgements"][0]["statement"] == "L1 copies"
    )
    assert body["judgements"][0]["observed"] == {"x": {"type": "int", "value": 1}}
    assert (await api("GET", "experiments/99/judgements"))[0] == 404


def test_surprises_page_in_the_library(store):
    for n in range(5):
        store.add_manual_surprise(f"odd {n}")
    assert [s.id for s in store.surprises(limit=2, offset=1)] == [2, 3]
    assert len(store.surprises()) == 5


def test_search_rows_carry_the_matching_line(store):
    experiment(store, "import torch\nmodel = load()\nscore = induction_score(model, layer=1)\nprint(score)")
    experiment(store, "x = 1", stdout="warming up\ninduction heads found: 2\n")
    total, rows = store.experiment_rows(query="induction")
    assert total == 2
    assert rows[0]["match"] == {
        "field": "stdout",
        "line": 2,
        "text": "induction heads found: 2",
        "marks": [[0, 9]],
    }
    assert rows[1]["match"] == {
        "field": "source",
        "line": 3,
        "text": "score = induction_score(model, layer=1)",
        "marks": [[8, 17]],
    }
    total, rows = store.experiment_rows(query="score model")
    assert rows[0]["match"]["line"] == 3
    long = "y = " + "a + " * 100 + "needle + 1"
    experiment(store, long)
    text = store.experiment_rows(query="needle")[1][0]["match"]["text"]
    assert "needle" in text and text.startswith("…") and len(text) <= 170
    assert "match" not in store.experiment_rows()[1][0]


async def test_a_kernel_write_before_the_first_poll_still_moves_the_feed(tmp_path):
    from logbook.server.database import Database

    path = tmp_path / "logbook.db"
    Store(path).close()
    database = Database(path)
    try:
        await database.run(lambda store: store.hypotheses())  # the server opens the file
        with Store(path) as kernel:
            experiment(kernel)
        await database.poll()
        assert database.revision == 1
        await database.poll()
        assert database.revision == 1
    finally:
        database.close()


def test_making_a_set_sends_its_members_again_with_their_set(store):
    from logbook.store.sections import changed_hypotheses

    first, second = (store.add_hypothesis(s, 0.3).id for s in ("a bigram table", "a skip-trigram"))
    store.add_hypothesis("unrelated", 0.5)
    since = changed_hypotheses(store, "").version
    made = store.create_set("which?", [first, second])
    delta = changed_hypotheses(store, since)
    assert not delta.full
    assert {h.id: h.set_id for h in delta.hypotheses} == {first: made.id, second: made.id}
    assert changed_hypotheses(store, delta.version).hypotheses == []


async def test_outside_a_team_project_the_team_is_empty_and_its_version_blank(api):
    status, view = await api("GET", "team")
    assert status == 200 and view == {
        "team": False,
        "authors": [],
        "hypotheses": [],
        "surprises": [],
        "experiments": [],
    }
    assert (await feed_after(api, -1))["sections"]["team"] == ""
