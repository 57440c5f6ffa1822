"""%predict shows the prediction as it stands after the judging that writing it triggers."""

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


def test_a_verdict_in_words_shows_its_card_with_the_prediction_and_what_was_seen(
    shell, monkeypatch, logbook_db
):
    import kernel_hooks.recorder as recorder_module

    shown = []
    monkeypatch.setattr(recorder_module, "show_surprise", lambda **payload: shown.append(payload))
    shell.run_cell(
        "import logbook\nh = logbook.hypothesis('head 1.4 is needed', 0.6)\n"
        "h.predict(text='ablating it breaks copying', credence=0.75)",
        store_history=True,
    )
    shell.run_cell("ablated = 1", store_history=True)
    surprise = shell.run_cell(
        "logbook.judge('H1.P1', held=False, observed='copying survives')", store_history=True
    ).result
    (card,) = shown
    assert (card["prediction_id"], card["runs"]) == ("H1.P1", 1)
    assert card["observed"] == {"observed": {"type": "str", "len": 16, "value": "copying survives"}}
    with Store(logbook_db) as store:
        assert store.experiment(surprise.experiment_id).source == "ablated = 1"
