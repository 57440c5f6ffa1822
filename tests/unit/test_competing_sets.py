"""Competing sets: rival hypotheses whose credences and something else always sum to 1."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logbook.audit.verify import verify_export, verify_logbook
from logbook.cli.beliefs import proposal_line
from logbook.errors import AlreadyDone, LogbookError
from logbook.rules.beliefs import (
    ELSE,
    give_way,
    normalise,
    posterior,
)
from logbook.store.core import Store


def judge(store, prediction_id, held, experiment_id=None):
    """Judge a prediction as the kernel's writer does: the verdict, then the update it calls for."""
    from types import SimpleNamespace

    from kernel_hooks.jobs import JudgementsJob
    from kernel_hooks.judging import Judged

    prediction = store.prediction(prediction_id)
    source = SimpleNamespace(id=experiment_id) if experiment_id is not None else None
    judged = Judged(prediction, "", held, {"score": {"type": "float", "value": 0.1}}, 1.0, source=source)
    with store.transaction():
        JudgementsJob([judged])(store)


def total(s) -> float:
    return sum(s.credences.values()) + s.something_else


@pytest.fixture
def rivals(store):
    """The demo's four copying hypotheses, with credences that added up to 2.3."""
    for statement, credence in [
        ("head 1.4 copies the previous token", 0.7),
        ("head 1.4 is an induction head", 0.8),
        ("the MLP copies it", 0.2),
        ("positional attention does it", 0.6),
    ]:
        store.add_hypothesis(statement, credence)
    return store


def test_a_set_scales_its_members_to_sum_to_one_with_something_else(rivals):
    s = rivals.create_set("what copies the token?", ["H1", "H2", "H3", "H4"], something_else=0.1)
    assert s.id == 1 and s.something_else == pytest.approx(0.1)
    assert s.credences["H1"] == pytest.approx(0.7 * 0.9 / 2.3)
    assert total(s) == pytest.approx(1.0, abs=1e-12)
    assert rivals.hypothesis("H2").set_id == 1
    assert rivals.hypothesis("H2").credence == pytest.approx(0.8 * 0.9 / 2.3)
    assert s.history[0].reason == "grouped as C1" and s.nudge is None


def test_changing_one_gives_way_proportionally_by_default_and_is_dated_with_its_reason(rivals):
    rivals.create_set("q", ["H1", "H2"], something_else=0.2)  # H1 0.7*0.8/1.5, H2 0.8*0.8/1.5
    before = rivals.competing_set(1)
    s = rivals.set_credence("H1", 0.6, "the ablation moved it")
    others = 1 - before.credences["H1"]
    assert s.credences["H2"] == pytest.approx(before.credences["H2"] * 0.4 / others)
    assert s.something_else == pytest.approx(0.2 * 0.4 / others)
    assert total(s) == pytest.approx(1.0, abs=1e-12)
    assert s.history[-1].reason == "H1 to 0.60, the others gave way: the ablation moved it"
    h2 = rivals.hypothesis("H2")
    assert h2.history[-1].reason == s.history[-1].reason


def test_only_the_named_members_give_way(rivals):
    rivals.create_set("q", ["H1", "H2", "H3"], something_else=0.1)
    before = rivals.competing_set(1)
    s = rivals.set_credence("H1", before.credences["H1"] + 0.05, "", give_way=["else"])
    assert s.credences["H2"] == before.credences["H2"] and s.something_else == pytest.approx(0.05)
    with pytest.raises(LogbookError, match="cannot give way enough"):
        rivals.set_credence("H1", 0.99, "", give_way=["else"])


def test_update_credence_on_a_member_goes_through_its_set(rivals):
    rivals.create_set("q", ["H1", "H2"], something_else=0.1)
    rivals.update_credence("H2", 0.5, "weak score")
    assert total(rivals.competing_set(1)) == pytest.approx(1.0, abs=1e-12)
    assert rivals.hypothesis("H2").credence == 0.5


def test_refuting_a_member_hands_its_credence_to_the_others(rivals):
    rivals.create_set("q", ["H1", "H2", "H3"], something_else=0.1)
    rivals.set_status("H1", "refuted", "the ablation did nothing")
    s = rivals.competing_set(1)
    assert s.credences["H1"] == 0.0 and total(s) == pytest.approx(1.0, abs=1e-12)
    assert s.history[-1].reason == "H1 the ablation did nothing"
    # A refuted member takes nothing back when another gives up its credence.
    rivals.set_credence("H2", 0.0, "also wrong")
    assert rivals.competing_set(1).credences["H1"] == 0.0


def test_a_set_without_something_else_is_nudged_and_members_join_and_leave(rivals):
    s = rivals.create_set("q", ["H1", "H2"], something_else=0.0)
    assert s.nudge and "something else" in s.nudge
    s = rivals.add_to_set(1, "H3")
    assert set(s.credences) == {"H1", "H2", "H3"} and total(s) == pytest.approx(1.0, abs=1e-12)
    s = rivals.remove_from_set("H1")
    assert "H1" not in s.credences and total(s) == pytest.approx(1.0, abs=1e-12)
    assert rivals.hypothesis("H1").set_id is None
    with pytest.raises(LogbookError, match="already in C1"):
        rivals.create_set("again", ["H2"])


def test_a_set_from_a_brainstorm_in_one_call(store):
    b = store.start_brainstorm(target=4)
    store.add_hypothesis("a", 0.5, brainstorm_id=b.id)
    store.add_hypothesis("b", 0.5, brainstorm_id=b.id)
    store.add_hypothesis("alone", 0.5)
    s = store.set_from_brainstorm(b.id, "why?")
    assert set(s.credences) == {"H1", "H2"} and s.brainstorm_id == b.id
    assert s.something_else == pytest.approx(0.1)


# -- property: the set sums to 1 through every change ---------------------

operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("credence"), st.integers(1, 4), st.floats(0, 1), st.sampled_from([None, "else", "pick"])
        ),
        st.tuples(st.just("refute"), st.integers(1, 4)),
        st.tuples(st.just("else"), st.floats(0, 1)),
        st.tuples(
            st.just("judge"), st.integers(1, 4), st.booleans(), st.sampled_from(["accepted", "rejected"])
        ),
        st.tuples(st.just("leave"), st.integers(1, 4)),
        st.tuples(st.just("join"), st.integers(1, 4)),
        st.tuples(st.just("revise"), st.integers(1, 4), st.floats(0.01, 0.99)),
    ),
    max_size=12,
)


def in_force(store, hid) -> str:
    """The id of the hypothesis' prediction in force (the newest version of its first one)."""
    return [p.id for p in store.hypothesis(hid).predictions if p.superseded_by is None][-1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(credences=st.lists(st.floats(0, 1), min_size=4, max_size=4), remainder=st.floats(0, 1), ops=operations)
def test_a_set_always_sums_to_one(tmp_path_factory, credences, remainder, ops):
    path = tmp_path_factory.mktemp("prop") / "logbook.db"
    with Store(path) as store:
        for i, c in enumerate(credences):
            h = store.add_hypothesis(f"rival {i}", c)
            store.add_prediction(h.id, "score > 0.5", 0.8, likelihoods={"else": 0.5})
        store.create_set("q", ["H1", "H2", "H3", "H4"], something_else=remainder)
        for op in ops:
            hid = f"H{op[1]}" if op[0] != "else" else None
            try:
                if op[0] == "credence":
                    giving = {None: None, "else": ["else"], "pick": [f"H{op[1] % 4 + 1}", "else"]}[op[3]]
                    store.set_credence(hid, op[2], "prop", give_way=giving)
                elif op[0] == "refute":
                    store.set_status(hid, "refuted", "prop")
                elif op[0] == "else":
                    store.set_something_else(1, op[1])
                elif op[0] == "judge":
                    judge(store, in_force(store, hid), held=op[2])  # the first verdict and every re-run
                    for u in store.proposals("proposed"):
                        store.decide_proposal(u.id, op[3], "prop")
                elif op[0] == "leave":
                    store.remove_from_set(hid)
                elif op[0] == "join":
                    store.add_to_set(1, hid)
                elif op[0] == "revise":  # a new version after a verdict keeps its likelihoods
                    store.update_prediction(in_force(store, hid), credence=op[2])
            except (LogbookError, AlreadyDone):
                pass
            s = store.competing_set(1)
            assert abs(total(s) - 1.0) < 1e-9, (op, s)
            assert all(0.0 <= v <= 1.0 for v in [*s.credences.values(), s.something_else])
            for change in s.history:
                assert abs(sum(change.credences.values()) - 1.0) < 1e-9
        assert verify_logbook(store).ok, verify_logbook(store).problems


def test_the_pure_functions_sum_to_one():
    assert sum(normalise({"a": 0.7, "b": 0.8, "c": 0.2, "d": 0.6}, 0.1).values()) == pytest.approx(
        1, abs=1e-12
    )
    assert give_way({"a": 0.0, "b": 0.0, ELSE: 1.0}, ELSE, 0.0, frozen={"a"}) == {
        "a": 0.0,
        "b": 1.0,
        ELSE: 0.0,
    }


# -- proposals ---------------------------------------------------------------


def test_the_proposed_posterior_matches_a_hand_computation(rivals):
    rivals.create_set("q", ["H1", "H2"], something_else=0.2)
    rivals.set_credence("H1", 0.5, "", give_way=["H2"])  # H1 0.5, H2 0.3, else 0.2
    p = rivals.add_prediction("H1", "score > 0.5", 0.9, likelihoods={"H2": 0.3, "else": 0.5})
    judge(rivals, p.id, held=False)
    (u,) = rivals.proposals()
    # P(failed | H1) = 0.1, P(failed | H2) = 0.7, P(failed | else) = 0.5
    evidence = 0.5 * 0.1 + 0.3 * 0.7 + 0.2 * 0.5  # 0.36
    assert u.before == pytest.approx({"H1": 0.5, "H2": 0.3, "else": 0.2})
    assert u.likelihoods == pytest.approx({"H1": 0.1, "H2": 0.7, "else": 0.5})
    assert u.after == pytest.approx({"H1": 0.05 / evidence, "H2": 0.21 / evidence, "else": 0.1 / evidence})
    assert u.ratio == pytest.approx(0.1 / ((0.21 + 0.1) / 0.5))
    assert u.status.value == "proposed" and rivals.hypothesis("H1").credence == 0.5  # nothing applied yet
    judge(rivals, p.id, held=False)  # a re-run proposes nothing more
    assert len(rivals.proposals()) == 1
    done = rivals.decide_proposal(u.id, "accepted", "the ablation is clean")
    assert done.status.value == "accepted" and done.applied == pytest.approx(u.after)
    assert rivals.hypothesis("H2").credence == pytest.approx(0.21 / evidence)
    assert rivals.hypothesis("H2").history[-1].reason == "U1 accepted: the ablation is clean"
    with pytest.raises(AlreadyDone):
        rivals.decide_proposal(u.id, "rejected")


def test_a_proposal_accepted_after_the_credences_moved_applies_its_evidence_to_them_as_they_are_now(rivals):
    rivals.create_set("q", ["H1", "H2"], something_else=0.2)
    rivals.set_credence("H1", 0.5, "", give_way=["H2"])  # H1 0.5, H2 0.3, else 0.2
    p = rivals.add_prediction("H1", "score > 0.5", 0.9, likelihoods={"H2": 0.3, "else": 0.5})
    judge(rivals, p.id, held=False)
    assert [u.now for u in rivals.proposals("proposed", now=True)] == [
        None
    ]  # made from the credences as they are
    rivals.set_status("H1", "refuted", "the ablation killed it")  # H1 0, H2 0.6, else 0.4
    (u,) = rivals.proposals("proposed", now=True)
    # P(failed | H1) = 0.1, P(failed | H2) = 0.7, P(failed | else) = 0.5, now from 0, 0.6 and 0.4
    assert u.before == pytest.approx({"H1": 0.5, "H2": 0.3, "else": 0.2})  # the proposal as made is kept
    assert u.now.before == pytest.approx({"H1": 0.0, "H2": 0.6, "else": 0.4})
    assert u.now.after == pytest.approx({"H1": 0.0, "H2": 0.42 / 0.62, "else": 0.2 / 0.62})
    assert "H1 0.00\u21920.00" in u.shown().detail and "as they are now" in u.shown().detail
    done = rivals.decide_proposal(u.id, "accepted", "still the evidence it was")
    assert done.applied == pytest.approx(u.now.after)
    assert rivals.hypothesis("H1").credence == 0.0  # a refuted member is not brought back
    assert rivals.hypothesis("H2").credence == pytest.approx(0.42 / 0.62)
    assert verify_logbook(rivals).ok
    # Listed later, it says what it wrote beside what it proposed.
    assert proposal_line(done).endswith("; wrote H1 0.00, H2 0.68, else 0.32  [accepted]")


def test_a_lone_hypothesis_is_updated_with_its_base_rate(store):
    h = store.add_hypothesis("alone", 0.6)
    p = store.add_prediction(h.id, "the plot is flat", 0.8, kind="text", base_rate=0.3)
    store.judge_by_hand(p.id, held=True)
    (u,) = store.proposals()
    assert u.after[h.id] == pytest.approx(0.6 * 0.8 / (0.6 * 0.8 + 0.4 * 0.3))
    assert u.ratio == pytest.approx(0.8 / 0.3)
    store.decide_proposal(u.id, "edited", "a bit less", credences={h.id: 0.7})
    assert store.hypothesis(h.id).credence == 0.7


def test_an_outcome_equally_likely_under_every_rival_proposes_nothing(store):
    h = store.add_hypothesis("alone", 0.6)
    p = store.add_prediction(h.id, "the plot is flat", 0.5, kind="text", base_rate=0.5)
    store.judge_by_hand(p.id, held=True)
    assert store.proposals() == []  # a ratio of 1 moves nothing: nothing to decide


def test_a_rejected_proposal_is_kept_and_changes_nothing(rivals):
    rivals.create_set("q", ["H1", "H2"], something_else=0.1)
    before = rivals.competing_set(1).credences
    p = rivals.add_prediction("H1", "score > 0.5", 0.9)
    judge(rivals, p.id, held=True)
    u = rivals.decide_proposal(1, "rejected", "the run was noisy")
    assert u.status.value == "rejected" and u.reason == "the run was noisy" and u.applied is None
    assert rivals.competing_set(1).credences == before


def test_posterior_by_hand():
    result = posterior({"a": 0.25, "b": 0.75}, {"a": 0.8, "b": 0.2}, "a")
    assert result.after == pytest.approx({"a": 0.2 / 0.35, "b": 0.15 / 0.35})
    assert result.ratio == pytest.approx(4.0)


# -- the honest record ------------------------------------------------------


@pytest.fixture
def decided(rivals):
    rivals.create_set("q", ["H1", "H2", "H3"], something_else=0.1)
    p = rivals.add_prediction("H2", "score > 0.5", 0.9, likelihoods={"H1": 0.2})
    judge(rivals, p.id, held=True)
    rivals.decide_proposal(1, "accepted", "clean")
    rivals.set_status("H3", "refuted", "no")
    return rivals


def test_verify_passes_on_sets_and_proposals_and_the_export_checks_alone(decided):
    assert verify_logbook(decided).ok, verify_logbook(decided).problems
    export = decided.export()
    assert export.sets[0].credences and export.proposals[0].status.value == "accepted"
    assert verify_export(export).ok, verify_export(export).problems


def test_verify_catches_an_sql_edit_of_a_sets_credences(decided):
    decided.db.execute("UPDATE competing_sets SET remainder = 0.5 WHERE id = 1")
    decided.db.conn.commit()
    problems = verify_logbook(decided).problems
    assert any("set 1's credences differ" in p for p in problems), problems


def test_verify_catches_an_sql_edit_of_a_proposal(decided):
    decided.db.execute("UPDATE proposals SET status = 'rejected' WHERE id = 1")
    decided.db.conn.commit()
    problems = verify_logbook(decided).problems
    assert any("proposal 1's status differs" in p for p in problems), problems


# -- tags and deadlines ------------------------------------------------------


def test_tags_and_due_predictions(store):
    h = store.add_hypothesis("x", 0.5, tags=["Induction", "layer1"])
    assert store.hypothesis(h.id).tags == ["induction", "layer1"]
    late = store.add_prediction(
        h.id, "the loss drops", 0.7, kind="text", resolve_by="2020-01-01", tags="quick"
    )
    store.add_prediction(h.id, "later", 0.7, kind="text", resolve_by="2999-01-01")
    assert late.tags == ["quick"] and late.resolve_by.year == 2020
    assert [p.id for p in store.due_predictions()] == [late.id]
    store.judge_by_hand(late.id, held=True)
    assert store.due_predictions() == []
    assert store.tag(late.id, ["more"]) == ["more", "quick"]


# -- the Python API ------------------------------------------------------------


def test_the_python_api_groups_decides_and_nudges(logbook_db, capsys):
    import logbook
    from logbook.api import session

    session.reset()
    with logbook.brainstorm(minutes=5, target=4) as b:
        logbook.hypothesis("copies the previous token", 0.7)
        logbook.hypothesis("induction", 0.8)
    assert "2 of 4: one more?" in capsys.readouterr().out
    s = logbook.compete("what copies?", brainstorm=b.id, something_else=0.0)
    assert "leaves nothing to something else" in capsys.readouterr().out
    assert logbook.compete("what copies?", brainstorm=b.id).id == s.id  # a re-run cell
    h = logbook.get("H1")
    h.predict("score > 0.5", 0.9, likelihoods={"H2": 0.2})
    judge(session.store(), "H1.P1", held=True)
    (u,) = logbook.proposals()
    assert logbook.decide(f"U{u.id}", "accepted", "clean").status.value == "accepted"
    assert logbook.sets()[0].credences["H1"] == pytest.approx(
        0.7 / 1.5 * 0.9 / (0.7 / 1.5 * 0.9 + 0.8 / 1.5 * 0.2)
    )
    assert "By mode" in logbook.calibration()
    session.reset()


def test_the_report_shows_calibration_slices_and_the_sets_distribution_over_time(decided):
    from logbook.report.markdown import markdown_report

    text = markdown_report(decided)
    assert "**By tag**" in text and "**Over time**" in text and "too few to mean anything" in text
    assert "**C1: q**" in text and "U1 accepted: clean" in text


def test_the_html_report_draws_the_set_as_it_moved_and_markdown_keeps_the_table(rivals):
    from logbook.report.charts import available
    from logbook.report.markdown import html_report, markdown_report

    rivals.create_set("what copies the token?", ["H1", "H2", "H3", "H4"], something_else=0.1)
    rivals.set_credence("H2", 0.5, "the ablation moved it")
    judge(
        rivals, rivals.add_prediction("H1", "score > 0.5", 0.9).id, held=False
    )  # the section needs a verdict
    md = markdown_report(rivals)
    assert "| when | H1 | H2 | H3 | H4 | else | why |" in md and "the ablation moved it" in md
    if not available():
        pytest.skip("no Vega-Lite renderer here")
    page = html_report(rivals)
    assert 'aria-label="distribution of C1 over time"' in page
    assert "| when |" not in page and "<th>why</th>" not in page.split("Calibration")[-1]


def test_the_markdown_history_keeps_a_column_for_a_member_that_left(rivals):
    from logbook.report.markdown import markdown_report

    rivals.create_set("q", ["H1", "H2", "H3"], something_else=0.1)
    rivals.remove_from_set("H3", "not about copying")
    judge(
        rivals, rivals.add_prediction("H1", "score > 0.5", 0.9).id, held=False
    )  # the section needs a verdict
    md = markdown_report(rivals)
    assert "| when | H1 | H2 | H3 | else | why |" in md
    (left,) = [line for line in md.splitlines() if line.endswith("| not about copying |")]
    assert left.split(" | ")[3] == "–"
