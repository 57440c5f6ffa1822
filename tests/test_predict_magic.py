"""%predict shows the prediction as it stands after the judging that writing it triggers."""

import pytest
from IPython import get_ipython
from IPython.testing.globalipapp import start_ipython

import kernel_hooks


@pytest.fixture
def shell(logbook_db):
    ip = start_ipython() or get_ipython()
    ip.run_line_magic("load_ext", "kernel_hooks")
    yield ip
    if kernel_hooks.active_recorder() is not None:
        ip.run_line_magic("unload_ext", "kernel_hooks")


def test_predict_on_values_already_there_shows_the_verdict_not_pending(shell):
    shell.run_cell("%hypothesis -c 0.6 the score is large", store_history=True)
    shell.run_cell("score = 0.3", store_history=True)
    failed = shell.run_cell("%predict -c 0.8 H1: score > 0.5", store_history=True).result
    assert (failed.id, failed.state.value) == ("H1.P1", "failed")
    assert "failed" in repr(failed) and "pending" not in repr(failed)
    held = shell.run_cell("%predict -c 0.8 H1: score < 0.5", store_history=True).result
    assert held.state.value == "held"


def test_predict_on_a_name_not_yet_assigned_stays_pending(shell):
    shell.run_cell("%hypothesis -c 0.6 the loss falls", store_history=True)
    waiting = shell.run_cell("%predict H1: loss < 0.1", store_history=True).result
    assert waiting.state.value == "pending"
