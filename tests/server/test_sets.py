"""The REST API for competing sets, proposals, due predictions and calibration slices."""

import pytest

from tests.server.test_routes import api, jp_server_config, logbook_file  # noqa: F401

pytest_plugins = ["pytest_jupyter.jupyter_server"]


async def test_sets_proposals_due_and_calibration(api):  # noqa: F811
    for statement, credence in [("copies", 0.7), ("induction", 0.8)]:
        await api("POST", "hypotheses", {"statement": statement, "credence": credence})
    status, made = await api(
        "POST", "sets", {"question": "what copies?", "hypothesis_ids": ["H1", "H2"], "something_else": 0.1}
    )
    assert status == 201 and made["something_else"] == pytest.approx(0.1)
    assert sum(made["credences"].values()) + made["something_else"] == pytest.approx(1)
    status, changed = await api(
        "POST", "sets/1", {"hypothesis_id": "H1", "credence": 0.5, "reason": "r", "give_way": ["H2"]}
    )
    assert status == 200 and changed["credences"]["H2"] == pytest.approx(0.4)
    status, bad = await api("POST", "sets/1", {"hypothesis_id": "H1", "credence": 0.95, "give_way": ["else"]})
    assert status == 400 and "give way" in bad["message"]
    status, p = await api(
        "POST",
        "hypotheses/H1/predictions",
        {
            "text": "the ablation halves it",
            "credence": 0.9,
            "likelihoods": {"H2": 0.3},
            "resolve_by": "2020-01-01",
        },
    )
    assert status == 201 and p["likelihoods"] == {"H2": 0.3}
    status, due = await api("GET", "predictions/due")
    assert [d["id"] for d in due] == ["H1.P1"]
    status, _ = await api("POST", "predictions/H1.P1/verdict", {"held": True})
    status, proposals = await api("GET", "proposals")
    (u,) = proposals
    assert u["before"] == {"H1": 0.5, "H2": 0.4, "else": 0.1} and u["status"] == "proposed"
    status, decided = await api("POST", f"proposals/{u['id']}", {"decision": "accepted", "reason": "clean"})
    assert status == 200 and decided["status"] == "accepted"
    status, again = await api("POST", f"proposals/{u['id']}", {"decision": "rejected"})
    assert status == 409
    status, cal = await api("GET", "calibration", by="mode")
    assert status == 200 and cal["slices"][0]["judged"] == 1 and "too few" in cal["slices"][0]["warning"]
    status, over_time = await api("GET", "calibration", by="time")
    assert over_time["points"][0]["brier"] == pytest.approx(0.01)


async def test_members_join_and_leave_a_set_with_a_reason(api):  # noqa: F811
    for statement, credence in [("copies", 0.7), ("induction", 0.8), ("the MLP", 0.2)]:
        await api("POST", "hypotheses", {"statement": statement, "credence": credence})
    status, made = await api(
        "POST", "sets", {"question": "what copies?", "hypothesis_ids": ["H1", "H2"], "reason": "two rivals"}
    )
    assert status == 201 and made["history"][0]["reason"] == "two rivals"
    status, joined = await api("POST", "sets/1/members", {"hypothesis_id": "h3", "reason": "a third"})
    assert status == 200 and joined["credences"]["H3"] == pytest.approx(0.2)
    assert sum(joined["credences"].values()) + joined["something_else"] == pytest.approx(1)
    assert joined["history"][-1]["reason"] == "a third"
    status, again = await api("POST", "sets/1/members", {"hypothesis_id": "H3"})
    assert status == 400 and "already in C1" in again["message"]
    status, left = await api("DELETE", "sets/1/members/H1", reason="not an explanation")
    assert status == 200 and "H1" not in left["credences"]
    assert left["history"][-1]["reason"] == "not an explanation"
    assert sum(left["credences"].values()) + left["something_else"] == pytest.approx(1)
    status, refused = await api("DELETE", "sets/1/members/H1")
    assert status == 400 and "not in C1" in refused["message"]
    status, missing = await api("POST", "sets/9/members", {"hypothesis_id": "H1"})
    assert status == 404


async def test_tags_for_a_hypothesis_and_a_prediction(api):  # noqa: F811
    status, h = await api("POST", "hypotheses", {"statement": "copies", "tags": ["Induction"]})
    assert status == 201 and h["tags"] == ["induction"]
    await api("POST", "hypotheses/H1/predictions", {"text": "the loss drops", "credence": 0.7})
    status, p = await api("POST", "predictions/H1.P1/tags", {"tags": ["quick", "layer1"]})
    assert status == 200 and p["id"] == "H1.P1" and p["tags"] == ["layer1", "quick"]
    status, h = await api("POST", "hypotheses/H1/tags", {"tags": ["mlp"], "replace": True})
    assert status == 200 and h["tags"] == ["mlp"]
    status, missing = await api("POST", "predictions/H1.P9/tags", {"tags": ["x"]})
    assert status == 404
