"""%compete, %proposals, %decide and %calibration in an in-process IPython shell."""

import pytest
from IPython import get_ipython
from IPython.testing.globalipapp import start_ipython

import kernel_hooks
from logbook.store.core import Store


@pytest.fixture
def shell(logbook_db):
    ip = start_ipython() or get_ipython()
    ip.run_line_magic("load_ext", "kernel_hooks")
    yield ip
    if kernel_hooks.active_recorder() is not None:
        ip.run_line_magic("unload_ext", "kernel_hooks")


def run(shell, source):
    result = shell.run_cell(source, store_history=True)
    assert result.error_in_exec is None, result.error_in_exec
    return result.result


def rivals(shell):
    run(shell, "%hypothesis -c 0.5 an induction circuit copies")
    run(shell, "%hypothesis -c 0.3 the model copies by position")
    run(shell, "%hypothesis -c 0.1 layer 1 alone copies")


def test_compete_makes_a_set_that_sums_to_one(shell, capsys):
    rivals(shell)
    made = run(shell, "%compete H1 H2 H3 --else 0.2 what copies the token")
    assert made.question == "what copies the token" and made.something_else == pytest.approx(0.2)
    assert sum(made.credences.values()) + made.something_else == pytest.approx(1)
    assert made.credences["H1"] == pytest.approx(0.8 * 0.5 / 0.9)
    assert "C1" in capsys.readouterr().out
    again = run(shell, "%compete H1 H2 H3 --else 0.2 what copies the token")
    assert again.id == made.id  # a re-run cell returns the set already made


def test_compete_without_a_question_names_its_members(shell):
    rivals(shell)
    assert run(shell, "%compete H1 H2").question == "which of H1, H2?"


def test_compete_needs_two_rivals(shell):
    rivals(shell)
    result = shell.run_cell("%compete H1 --else 0.1", store_history=True)
    assert "two rivals" in str(result.error_in_exec)


def test_a_verdict_proposes_an_update_that_decide_accepts_with_its_reason(shell, capsys, logbook_db):
    rivals(shell)
    run(shell, "%compete H1 H2 H3 --else 0.1 what copies the token")
    run(
        shell,
        "import logbook\nlogbook.get('H2').predict('period7_loss > 3.0', 0.7, likelihoods={'H1': 0.05})",
    )
    run(shell, "period7_loss = 4.2")
    run(shell, "logbook.flush()")
    capsys.readouterr()
    run(shell, "%proposals")
    listed = capsys.readouterr().out
    assert "U1" in listed and "likelihood ratio" in listed and "H2 0.30" in listed
    decided = run(shell, "%decide U1 accept period 7 breaks it")
    assert decided.status.value == "accepted" and decided.reason == "period 7 breaks it"
    with Store(logbook_db) as store:
        (copying,) = store.competing_sets()
        assert copying.credences["H2"] == pytest.approx(decided.after["H2"]) and decided.after["H2"] > 0.3
        assert sum(copying.credences.values()) + copying.something_else == pytest.approx(1)
    capsys.readouterr()
    run(shell, "%proposals")
    assert "no proposed proposals" in capsys.readouterr().out
    run(shell, "%proposals accepted")
    assert "U1" in capsys.readouterr().out


def test_decide_edit_takes_the_credences_chosen(shell):
    rivals(shell)
    run(shell, "%compete H1 H2 H3 --else 0.1")
    run(shell, "import logbook\nlogbook.get('H1').predict('score > 0.5', 0.8)")
    run(shell, "score = 0.9")
    run(shell, "logbook.flush()")
    decided = run(shell, "%decide U1 edit H1=0.6 H2=0.2 H3=0.1 else=0.1 one run is not enough")
    assert decided.status.value == "edited" and decided.applied["H1"] == pytest.approx(0.6)
    assert decided.reason == "one run is not enough"


def test_decide_rejects_a_word_it_does_not_know(shell):
    result = shell.run_cell("%decide U1 maybe", store_history=True)
    assert "accept|edit|reject" in str(result.error_in_exec)


def test_calibration_prints_the_slices_and_refuses_an_unknown_one(shell, capsys):
    run(shell, "%hypothesis -c 0.6 the score is large")
    run(shell, "score = 0.3")
    run(shell, "%predict -c 0.8 H1: score > 0.5")
    capsys.readouterr()
    run(shell, "%calibration mode")
    out = capsys.readouterr().out
    assert "mode" in out.lower() and "1" in out
    result = shell.run_cell("%calibration colour", store_history=True)
    assert "not 'colour'" in str(result.error_in_exec)


def test_credence_join_and_leave_edit_a_set_and_a_rerun_changes_nothing(shell, logbook_db):
    rivals(shell)
    run(shell, "%hypothesis -c 0.2 the MLP copies")
    run(shell, "%compete H1 H2 H3 --else 0.1 what copies the token")
    with Store(logbook_db) as store:
        before = store.competing_set(1)
    moved = run(shell, "%credence H1 0.6 --give-way H2,else the ablation moved it")
    assert moved.credences["H1"] == pytest.approx(0.6) and moved.credences["H3"] == before.credences["H3"]
    assert moved.history[-1].reason == "H1 to 0.60, H2, something else gave way: the ablation moved it"
    assert sum(moved.credences.values()) + moved.something_else == pytest.approx(1)
    again = run(shell, "%credence H1 0.6 --give-way H2,else the ablation moved it")  # a re-run cell
    assert len(again.history) == len(moved.history)
    proportional = run(shell, "%credence H2 0.1 weaker")
    assert proportional.history[-1].reason == "H2 to 0.10, the others gave way: weaker"
    assert run(shell, "%credence C1 else 0.2 none fits period 7").something_else == pytest.approx(0.2)
    joined = run(shell, "%join C1 H4 a fourth rival")
    assert joined.credences["H4"] == pytest.approx(0.2) and joined.history[-1].reason == "a fourth rival"
    assert len(run(shell, "%join C1 H4 a fourth rival").history) == len(joined.history)
    left = run(shell, "%leave H3 not about copying")
    assert "H3" not in left.credences and left.history[-1].reason == "not about copying"
    assert run(shell, "%leave H3 not about copying") is None
    alone = run(shell, "%credence H3 0.3 on its own")
    assert alone.credence == 0.3
    refused = shell.run_cell("%credence H3 0.4 --give-way H1 alone", store_history=True)
    assert "no one gives way" in str(refused.error_in_exec)
    with Store(logbook_db) as store:
        from logbook.audit.verify import verify_logbook

        assert verify_logbook(store).ok


def test_the_python_api_names_who_gives_way_and_moves_members(logbook_db):
    import logbook
    from logbook.api import session

    session.reset()
    for statement, credence in [("copies", 0.5), ("induction", 0.3), ("MLP", 0.1)]:
        logbook.hypothesis(statement, credence)
    logbook.compete("what copies?", "H1", "H2", something_else=0.2)
    logbook.get("H1").update(0.6, "stronger", give_way=["else"])
    (s,) = logbook.sets()
    assert s.credences == pytest.approx({"H1": 0.6, "H2": 0.3}) and s.something_else == pytest.approx(0.1)
    s = logbook.join("C1", "H3", reason="a third")  # H3 keeps 0.1; the others give 0.1 in proportion
    assert s.credences == pytest.approx(
        {"H1": 0.54, "H2": 0.27, "H3": 0.1}
    ) and s.something_else == pytest.approx(0.09)
    s = logbook.something_else("C1", 0.05, "fewer unknowns")
    assert s.something_else == pytest.approx(0.05) and s.credences["H2"] == pytest.approx(0.27 * 0.95 / 0.91)
    (left,) = logbook.leave("H2", reason="not copying")
    assert "H2" not in left.credences and left.something_else == pytest.approx(0.05 + 0.27 * 0.95 / 0.91)
    assert logbook.get("H2").credence == pytest.approx(0.27 * 0.95 / 0.91)
    session.reset()


def test_predict_takes_likelihoods_base_rate_deadline_and_tags_and_tag_adds_more(shell, logbook_db, capsys):
    rivals(shell)
    written = run(
        shell,
        "%predict -c 0.7 --likelihoods H1=0.05,else=0.3 --resolve-by 2020-01-01 --tags quick,period7"
        " H2: period7_loss > 3.0",
    )
    assert written.credence == 0.7 and written.expression == "period7_loss > 3.0"
    assert written.likelihoods == {"H1": 0.05, "else": 0.3} and written.tags == ["period7", "quick"]
    assert written.resolve_by.year == 2020
    alone = run(shell, "%predict --base-rate 0.2 H3 0.8: layer1_score > 0.5")
    assert alone.base_rate == 0.2 and alone.credence == 0.8
    bad = shell.run_cell("%predict --likelihoods H1 H2: x > 1", store_history=True)
    assert "--likelihoods takes H2=0.3,else=0.5" in str(bad.error_in_exec)
    bad = shell.run_cell("%predict --colour red H2: x > 1", store_history=True)
    assert "usage: %predict" in str(bad.error_in_exec)
    capsys.readouterr()
    run(shell, "%tag H2.P1 layer1, copying")
    assert capsys.readouterr().out.strip() == "H2.P1: copying, layer1, period7, quick"
    run(shell, "%tag H1 induction")
    run(shell, "%tag H1 --replace mlp")
    assert capsys.readouterr().out.splitlines()[-1] == "H1: mlp"
    with Store(logbook_db) as store:
        from logbook.audit.verify import verify_logbook

        assert store.hypothesis("H1").tags == ["mlp"] and verify_logbook(store).ok
