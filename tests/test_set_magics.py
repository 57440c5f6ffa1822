"""%compete, %proposals, %decide and %calibration in an in-process IPython shell."""

import pytest
from IPython import get_ipython
from IPython.testing.globalipapp import start_ipython

import kernel_hooks
from logbook.store import Store


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
