"""The inbox's actions over REST: many surprises closed at once, follow-ups, verdicts in words, lookups."""

from logbook.store.core import Store
from tests.server.test_routes import api, jp_server_config, logbook_file  # noqa: F401  (fixtures)

pytest_plugins = ["pytest_jupyter.jupyter_server"]


def failed(store, n: int) -> list[int]:
    """``n`` failed predictions of one hypothesis; their surprise ids."""
    h = store.add_hypothesis("layer 1 copies", 0.7)
    ids = []
    for k in range(n):
        p = store.add_prediction(h.id, f"copy_score > {k}", 0.8)
        with store.transaction():
            ids.append(
                store.add_judgement(
                    held=False, prediction=p, observed={}, surprisal_bits=2.0, experiment_id=None
                )
            )
    return ids


async def test_bulk_triage_closes_each_and_says_which_were_refused(api, logbook_file):  # noqa: F811
    with Store(logbook_file) as store:
        first, second, third = failed(store, 3)
        store.resolve_surprise(third, "dismissed")
    status, answer = await api(
        "POST",
        "surprises/bulk",
        {"ids": [first, second, third, 99], "action": "explained", "explanation": "one seed"},
    )
    assert status == 200
    assert (answer["closed"], answer["already"], answer["refused"]) == (2, 0, 2)
    by_id = {r["id"]: r for r in answer["results"]}
    assert by_id[first]["ok"] and by_id[first]["surprise"]["explanation"] == "one seed"
    assert by_id[first]["surprise"]["resolved_by"] == "Ada Lovelace"
    assert not by_id[third]["ok"] and "already resolved (dismissed" in by_id[third]["error"]
    assert not by_id[99]["ok"] and "no surprise 99" in by_id[99]["error"]
    with Store(logbook_file) as store:
        assert [s.resolution.value for s in store.surprises("all")] == ["explained", "explained", "dismissed"]
        # Each closed on its own: one surprise.resolved event apiece.
        resolved = [e for e in store.iter_events() if e["kind"] == "surprise.resolved"]
        assert sorted(e["subject"] for e in resolved) == [f"S{first}", f"S{second}", f"S{third}"]
    # The same again: nothing more is closed, and it says they already were.
    status, again = await api(
        "POST", "surprises/bulk", {"ids": [first], "action": "explained", "explanation": "x"}
    )
    assert (again["closed"], again["already"]) == (0, 1)


async def test_bulk_triage_refuses_a_bad_body(api, logbook_file):  # noqa: F811
    with Store(logbook_file) as store:
        (only,) = failed(store, 1)
    status, error = await api("POST", "surprises/bulk", {"ids": [only], "action": "explained"})
    assert status == 400 and "explanation is empty" in error["message"]
    status, error = await api("POST", "surprises/bulk", {"ids": [only], "action": "refuted"})
    assert status == 400 and "action" in error["message"]
    status, error = await api("POST", "surprises/bulk", {"ids": [], "action": "dismissed"})
    assert status == 400 and "ids" in error["message"]
    status, error = await api("POST", "surprises/bulk", {"ids": ["S1"], "action": "dismissed"})
    assert status == 400
    with Store(logbook_file) as store:
        assert store.surprise(only).resolution is None


async def test_a_follow_up_over_rest_links_and_closes(api, logbook_file):  # noqa: F811
    with Store(logbook_file) as store:
        (sid,) = failed(store, 1)
    status, created = await api(
        "POST", f"surprises/{sid}/follow-up", {"statement": "a bad batch", "credence": 0.4}
    )
    assert status == 201 and (created["id"], created["follows"], created["credence"]) == (
        "H2",
        f"S{sid}",
        0.4,
    )
    status, listed = await api("GET", "hypotheses")
    assert [h["follows"] for h in listed] == [None, f"S{sid}"]
    status, surprises = await api("GET", "surprises")
    assert surprises[0]["resolution"] == "followed_up" and surprises[0]["resolved_by"] == "Ada Lovelace"
    status, error = await api("POST", f"surprises/{sid}/follow-up", {"statement": "another"})
    assert status == 400 and "resolved once" in error["message"]
    with Store(logbook_file) as store:
        (other,) = failed(store, 1)
    status, error = await api("PATCH", f"surprises/{other}", {"action": "followed_up", "reason": "x"})
    assert status == 400 and "use follow_up" in error["message"]
    assert (await api("POST", "surprises/77/follow-up", {"statement": "x"}))[0] == 404


async def test_a_verdict_in_words_over_rest_names_its_experiment(api, logbook_file):  # noqa: F811
    with Store(logbook_file) as store:
        h = store.add_hypothesis("head 1.4 is needed", 0.6)
        store.add_prediction(h.id, "ablating it breaks copying", 0.75, "text")
        with store.transaction():
            chosen = store.insert_experiment(
                {
                    "source": "ablate(4)",
                    "started_at": "2026-01-01T00:00:00+00:00",
                    "duration_ms": 1.0,
                    "ok": 1,
                },
                [],
            )
    status, error = await api(
        "POST", "predictions/H1.P1/verdict", {"held": False, "experiment_id": 55, "observed": "x"}
    )
    assert status == 400 and "no experiment 55" in error["message"]
    status, surprise = await api(
        "POST",
        "predictions/H1.P1/verdict",
        {"held": False, "experiment_id": chosen, "observed": "copying survives"},
    )
    assert status == 201 and surprise["experiment_id"] == chosen
    assert surprise["observed"]["observed"]["value"] == "copying survives"


async def test_a_card_finds_its_surprise_by_prediction_or_note(api, logbook_file):  # noqa: F811
    with Store(logbook_file) as store:
        first, second = failed(store, 2)
        flagged = store.add_manual_surprise("loss spikes at step 300").id
        store.resolve_surprise(second, "explained", explanation="seed noise", by="ana")
    status, found = await api("GET", "surprises/lookup", prediction_id="H1.P2")
    assert status == 200 and [s["id"] for s in found] == [second]
    assert found[0]["explanation"] == "seed noise" and found[0]["resolved_by"] == "ana"
    status, found = await api("GET", "surprises/lookup", hypothesis_id="H1", prediction="copy_score > 0")
    assert [s["id"] for s in found] == [first]
    status, found = await api("GET", "surprises/lookup", note="loss spikes at step 300")
    assert [s["id"] for s in found] == [flagged]
    assert (await api("GET", "surprises/lookup", note="never said"))[1] == []
    status, found = await api("GET", "surprises/lookup", id=str(second))
    assert [s["id"] for s in found] == [second]
    assert (await api("GET", "surprises/lookup", id="99"))[0] == 404
    status, error = await api("GET", "surprises/lookup")
    assert status == 400 and "say which surprise" in error["message"]
